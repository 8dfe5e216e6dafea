package mockidp

import (
	"fmt"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/oauth2-proxy/mockoidc"
)

// SupportedScopes are the scopes an authorization request may contain.
var SupportedScopes = []string{"openid", "profile", "email", "groups", "offline_access"}

// pkceValuePattern matches a PKCE code verifier or plain challenge.
var pkceValuePattern = regexp.MustCompile(`^[A-Za-z0-9._~-]{43,128}$`)

// redirectError is an authorization error returned to the client by redirect.
type redirectError struct{ code, description string }

// parseAuthRequest validates an authorization request. A non-empty pageErr
// means the client or redirect URI cannot be trusted, so the user sees an
// error page. Otherwise a non-nil redirectError goes back to the client.
func (s *Server) parseAuthRequest(form url.Values) (*authRequest, string, *redirectError) {
	clientID := form.Get("client_id")
	client, ok := s.clients[clientID]
	if !ok {
		return nil, fmt.Sprintf("The client_id %q is not registered.", clientID), nil
	}
	req := &authRequest{
		clientID:    clientID,
		redirectURI: form.Get("redirect_uri"),
		state:       form.Get("state"),
		nonce:       form.Get("nonce"),
		challenge:   form.Get("code_challenge"),
		method:      form.Get("code_challenge_method"),
		maxAge:      -1,
	}
	if req.redirectURI == "" {
		return nil, "The redirect_uri parameter is missing.", nil
	}
	if !client.allowsRedirect(client.RedirectURIs, req.redirectURI) {
		return nil, fmt.Sprintf("The redirect_uri %q is not registered for client %q.",
			req.redirectURI, clientID), nil
	}
	if rerr := s.checkAuthParams(form, client, req); rerr != nil {
		return req, "", rerr
	}
	return req, "", nil
}

// checkAuthParams validates the parameters that errors by redirect cover.
func (s *Server) checkAuthParams(form url.Values, client Client, req *authRequest) *redirectError {
	invalid := func(format string, args ...any) *redirectError {
		return &redirectError{"invalid_request", fmt.Sprintf(format, args...)}
	}
	switch {
	case form.Has("request"):
		return &redirectError{"request_not_supported", "request objects are not supported"}
	case form.Has("request_uri"):
		return &redirectError{"request_uri_not_supported", "request_uri is not supported"}
	case form.Get("response_type") != "code":
		return &redirectError{"unsupported_response_type",
			fmt.Sprintf("response_type %q is not supported: use code", form.Get("response_type"))}
	case form.Get("response_mode") != "" && form.Get("response_mode") != "query":
		return invalid("response_mode %q is not supported: use query", form.Get("response_mode"))
	}

	req.scopes = strings.Fields(form.Get("scope"))
	if !slices.Contains(req.scopes, "openid") {
		return &redirectError{"invalid_scope", "scope must include openid"}
	}
	for _, scope := range req.scopes {
		if !slices.Contains(SupportedScopes, scope) {
			return &redirectError{"invalid_scope",
				fmt.Sprintf("scope %q is not supported: use %v", scope, SupportedScopes)}
		}
	}
	if rerr := checkPKCE(client, req); rerr != nil {
		return rerr
	}

	prompts, rerr := parsePrompt(form.Get("prompt"))
	if rerr != nil {
		return rerr
	}
	req.prompts = prompts
	maxAge, rerr := parseMaxAge(form.Get("max_age"))
	if rerr != nil {
		return rerr
	}
	req.maxAge = maxAge
	return nil
}

// promptValues are the values of the prompt parameter that OpenID Connect
// Core 1.0 (section 3.1.2.1) defines. The server shows no consent screen,
// so consent has no effect, and select_account has none either.
var promptValues = []string{"none", "login", "consent", "select_account"}

// parsePrompt splits prompt, a space-separated list, and rejects unknown
// values and none combined with another value.
func parsePrompt(raw string) ([]string, *redirectError) {
	prompts := strings.Fields(raw)
	for _, p := range prompts {
		if !slices.Contains(promptValues, p) {
			return nil, &redirectError{"invalid_request", fmt.Sprintf(
				"prompt value %q is unknown: use none, login, consent or select_account", p)}
		}
	}
	if slices.Contains(prompts, "none") && len(prompts) > 1 {
		return nil, &redirectError{"invalid_request",
			"prompt=none cannot be combined with other values"}
	}
	return prompts, nil
}

// maxAgeLimit is the largest max_age, in seconds, whose duration fits in a
// time.Duration (about 292 years).
const maxAgeLimit = int64(math.MaxInt64 / int64(time.Second))

var digits = regexp.MustCompile(`^[0-9]+$`)

// parseMaxAge returns max_age in seconds, or -1 when raw is empty. A value
// above maxAgeLimit constrains nothing, since no session is that old, so it
// also returns -1.
func parseMaxAge(raw string) (int64, *redirectError) {
	if raw == "" {
		return -1, nil
	}
	if !digits.MatchString(raw) {
		return 0, &redirectError{"invalid_request", fmt.Sprintf(
			"max_age %q is not a non-negative whole number of seconds", raw)}
	}
	// raw is all digits, so the only possible error is a value out of range.
	age, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || age > maxAgeLimit {
		return -1, nil
	}
	return age, nil
}

// checkPKCE validates the code challenge, which public clients must send.
func checkPKCE(client Client, req *authRequest) *redirectError {
	if req.challenge == "" {
		if req.method != "" {
			return &redirectError{"invalid_request", "code_challenge_method without code_challenge"}
		}
		if client.Public() {
			return &redirectError{"invalid_request",
				"public clients must send a PKCE code_challenge"}
		}
		return nil
	}
	if req.method == "" {
		req.method = mockoidc.CodeChallengeMethodPlain
	}
	if req.method != "S256" && req.method != "plain" {
		return &redirectError{"invalid_request",
			fmt.Sprintf("code_challenge_method %q is not supported: use S256 or plain", req.method)}
	}
	if !pkceValuePattern.MatchString(req.challenge) {
		return &redirectError{"invalid_request",
			"code_challenge must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~"}
	}
	return nil
}

// handleAuthorize serves the authorization endpoint.
func (s *Server) handleAuthorize(w http.ResponseWriter, r *http.Request) {
	req, pageErr, rerr := s.parseAuthRequest(r.Form)
	if pageErr != "" {
		s.logger.Warn("mockidp rejected authorization request", "reason", pageErr)
		s.renderMessage(w, http.StatusBadRequest, "Invalid authorization request", pageErr)
		return
	}
	if rerr != nil {
		s.redirectWithError(w, r, req, rerr.code, rerr.description)
		return
	}

	if fault, ok := faultFrom(r.Context()); ok && fault.Error != "" {
		s.redirectWithError(w, r, req, fault.Error, fault.ErrorDescription)
		return
	}

	now := s.Now()
	sess, forced := s.reusableSession(r, req, now)
	if sess != nil {
		s.issueCode(w, r, req, sess)
		return
	}
	if slices.Contains(req.prompts, "none") {
		s.redirectWithError(w, r, req, "login_required", "no IdP session and prompt=none")
		return
	}
	// A forced login shows the page unless the test queued a user.
	if user, ok := s.nextUser(!forced); ok {
		s.issueCode(w, r, req, s.startSession(w, r, user, now))
		return
	}

	// No session, queued user or default user: show the login page.
	id := randomID()
	req.expires = now.Add(loginRequestTTL)
	s.st.mu.Lock()
	s.st.pending[id] = req
	s.st.noteInsertLocked(now)
	s.st.mu.Unlock()
	s.renderLogin(w, http.StatusOK, id, "")
}

// reusableSession returns the session of the cookie if it is alive and the
// request accepts it. forced reports that the request demands a new login:
// prompt=login, max_age=0, or a session older than max_age.
func (s *Server) reusableSession(r *http.Request, req *authRequest, now time.Time) (
	sess *session, forced bool) {
	if slices.Contains(req.prompts, "login") || req.maxAge == 0 {
		return nil, true
	}
	sess = s.cookieSession(r, now)
	if sess == nil {
		return nil, false
	}
	if req.maxAge > 0 && now.Sub(sess.authTime) > time.Duration(req.maxAge)*time.Second {
		return nil, true
	}
	return sess, false
}

// cookieSession returns the live session named by the request's cookie.
func (s *Server) cookieSession(r *http.Request, now time.Time) *session {
	cookie, err := r.Cookie(s.cookieName)
	if err != nil {
		return nil
	}
	s.st.mu.Lock()
	defer s.st.mu.Unlock()
	sess, ok := s.st.sessions[cookie.Value]
	if !ok || !now.Before(sess.expires) {
		return nil
	}
	return sess
}

// nextUser pops the user queue or, if allowDefault, returns the default user.
func (s *Server) nextUser(allowDefault bool) (User, bool) {
	s.st.mu.Lock()
	defer s.st.mu.Unlock()
	if len(s.st.queue) > 0 {
		u := s.st.queue[0]
		s.st.queue = s.st.queue[1:]
		return u, true
	}
	if allowDefault && s.st.defaultUser != "" {
		u, ok := s.st.users[s.st.defaultUser]
		return u, ok
	}
	return User{}, false
}

// startSession replaces any session of the request with a new one for user
// and sets the session cookie.
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, user User,
	now time.Time) *session {
	sess := &session{
		id:       randomID(),
		sid:      randomID(),
		user:     user,
		authTime: now,
		expires:  now.Add(s.cfg.SessionTTL),
		refresh:  make(map[string]struct{}),
	}
	s.st.mu.Lock()
	if old, err := r.Cookie(s.cookieName); err == nil {
		s.st.endSessionLocked(old.Value)
	}
	s.st.sessions[sess.id] = sess
	s.st.sessionBySID[sess.sid] = sess.id
	s.st.noteInsertLocked(now)
	s.st.mu.Unlock()
	http.SetCookie(w, s.sessionCookie(sess.id, false))
	return sess
}

// sessionCookie builds the session cookie, or its deletion.
func (s *Server) sessionCookie(value string, remove bool) *http.Cookie {
	c := &http.Cookie{
		Name:     s.cookieName,
		Value:    value,
		Path:     cmpOr(s.issuerPath, "/"),
		HttpOnly: true,
		Secure:   strings.HasPrefix(s.issuer, "https:"),
		SameSite: http.SameSiteLaxMode,
	}
	if remove {
		c.MaxAge = -1
	}
	return c
}

// issueCode stores an authorization code for the session's user and
// redirects to the client with it.
func (s *Server) issueCode(w http.ResponseWriter, r *http.Request, req *authRequest,
	sess *session) {
	now := s.Now()
	code := randomID()
	s.st.mu.Lock()
	s.st.codes[code] = &codeGrant{
		grant: grant{
			clientID:  req.clientID,
			user:      sess.user,
			scopes:    req.scopes,
			nonce:     req.nonce,
			authTime:  sess.authTime,
			sessionID: sess.id,
			sid:       sess.sid,
		},
		redirectURI: req.redirectURI,
		challenge:   req.challenge,
		method:      req.method,
		expires:     now.Add(s.cfg.CodeTTL),
	}
	s.st.noteInsertLocked(now)
	s.st.mu.Unlock()
	state := req.state
	if fault, ok := faultFrom(r.Context()); ok {
		switch fault.State {
		case StateMissing:
			state = ""
		case StateWrong:
			state = "wrong-" + randomID()
		}
	}
	s.redirectTo(w, r, req.redirectURI, url.Values{"code": {code}}, state)
}

// redirectWithError sends an authorization error back to the client.
func (s *Server) redirectWithError(w http.ResponseWriter, r *http.Request, req *authRequest,
	code, description string) {
	s.logger.Info("mockidp authorization error", "client_id", req.clientID, "error", code,
		"description", description)
	params := url.Values{"error": {code}}
	if description != "" {
		params.Set("error_description", description)
	}
	s.redirectTo(w, r, req.redirectURI, params, req.state)
}

// redirectTo redirects to target with params and state added to its query.
func (s *Server) redirectTo(w http.ResponseWriter, r *http.Request, target string,
	params url.Values, state string) {
	u, err := url.Parse(target)
	if err != nil {
		// Registered URIs were parsed at configuration time.
		s.renderMessage(w, http.StatusBadRequest, "Invalid redirect URI", err.Error())
		return
	}
	query := u.Query()
	for key, values := range params {
		query[key] = values
	}
	if state != "" {
		query.Set("state", state)
	}
	u.RawQuery = query.Encode()
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, u.String(), http.StatusFound)
}
