package gateway

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"regexp"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// handleLogin starts a login: it stores a pending login under a new id, sets
// the login cookie and redirects to the provider's authorization endpoint.
func (g *Gateway) handleLogin(w http.ResponseWriter, r *http.Request) {
	p := pendingLogin{
		state:       newID(),
		nonce:       newID(),
		verifier:    oauth2.GenerateVerifier(),
		redirectURI: g.origin(r) + CallbackPath,
		next:        g.steps.loginTarget(r.URL.Query().Get("next")),
	}
	id := newID()
	g.logins.put(id, p)
	if g.steps.pendingByState {
		g.logins.put(statePrefix+p.state, p)
	}
	g.setLoginCookie(w, r, id)
	g.steps.beforeLogin(w, r)

	conf := *g.oauth
	conf.RedirectURL = p.redirectURI
	state := p.state
	if g.steps.omitState {
		state = ""
	}
	authURL := conf.AuthCodeURL(state, oidc.Nonce(p.nonce),
		oauth2.S256ChallengeOption(p.verifier))
	http.Redirect(w, r, authURL, http.StatusFound)
}

// statePrefix keys the pending logins that FlawStateNotBound stores by
// state, apart from those keyed by login cookie.
const statePrefix = "state:"

// oauthErrorCode matches the OAuth error codes shown to the user; anything
// else from the provider is not echoed.
var oauthErrorCode = regexp.MustCompile(`^[a-z_]{1,64}$`)

// handleCallback finishes a login: it checks the provider's response against
// the pending login, exchanges the code, verifies the ID token and starts a
// session. Every failure leaves the browser without a session.
func (g *Gateway) handleCallback(w http.ResponseWriter, r *http.Request) {
	query := r.URL.Query()
	var p pendingLogin
	var found bool
	if g.steps.pendingByState {
		p, found = g.logins.take(statePrefix + query.Get("state"))
	} else if c, err := r.Cookie(LoginCookie); err == nil {
		p, found = g.logins.take(c.Value)
	}
	g.clearCookie(w, r, LoginCookie, Prefix)

	if code := query.Get("error"); code != "" {
		g.logger.Warn("login failed at the provider", "error", code,
			"error_description", query.Get("error_description"))
		g.steps.idpError(w, r, code)
		return
	}
	if !found {
		g.logger.Warn("login rejected", "reason", "no pending login for this browser")
		failLogin(w, http.StatusBadRequest, "This login has expired or was started in "+
			"another browser. Start it again.")
		return
	}
	if err := g.steps.checkState(query.Get("state"), p.state); err != nil {
		g.logger.Warn("login rejected", "reason", err.Error())
		failLogin(w, http.StatusBadRequest, "The provider's response does not belong to "+
			"the login this browser started. Start it again.")
		return
	}
	code := query.Get("code")
	if code == "" {
		g.logger.Warn("login rejected", "reason", "no code in the provider's response")
		failLogin(w, http.StatusBadRequest, "The provider's response has no "+
			"authorization code.")
		return
	}

	s, status, err := g.redeem(r.Context(), p, code)
	if err != nil {
		g.logger.Warn("login rejected", "reason", err.Error())
		failLogin(w, status, "The gateway could not complete the login with the provider.")
		return
	}
	g.startSession(w, r, s)
	g.logger.Info("login", "user", s.user.Username, "level", string(g.level))
	http.Redirect(w, r, p.next, http.StatusFound)
}

// idpErrorPage is the careful idpError step: an error page and no session.
func (g *Gateway) idpErrorPage(w http.ResponseWriter, _ *http.Request, code string) {
	status := http.StatusBadGateway
	if code == "access_denied" {
		status = http.StatusForbidden
	}
	displayed := "an error"
	if oauthErrorCode.MatchString(code) {
		displayed = code
	}
	failLogin(w, status, fmt.Sprintf("The identity provider returned %s for the login.",
		displayed))
}

// redeem exchanges the code for tokens, verifies the ID token and its nonce,
// and returns the new session. On failure it also returns the HTTP status
// of the error page.
func (g *Gateway) redeem(ctx context.Context, p pendingLogin, code string) (
	*session, int, error) {
	ctx, cancel := context.WithTimeout(oidc.ClientContext(ctx, g.httpClient), providerTimeout)
	defer cancel()
	conf := *g.oauth
	conf.RedirectURL = p.redirectURI
	token, err := conf.Exchange(ctx, code, oauth2.VerifierOption(p.verifier))
	if err != nil {
		var retrieve *oauth2.RetrieveError
		if errors.As(err, &retrieve) {
			return nil, http.StatusBadGateway, fmt.Errorf("code exchange failed with %q: %w",
				retrieve.ErrorCode, err)
		}
		return nil, http.StatusBadGateway, fmt.Errorf("code exchange failed: %w", err)
	}
	raw, ok := token.Extra("id_token").(string)
	if !ok || raw == "" {
		return nil, http.StatusBadGateway, errors.New("token response has no id_token")
	}

	claims, err := g.steps.verifyIDToken(ctx, raw)
	if err != nil {
		return nil, http.StatusUnauthorized, fmt.Errorf("ID token rejected: %w", err)
	}
	if err := g.steps.checkNonce(claims, p.nonce); err != nil {
		return nil, http.StatusUnauthorized, fmt.Errorf("ID token rejected: %w", err)
	}
	u, err := userFromClaims(claims)
	if err != nil {
		return nil, http.StatusBadGateway, err
	}
	data, err := encodeUserData(g.steps.userDataObject(u))
	if err != nil {
		return nil, http.StatusInternalServerError, err
	}
	return &session{user: u, userData: data, idToken: raw}, 0, nil
}

// newVerifier returns the go-oidc verifier of ID tokens: RS256 only, the
// provider's JWKS, issuer, audience ClientID and expiry on the gateway's clock.
func (g *Gateway) newVerifier(skipAudience bool) *oidc.IDTokenVerifier {
	return g.provider.Verifier(&oidc.Config{
		ClientID:             g.clientID,
		SupportedSigningAlgs: []string{oidc.RS256},
		SkipClientIDCheck:    skipAudience,
		Now:                  g.now,
	})
}

// verifyWith returns a verifyIDToken step that verifies with v and returns
// the token's claims.
func verifyWith(v *oidc.IDTokenVerifier) func(context.Context, string) (map[string]any, error) {
	return func(ctx context.Context, raw string) (map[string]any, error) {
		token, err := v.Verify(ctx, raw)
		if err != nil {
			return nil, err
		}
		var claims map[string]any
		if err := token.Claims(&claims); err != nil {
			return nil, fmt.Errorf("decode ID token claims: %w", err)
		}
		return claims, nil
	}
}

// checkNonce is the careful checkNonce step: the token's nonce must equal
// the one sent with the authorization request.
func checkNonce(claims map[string]any, want string) error {
	got, _ := claims["nonce"].(string)
	if want == "" || subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
		return errors.New("nonce does not match the login's")
	}
	return nil
}

// checkState is the careful checkState step: the response's state must
// equal the one sent with the authorization request.
func checkState(got, want string) error {
	if got == "" {
		return errors.New("provider's response has no state")
	}
	if want == "" || subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
		return errors.New("state does not match the login's")
	}
	return nil
}
