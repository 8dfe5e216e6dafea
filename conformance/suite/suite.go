// Package suite connects the framework-neutral checks of the conformance
// packages to Ginkgo: it prepares the target before the specs, records each
// check's result as a report entry, fails or skips the spec from the
// result, and prints the requirement table after the suite.
//
// A suite package defines its specs from its checks with an Env:
//
//	env := suite.NewEnv(settings, builtin)
//	var _ = suite.Define(env, "HTTP Basic auth", "basic", basic.Checks())
package suite

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	. "github.com/onsi/ginkgo/v2"

	"github.com/authconform/authconform/conformance"
)

// entryName names the report entries that carry requirement rows.
const entryName = "authconform.requirement"

// Builtin starts a built-in target when no profile is given and returns
// its profile and a function that stops it.
type Builtin func(ctx context.Context) (*conformance.Profile, func(), error)

// Env is the state one suite shares between its specs.
type Env struct {
	Settings *conformance.Settings
	builtin  Builtin

	Target   *conformance.Target
	launched *conformance.Launched
	stop     func()
	setupErr error
}

// NewEnv returns an Env for settings; builtin may be nil.
func NewEnv(s *conformance.Settings, builtin Builtin) *Env {
	return &Env{Settings: s, builtin: builtin}
}

// Attach gives the Env a target launched before the suite runs, so that
// Setup uses it instead of launching one. The caller closes it.
func (e *Env) Attach(l *conformance.Launched) {
	e.Target = l.Target
}

// Setup loads the profile, starts the target from the profile's start block,
// discovers its routes and registers the teardown. Call it from
// BeforeAll or BeforeSuite.
func (e *Env) Setup(ctx SpecContext) {
	GinkgoHelper()
	if e.Target != nil {
		return
	}
	if e.setupErr != nil {
		Fail(e.setupErr.Error())
	}
	e.setupErr = e.setup(ctx)
	if e.setupErr != nil {
		Fail(e.setupErr.Error())
	}
}

func (e *Env) setup(ctx context.Context) error {
	p, err := e.Settings.LoadProfile()
	switch {
	case errors.Is(err, conformance.ErrNoTarget) && e.builtin != nil:
		p, e.stop, err = e.builtin(ctx)
		if err != nil {
			return fmt.Errorf("starting the built-in target: %w", err)
		}
	case err != nil:
		return err
	}
	DeferCleanup(e.teardown)
	if p.Start != nil {
		By("starting the target: " + fmt.Sprint(p.Start.Command))
	}
	launched, exs, err := conformance.Launch(ctx, p, GinkgoWriter)
	if err != nil {
		return conformance.ErrorWithEvidence(err, exs)
	}
	e.launched = launched
	e.Target = launched.Target
	return nil
}

func (e *Env) teardown() {
	e.launched.Close()
	if e.stop != nil {
		e.stop()
	}
}

// It defines a spec that runs check for requirement id, labelled with the
// id and the requirement's area.
func (e *Env) It(id, text string, check func(context.Context, *conformance.Target, *conformance.Result), args ...any) {
	req := conformance.MustLookup(id)
	args = append(args, Label(req.ID, req.Area, string(req.Level)))
	body := func(ctx SpecContext) {
		r := conformance.NewResult(id)
		check(ctx, e.Target, r)
		Record(r, e.Settings.Strict)
	}
	It(fmt.Sprintf("%s: %s", id, text), append([]any{body}, args...)...)
}

// Define adds one ordered container of specs, one per check, labelled
// with label, that runs against the target env prepares; a failing spec
// does not stop the others.
func Define(env *Env, description, label string, checks []conformance.Check) bool {
	return Describe(description, Ordered, ContinueOnFailure, Label(label), func() {
		BeforeAll(env.Setup)
		for _, c := range checks {
			env.It(c.ID, c.Title, c.Run)
		}
	})
}

// Record adds the result's row to the report, then fails the spec for a
// failed requirement and skips it for a skipped one.
func Record(r *conformance.Result, strict bool) {
	GinkgoHelper()
	row, entry := entryOf(r, strict)
	AddReportEntry(entryName, entry, ReportEntryVisibilityNever)
	switch row.Status {
	case conformance.StatusFail:
		Fail(r.Failure())
	case conformance.StatusSkip:
		Skip(row.Reason)
	case conformance.StatusWarn:
		fmt.Fprintf(GinkgoWriter, "WARNING, not failing without --strict:\n%s", r.Failure())
	}
}

// entryOf returns a result's report row and the row encoded as the report
// entry BuildReport reads.
func entryOf(r *conformance.Result, strict bool) (conformance.Row, string) {
	row := conformance.RowOf(r, strict)
	data, _ := json.Marshal(row) // A Row has only plain fields.
	return row, string(data)
}

// BuildReport makes the requirement table from a Ginkgo report: one row per
// requirement that ran, in catalogue order. A requirement checked by several
// specs gets its worst status. A spec that failed outside its check (a
// setup failure, a panic) counts as a failure of its requirement.
func BuildReport(r Report, s *conformance.Settings, target string) *conformance.Report {
	rows := map[string]conformance.Row{}
	for _, spec := range r.SpecReports {
		var found bool
		for _, entry := range spec.ReportEntries {
			if entry.Name != entryName {
				continue
			}
			var row conformance.Row
			if err := json.Unmarshal([]byte(entry.StringRepresentation()), &row); err != nil {
				continue
			}
			found = true
			merge(rows, row)
		}
		if !found && spec.State.Is(failureStates) {
			if id := requirementLabel(spec.Labels()); id != "" {
				req := conformance.MustLookup(id)
				merge(rows, conformance.Row{ID: id, Area: req.Area, Level: req.Level,
					Status: conformance.StatusFail, Reason: firstLine(spec.Failure.Message)})
			}
		}
	}
	rep := &conformance.Report{Target: target, Profile: s.ProfilePath, Strict: s.Strict,
		Finished: time.Now().UTC()}
	for _, req := range conformance.Requirements("") {
		if row, ok := rows[req.ID]; ok {
			rep.Rows = append(rep.Rows, row)
		}
	}
	return rep
}

// PrintReport prints the table and writes the report files when the
// settings name a folder. Call it from ReportAfterSuite.
func PrintReport(rep *conformance.Report, s *conformance.Settings) {
	if len(rep.Rows) == 0 {
		return
	}
	_ = rep.WriteText(os.Stdout)
	if s.ReportDir == "" {
		return
	}
	if err := rep.WriteFiles(s.ReportDir); err != nil {
		fmt.Fprintf(os.Stderr, "authconform: %v\n", err)
		return
	}
	fmt.Fprintf(os.Stdout, "report written to %s/report.md and report.json\n", s.ReportDir)
}
