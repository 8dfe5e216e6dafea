// Command authconform runs the conformance suites against a target
// described by a profile and prints the requirement table.
//
//	authconform --profile testdata/targets/reference.yaml
//	authconform --profile app.yaml --target-url http://127.0.0.1:8050/ --strict
//	authconform summary reports/*    # one table of several runs' reports
//
// It exits 0 when every MUST requirement holds (and, with --strict, every
// SHOULD requirement), 1 when one fails, 2 on a usage error such as an
// invalid profile, and 3 when the target could not be started, reached or
// discovered, so the checks did not run.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"
	"github.com/onsi/gomega"

	"github.com/authconform/authconform/conformance"
	"github.com/authconform/authconform/conformance/basic"
	"github.com/authconform/authconform/conformance/enterprise"
	"github.com/authconform/authconform/conformance/suite"
	"github.com/authconform/authconform/e2e"
)

// failTracker is the GinkgoTestingT of a run outside go test.
type failTracker struct{ failed bool }

func (f *failTracker) Fail() { f.failed = true }

func main() {
	if len(os.Args) > 1 && os.Args[1] == "summary" {
		os.Exit(summary(os.Args[2:], os.Stdout, os.Stderr))
	}
	os.Exit(run(os.Args[1:], os.Stderr))
}

// Exit statuses.
const (
	exitPass  = 0
	exitFail  = 1
	exitUsage = 2
	// exitSetup means the checks could not run: the target did not start,
	// could not be reached or its app could not be discovered.
	exitSetup = 3
)

func run(args []string, stderr io.Writer) int {
	var settings conformance.Settings
	fs := flag.CommandLine
	fs.SetOutput(stderr)
	settings.RegisterFlags(fs)
	labels := fs.String("label-filter", "", "run only requirements matching this Ginkgo label `expression`, e.g. BA-COVERAGE or 'basic && MUST'")
	junit := fs.String("junit-report", "", "write Ginkgo's JUnit XML report to `file`")
	jsonReport := fs.String("json-report", "", "write Ginkgo's JSON report to `file`")
	verbose := fs.Bool("v", false, "print each spec as it runs")
	inBrowser := fs.Bool("browser", false, "also run the UI checks in headless Chromium, saving screenshots "+
		"under the report folder (needs make browsers)")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: authconform --profile FILE [flags]\n\n"+
			"Runs the conformance suite for the profile's auth (basic or sso) against its target.\n"+
			"Exit status: 0 every MUST holds, 1 one failed, 2 usage error, 3 the target could not be prepared.\n\nFlags:\n")
		fs.VisitAll(func(f *flag.Flag) {
			if strings.HasPrefix(f.Name, "ginkgo.") || strings.HasPrefix(f.Name, "test.") {
				return
			}
			name, usage := flag.UnquoteUsage(f)
			fmt.Fprintf(stderr, "  --%s %s\n    \t%s\n", f.Name, name, usage)
		})
		fmt.Fprintf(stderr, "\nGinkgo's own flags are accepted as --ginkgo.NAME.\n")
	}
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	usage := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "authconform: "+format+"\n", a...)
		return exitUsage
	}
	if fs.NArg() > 0 {
		return usage("unexpected argument %q; pass the profile with --profile", fs.Arg(0))
	}
	profile, err := settings.LoadProfile()
	if err != nil {
		return usage("%s", oneLine(err))
	}
	area := "basic"
	if profile.Auth == "sso" {
		area = "enterprise"
	}
	areas := []string{area}
	if *inBrowser {
		areas = append(areas, "ui")
	}
	if *labels != "" {
		if err := checkLabelFilter(*labels, areas); err != nil {
			return usage("%v", err)
		}
		settings.LabelFilter = *labels
	}
	if settings.ReportDir != "" {
		if err := os.MkdirAll(settings.ReportDir, 0o755); err != nil {
			return usage("--report-dir %q cannot be created: %v; give a writable folder", settings.ReportDir, err)
		}
	}
	for name, value := range map[string]string{"ginkgo.label-filter": *labels,
		"ginkgo.junit-report": *junit, "ginkgo.json-report": *jsonReport} {
		if value != "" {
			_ = fs.Set(name, value) // Ginkgo registers these flags in its init.
		}
	}
	if *verbose {
		_ = fs.Set("ginkgo.v", "true")
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// The target's own log goes to a file beside the report, or to stderr
	// with -v; a failed start quotes its end either way.
	var targetLog io.Writer = io.Discard
	if *verbose {
		targetLog = os.Stderr
	} else if settings.ReportDir != "" {
		f, err := os.Create(filepath.Join(settings.ReportDir, "target.log"))
		if err != nil {
			return usage("--report-dir %q: %v; give a writable folder", settings.ReportDir, err)
		}
		defer f.Close()
		targetLog = f
	}
	launched, exs, err := conformance.Launch(ctx, profile, targetLog)
	if err != nil {
		fmt.Fprintf(stderr, "authconform: the checks could not run: %v\n", conformance.ErrorWithEvidence(err, exs))
		return exitSetup
	}
	defer launched.Close()

	env := suite.NewEnv(&settings, nil)
	env.Attach(launched)
	if area == "enterprise" {
		enterprise.Define(env)
	} else {
		basic.Define(env)
	}
	if *inBrowser {
		e2e.Define(env, e2e.Config{})
	}
	suite.ReportTable(&settings, env)
	gomega.RegisterFailHandler(ginkgo.Fail)
	t := &failTracker{}
	if !ginkgo.RunSpecs(t, "authconform") || t.failed {
		return exitFail
	}
	return exitPass
}

// checkLabelFilter rejects a filter that does not parse or that matches
// no requirement of the suite, so a typo cannot pass a run that checked
// nothing.
func checkLabelFilter(expr string, areas []string) error {
	filter, err := types.ParseLabelFilter(expr)
	if err != nil {
		return fmt.Errorf("--label-filter %q is invalid: %v", expr, err)
	}
	var ids []string
	for _, area := range areas {
		for _, req := range conformance.Requirements(area) {
			ids = append(ids, req.ID)
			if filter([]string{req.ID, req.Area, string(req.Level)}) {
				return nil
			}
		}
	}
	return fmt.Errorf("--label-filter %q matches no requirement that runs here; use an id (%s), %s, MUST, SHOULD or INFO",
		expr, strings.Join(ids, ", "), strings.Join(areas, ", "))
}

// oneLine joins a multi-error into one line per mistake, without a
// trailing newline.
func oneLine(err error) string {
	if errors.Is(err, conformance.ErrNoTarget) {
		return err.Error()
	}
	return strings.ReplaceAll(strings.TrimSpace(err.Error()), "\n", "\nauthconform: ")
}
