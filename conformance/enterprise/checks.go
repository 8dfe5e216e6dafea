package enterprise

import (
	"context"

	"github.com/authconform/authconform/conformance"
)

// Check is the check of one requirement.
type Check struct {
	ID    string
	Title string
	Run   func(ctx context.Context, t *conformance.Target, r *conformance.Result)
}

// Checks returns the checks of every EN requirement, in catalogue order.
func Checks() []Check {
	return []Check{
		{"EN-LOGIN-REDIRECT", "sends anonymous page requests to the IdP", checkLoginRedirect},
		{"EN-XHR-ANON", "refuses anonymous XHR and callback requests", checkXHRAnon},
		{"EN-LOGIN", "serves the app to an allowed user after login", checkLogin},
		{"EN-AUTHENTICATED", "admits every user at the authenticated level", checkAuthenticated},
		{"EN-RESTRICTED", "admits exactly the allowed users at the restricted level", checkRestricted},
		{"EN-UNAUTHENTICATED", "serves everyone without login at the unauthenticated level", checkUnauthenticated},
		{"EN-USER-DATA", "passes each user's data to the app exactly", checkUserData},
		{"EN-ISOLATION", "keeps concurrent sessions apart", checkIsolation},
		{"EN-SPOOF", "ignores identity headers and cookies sent by the client", checkSpoof},
		{"EN-TOKEN-VALIDATION", "rejects poisoned ID tokens and bad state", checkTokenValidation},
		{"EN-IDP-ERROR", "shows an error page when the IdP returns an error", checkIdPError},
		{"EN-LOGOUT", "ends the session at logout", checkLogout},
		{"EN-LOGOUT-REPLAY", "rejects the session cookie after logout", checkLogoutReplay},
		{"EN-IDP-LOGOUT", "ends the IdP session at logout", checkIdPLogout},
		{"EN-COOKIE", "sets a protected session cookie, new at each login", checkCookie},
		{"EN-REDIRECT", "redirects only within the app after login and logout", checkRedirect},
		{"EN-COVERAGE", "applies the access rule to Dash internals and assets", checkCoverage},
	}
}

// Run runs every check against a discovered target and returns the results
// in catalogue order.
func Run(ctx context.Context, t *conformance.Target) []*conformance.Result {
	var out []*conformance.Result
	for _, c := range Checks() {
		r := conformance.NewResult(c.ID)
		c.Run(ctx, t, r)
		out = append(out, r)
	}
	return out
}
