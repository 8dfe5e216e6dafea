package enterprise

import (
	"context"

	"github.com/authconform/authconform/conformance"
)

// Checks returns the checks of every EN requirement, in catalogue order.
func Checks() []conformance.Check {
	return []conformance.Check{
		{ID: "EN-LOGIN-REDIRECT", Title: "sends anonymous page requests to the IdP", Run: checkLoginRedirect},
		{ID: "EN-XHR-ANON", Title: "refuses anonymous XHR and callback requests", Run: checkXHRAnon},
		{ID: "EN-LOGIN", Title: "serves the app to an allowed user after login", Run: checkLogin},
		{ID: "EN-AUTHENTICATED", Title: "admits every user at the authenticated level", Run: checkAuthenticated},
		{ID: "EN-RESTRICTED", Title: "admits exactly the allowed users at the restricted level", Run: checkRestricted},
		{ID: "EN-UNAUTHENTICATED", Title: "serves everyone without login at the unauthenticated level", Run: checkUnauthenticated},
		{ID: "EN-USER-DATA", Title: "passes each user's data to the app exactly", Run: checkUserData},
		{ID: "EN-ISOLATION", Title: "keeps concurrent sessions apart", Run: checkIsolation},
		{ID: "EN-SPOOF", Title: "ignores identity headers and cookies sent by the client", Run: checkSpoof},
		{ID: "EN-TOKEN-VALIDATION", Title: "rejects poisoned ID tokens and bad state", Run: checkTokenValidation},
		{ID: "EN-IDP-ERROR", Title: "shows an error page when the IdP returns an error", Run: checkIdPError},
		{ID: "EN-LOGOUT", Title: "ends the session at logout", Run: checkLogout},
		{ID: "EN-LOGOUT-REPLAY", Title: "rejects the session cookie after logout", Run: checkLogoutReplay},
		{ID: "EN-IDP-LOGOUT", Title: "ends the IdP session at logout", Run: checkIdPLogout},
		{ID: "EN-COOKIE", Title: "sets a protected session cookie, new at each login", Run: checkCookie},
		{ID: "EN-REDIRECT", Title: "redirects only within the app after login and logout", Run: checkRedirect},
		{ID: "EN-COVERAGE", Title: "applies the access rule to Dash internals and assets", Run: checkCoverage},
	}
}

// Run runs every check against a discovered target and returns the results
// in catalogue order.
func Run(ctx context.Context, t *conformance.Target) []*conformance.Result {
	return conformance.RunChecks(ctx, t, Checks())
}
