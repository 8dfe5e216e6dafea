package mockidp

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// discovery is the OpenID Provider metadata. It lists only what the server
// implements.
type discovery struct {
	Issuer                            string   `json:"issuer"`
	AuthorizationEndpoint             string   `json:"authorization_endpoint"`
	TokenEndpoint                     string   `json:"token_endpoint"`
	UserinfoEndpoint                  string   `json:"userinfo_endpoint"`
	JWKSURI                           string   `json:"jwks_uri"`
	EndSessionEndpoint                string   `json:"end_session_endpoint"`
	ResponseTypesSupported            []string `json:"response_types_supported"`
	ResponseModesSupported            []string `json:"response_modes_supported"`
	GrantTypesSupported               []string `json:"grant_types_supported"`
	SubjectTypesSupported             []string `json:"subject_types_supported"`
	IDTokenSigningAlgValuesSupported  []string `json:"id_token_signing_alg_values_supported"`
	TokenEndpointAuthMethodsSupported []string `json:"token_endpoint_auth_methods_supported"`
	CodeChallengeMethodsSupported     []string `json:"code_challenge_methods_supported"`
	ScopesSupported                   []string `json:"scopes_supported"`
	ClaimsSupported                   []string `json:"claims_supported"`
	ClaimsParameterSupported          bool     `json:"claims_parameter_supported"`
	RequestParameterSupported         bool     `json:"request_parameter_supported"`
	RequestURIParameterSupported      bool     `json:"request_uri_parameter_supported"`
}

func (s *Server) handleDiscovery(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, discovery{
		Issuer:                            s.issuer,
		AuthorizationEndpoint:             s.issuer + pathAuthorize,
		TokenEndpoint:                     s.issuer + pathToken,
		UserinfoEndpoint:                  s.issuer + pathUserinfo,
		JWKSURI:                           s.issuer + pathJWKS,
		EndSessionEndpoint:                s.issuer + pathEndSession,
		ResponseTypesSupported:            []string{"code"},
		ResponseModesSupported:            []string{"query"},
		GrantTypesSupported:               []string{"authorization_code", "refresh_token"},
		SubjectTypesSupported:             []string{"public"},
		IDTokenSigningAlgValuesSupported:  []string{"RS256"},
		TokenEndpointAuthMethodsSupported: []string{"client_secret_basic", "client_secret_post", "none"},
		CodeChallengeMethodsSupported:     []string{"S256", "plain"},
		ScopesSupported:                   SupportedScopes,
		ClaimsSupported: []string{"iss", "sub", "aud", "exp", "iat", "auth_time", "nonce",
			"azp", "sid", "preferred_username", "name", "email", "email_verified", "groups"},
	})
}

func (s *Server) handleJWKS(w http.ResponseWriter, _ *http.Request) {
	jwks, err := s.keys.JWKS()
	if err != nil {
		s.logger.Error("mockidp encoding JWKS failed", "err", err)
		writeOAuthError(w, http.StatusInternalServerError, "server_error", err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(jwks)
}

// accessTokenOnlyClaims are in access tokens but not in userinfo responses.
var accessTokenOnlyClaims = []string{"iss", "aud", "client_id", "scope", "iat", "exp", "jti"}

// handleUserinfo returns the user's claims for a valid access token, sent
// as a Bearer header or, in a POST body, as access_token.
func (s *Server) handleUserinfo(w http.ResponseWriter, r *http.Request) {
	raw, found := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !found {
		raw = r.PostForm.Get("access_token")
	}
	fail := func(description string) {
		s.logger.Info("mockidp userinfo rejected", "description", description)
		w.Header().Set("WWW-Authenticate", fmt.Sprintf(
			`Bearer error="invalid_token", error_description=%q`, description))
		writeOAuthError(w, http.StatusUnauthorized, "invalid_token", description)
	}
	if raw == "" {
		fail("access token is missing")
		return
	}
	claims, err := s.verifyToken(raw, true)
	if err != nil {
		fail(err.Error())
		return
	}
	if _, ok := claims["client_id"]; !ok {
		fail("token is not an access token")
		return
	}
	for _, name := range accessTokenOnlyClaims {
		delete(claims, name)
	}
	writeJSON(w, http.StatusOK, claims)
}

// handleEndSession serves RP-initiated logout: it ends the IdP session of
// the cookie and of the id_token_hint, then redirects to a registered
// post_logout_redirect_uri or shows a signed-out page.
func (s *Server) handleEndSession(w http.ResponseWriter, r *http.Request) {
	target, sid, problem := s.checkLogout(r.Form)
	if problem != "" {
		s.logger.Warn("mockidp rejected logout request", "reason", problem)
		s.renderMessage(w, http.StatusBadRequest, "Invalid logout request", problem)
		return
	}
	s.st.mu.Lock()
	ended := false
	if id, ok := s.st.sessionBySID[sid]; ok {
		ended = s.st.endSessionLocked(id)
	}
	if c, err := r.Cookie(s.cookieName); err == nil {
		ended = s.st.endSessionLocked(c.Value) || ended
	}
	s.st.mu.Unlock()
	http.SetCookie(w, s.sessionCookie("", true))
	s.logger.Info("mockidp logout", "client_id", r.Form.Get("client_id"), "session_ended", ended)
	if target == "" {
		s.renderMessage(w, http.StatusOK, "Signed out", "You are signed out of mockidp.")
		return
	}
	s.redirectTo(w, r, target, url.Values{}, r.Form.Get("state"))
}

// checkLogout validates a logout request. It returns the redirect target,
// the session id of the hint, and a problem to show the user, if any.
func (s *Server) checkLogout(form url.Values) (target, sid, problem string) {
	clientID := form.Get("client_id")
	if hint := form.Get("id_token_hint"); hint != "" {
		// An expired ID token is still a valid hint.
		claims, err := s.verifyToken(hint, false)
		if err != nil {
			return "", "", "The id_token_hint is not an ID token of this IdP: " + err.Error()
		}
		aud := audience(claims)
		if clientID != "" && clientID != aud {
			return "", "", fmt.Sprintf("The client_id %q is not the audience %q of the "+
				"id_token_hint.", clientID, aud)
		}
		clientID = aud
		sid, _ = claims["sid"].(string)
	}
	target = form.Get("post_logout_redirect_uri")
	if target == "" {
		return "", sid, ""
	}
	client, ok := s.clients[clientID]
	if !ok {
		return "", "", fmt.Sprintf("A post_logout_redirect_uri needs a registered client_id "+
			"or an id_token_hint, got client %q.", clientID)
	}
	if !client.allowsRedirect(client.PostLogoutRedirectURIs, target) {
		return "", "", fmt.Sprintf("The post_logout_redirect_uri %q is not registered for "+
			"client %q.", target, clientID)
	}
	return target, sid, ""
}

// audience returns the aud claim, string or single-element array.
func audience(claims map[string]any) string {
	switch aud := claims["aud"].(type) {
	case string:
		return aud
	case []any:
		if len(aud) == 1 {
			s, _ := aud[0].(string)
			return s
		}
	}
	return ""
}
