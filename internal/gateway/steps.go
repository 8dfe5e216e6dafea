package gateway

import (
	"context"
	"net/http"
)

// steps are the parts of the gateway a Flaw may replace. carefulSteps
// returns the careful implementation of each.
type steps struct {
	// verifyIDToken checks the ID token's signature, issuer, audience and
	// expiry, and returns its claims.
	verifyIDToken func(ctx context.Context, raw string) (map[string]any, error)
	// checkNonce compares the token's nonce with the login's.
	checkNonce func(claims map[string]any, want string) error
	// checkState compares the response's state with the login's.
	checkState func(got, want string) error
	// omitState leaves the state out of the authorization request.
	omitState bool
	// pendingByState finds a pending login by its state, not by the
	// browser's login cookie.
	pendingByState bool
	// sessionInCookie makes the session cookie's value the user data itself.
	sessionInCookie bool
	// idpError responds to the provider's error response at the callback.
	idpError func(w http.ResponseWriter, r *http.Request, code string)

	// authenticate returns the request's session, or nil.
	authenticate func(r *http.Request) *session
	// admits reports whether the app admits a logged-in user.
	admits func(u *user) bool
	// anonymousAllowed reports whether an anonymous request may reach the
	// app at the Restricted and Authenticated levels.
	anonymousAllowed func(r *http.Request) bool

	// userDataObject returns the user data of a user, at login.
	userDataObject func(u *user) map[string]any
	// userData returns the UserDataHeader value for a request to the app,
	// or nil for none. r is the request as the client sent it.
	userData func(r *http.Request, s *session) []byte

	// loginTarget and logoutTarget turn a requested "next" into the
	// redirect target after login and after logout.
	loginTarget  func(next string) string
	logoutTarget func(next string) string

	// beforeLogin runs when a login starts, after the login cookie is set.
	beforeLogin func(w http.ResponseWriter, r *http.Request)
	// newSessionID returns the id of the session a login starts.
	newSessionID func(r *http.Request) string
	// httpOnly is the HttpOnly attribute of the session cookie.
	httpOnly bool
	// logout ends the browser's session at the gateway.
	logout func(w http.ResponseWriter, r *http.Request)
	// idpLogout makes logout also end the provider's session.
	idpLogout bool
}

// carefulSteps returns the steps of the careful gateway.
func (g *Gateway) carefulSteps() steps {
	st := steps{
		checkNonce:       checkNonce,
		checkState:       checkState,
		idpError:         g.idpErrorPage,
		authenticate:     g.lookupSession,
		admits:           g.admits,
		anonymousAllowed: func(*http.Request) bool { return false },
		userDataObject:   (*user).data,
		userData:         sessionUserData,
		loginTarget:      safeRedirectTarget,
		logoutTarget:     safeRedirectTarget,
		beforeLogin:      func(http.ResponseWriter, *http.Request) {},
		newSessionID:     func(*http.Request) string { return newID() },
		httpOnly:         true,
		logout:           g.logout,
		idpLogout:        true,
	}
	if g.provider != nil {
		st.verifyIDToken = verifyWith(g.newVerifier(false))
	}
	return st
}
