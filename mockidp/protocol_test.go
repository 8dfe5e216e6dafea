package mockidp

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestDiscoveryMatchesIssuerAndTokens(t *testing.T) {
	const issuer = "http://idp.test:8080/realms/ci"
	idp := startIDP(t, func(c *Config) {
		c.Issuer = issuer
		c.DefaultUser = "alice"
	})
	if got := idp.Issuer(); got != issuer {
		t.Fatalf("Issuer() = %q, want %q", got, issuer)
	}

	// The listen address differs from the issuer, so requests go to the
	// listen URL with the issuer's path.
	resp, err := http.Get(idp.URL() + "/realms/ci" + pathDiscovery)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if doc["issuer"] != issuer {
		t.Errorf("discovery issuer = %v, want %q", doc["issuer"], issuer)
	}
	for key, want := range map[string]string{
		"authorization_endpoint": issuer + "/authorize", "token_endpoint": issuer + "/token",
		"userinfo_endpoint": issuer + "/userinfo", "jwks_uri": issuer + "/jwks",
		"end_session_endpoint": issuer + "/logout",
	} {
		if doc[key] != want {
			t.Errorf("discovery %s = %v, want %q", key, doc[key], want)
		}
	}
	methods, _ := doc["token_endpoint_auth_methods_supported"].([]any)
	if len(methods) != 3 {
		t.Errorf("token_endpoint_auth_methods_supported = %v, want basic, post, none", methods)
	}
	if doc["request_uri_parameter_supported"] != false {
		t.Errorf("request_uri_parameter_supported = %v, want false", doc["request_uri_parameter_supported"])
	}

	// iss of both tokens equals the issuer.
	b := newBrowser(t, idp)
	q := redirectQuery(t, mustGet(t, b.http, idp.URL()+"/realms/ci"+pathAuthorize+"?"+
		authParams().Encode()))
	tokens := exchangeAt(t, idp, idp.URL()+"/realms/ci"+pathToken, q.Get("code"))
	for _, name := range []string{"id_token", "access_token"} {
		if iss := verifiedClaims(t, idp, tokens[name])["iss"]; iss != issuer {
			t.Errorf("%s iss = %v, want %q", name, iss, issuer)
		}
	}
}

func mustGet(t *testing.T, c *http.Client, u string) *http.Response {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func exchangeAt(t *testing.T, idp *Server, tokenURL, code string) map[string]any {
	t.Helper()
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code},
		"redirect_uri": {appRedirect}, "client_id": {"app"}, "client_secret": {"app-secret"}}
	resp, err := http.PostForm(tokenURL, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("token status = %d, want 200; body %v", resp.StatusCode, body)
	}
	return body
}

func TestCodeFlowClaimsStateNonce(t *testing.T) {
	idp := startIDP(t, func(c *Config) { c.DefaultUser = "alice" })
	q := redirectQuery(t, newBrowser(t, idp).authorize(authParams()))
	if q.Get("state") != "st-123" {
		t.Errorf("state = %q, want st-123", q.Get("state"))
	}
	tokens := exchange(t, idp, q.Get("code"))
	if tokens["token_type"] != "Bearer" {
		t.Errorf("token_type = %v, want Bearer", tokens["token_type"])
	}
	id := verifiedClaims(t, idp, tokens["id_token"])
	access := verifiedClaims(t, idp, tokens["access_token"])
	if id["nonce"] != "n-456" {
		t.Errorf("nonce = %v, want n-456", id["nonce"])
	}
	if id["aud"] != "app" {
		t.Errorf("aud = %v, want app", id["aud"])
	}
	userinfo := getUserinfo(t, idp, tokens["access_token"].(string))
	// The same user claims appear in all three.
	for name, want := range map[string]any{
		"sub": "alice", "preferred_username": "alice", "name": "Alice Example",
		"email": "alice@example.com", "email_verified": true, "department": "finance",
	} {
		for source, claims := range map[string]map[string]any{
			"id_token": id, "access_token": access, "userinfo": userinfo} {
			if claims[name] != want {
				t.Errorf("%s %s = %v, want %v", source, name, claims[name], want)
			}
		}
	}
	for source, claims := range map[string]map[string]any{
		"id_token": id, "access_token": access, "userinfo": userinfo} {
		groups, _ := claims["groups"].([]any)
		if len(groups) != 2 || groups[0] != "admins" || groups[1] != "analysts" {
			t.Errorf("%s groups = %v, want [admins analysts]", source, claims["groups"])
		}
	}
}

func getUserinfo(t *testing.T, idp *Server, accessToken string) map[string]any {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, idp.Issuer()+pathUserinfo, nil)
	req.Header.Set("Authorization", "Bearer "+accessToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("userinfo status = %d, want 200; body %v", resp.StatusCode, body)
	}
	return body
}

func TestUserinfoRejectsIDTokenAndExpiredToken(t *testing.T) {
	idp := startIDP(t, func(c *Config) { c.DefaultUser = "alice" })
	tokens := login(t, idp)
	for name, token := range map[string]string{
		"id token": tokens["id_token"].(string), "garbage": "not-a-jwt"} {
		req, _ := http.NewRequest(http.MethodGet, idp.Issuer()+pathUserinfo, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("userinfo with %s: status = %d, want 401", name, resp.StatusCode)
		}
	}
	if _, err := idp.Advance(DefaultAccessTTL + time.Second); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, idp.Issuer()+pathUserinfo, nil)
	req.Header.Set("Authorization", "Bearer "+tokens["access_token"].(string))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("userinfo with expired token: status = %d, want 401", resp.StatusCode)
	}
}

func TestCodeSingleUseAndShortLived(t *testing.T) {
	idp := startIDP(t, func(c *Config) { c.DefaultUser = "alice" })
	b := newBrowser(t, idp)
	code := b.code(authParams())
	exchange(t, idp, code)
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code},
		"redirect_uri": {appRedirect}}
	if resp, body := postToken(t, idp, form, "app", "app-secret"); body["error"] != "invalid_grant" {
		t.Errorf("reused code: status %d body %v, want invalid_grant", resp.StatusCode, body)
	}

	code = b.code(authParams())
	if _, err := idp.Advance(DefaultCodeTTL + time.Second); err != nil {
		t.Fatal(err)
	}
	form.Set("code", code)
	if _, body := postToken(t, idp, form, "app", "app-secret"); body["error"] != "invalid_grant" {
		t.Errorf("expired code: body %v, want invalid_grant", body)
	}
}

func TestTokenEndpointClientAuthentication(t *testing.T) {
	idp := startIDP(t, func(c *Config) { c.DefaultUser = "alice" })
	b := newBrowser(t, idp)
	base := func() url.Values {
		return url.Values{"grant_type": {"authorization_code"}, "code": {b.code(authParams())},
			"redirect_uri": {appRedirect}}
	}
	cases := []struct {
		name       string
		form       url.Values
		id, secret string
		wantStatus int
	}{
		{"basic", base(), "app", "app-secret", 200},
		{"post", withParams(base(), "client_id", "app", "client_secret", "app-secret"), "", "", 200},
		{"basic wrong secret", base(), "app", "nope", 401},
		{"post wrong secret", withParams(base(), "client_id", "app", "client_secret", "x"), "", "", 401},
		{"no secret", withParams(base(), "client_id", "app"), "", "", 401},
		{"unknown client", base(), "ghost", "x", 401},
		{"both methods", withParams(base(), "client_secret", "app-secret"), "app", "app-secret", 400},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := postToken(t, idp, tc.form, tc.id, tc.secret)
			if resp.StatusCode != tc.wantStatus {
				t.Errorf("status = %d, want %d; body %v", resp.StatusCode, tc.wantStatus, body)
			}
		})
	}
}

func withParams(v url.Values, kv ...string) url.Values {
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v
}

func TestPublicClientPKCE(t *testing.T) {
	idp := startIDP(t, func(c *Config) { c.DefaultUser = "bob" })
	b := newBrowser(t, idp)
	params := func(challenge, method string) url.Values {
		v := url.Values{"client_id": {"spa"}, "redirect_uri": {publicRedirect},
			"response_type": {"code"}, "scope": {"openid"}, "state": {"s"},
			"code_challenge": {challenge}}
		if method != "" {
			v.Set("code_challenge_method", method)
		}
		return v
	}
	redeem := func(code, verifier string) (int, map[string]any) {
		form := url.Values{"grant_type": {"authorization_code"}, "code": {code},
			"redirect_uri": {publicRedirect}, "client_id": {"spa"}, "code_verifier": {verifier}}
		resp, body := postToken(t, idp, form, "", "")
		return resp.StatusCode, body
	}
	cases := []struct {
		name, challenge, method, verifier string
		want                              int
	}{
		{"S256", s256(testVerifier), "S256", testVerifier, 200},
		{"plain", testVerifier, "plain", testVerifier, 200},
		{"no method means plain", testVerifier, "", testVerifier, 200},
		{"S256 wrong verifier", s256(testVerifier), "S256", testVerifier + "x", 400},
		{"no method wrong verifier", testVerifier, "", strings.Repeat("z", 43), 400},
		{"S256 missing verifier", s256(testVerifier), "S256", "", 400},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code := b.code(params(tc.challenge, tc.method))
			status, body := redeem(code, tc.verifier)
			if status != tc.want {
				t.Errorf("status = %d, want %d; body %v", status, tc.want, body)
			}
		})
	}

	// A public client without a challenge gets an error by redirect.
	v := params("", "")
	v.Del("code_challenge")
	q := redirectQuery(t, b.authorize(v))
	if q.Get("error") != "invalid_request" || q.Get("state") != "s" {
		t.Errorf("no challenge: redirect query %v, want invalid_request and state s", q)
	}
}

func TestAuthorizeErrorsRedirectOrShowPage(t *testing.T) {
	idp := startIDP(t, func(c *Config) { c.DefaultUser = "alice" })
	b := newBrowser(t, idp)
	for _, tc := range []struct {
		name      string
		params    url.Values
		wantError string
	}{
		{"bad response_type", authParams("response_type", "token"), "unsupported_response_type"},
		{"no openid", authParams("scope", "profile"), "invalid_scope"},
		{"unknown scope", authParams("scope", "openid admin"), "invalid_scope"},
		{"bad max_age", authParams("max_age", "-3"), "invalid_request"},
		{"bad pkce method", authParams("code_challenge", testVerifier,
			"code_challenge_method", "S512"), "invalid_request"},
		{"request object", authParams("request", "x.y.z"), "request_not_supported"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := redirectQuery(t, b.authorize(tc.params))
			if q.Get("error") != tc.wantError {
				t.Errorf("error = %q, want %q", q.Get("error"), tc.wantError)
			}
			if q.Get("state") != "st-123" {
				t.Errorf("state = %q, want st-123", q.Get("state"))
			}
		})
	}
	for _, tc := range []struct {
		name   string
		params url.Values
	}{
		{"unknown client", authParams("client_id", "ghost")},
		{"unregistered redirect", authParams("redirect_uri", "http://127.0.0.1:9/evil")},
		{"missing redirect", withoutParam(authParams(), "redirect_uri")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := b.authorize(tc.params)
			body := readBody(t, resp)
			if resp.StatusCode != http.StatusBadRequest {
				t.Errorf("status = %d, want 400", resp.StatusCode)
			}
			if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
				t.Errorf("Content-Type = %q, want text/html", resp.Header.Get("Content-Type"))
			}
			if !strings.Contains(body, `id="message"`) {
				t.Errorf("error page has no message element: %.200s", body)
			}
		})
	}
}

func withoutParam(v url.Values, key string) url.Values {
	v.Del(key)
	return v
}

func TestRefreshRotatesAndRejectsReuse(t *testing.T) {
	idp := startIDP(t, func(c *Config) { c.DefaultUser = "alice" })
	first := login(t, idp)
	if first["expires_in"] != float64(600) {
		t.Errorf("expires_in = %v, want 600 seconds", first["expires_in"])
	}
	refresh := func(token string) (int, map[string]any) {
		form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {token}}
		resp, body := postToken(t, idp, form, "app", "app-secret")
		return resp.StatusCode, body
	}
	status, second := refresh(first["refresh_token"].(string))
	if status != http.StatusOK {
		t.Fatalf("refresh status = %d, want 200; body %v", status, second)
	}
	if second["refresh_token"] == first["refresh_token"] {
		t.Errorf("refresh token did not rotate")
	}
	if id := verifiedClaims(t, idp, second["id_token"]); id["sub"] != "alice" {
		t.Errorf("refreshed id_token sub = %v, want alice", id["sub"])
	}
	for name, token := range map[string]string{
		"reused":       first["refresh_token"].(string),
		"access token": first["access_token"].(string),
		"id token":     first["id_token"].(string),
		"unknown":      "made-up",
	} {
		if status, body := refresh(token); body["error"] != "invalid_grant" {
			t.Errorf("%s refresh token: status %d body %v, want invalid_grant", name, status, body)
		}
	}
	if status, body := refresh(second["refresh_token"].(string)); status != http.StatusOK {
		t.Errorf("rotated refresh token: status %d body %v, want 200", status, body)
	}
}

func TestOfflineAccessOutlivesLogout(t *testing.T) {
	idp := startIDP(t, func(c *Config) { c.DefaultUser = "alice" })
	b := newBrowser(t, idp)
	online := exchange(t, idp, b.code(authParams()))
	offline := exchange(t, idp, b.code(authParams("scope", "openid offline_access")))
	if !slices.Contains(strings.Fields(offline["scope"].(string)), "offline_access") {
		t.Errorf("scope = %v, want offline_access granted", offline["scope"])
	}
	resp := mustGet(t, b.http, idp.Issuer()+pathEndSession)
	resp.Body.Close()
	for name, tc := range map[string]struct {
		token     any
		wantError any
	}{"online": {online["refresh_token"], "invalid_grant"}, "offline": {offline["refresh_token"], nil}} {
		form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tc.token.(string)}}
		if _, body := postToken(t, idp, form, "app", "app-secret"); body["error"] != tc.wantError {
			t.Errorf("%s refresh after logout: error = %v, want %v", name, body["error"], tc.wantError)
		}
	}
}
