package gateway

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/authconform/authconform/internal/gateway/gatewaytest"
	"github.com/authconform/authconform/mockidp"
)

// appMarker is in every body the test upstream serves, so a test can tell
// app content from the gateway's pages.
const appMarker = "UPSTREAM-APP-CONTENT"

// upstream is a test app that records the requests reaching it and echoes
// their identity headers and cookies.
type upstream struct {
	mu       sync.Mutex
	requests []*http.Request
}

// echo is the JSON body upstream serves.
type echo struct {
	Marker   string              `json:"marker"`
	Path     string              `json:"path"`
	UserData string              `json:"user_data"`
	Identity map[string][]string `json:"identity"`
	Cookie   string              `json:"cookie"`
}

func (u *upstream) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	u.mu.Lock()
	u.requests = append(u.requests, r)
	u.mu.Unlock()
	e := echo{Marker: appMarker, Path: r.URL.Path, UserData: r.Header.Get(UserDataHeader),
		Identity: map[string][]string{}, Cookie: r.Header.Get("Cookie")}
	for name, values := range r.Header {
		if isIdentityHeader(name) {
			e.Identity[name] = values
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	json.NewEncoder(w).Encode(e)
}

func (u *upstream) count() int {
	u.mu.Lock()
	defer u.mu.Unlock()
	return len(u.requests)
}

// env is a gateway in front of the test upstream, logging in through a mock IdP.
type env struct {
	t    *testing.T
	idp  *mockidp.Server
	gw   *Gateway
	app  *upstream
	base string
}

// newEnv starts a mock IdP and a gateway configured by cfg, with the IdP's
// issuer and the test client filled in.
func newEnv(t *testing.T, cfg Config) *env {
	t.Helper()
	ln, base := gatewaytest.Listen(t)
	idp := gatewaytest.StartIdP(t, base, nil)
	if cfg.Issuer == "" {
		cfg.Issuer = idp.Issuer()
	}
	cfg.ClientID, cfg.ClientSecret = gatewaytest.ClientID, gatewaytest.ClientSecret
	if cfg.Now == nil {
		cfg.Now = idp.Now
	}
	app := &upstream{}
	gw, err := New(context.Background(), cfg, app)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	gatewaytest.Serve(t, ln, gw)
	return &env{t: t, idp: idp, gw: gw, app: app, base: base}
}

// login logs username in with a new browser and checks that it arrives at
// the app.
func (e *env) login(username string) *gatewaytest.Browser {
	e.t.Helper()
	b := gatewaytest.NewBrowser(e.t)
	if err := e.idp.QueueUser(username); err != nil {
		e.t.Fatal(err)
	}
	resp, visited := b.Login(e.base, "/")
	if b.SessionCookie(e.base, SessionCookie) == "" {
		e.t.Fatalf("login as %s: no session cookie; visited %v, last status %d: %.300s",
			username, visited, resp.StatusCode, resp.Body)
	}
	return b
}

// echoOf decodes the upstream's echo from a response, failing the test when
// the response is not app content.
func echoOf(t *testing.T, resp *gatewaytest.Response) echo {
	t.Helper()
	var e echo
	if err := json.Unmarshal([]byte(resp.Body), &e); err != nil || e.Marker != appMarker {
		t.Fatalf("status %d, body %.300q: not app content", resp.StatusCode, resp.Body)
	}
	return e
}

// userDataOf decodes the UserDataHeader value the app received.
func userDataOf(t *testing.T, e echo) map[string]any {
	t.Helper()
	var data map[string]any
	if err := json.Unmarshal([]byte(e.UserData), &data); err != nil {
		t.Fatalf("user data %q is not a JSON object: %v", e.UserData, err)
	}
	return data
}

// xhrHeader returns the headers of a Dash renderer's XHR.
func xhrHeader() http.Header {
	return http.Header{"Accept": {"application/json"}, "Content-Type": {"application/json"},
		"X-Requested-With": {"XMLHttpRequest"}}
}

// hasAppContent reports whether a body is the upstream's.
func hasAppContent(body string) bool { return strings.Contains(body, appMarker) }
