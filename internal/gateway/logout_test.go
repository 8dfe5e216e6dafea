package gateway

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/authconform/authconform/internal/gateway/gatewaytest"
)

func TestLogoutEndsBothSessions(t *testing.T) {
	e := newEnv(t, Config{Level: Authenticated})
	b := e.login("alice")
	oldSession := b.SessionCookie(e.base, SessionCookie)

	resp := b.Do("GET", e.base+LogoutPath, gatewaytest.PageHeader(), "")
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("logout: status = %d, want 302", resp.StatusCode)
	}
	if c := resp.Cookie(SessionCookie); c == nil || c.MaxAge >= 0 {
		t.Errorf("logout sets session cookie %v, want it deleted", c)
	}
	endSession, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || !strings.HasPrefix(endSession.String(), e.idp.Issuer()) {
		t.Fatalf("logout redirects to %q, want the IdP's end_session_endpoint", endSession)
	}
	q := endSession.Query()
	if q.Get("id_token_hint") == "" || q.Get("state") == "" {
		t.Errorf("end-session request %v lacks id_token_hint or state", q)
	}
	if q.Get("client_id") != gatewaytest.ClientID ||
		q.Get("post_logout_redirect_uri") != e.base+"/" {
		t.Errorf("end-session request client_id %q post_logout_redirect_uri %q, want %q and %q",
			q.Get("client_id"), q.Get("post_logout_redirect_uri"), gatewaytest.ClientID, e.base+"/")
	}

	// The IdP sends the browser back to the app, which sends it to login.
	resp, visited := b.Navigate(endSession.String())
	if len(visited) < 3 || !strings.HasPrefix(visited[1], e.base+"/?state=") {
		t.Errorf("after the IdP's logout the browser visits %v, want the app's root", visited)
	}
	if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Body, `id="login-form"`) {
		t.Errorf("the next login shows status %d %.200q, want the IdP's login page",
			resp.StatusCode, resp.Body)
	}

	replay := gatewaytest.NewBrowser(t)
	replay.Jar.SetCookies(mustParse(t, e.base), []*http.Cookie{{Name: SessionCookie,
		Value: oldSession}})
	if resp := replay.Do("GET", e.base+"/", xhrHeader(), ""); resp.StatusCode != 401 {
		t.Errorf("replayed session cookie after logout: status = %d, want 401", resp.StatusCode)
	}
	if n := e.gw.sessions.len(); n != 0 {
		t.Errorf("%d sessions stored after logout, want 0", n)
	}
}

func TestLogoutByPost(t *testing.T) {
	e := newEnv(t, Config{Level: Authenticated})
	b := e.login("bob")
	resp := b.Do("POST", e.base+LogoutPath, http.Header{"Content-Type": {
		"application/x-www-form-urlencoded"}}, "next=%2Freports")
	if resp.StatusCode != http.StatusFound || !strings.HasPrefix(resp.Header.Get("Location"),
		e.idp.Issuer()) {
		t.Errorf("POST logout: status %d Location %q, want 302 to the IdP", resp.StatusCode,
			resp.Header.Get("Location"))
	}
	if resp := b.Do("GET", e.base+"/", xhrHeader(), ""); resp.StatusCode != 401 {
		t.Errorf("after POST logout GET /: status = %d, want 401", resp.StatusCode)
	}
}

func TestLogoutTarget(t *testing.T) {
	e := newEnv(t, Config{Level: Authenticated})
	tests := []struct{ param, value, want string }{
		{"next", "/reports", "/reports"},
		{"rd", "/public?x=1", "/public?x=1"},
		{"next", "//evil.example", "/"},
		{"rd", "https://evil.example/", "/"},
		{"next", "/\\evil.example", "/"},
	}
	for _, tt := range tests {
		b := e.login("alice")
		target := e.base + LogoutPath + "?" + url.Values{tt.param: {tt.value}}.Encode()
		_, visited := b.Navigate(target)
		// logout, IdP end session, app root with state, then the target.
		if len(visited) < 4 {
			t.Errorf("logout with %s=%q visits %v, want the IdP and back", tt.param, tt.value,
				visited)
			continue
		}
		if got := visited[3]; got != e.base+tt.want && !(tt.want == "/" &&
			strings.HasPrefix(got, e.base+LoginPath)) {
			t.Errorf("logout with %s=%q goes on to %s, want %s", tt.param, tt.value, got,
				e.base+tt.want)
		}
	}
}

func TestLogoutWithoutSession(t *testing.T) {
	e := newEnv(t, Config{Level: Authenticated})
	b := gatewaytest.NewBrowser(t)
	resp := b.Do("GET", e.base+LogoutPath+"?next=/reports", nil, "")
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "/reports" {
		t.Errorf("logout without a session: status %d Location %q, want 302 to /reports",
			resp.StatusCode, resp.Header.Get("Location"))
	}
}
