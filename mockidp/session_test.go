package mockidp

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// loginPageRequest extracts the pending request id from a login page.
var loginPageRequest = regexp.MustCompile(`name="request" value="([^"]+)"`)

// showsLoginPage requires resp to be the login page and returns its request id.
func showsLoginPage(t *testing.T, resp *http.Response) string {
	t.Helper()
	body := readBody(t, resp)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status = %d, want 200 login page; body %.200s", resp.StatusCode, body)
	}
	m := loginPageRequest.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("response is not the login page: %.300s", body)
	}
	return m[1]
}

// submitLogin posts the login form.
func (b *browser) submitLogin(form url.Values) *http.Response {
	b.t.Helper()
	resp, err := b.http.PostForm(b.idp.Issuer()+pathLogin, form)
	if err != nil {
		b.t.Fatalf("login: %v", err)
	}
	return resp
}

func TestLoginPageMarkup(t *testing.T) {
	idp := startIDP(t, func(c *Config) {
		c.Users = append(c.Users, User{Username: "carol.o'neil@example"})
	})
	resp := newBrowser(t, idp).authorize(authParams())
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Errorf("Content-Type = %q, want text/html", ct)
	}
	body := readBody(t, resp)
	for _, want := range []string{
		`<label for="username">`, `<input id="username"`, `<label for="password">`,
		`<input id="password"`, `id="sign-in"`, `id="login-form"`, `id="pick-form"`,
		`id="pick-alice"`, `id="pick-bob"`, `id="pick-carol_o_neil_example"`, `id="cancel"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("login page lacks %s", want)
		}
	}
}

func TestLoginPageChoices(t *testing.T) {
	idp := startIDP(t, nil)
	for _, tc := range []struct {
		name      string
		form      url.Values
		wantUser  string
		wantError string
	}{
		{"pick", url.Values{"pick": {"bob"}}, "bob", ""},
		{"password", url.Values{"username": {"alice"}, "password": {"alice-pw"}}, "alice", ""},
		{"cancel", url.Values{"cancel": {"1"}}, "", "access_denied"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := newBrowser(t, idp)
			tc.form.Set("request", showsLoginPage(t, b.authorize(authParams())))
			q := redirectQuery(t, b.submitLogin(tc.form))
			if q.Get("state") != "st-123" {
				t.Errorf("state = %q, want st-123", q.Get("state"))
			}
			if q.Get("error") != tc.wantError {
				t.Fatalf("error = %q, want %q", q.Get("error"), tc.wantError)
			}
			if tc.wantUser == "" {
				return
			}
			id := verifiedClaims(t, idp, exchange(t, idp, q.Get("code"))["id_token"])
			if id["sub"] != tc.wantUser {
				t.Errorf("sub = %v, want %s", id["sub"], tc.wantUser)
			}
		})
	}
}

func TestLoginPageWrongPassword(t *testing.T) {
	idp := startIDP(t, nil)
	b := newBrowser(t, idp)
	id := showsLoginPage(t, b.authorize(authParams()))
	resp := b.submitLogin(url.Values{"request": {id}, "username": {"alice"}, "password": {"x"}})
	body := readBody(t, resp)
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("status = %d, want 401", resp.StatusCode)
	}
	if !strings.Contains(body, `id="error" role="alert"`) {
		t.Errorf("page lacks the error alert: %.300s", body)
	}
	// The same request still works with the right password.
	q := redirectQuery(t, b.submitLogin(url.Values{"request": {id}, "username": {"alice"},
		"password": {"alice-pw"}}))
	if q.Get("code") == "" {
		t.Errorf("no code after the right password: %v", q)
	}
}

func TestSessionSilentSecondLogin(t *testing.T) {
	idp := startIDP(t, nil)
	b := newBrowser(t, idp)
	id := showsLoginPage(t, b.authorize(authParams()))
	redirectQuery(t, b.submitLogin(url.Values{"request": {id}, "pick": {"bob"}}))

	// Second login: silent, same user.
	code := b.code(authParams())
	if sub := verifiedClaims(t, idp, exchange(t, idp, code)["id_token"])["sub"]; sub != "bob" {
		t.Errorf("silent login sub = %v, want bob", sub)
	}
	// prompt=none with a session works too.
	b.code(authParams("prompt", "none"))
	// prompt=login forces the page.
	showsLoginPage(t, b.authorize(authParams("prompt", "login")))
	// max_age=0 forces the page; a large max_age does not.
	showsLoginPage(t, b.authorize(authParams("max_age", "0")))
	b.code(authParams("max_age", "3600"))
	if _, err := idp.Advance(2 * time.Minute); err != nil {
		t.Fatal(err)
	}
	showsLoginPage(t, b.authorize(authParams("max_age", "60")))
}

func TestPromptNoneWithoutSession(t *testing.T) {
	idp := startIDP(t, func(c *Config) { c.DefaultUser = "alice" })
	q := redirectQuery(t, newBrowser(t, idp).authorize(authParams("prompt", "none")))
	if q.Get("error") != "login_required" {
		t.Errorf("error = %q, want login_required", q.Get("error"))
	}
	if q.Get("state") != "st-123" {
		t.Errorf("state = %q, want st-123", q.Get("state"))
	}
}

func TestQueueBeforeDefaultUser(t *testing.T) {
	idp := startIDP(t, func(c *Config) { c.DefaultUser = "alice" })
	if err := idp.QueueUser("bob"); err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{"bob", "alice", "alice"} {
		if sub := verifiedClaims(t, idp, login(t, idp)["id_token"])["sub"]; sub != want {
			t.Errorf("login %d sub = %v, want %s", i, sub, want)
		}
	}
	if err := idp.QueueUser("nobody"); err == nil {
		t.Error("QueueUser(nobody) succeeded, want ErrUnknownUser")
	}
}

func TestLogoutEndsSession(t *testing.T) {
	idp := startIDP(t, func(c *Config) { c.DefaultUser = "alice" })
	b := newBrowser(t, idp)
	tokens := exchange(t, idp, b.code(authParams()))
	if err := idp.SetDefaultUser(""); err != nil {
		t.Fatal(err)
	}
	v := url.Values{"id_token_hint": {tokens["id_token"].(string)}, "client_id": {"app"},
		"post_logout_redirect_uri": {appLogout}, "state": {"bye"}}
	resp, err := b.http.Get(idp.Issuer() + pathEndSession + "?" + v.Encode())
	if err != nil {
		t.Fatal(err)
	}
	q := redirectQuery(t, resp)
	if q.Get("state") != "bye" {
		t.Errorf("logout state = %q, want bye", q.Get("state"))
	}
	if loc := resp.Header.Get("Location"); !strings.HasPrefix(loc, appLogout) {
		t.Errorf("logout Location = %q, want %s", loc, appLogout)
	}
	// The next login shows the login page again.
	showsLoginPage(t, b.authorize(authParams()))
}

func TestLogoutByHintWithoutCookie(t *testing.T) {
	idp := startIDP(t, func(c *Config) { c.DefaultUser = "alice" })
	b := newBrowser(t, idp)
	tokens := exchange(t, idp, b.code(authParams()))
	v := url.Values{"id_token_hint": {tokens["id_token"].(string)}}
	resp, err := http.Get(idp.Issuer() + pathEndSession + "?" + v.Encode())
	if err != nil {
		t.Fatal(err)
	}
	if body := readBody(t, resp); resp.StatusCode != http.StatusOK {
		t.Fatalf("status = %d, want 200 signed-out page: %.200s", resp.StatusCode, body)
	}
	q := redirectQuery(t, b.authorize(authParams("prompt", "none")))
	if q.Get("error") != "login_required" {
		t.Errorf("after logout prompt=none error = %q, want login_required", q.Get("error"))
	}
}

func TestLogoutRejectsBadRequests(t *testing.T) {
	idp := startIDP(t, func(c *Config) { c.DefaultUser = "alice" })
	tokens := login(t, idp)
	hint := tokens["id_token"].(string)
	for _, tc := range []struct {
		name   string
		params url.Values
	}{
		{"unregistered target", url.Values{"client_id": {"app"},
			"post_logout_redirect_uri": {"http://127.0.0.1:9/evil"}}},
		{"target without client", url.Values{"post_logout_redirect_uri": {appLogout}}},
		{"hint for another client", url.Values{"id_token_hint": {hint}, "client_id": {"spa"}}},
		{"forged hint", url.Values{"id_token_hint": {"eyJhbGciOiJub25lIn0.e30."}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := http.Get(idp.Issuer() + pathEndSession + "?" + tc.params.Encode())
			if err != nil {
				t.Fatal(err)
			}
			readBody(t, resp)
			if resp.StatusCode != http.StatusBadRequest {
				t.Errorf("status = %d, want 400", resp.StatusCode)
			}
		})
	}
}

func TestForcedLoginSkipsDefaultUser(t *testing.T) {
	idp := startIDP(t, func(c *Config) { c.DefaultUser = "alice" })
	b := newBrowser(t, idp)
	b.code(authParams())
	showsLoginPage(t, b.authorize(authParams("prompt", "login")))
	showsLoginPage(t, b.authorize(authParams("max_age", "0")))

	// A queued user still logs in on a forced login, without the page.
	if err := idp.QueueUser("bob"); err != nil {
		t.Fatal(err)
	}
	code := b.code(authParams("prompt", "login"))
	if sub := verifiedClaims(t, idp, exchange(t, idp, code)["id_token"])["sub"]; sub != "bob" {
		t.Errorf("forced login with bob queued: sub = %v, want bob", sub)
	}
}
