package conformance

import (
	"fmt"
	"strings"
	"sync"
)

// Status is the verdict on one requirement.
type Status string

// The verdicts.
const (
	StatusPass Status = "pass"
	StatusFail Status = "fail"
	// StatusWarn is a SHOULD requirement violated in a run that is not strict.
	StatusWarn Status = "warn"
	StatusSkip Status = "skip"
)

// Violation is one way the target broke a requirement.
type Violation struct {
	Message  string
	Exchange *Exchange
}

// Result collects what one check found about one requirement: every
// violation, not only the first. Safe for concurrent use.
type Result struct {
	Requirement Requirement

	mu         sync.Mutex
	violations []Violation
	skip       string
	notes      []string
	artifacts  []string
	checked    int
}

// NewResult starts the result of a check of requirement id.
func NewResult(id string) *Result {
	return &Result{Requirement: MustLookup(id)}
}

// Errorf records a violation with the exchange that shows it (may be nil).
func (r *Result) Errorf(ex *Exchange, format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.violations = append(r.violations, Violation{Message: fmt.Sprintf(format, args...), Exchange: ex})
}

// Skip marks the requirement as not checkable on this target, with the
// reason shown in the report.
func (r *Result) Skip(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.skip = fmt.Sprintf(format, args...)
}

// Notef records an observation shown in the report.
func (r *Result) Notef(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.notes = append(r.notes, fmt.Sprintf(format, args...))
}

// Checked counts a probe the target passed or failed, for the report.
func (r *Result) Checked() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.checked++
}

// AddArtifact records files a person can look at, such as screenshots,
// which the report links from the requirement's row.
func (r *Result) AddArtifact(paths ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.artifacts = append(r.artifacts, paths...)
}

// Artifacts returns the files recorded with AddArtifact.
func (r *Result) Artifacts() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.artifacts...)
}

// Violations returns the violations recorded so far.
func (r *Result) Violations() []Violation {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Violation(nil), r.violations...)
}

// Notes returns the observations recorded so far.
func (r *Result) Notes() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.notes...)
}

// SkipReason returns why the check was skipped, "" if it was not.
func (r *Result) SkipReason() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.skip
}

// Status returns the verdict. A SHOULD violation is a warning unless strict.
func (r *Result) Status(strict bool) Status {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case len(r.violations) > 0 && r.Requirement.Level == Should && !strict:
		return StatusWarn
	case len(r.violations) > 0:
		return StatusFail
	case r.skip != "":
		return StatusSkip
	}
	// An INFO requirement passes with what it observed as the reason.
	return StatusPass
}

// Summary returns the one-line reason shown in the report table.
func (r *Result) Summary() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case len(r.violations) == 1:
		return r.violations[0].Message
	case len(r.violations) > 1:
		return fmt.Sprintf("%s (and %d more)", r.violations[0].Message, len(r.violations)-1)
	case r.skip != "":
		return r.skip
	case len(r.notes) > 0:
		return strings.Join(r.notes, "; ")
	}
	if r.checked == 1 {
		return "1 probe passed"
	}
	return fmt.Sprintf("%d probes passed", r.checked)
}

// MaxShownViolations caps the violations spelled out in a spec's failure
// message; the report files hold them all.
const MaxShownViolations = 8

// Failure returns the message for a failed check: the requirement, then
// up to MaxShownViolations violations with the request sent and the
// response got.
func (r *Result) Failure() string { return r.failure(MaxShownViolations) }

// FailureAll is Failure with every violation.
func (r *Result) FailureAll() string { return r.failure(-1) }

func (r *Result) failure(max int) string {
	vs := r.Violations()
	var b strings.Builder
	req := r.Requirement
	fmt.Fprintf(&b, "%s (%s) violated %d time(s)\nrequirement: %s\nsource: %s\n",
		req.ID, req.Level, len(vs), req.Text, req.Source)
	for i, v := range vs {
		if i == max {
			fmt.Fprintf(&b, "\n... and %d more violations, all listed in the report files (--report-dir)\n", len(vs)-i)
			break
		}
		fmt.Fprintf(&b, "\n%d. %s\n", i+1, v.Message)
		if v.Exchange != nil {
			for _, line := range strings.Split(strings.TrimRight(v.Exchange.String(), "\n"), "\n") {
				b.WriteString("   " + line + "\n")
			}
		}
	}
	return b.String()
}
