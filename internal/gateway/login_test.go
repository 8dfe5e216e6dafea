package gateway

import (
	"bytes"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/authconform/authconform/internal/gateway/gatewaytest"
	"github.com/authconform/authconform/mockidp"
)

// failedLogin runs a login for alice after injecting fault and checks that
// it ends at the callback with status, without a session or app content.
func failedLogin(t *testing.T, e *env, fault mockidp.Fault, status int) {
	t.Helper()
	if err := e.idp.InjectFault(fault); err != nil {
		t.Fatal(err)
	}
	if err := e.idp.QueueUser("alice"); err != nil {
		t.Fatal(err)
	}
	b := gatewaytest.NewBrowser(t)
	resp, visited := b.Login(e.base, "/")
	last := visited[len(visited)-1]
	if !strings.HasPrefix(last, e.base+CallbackPath) {
		t.Errorf("login ends at %s, want the callback; visited %v", last, visited)
	}
	if resp.StatusCode != status {
		t.Errorf("callback status = %d, want %d; body %.200q", resp.StatusCode, status, resp.Body)
	}
	if hasAppContent(resp.Body) {
		t.Error("the callback's response holds app content")
	}
	if b.SessionCookie(e.base, SessionCookie) != "" {
		t.Error("the failed login set a session cookie")
	}
	if resp := b.Do("GET", e.base+"/", xhrHeader(), ""); resp.StatusCode != 401 {
		t.Errorf("after the failed login GET /: status = %d, want 401", resp.StatusCode)
	}
	if e.app.count() != 0 {
		t.Errorf("the app received %d requests, want 0", e.app.count())
	}
}

func TestPoisonedIDTokensRejected(t *testing.T) {
	for _, kind := range []mockidp.TokenFault{mockidp.TokenAlgNone, mockidp.TokenUnknownKey,
		mockidp.TokenWrongIssuer, mockidp.TokenWrongAudience, mockidp.TokenExpired,
		mockidp.TokenWrongNonce} {
		t.Run(string(kind), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, Config{Level: Authenticated})
			failedLogin(t, e, mockidp.Fault{Endpoint: mockidp.EndpointToken, IDToken: kind},
				http.StatusUnauthorized)
		})
	}
}

func TestBadStateRejected(t *testing.T) {
	for _, kind := range []mockidp.StateFault{mockidp.StateMissing, mockidp.StateWrong} {
		t.Run(string(kind), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, Config{Level: Authenticated})
			failedLogin(t, e, mockidp.Fault{Endpoint: mockidp.EndpointAuthorize, State: kind},
				http.StatusBadRequest)
		})
	}
}

func TestIdPErrorsShowErrorPage(t *testing.T) {
	tests := []struct {
		fault  mockidp.Fault
		status int
	}{
		{mockidp.Fault{Endpoint: mockidp.EndpointAuthorize, Error: "access_denied"},
			http.StatusForbidden},
		{mockidp.Fault{Endpoint: mockidp.EndpointAuthorize, Error: "server_error"},
			http.StatusBadGateway},
		{mockidp.Fault{Endpoint: mockidp.EndpointToken, Error: "server_error", Status: 503},
			http.StatusBadGateway},
		{mockidp.Fault{Endpoint: mockidp.EndpointToken, Error: "invalid_grant"},
			http.StatusBadGateway},
	}
	for _, tt := range tests {
		t.Run(string(tt.fault.Endpoint)+" "+tt.fault.Error, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, Config{Level: Authenticated})
			failedLogin(t, e, tt.fault, tt.status)
		})
	}
}

func TestRejectedLoginsAreLogged(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	e := newEnv(t, Config{Level: Authenticated, Logger: logger})
	failedLogin(t, e, mockidp.Fault{Endpoint: mockidp.EndpointToken,
		IDToken: mockidp.TokenWrongNonce}, http.StatusUnauthorized)
	out := logs.String()
	if !strings.Contains(out, "login rejected") || !strings.Contains(out, "nonce") {
		t.Errorf("log lacks the rejected login and its reason: %q", out)
	}
	b := e.login("alice")
	out = logs.String()
	if !strings.Contains(out, "msg=login user=alice") {
		t.Errorf("log lacks alice's login: %q", out)
	}
	if id := b.SessionCookie(e.base, SessionCookie); strings.Contains(out, id) {
		t.Error("log contains the session id")
	}
}

func TestCallbackReplayRejected(t *testing.T) {
	e := newEnv(t, Config{Level: Authenticated})
	if err := e.idp.QueueUser("alice"); err != nil {
		t.Fatal(err)
	}
	b := gatewaytest.NewBrowser(t)
	resp := b.Do("GET", e.base+LoginPath+"?next=/", nil, "")
	loginCookie := resp.Cookie(LoginCookie)
	resp = b.Do("GET", resp.Header.Get("Location"), nil, "")
	callback := resp.Header.Get("Location")
	if resp = b.Do("GET", callback, nil, ""); resp.StatusCode != http.StatusFound {
		t.Fatalf("callback: status = %d, want 302", resp.StatusCode)
	}
	// Replay the callback with the login cookie the browser has discarded.
	replay := gatewaytest.NewBrowser(t)
	replay.Jar.SetCookies(mustParse(t, e.base+Prefix), []*http.Cookie{loginCookie})
	resp = replay.Do("GET", callback, nil, "")
	if resp.StatusCode != http.StatusBadRequest || resp.Cookie(SessionCookie) != nil {
		t.Errorf("replayed callback: status %d, session cookie %v; want 400 and none",
			resp.StatusCode, resp.Cookie(SessionCookie))
	}
}

func TestLoginRedirectStaysOnOrigin(t *testing.T) {
	e := newEnv(t, Config{Level: Authenticated})
	for next, want := range map[string]string{
		"/reports?q=1":         "/reports?q=1",
		"//evil.example":       "/",
		"https://evil.example": "/",
		"/%09/evil.example":    "/",
	} {
		if err := e.idp.QueueUser("alice"); err != nil {
			t.Fatal(err)
		}
		b := gatewaytest.NewBrowser(t)
		_, visited := b.Login(e.base, next)
		if got := visited[len(visited)-1]; got != e.base+want {
			t.Errorf("login with next=%q ends at %s, want %s", next, got, e.base+want)
		}
	}
}
