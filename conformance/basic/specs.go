package basic

import (
	"github.com/authconform/authconform/conformance/suite"
)

// Define adds the basic-auth specs to the Ginkgo tree: one spec per BA
// requirement, labelled with its id, "basic" and its level, run in order
// against the target env prepares. Call it at package level:
//
//	var _ = basic.Define(env)
func Define(env *suite.Env) bool {
	return suite.Define(env, "HTTP Basic auth", "basic", Checks())
}
