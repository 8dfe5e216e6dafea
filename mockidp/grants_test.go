package mockidp

import (
	"net/http"
	"net/url"
	"testing"
)

// refreshWith runs a refresh_token grant for client app.
func refreshWith(t *testing.T, idp *Server, token any) (int, map[string]any) {
	t.Helper()
	s, _ := token.(string)
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {s}}
	resp, body := postToken(t, idp, form, "app", "app-secret")
	return resp.StatusCode, body
}

func TestCodeReuseRevokesRefreshTokens(t *testing.T) {
	idp := startIDP(t, func(c *Config) {
		c.DefaultUser = "alice"
		c.Users = append(c.Users, User{Username: "carol"})
	})
	b := newBrowser(t, idp)
	code := b.code(authParams())
	first := exchange(t, idp, code)
	// A rotated refresh token descends from the same code.
	status, rotated := refreshWith(t, idp, first["refresh_token"])
	if status != http.StatusOK {
		t.Fatalf("refresh: status %d body %v", status, rotated)
	}
	offline := exchange(t, idp, b.code(authParams("scope", "openid offline_access")))
	other := exchange(t, idp, b.code(authParams()))

	form := url.Values{"grant_type": {"authorization_code"}, "code": {code},
		"redirect_uri": {appRedirect}}
	resp, body := postToken(t, idp, form, "app", "app-secret")
	if resp.StatusCode != http.StatusBadRequest || body["error"] != "invalid_grant" {
		t.Errorf("reused code: status %d body %v, want 400 invalid_grant", resp.StatusCode, body)
	}
	status, body = refreshWith(t, idp, rotated["refresh_token"])
	if body["error"] != "invalid_grant" {
		t.Errorf("refresh token from the reused code: status %d body %v, want invalid_grant",
			status, body)
	}
	// Tokens from other codes stay valid.
	for name, tokens := range map[string]map[string]any{"offline": offline, "other": other} {
		if status, body := refreshWith(t, idp, tokens["refresh_token"]); status != http.StatusOK {
			t.Errorf("%s refresh token: status %d body %v, want 200", name, status, body)
		}
	}
}

func TestCodeFromOtherClientStaysUsable(t *testing.T) {
	idp := startIDP(t, func(c *Config) {
		c.DefaultUser = "alice"
		c.Clients = append(c.Clients, Client{ID: "rogue", Secret: "rogue-secret",
			RedirectURIs: []string{appRedirect}})
	})
	code := newBrowser(t, idp).code(authParams())
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code},
		"redirect_uri": {appRedirect}}
	for range 2 {
		resp, body := postToken(t, idp, form, "rogue", "rogue-secret")
		if resp.StatusCode != http.StatusBadRequest || body["error"] != "invalid_grant" {
			t.Errorf("other client: status %d body %v, want 400 invalid_grant",
				resp.StatusCode, body)
		}
	}
	tokens := exchange(t, idp, code)
	status, next := refreshWith(t, idp, tokens["refresh_token"])
	if status != http.StatusOK {
		t.Fatalf("owner's refresh token: status %d body %v, want 200", status, next)
	}
	// Once the owner redeemed it, the other client cannot revoke its tokens.
	resp, body := postToken(t, idp, form, "rogue", "rogue-secret")
	if body["error"] != "invalid_grant" {
		t.Errorf("other client after redemption: status %d body %v, want invalid_grant",
			resp.StatusCode, body)
	}
	if status, body := refreshWith(t, idp, next["refresh_token"]); status != http.StatusOK {
		t.Errorf("owner's rotated refresh token: status %d body %v, want 200", status, body)
	}
}

func TestIDTokenSIDIsNotSessionCookie(t *testing.T) {
	idp := startIDP(t, func(c *Config) { c.DefaultUser = "alice" })
	b := newBrowser(t, idp)
	tokens := exchange(t, idp, b.code(authParams()))
	sid, _ := verifiedClaims(t, idp, tokens["id_token"])["sid"].(string)
	if sid == "" {
		t.Fatal("ID token has no sid")
	}
	issuer, err := url.Parse(idp.Issuer())
	if err != nil {
		t.Fatal(err)
	}
	var cookie string
	for _, c := range b.http.Jar.Cookies(issuer) {
		if c.Name == idp.cookieName {
			cookie = c.Value
		}
	}
	if cookie == "" {
		t.Fatal("browser has no session cookie")
	}
	if sid == cookie {
		t.Errorf("sid equals the session cookie value %q", cookie)
	}

	// A browser that presents the sid as its cookie has no session.
	if err := idp.SetDefaultUser(""); err != nil {
		t.Fatal(err)
	}
	replay := newBrowser(t, idp)
	replay.http.Jar.SetCookies(issuer, []*http.Cookie{{Name: idp.cookieName, Value: sid}})
	q := redirectQuery(t, replay.authorize(authParams("prompt", "none")))
	if q.Get("error") != "login_required" {
		t.Errorf("sid as cookie: error = %q, want login_required", q.Get("error"))
	}
	// The owner's cookie still works, and logout by hint ends that session.
	b.code(authParams("prompt", "none"))
	v := url.Values{"id_token_hint": {tokens["id_token"].(string)}}
	resp := mustGet(t, http.DefaultClient, idp.Issuer()+pathEndSession+"?"+v.Encode())
	resp.Body.Close()
	q = redirectQuery(t, b.authorize(authParams("prompt", "none")))
	if q.Get("error") != "login_required" {
		t.Errorf("after logout by hint: error = %q, want login_required", q.Get("error"))
	}
}
