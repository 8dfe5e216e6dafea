// Package basic checks a target protected by HTTP Basic auth against the
// BA requirements of the conformance catalogue: challenges, accepted and
// rejected credentials, route coverage, public routes and callbacks,
// groups, and what the scheme cannot do.
//
// Each check is a plain function over a discovered conformance.Target that
// records every violation it finds in a conformance.Result, so the checks
// run the same under Ginkgo (see Define), in a Go test, or from a program:
//
//	target, _ := conformance.NewTarget(profile)
//	_, _ = target.Discover(ctx)
//	for _, c := range basic.Checks() {
//		r := conformance.NewResult(c.ID)
//		c.Run(ctx, target, r)
//		fmt.Println(c.ID, r.Status(false), r.Summary())
//	}
package basic
