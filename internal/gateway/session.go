package gateway

import (
	"encoding/base64"
	"net/http"
	"time"
)

// Cookies of the gateway.
const (
	// SessionCookie holds the session id of a logged-in browser.
	SessionCookie = "authconform_session"
	// LoginCookie holds the id of the login a browser has started. It is
	// scoped to Prefix.
	LoginCookie = "authconform_login"
)

// session is a logged-in browser.
type session struct {
	user *user
	// userData is the value of UserDataHeader for this user.
	userData []byte
	// idToken is the raw ID token, sent as id_token_hint at logout.
	idToken string
}

// pendingLogin is a login started at LoginPath and not yet finished.
type pendingLogin struct {
	state       string
	nonce       string
	verifier    string // PKCE code verifier
	redirectURI string
	next        string // redirect target after login
}

// lookupSession returns the live session of the request's session cookie,
// or nil. It is the careful authenticate step.
func (g *Gateway) lookupSession(r *http.Request) *session {
	c, err := r.Cookie(SessionCookie)
	if err != nil || c.Value == "" {
		return nil
	}
	s, _ := g.sessions.get(c.Value)
	return s
}

// startSession stores s under a new id and sets the session cookie. The
// session of the request's old cookie, if any, is deleted, so a login always
// replaces the browser's session.
func (g *Gateway) startSession(w http.ResponseWriter, r *http.Request, s *session) {
	id := g.steps.newSessionID(r)
	if g.steps.sessionInCookie {
		id = base64.RawURLEncoding.EncodeToString(s.userData)
	}
	if c, err := r.Cookie(SessionCookie); err == nil && c.Value != id {
		g.sessions.delete(c.Value)
	}
	expires := g.sessions.put(id, s)
	g.setSessionCookie(w, r, id, expires)
}

// endSession deletes the session of the request's cookie and clears the cookie.
func (g *Gateway) endSession(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(SessionCookie); err == nil {
		g.sessions.delete(c.Value)
	}
	g.clearCookie(w, r, SessionCookie, "/")
}

func (g *Gateway) setSessionCookie(w http.ResponseWriter, r *http.Request, id string,
	expires time.Time) {
	http.SetCookie(w, &http.Cookie{
		Name:     SessionCookie,
		Value:    id,
		Path:     "/",
		MaxAge:   max(1, int(expires.Sub(g.now())/time.Second)),
		HttpOnly: g.steps.httpOnly,
		Secure:   g.secure(r),
		SameSite: http.SameSiteLaxMode,
	})
}

// setLoginCookie sets the cookie that ties the browser to its pending login.
// SameSite=Lax lets it travel with the provider's top-level redirect back.
func (g *Gateway) setLoginCookie(w http.ResponseWriter, r *http.Request, id string) {
	http.SetCookie(w, &http.Cookie{
		Name:     LoginCookie,
		Value:    id,
		Path:     Prefix,
		MaxAge:   int(LoginTimeout / time.Second),
		HttpOnly: true,
		Secure:   g.secure(r),
		SameSite: http.SameSiteLaxMode,
	})
}

// clearCookie sets a cookie that deletes the named cookie in the browser.
func (g *Gateway) clearCookie(w http.ResponseWriter, r *http.Request, name, path string) {
	http.SetCookie(w, &http.Cookie{
		Name:     name,
		Value:    "",
		Path:     path,
		MaxAge:   -1,
		HttpOnly: true,
		Secure:   g.secure(r),
		SameSite: http.SameSiteLaxMode,
	})
}
