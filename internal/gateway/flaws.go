package gateway

import (
	"fmt"
	"net/http"
	"slices"
)

// Flaw is a deliberate defect of the gateway, each one small change that
// imitates a failure real SSO middlewares have had.
type Flaw string

// The flaws. Each breaks one behaviour described in the package
// documentation and keeps the rest.
const (
	// FlawTrustUserDataHeader passes a UserDataHeader the client sent to the
	// app in place of the session's user data.
	FlawTrustUserDataHeader Flaw = "trust-user-data-header"
	// FlawTrustForwardedUser treats a request with X-Forwarded-User as
	// logged in as that user, with X-Forwarded-Email and X-Forwarded-Groups,
	// as an app that trusts a proxy in front of it does.
	FlawTrustForwardedUser Flaw = "trust-forwarded-user"
	// FlawAppendClientGroups adds the groups of the client's
	// X-Forwarded-Groups and UserDataHeader to the user data.
	FlawAppendClientGroups Flaw = "append-client-groups"
	// FlawDropGroups leaves "groups" out of the user data.
	FlawDropGroups Flaw = "drop-groups"
	// FlawSharedLastUser keeps the user data of the latest request in one
	// variable shared by all requests, so concurrent requests can reach the
	// app as each other's user.
	FlawSharedLastUser Flaw = "shared-last-user"

	// FlawSkipNonce accepts an ID token whatever its nonce.
	FlawSkipNonce Flaw = "skip-nonce"
	// FlawSkipAudience accepts an ID token issued for another client.
	FlawSkipAudience Flaw = "skip-audience"
	// FlawAcceptAlgNone accepts an unsigned ID token (alg "none") whose
	// issuer, audience and expiry are right, checked by hand.
	FlawAcceptAlgNone Flaw = "accept-alg-none"
	// FlawSkipState accepts the provider's response whatever its state.
	FlawSkipState Flaw = "skip-state"
	// FlawSessionInCookie keeps the user in the session cookie itself, as
	// unsigned base64 JSON, and trusts whatever user that cookie names.
	FlawSessionInCookie Flaw = "session-in-cookie"
	// FlawStateNotBound finds the pending login by the state in the
	// provider's response instead of by the browser's login cookie, so a
	// response meant for one browser logs in another (login CSRF).
	FlawStateNotBound Flaw = "state-not-bound"
	// FlawNoState sends the authorization request without a state and
	// accepts any response, as relying parties that never heard of CSRF do.
	FlawNoState Flaw = "no-state"
	// FlawIdPErrorShowsApp serves the app's root page to an anonymous user
	// when the provider returns an error for a login.
	FlawIdPErrorShowsApp Flaw = "idp-error-shows-app"

	// FlawLogoutKeepsSession clears the session cookie at logout but keeps
	// the session on the server, so a copy of the cookie still works.
	FlawLogoutKeepsSession Flaw = "logout-keeps-session"
	// FlawLogoutNoop makes logout only redirect.
	FlawLogoutNoop Flaw = "logout-noop"
	// FlawLogoutLocalOnly ends the gateway's session at logout but not the
	// provider's.
	FlawLogoutLocalOnly Flaw = "logout-local-only"
	// FlawOpenRedirectLogin redirects to any "next" after login.
	FlawOpenRedirectLogin Flaw = "open-redirect-login"
	// FlawOpenRedirectLogout redirects to any "next" or "rd" after logout.
	FlawOpenRedirectLogout Flaw = "open-redirect-logout"
	// FlawCookieNotHTTPOnly leaves HttpOnly off the session cookie.
	FlawCookieNotHTTPOnly Flaw = "cookie-not-httponly"
	// FlawSessionFixation sets the session cookie when a login starts and
	// keeps the browser's session id at login instead of issuing a new one,
	// even an id the client chose.
	FlawSessionFixation Flaw = "session-fixation"

	// FlawRestrictedAdmitsAll admits every logged-in user at the Restricted level.
	FlawRestrictedAdmitsAll Flaw = "restricted-admits-all"
	// FlawUnauthenticatedRequiresLogin runs an Unauthenticated app as an
	// Authenticated one.
	FlawUnauthenticatedRequiresLogin Flaw = "unauthenticated-requires-login"
	// FlawAnonymousXHR passes anonymous requests that are not page requests
	// to the app, as a gateway that guards only page navigations does.
	FlawAnonymousXHR Flaw = "anonymous-xhr"
	// FlawLayoutPublic serves /_dash-layout and /_dash-dependencies to
	// anonymous users.
	FlawLayoutPublic Flaw = "layout-public"
)

// Flaws returns every Flaw, in a fixed order.
func Flaws() []Flaw {
	return []Flaw{
		FlawTrustUserDataHeader, FlawTrustForwardedUser, FlawAppendClientGroups,
		FlawDropGroups, FlawSharedLastUser,
		FlawSkipNonce, FlawSkipAudience, FlawAcceptAlgNone, FlawSkipState, FlawNoState, FlawStateNotBound, FlawSessionInCookie,
		FlawIdPErrorShowsApp,
		FlawLogoutKeepsSession, FlawLogoutNoop, FlawLogoutLocalOnly,
		FlawOpenRedirectLogin, FlawOpenRedirectLogout, FlawCookieNotHTTPOnly,
		FlawSessionFixation,
		FlawRestrictedAdmitsAll, FlawUnauthenticatedRequiresLogin, FlawAnonymousXHR,
		FlawLayoutPublic,
	}
}

// applyFlaw replaces the steps that f changes. The level change of
// FlawUnauthenticatedRequiresLogin happens in New, before discovery.
func (g *Gateway) applyFlaw(f Flaw) error {
	st := &g.steps
	switch f {
	case "", FlawUnauthenticatedRequiresLogin:
	case FlawTrustUserDataHeader:
		st.userData = trustUserDataHeader
	case FlawTrustForwardedUser:
		st.authenticate = g.trustForwardedUser(st.authenticate)
	case FlawAppendClientGroups:
		st.userData = appendClientGroups
	case FlawDropGroups:
		st.userDataObject = dropGroups
	case FlawSharedLastUser:
		st.userData = sharedLastUser(st.userData)
	case FlawSkipNonce:
		st.checkNonce = func(map[string]any, string) error { return nil }
	case FlawSkipAudience:
		st.verifyIDToken = verifyWith(g.newVerifier(true))
	case FlawAcceptAlgNone:
		st.verifyIDToken = g.acceptAlgNone(st.verifyIDToken)
	case FlawSkipState:
		st.checkState = func(string, string) error { return nil }
	case FlawStateNotBound:
		st.pendingByState = true
	case FlawSessionInCookie:
		st.sessionInCookie = true
		st.authenticate = sessionFromCookie
	case FlawNoState:
		st.checkState = func(string, string) error { return nil }
		st.omitState = true
	case FlawIdPErrorShowsApp:
		st.idpError = g.showAppOnIdPError
	default:
		return g.applySessionFlaw(f)
	}
	return nil
}

// applySessionFlaw replaces the session, redirect and access steps that f
// changes.
func (g *Gateway) applySessionFlaw(f Flaw) error {
	st := &g.steps
	switch f {
	case FlawLogoutKeepsSession:
		st.logout = func(w http.ResponseWriter, r *http.Request) {
			g.clearCookie(w, r, SessionCookie, "/")
		}
	case FlawLogoutNoop:
		st.logout = func(http.ResponseWriter, *http.Request) {}
		st.idpLogout = false
	case FlawLogoutLocalOnly:
		st.idpLogout = false
	case FlawOpenRedirectLogin:
		st.loginTarget = anyRedirectTarget
	case FlawOpenRedirectLogout:
		st.logoutTarget = anyRedirectTarget
	case FlawCookieNotHTTPOnly:
		st.httpOnly = false
	case FlawSessionFixation:
		st.beforeLogin = g.issuePreLoginSession
		st.newSessionID = keepSessionID
	case FlawRestrictedAdmitsAll:
		st.admits = func(*user) bool { return true }
	case FlawAnonymousXHR:
		st.anonymousAllowed = func(r *http.Request) bool { return !isPageRequest(r) }
	case FlawLayoutPublic:
		st.anonymousAllowed = func(r *http.Request) bool {
			return slices.Contains([]string{"/_dash-layout", "/_dash-dependencies"}, r.URL.Path)
		}
	default:
		return fmt.Errorf("unknown flaw %q; see gateway.Flaws", f)
	}
	return nil
}
