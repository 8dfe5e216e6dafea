package mockidp

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// TestGoOIDCCodeFlowRefreshLogout runs the flow a Go relying party runs,
// with coreos/go-oidc and golang.org/x/oauth2 as the client.
func TestGoOIDCCodeFlowRefreshLogout(t *testing.T) {
	for _, tc := range []struct {
		name   string
		client string
		secret string
		style  oauth2.AuthStyle
	}{
		{"confidential basic", "app", "app-secret", oauth2.AuthStyleInHeader},
		{"confidential post", "app", "app-secret", oauth2.AuthStyleInParams},
		{"public", "spa", "", oauth2.AuthStyleInParams},
	} {
		t.Run(tc.name, func(t *testing.T) {
			runGoOIDCFlow(t, tc.client, tc.secret, tc.style)
		})
	}
}

func runGoOIDCFlow(t *testing.T, clientID, secret string, style oauth2.AuthStyle) {
	idp := startIDP(t, nil)
	ctx := context.Background()
	provider, err := oidc.NewProvider(ctx, idp.Issuer())
	if err != nil {
		t.Fatalf("discovery: %v", err)
	}
	redirect := appRedirect
	if clientID == "spa" {
		redirect = publicRedirect
	}
	endpoint := provider.Endpoint()
	endpoint.AuthStyle = style
	conf := &oauth2.Config{ClientID: clientID, ClientSecret: secret, Endpoint: endpoint,
		RedirectURL: redirect, Scopes: []string{oidc.ScopeOpenID, "profile", "email", "groups"}}
	verifier := provider.VerifierContext(ctx, &oidc.Config{ClientID: clientID, Now: idp.Now})

	// Log in as alice through the login page, with PKCE S256.
	pkce := oauth2.GenerateVerifier()
	authURL := conf.AuthCodeURL("state-1", oidc.Nonce("nonce-1"), oauth2.S256ChallengeOption(pkce))
	b := newBrowser(t, idp)
	resp, err := b.http.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	id := showsLoginPage(t, resp)
	q := redirectQuery(t, b.submitLogin(url.Values{"request": {id}, "username": {"alice"},
		"password": {"alice-pw"}}))
	if q.Get("state") != "state-1" {
		t.Fatalf("state = %q, want state-1", q.Get("state"))
	}
	token, err := conf.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(pkce))
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	idToken := verifyIDToken(t, ctx, verifier, token)
	if idToken.Nonce != "nonce-1" {
		t.Errorf("nonce = %q, want nonce-1", idToken.Nonce)
	}
	var claims struct {
		Username string   `json:"preferred_username"`
		Groups   []string `json:"groups"`
	}
	if err := idToken.Claims(&claims); err != nil {
		t.Fatal(err)
	}
	if claims.Username != "alice" || len(claims.Groups) != 2 {
		t.Errorf("claims = %+v, want alice with 2 groups", claims)
	}
	info, err := provider.UserInfo(ctx, oauth2.StaticTokenSource(token))
	if err != nil {
		t.Fatalf("userinfo: %v", err)
	}
	if info.Email != "alice@example.com" || !info.EmailVerified {
		t.Errorf("userinfo email %q verified %v, want alice@example.com verified", info.Email,
			info.EmailVerified)
	}

	// Refresh: move the clock past the access token's expiry. x/oauth2 uses
	// the real clock for expiry, so the token is marked expired by hand.
	if _, err := idp.Advance(DefaultAccessTTL); err != nil {
		t.Fatal(err)
	}
	token.Expiry = token.Expiry.Add(-2 * DefaultAccessTTL)
	refreshed, err := conf.TokenSource(ctx, token).Token()
	if err != nil {
		t.Fatalf("refresh: %v", err)
	}
	if refreshed.RefreshToken == token.RefreshToken {
		t.Error("refresh token did not rotate")
	}
	verifyIDToken(t, ctx, verifier, refreshed)

	// Logout through the end_session_endpoint named in discovery.
	var meta struct {
		EndSession string `json:"end_session_endpoint"`
	}
	if err := provider.Claims(&meta); err != nil {
		t.Fatal(err)
	}
	v := url.Values{"id_token_hint": {refreshed.Extra("id_token").(string)}, "state": {"out"}}
	resp, err = b.http.Get(meta.EndSession + "?" + v.Encode())
	if err != nil {
		t.Fatal(err)
	}
	if body := readBody(t, resp); resp.StatusCode != http.StatusOK {
		t.Fatalf("logout status = %d: %.200s", resp.StatusCode, body)
	}
	// Logout revoked the refresh token; the expiry is moved back so the token
	// source has to use it.
	refreshed.Expiry = refreshed.Expiry.Add(-2 * DefaultAccessTTL)
	if _, err := conf.TokenSource(ctx, refreshed).Token(); err == nil {
		t.Error("refresh after logout succeeded, want invalid_grant")
	}
	// The next login shows the login page again.
	resp, err = b.http.Get(conf.AuthCodeURL("state-2", oauth2.S256ChallengeOption(pkce)))
	if err != nil {
		t.Fatal(err)
	}
	showsLoginPage(t, resp)
}

func verifyIDToken(t *testing.T, ctx context.Context, v *oidc.IDTokenVerifier,
	token *oauth2.Token) *oidc.IDToken {
	t.Helper()
	raw, ok := token.Extra("id_token").(string)
	if !ok {
		t.Fatal("token response has no id_token")
	}
	idToken, err := v.Verify(ctx, raw)
	if err != nil {
		t.Fatalf("verify ID token: %v", err)
	}
	return idToken
}
