package conformance

import "context"

// Check is the framework-neutral check of one requirement: it probes the
// target and records every violation in the result.
type Check struct {
	ID string
	// Title is the spec's name: what a passing target does.
	Title string
	Run   func(ctx context.Context, t *Target, r *Result)
}

// RunChecks runs checks in order against a discovered target and returns
// their results.
func RunChecks(ctx context.Context, t *Target, checks []Check) []*Result {
	out := make([]*Result, 0, len(checks))
	for _, c := range checks {
		r := NewResult(c.ID)
		c.Run(ctx, t, r)
		out = append(out, r)
	}
	return out
}
