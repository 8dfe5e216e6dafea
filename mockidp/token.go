package mockidp

import (
	"crypto/subtle"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/oauth2-proxy/mockoidc"
)

// tokenError is an error response of the token endpoint.
type tokenError struct {
	status      int
	code        string
	description string
}

func invalidGrant(description string) *tokenError {
	return &tokenError{http.StatusBadRequest, "invalid_grant", description}
}

// handleToken serves the token endpoint: authorization_code and
// refresh_token grants.
func (s *Server) handleToken(w http.ResponseWriter, r *http.Request) {
	client, terr := s.authenticateClient(r)
	if terr == nil {
		var resp tokenResponse
		switch grantType := r.PostForm.Get("grant_type"); grantType {
		case "authorization_code":
			resp, terr = s.codeGrant(r, client)
		case "refresh_token":
			resp, terr = s.refreshGrant(r, client)
		case "":
			terr = &tokenError{http.StatusBadRequest, "invalid_request", "grant_type is missing"}
		default:
			terr = &tokenError{http.StatusBadRequest, "unsupported_grant_type",
				"grant_type " + grantType + " is not supported: use authorization_code " +
					"or refresh_token"}
		}
		if terr == nil {
			writeJSON(w, http.StatusOK, resp)
			return
		}
	}
	s.logger.Info("mockidp token request rejected", "client_id", client.ID,
		"error", terr.code, "description", terr.description)
	if terr.code == "invalid_client" && r.Header.Get("Authorization") != "" {
		w.Header().Set("WWW-Authenticate", `Basic realm="mockidp"`)
	}
	writeOAuthError(w, terr.status, terr.code, terr.description)
}

// authenticateClient identifies the client by client_secret_basic,
// client_secret_post or, for a public client, client_id alone.
func (s *Server) authenticateClient(r *http.Request) (Client, *tokenError) {
	unauthorized := func(description string) (Client, *tokenError) {
		return Client{}, &tokenError{http.StatusUnauthorized, "invalid_client", description}
	}
	id, secret, basic := r.BasicAuth()
	if basic {
		if r.PostForm.Has("client_secret") {
			return Client{}, &tokenError{http.StatusBadRequest, "invalid_request",
				"client credentials sent both in the Authorization header and the body"}
		}
		// client_secret_basic form-encodes id and secret before base64.
		var err1, err2 error
		id, err1 = url.QueryUnescape(id)
		secret, err2 = url.QueryUnescape(secret)
		if err1 != nil || err2 != nil {
			return unauthorized("client credentials in the Authorization header are not form-encoded")
		}
		if formID := r.PostForm.Get("client_id"); formID != "" && formID != id {
			return unauthorized("client_id in the body differs from the Authorization header")
		}
	} else {
		id = r.PostForm.Get("client_id")
		secret = r.PostForm.Get("client_secret")
	}
	client, ok := s.clients[id]
	switch {
	case id == "":
		return unauthorized("client authentication is missing")
	case !ok:
		return unauthorized("client " + id + " is not registered")
	case client.Public() && secret != "":
		return unauthorized("client " + id + " is public and has no secret")
	case !client.Public() && secret == "":
		return unauthorized("client " + id + " must authenticate with its secret")
	case subtle.ConstantTimeCompare([]byte(secret), []byte(client.Secret)) != 1:
		return unauthorized("client secret is wrong for client " + id)
	}
	return client, nil
}

// codeGrant redeems an authorization code. A code is consumed by its first
// use by the client it was issued to, even when the redirect URI or PKCE
// check then fails. Another client's attempt leaves it usable.
func (s *Server) codeGrant(r *http.Request, client Client) (tokenResponse, *tokenError) {
	code := r.PostForm.Get("code")
	if code == "" {
		return tokenResponse{}, &tokenError{http.StatusBadRequest, "invalid_request", "code is missing"}
	}
	c, terr := s.redeemCode(code, client.ID)
	if terr != nil {
		return tokenResponse{}, terr
	}
	if r.PostForm.Get("redirect_uri") != c.redirectURI {
		return tokenResponse{}, invalidGrant("redirect_uri differs from the authorization request")
	}
	if terr := verifyPKCE(c, r.PostForm.Get("code_verifier")); terr != nil {
		return tokenResponse{}, terr
	}
	g := c.grant
	g.code = code
	return s.respondWithTokens(r, g, true)
}

// redeemCode consumes code for clientID. A second use of a code revokes the
// refresh tokens issued for it, as RFC 6749 section 4.1.2 advises.
func (s *Server) redeemCode(code, clientID string) (*codeGrant, *tokenError) {
	now := s.Now()
	s.st.mu.Lock()
	used, reused := s.st.redeemed[code]
	if reused && used.clientID == clientID {
		revoked := s.st.revokeCodeLocked(code)
		s.st.mu.Unlock()
		s.logger.Warn("mockidp authorization code used twice: revoked its refresh tokens",
			"client_id", clientID, "revoked", revoked)
		return nil, invalidGrant("code was already used: the refresh tokens issued for it " +
			"are revoked")
	}
	defer s.st.mu.Unlock()
	c, ok := s.st.codes[code]
	switch {
	case reused || (ok && c.clientID != clientID):
		return nil, invalidGrant("code was issued to another client")
	case !ok:
		return nil, invalidGrant("code is unknown or expired")
	}
	delete(s.st.codes, code)
	if !now.Before(c.expires) {
		return nil, invalidGrant("code has expired")
	}
	s.st.redeemed[code] = &redeemedCode{clientID: clientID, expires: c.expires}
	s.st.noteInsertLocked(now)
	return c, nil
}

// verifyPKCE checks the code verifier against the stored challenge.
func verifyPKCE(c *codeGrant, verifier string) *tokenError {
	if c.challenge == "" {
		if verifier != "" {
			return invalidGrant("code_verifier sent but the authorization request had no challenge")
		}
		return nil
	}
	if !pkceValuePattern.MatchString(verifier) {
		return invalidGrant("code_verifier is missing or not 43 to 128 unreserved characters")
	}
	want, err := mockoidc.GenerateCodeChallenge(c.method, verifier)
	if err != nil {
		return invalidGrant(err.Error())
	}
	if subtle.ConstantTimeCompare([]byte(want), []byte(c.challenge)) != 1 {
		return invalidGrant("code_verifier does not match the code_challenge")
	}
	return nil
}

// refreshGrant exchanges a refresh token for new tokens. The token is
// deleted on use, so each refresh token works once.
func (s *Server) refreshGrant(r *http.Request, client Client) (tokenResponse, *tokenError) {
	token := r.PostForm.Get("refresh_token")
	now := s.Now()
	s.st.mu.Lock()
	rg, ok := s.st.refresh[token]
	if ok {
		s.st.deleteRefreshLocked(token, rg)
	}
	s.st.mu.Unlock()
	switch {
	case token == "":
		return tokenResponse{}, &tokenError{http.StatusBadRequest, "invalid_request",
			"refresh_token is missing"}
	case !ok:
		return tokenResponse{}, invalidGrant("refresh token is unknown, revoked or already used")
	case !now.Before(rg.expires):
		return tokenResponse{}, invalidGrant("refresh token has expired")
	case rg.clientID != client.ID:
		return tokenResponse{}, invalidGrant("refresh token was issued to another client")
	}
	if scope := r.PostForm.Get("scope"); scope != "" {
		for _, requested := range strings.Fields(scope) {
			if !slices.Contains(rg.scopes, requested) {
				return tokenResponse{}, &tokenError{http.StatusBadRequest, "invalid_scope",
					"scope " + requested + " was not granted"}
			}
		}
		rg.scopes = strings.Fields(scope)
	}
	return s.respondWithTokens(r, rg.grant, false)
}

// respondWithTokens signs the tokens for g and stores a new refresh token.
// An ID token from a refresh carries no nonce.
func (s *Server) respondWithTokens(r *http.Request, g grant, withNonce bool) (
	tokenResponse, *tokenError) {
	fault, _ := faultFrom(r.Context())
	resp, err := s.signedTokens(g, fault.IDToken, withNonce)
	if err != nil {
		s.logger.Error("mockidp signing tokens failed", "client_id", g.clientID, "err", err)
		return tokenResponse{}, &tokenError{http.StatusInternalServerError, "server_error",
			err.Error()}
	}
	if slices.Contains(g.scopes, "offline_access") {
		g.sessionID = ""
		g.sid = ""
	}
	now := s.Now()
	resp.RefreshToken = randomID()
	s.st.mu.Lock()
	defer s.st.mu.Unlock()
	if used, ok := s.st.redeemed[g.code]; ok && used.revoked {
		// The code was used again while these tokens were being signed.
		return tokenResponse{}, invalidGrant("code was already used: the tokens issued " +
			"for it are revoked")
	}
	if g.sessionID != "" {
		sess, ok := s.st.sessions[g.sessionID]
		if !ok || !now.Before(sess.expires) {
			// The IdP session ended (logout or expiry) after the code was issued.
			return tokenResponse{}, invalidGrant("the IdP session of this grant has ended")
		}
		sess.refresh[resp.RefreshToken] = struct{}{}
	}
	s.st.refresh[resp.RefreshToken] = &refreshGrant{grant: g, expires: now.Add(s.cfg.RefreshTTL)}
	s.st.noteInsertLocked(now)
	return resp, nil
}
