package basic

import (
	"context"

	"github.com/authconform/authconform/conformance"
)

// Checks returns the checks of every BA requirement, in catalogue order.
func Checks() []conformance.Check {
	return []conformance.Check{
		{ID: "BA-CHALLENGE", Title: "answers anonymous requests with a Basic challenge", Run: checkChallenge},
		{ID: "BA-ACCEPT", Title: "admits every configured user", Run: checkAccept},
		{ID: "BA-REJECT", Title: "rejects wrong and altered credentials with the same challenge", Run: checkReject},
		{ID: "BA-COVERAGE", Title: "protects every route, method and Dash internal", Run: checkCoverage},
		{ID: "BA-SAME-CHALLENGE", Title: "challenges XHR and callback requests like pages", Run: checkSameChallenge},
		{ID: "BA-COLON", Title: "splits credentials at the first colon", Run: checkColon},
		{ID: "BA-STATELESS", Title: "checks credentials on every request", Run: checkStateless},
		{ID: "BA-MALFORMED", Title: "answers malformed Authorization headers with 401 or 400", Run: checkMalformed},
		{ID: "BA-SCHEME-CASE", Title: "accepts the scheme in any letter case", Run: checkSchemeCase},
		{ID: "BA-UTF8", Title: "admits users with non-ASCII credentials", Run: checkUTF8},
		{ID: "BA-NO-ECHO", Title: "never echoes a submitted password", Run: checkNoEcho},
		{ID: "BA-PUBLIC", Title: "serves declared public routes without credentials", Run: checkPublic},
		{ID: "BA-PUBLIC-EXACT", Title: "opens nothing beyond the declared public routes", Run: checkPublicExact},
		{ID: "BA-PUBLIC-CALLBACK", Title: "runs only declared public callbacks anonymously", Run: checkPublicCallback},
		{ID: "BA-GROUPS", Title: "gives group-restricted output only to members", Run: checkGroups},
		{ID: "BA-NO-LOGOUT", Title: "records whether users can log out", Run: checkNoLogout},
		{ID: "BA-CLEARTEXT", Title: "records whether credentials travel in clear", Run: checkCleartext},
	}
}

// Run runs every check against a discovered target and returns the results
// in catalogue order.
func Run(ctx context.Context, t *conformance.Target) []*conformance.Result {
	return conformance.RunChecks(ctx, t, Checks())
}
