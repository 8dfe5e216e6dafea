package basic

import (
	"context"

	"github.com/authconform/authconform/conformance"
)

// Check is the check of one requirement.
type Check struct {
	ID string
	// Title is the spec's name: what a passing target does.
	Title string
	Run   func(ctx context.Context, t *conformance.Target, r *conformance.Result)
}

// Checks returns the checks of every BA requirement, in catalogue order.
func Checks() []Check {
	return []Check{
		{"BA-CHALLENGE", "answers anonymous requests with a Basic challenge", checkChallenge},
		{"BA-ACCEPT", "admits every configured user", checkAccept},
		{"BA-REJECT", "rejects wrong and altered credentials with the same challenge", checkReject},
		{"BA-COVERAGE", "protects every route, method and Dash internal", checkCoverage},
		{"BA-SAME-CHALLENGE", "challenges XHR and callback requests like pages", checkSameChallenge},
		{"BA-COLON", "splits credentials at the first colon", checkColon},
		{"BA-STATELESS", "checks credentials on every request", checkStateless},
		{"BA-MALFORMED", "answers malformed Authorization headers with 401 or 400", checkMalformed},
		{"BA-SCHEME-CASE", "accepts the scheme in any letter case", checkSchemeCase},
		{"BA-UTF8", "admits users with non-ASCII credentials", checkUTF8},
		{"BA-NO-ECHO", "never echoes a submitted password", checkNoEcho},
		{"BA-PUBLIC", "serves declared public routes without credentials", checkPublic},
		{"BA-PUBLIC-EXACT", "opens nothing beyond the declared public routes", checkPublicExact},
		{"BA-PUBLIC-CALLBACK", "runs only declared public callbacks anonymously", checkPublicCallback},
		{"BA-GROUPS", "gives group-restricted output only to members", checkGroups},
		{"BA-NO-LOGOUT", "records whether users can log out", checkNoLogout},
		{"BA-CLEARTEXT", "records whether credentials travel in clear", checkCleartext},
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
