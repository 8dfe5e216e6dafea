package reftarget

import (
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/authconform/authconform/internal/basicauth"
)

// serve starts the target built from opts on a loopback test server.
func serve(t *testing.T, opts Options) *httptest.Server {
	t.Helper()
	h, err := Handler(opts)
	if err != nil {
		t.Fatalf("Handler(%+v): %v", opts, err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// exchange is one response with its body read.
type exchange struct {
	resp *http.Response
	body string
}

// do sends one request without following redirects; rawPath is sent as
// written.
func do(t *testing.T, srv *httptest.Server, method, rawPath string, header http.Header,
	body string) exchange {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+rawPath, strings.NewReader(body))
	if err != nil {
		t.Fatalf("NewRequest %s %s: %v", method, rawPath, err)
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	client := *srv.Client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, rawPath, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read %s %s: %v", method, rawPath, err)
	}
	return exchange{resp: resp, body: string(data)}
}

func authHeader(value string) http.Header { return http.Header{"Authorization": {value}} }

func basicHeader(user, password string) http.Header {
	return authHeader("Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+password)))
}

// updateBody is a callback request for output with the url.pathname input.
func updateBody(output string) string {
	id, prop, _ := strings.Cut(output, ".")
	return `{"output":"` + output + `","outputs":{"id":"` + id + `","property":"` + prop +
		`"},"inputs":[{"id":"url","property":"pathname","value":"/"}],` +
		`"changedPropIds":["url.pathname"],"state":[]}`
}

var wantChallenge = `Basic realm="authconform reference", charset="UTF-8"`

func checkChallenge(t *testing.T, what string, ex exchange) {
	t.Helper()
	if ex.resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("%s: status = %d, want 401", what, ex.resp.StatusCode)
		return
	}
	if got := ex.resp.Header.Get("WWW-Authenticate"); got != wantChallenge {
		t.Errorf("%s: WWW-Authenticate = %q, want %q", what, got, wantChallenge)
	}
	if ex.resp.Request.Method != http.MethodHead && ex.body != basicauth.LoginRequired {
		t.Errorf("%s: body = %q, want %q", what, ex.body, basicauth.LoginRequired)
	}
}

func TestReferenceAcceptsEveryUser(t *testing.T) {
	srv := serve(t, Options{})
	for _, u := range Users() {
		ex := do(t, srv, "GET", "/", basicHeader(u.Username, u.Password), "")
		if ex.resp.StatusCode != http.StatusOK || !strings.Contains(ex.body, "react-entry-point") {
			t.Errorf("%s: status %d, want 200 with the index", u.Username, ex.resp.StatusCode)
		}
		ex = do(t, srv, "POST", basicauth.UpdatePath, basicHeader(u.Username, u.Password),
			updateBody("title.children"))
		if want := `"Hello ` + u.Username + `"`; !strings.Contains(ex.body, want) {
			t.Errorf("%s: greeting %q, want it to contain %s", u.Username, ex.body, want)
		}
	}
}

func TestReferenceChallengesEverything(t *testing.T) {
	srv := serve(t, Options{})
	anonymous := []struct{ method, path string }{
		{"GET", "/"}, {"HEAD", "/"}, {"OPTIONS", "/"}, {"DELETE", "/"}, {"POST", "/"},
		{"GET", "/no/such/page"}, {"GET", ReportsPath}, {"POST", ReportsPath},
		{"GET", "/assets/logo.png"}, {"GET", "/assets/missing.css.map"},
		{"POST", "/public/"},
	}
	for _, r := range anonymous {
		checkChallenge(t, r.method+" "+r.path, do(t, srv, r.method, r.path, nil, ""))
	}
	checkChallenge(t, "anonymous greeting",
		do(t, srv, "POST", basicauth.UpdatePath, nil, updateBody("title.children")))
	checkChallenge(t, "anonymous report",
		do(t, srv, "POST", basicauth.UpdatePath, nil, updateBody("report.children")))
}

func TestReferenceServesPublicRoutes(t *testing.T) {
	srv := serve(t, Options{})
	for _, path := range []string{"/public", "/user/7/public", "/_dash-layout",
		"/_dash-dependencies", "/assets/app.js", "/assets/style.css", "/_favicon.ico",
		"/_reload-hash", "/_dash-component-suites/dash/deps/react.min.js"} {
		if ex := do(t, srv, "GET", path, nil, ""); ex.resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s anonymously: status = %d, want 200", path, ex.resp.StatusCode)
		}
	}
	ex := do(t, srv, "POST", basicauth.UpdatePath, nil, updateBody("public-note.children"))
	if ex.resp.StatusCode != http.StatusOK || !strings.Contains(ex.body, "public-note") {
		t.Errorf("anonymous public callback: status %d body %q, want 200", ex.resp.StatusCode,
			ex.body)
	}
}

func TestReferencePrivateProtectsInternals(t *testing.T) {
	srv := serve(t, Options{Private: true})
	for _, path := range []string{"/public", "/user/7/public", "/_dash-layout",
		"/_dash-dependencies", "/assets/app.js", "/_favicon.ico", "/_reload-hash",
		"/_dash-component-suites/dash/deps/react.min.js"} {
		checkChallenge(t, "GET "+path, do(t, srv, "GET", path, nil, ""))
	}
	for _, path := range []string{"/_dash-layout", "/assets/missing.png", "/no/such/page"} {
		checkChallenge(t, "POST "+path, do(t, srv, "POST", path, nil, ""))
	}
	checkChallenge(t, "public callback",
		do(t, srv, "POST", basicauth.UpdatePath, nil, updateBody("public-note.children")))
}

func TestReferenceGroupRestriction(t *testing.T) {
	srv := serve(t, Options{})
	for _, u := range Users() {
		ex := do(t, srv, "POST", basicauth.UpdatePath, basicHeader(u.Username, u.Password),
			updateBody("report.children"))
		inGroup := strings.Join(u.Groups, ",") == "analysts"
		switch {
		case inGroup && ex.resp.StatusCode != http.StatusOK:
			t.Errorf("%s (analyst): status = %d, want 200", u.Username, ex.resp.StatusCode)
		case !inGroup && ex.resp.StatusCode != http.StatusNoContent:
			t.Errorf("%s (not analyst): status = %d, want 204", u.Username, ex.resp.StatusCode)
		}
	}
}

func TestReferenceIsStateless(t *testing.T) {
	srv := serve(t, Options{})
	for i := range 50 {
		ex := do(t, srv, "POST", basicauth.UpdatePath, basicHeader("alice", "wonder:land"),
			updateBody("title.children"))
		if ex.resp.StatusCode != http.StatusOK {
			t.Fatalf("request %d: status = %d, want 200", i+1, ex.resp.StatusCode)
		}
	}
	ex := do(t, srv, "GET", "/", basicHeader("bob", "builder"), "")
	cookie := ex.resp.Header.Get("Set-Cookie")
	if !strings.HasPrefix(cookie, basicauth.SessionCookie+"=") {
		t.Fatalf("Set-Cookie = %q, want a session cookie", cookie)
	}
	value, _, _ := strings.Cut(cookie, ";")
	checkChallenge(t, "session cookie alone",
		do(t, srv, "GET", "/", http.Header{"Cookie": {value}}, ""))
}

func TestHandlerRejectsUnknownMutant(t *testing.T) {
	_, err := Handler(Options{Mutant: "no-such-mutant"})
	if err == nil {
		t.Fatal("Handler error = nil, want an unknown mutant error")
	}
	for _, name := range []string{"no-such-mutant", "open-callback", "groups-ignored"} {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("error %q does not mention %q", err, name)
		}
	}
}

var requirementID = regexp.MustCompile(`^BA-[A-Z0-9-]+$`)

func TestMutantsAreWellFormed(t *testing.T) {
	seen := map[string]bool{}
	for _, m := range Mutants() {
		if seen[m.Name] {
			t.Errorf("mutant %q is registered twice", m.Name)
		}
		seen[m.Name] = true
		if m.Description == "" || len(m.Breaks) == 0 {
			t.Errorf("mutant %q lacks a description or requirement ids", m.Name)
		}
		for _, id := range m.Breaks {
			if !requirementID.MatchString(id) {
				t.Errorf("mutant %q: requirement id %q is not of the form BA-NAME", m.Name, id)
			}
		}
		if _, err := Handler(Options{Mutant: m.Name}); err != nil {
			t.Errorf("Handler(%q): %v", m.Name, err)
		}
	}
}

func TestMutantsReturnsCopies(t *testing.T) {
	list := Mutants()
	list[0].Breaks[0] = "changed"
	if Mutants()[0].Breaks[0] == "changed" {
		t.Error("changing the result of Mutants changed the registry")
	}
}

func TestHandlerPropagatesConfigErrors(t *testing.T) {
	a := newAssembly(false, nil)
	a.auth.PublicRoutes = []string{"no-slash"}
	if _, err := a.build(); err == nil || !strings.Contains(err.Error(), "build middleware") {
		t.Errorf("build error = %v, want a middleware error", err)
	}
}
