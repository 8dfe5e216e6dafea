package enterprise

import (
	"github.com/authconform/authconform/conformance/suite"
)

// Define adds the SSO specs to the Ginkgo tree: one spec per EN
// requirement, labelled with its id, "enterprise" and its level, run in
// order against the target env prepares. Call it at package level:
//
//	var _ = enterprise.Define(env)
func Define(env *suite.Env) bool {
	return suite.Define(env, "SSO middleware", "enterprise", Checks())
}
