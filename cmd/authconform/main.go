// Command authconform runs the conformance suites against a target
// described by a profile and prints the requirement table.
//
//	authconform --profile testdata/targets/reference.yaml
//	authconform --profile app.yaml --target-url http://127.0.0.1:8050/ --strict
//
// It exits 0 when every MUST requirement holds (and, with --strict, every
// SHOULD requirement), 1 when one fails, and 2 on a usage error such as an
// invalid profile.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/gomega"

	"github.com/authconform/authconform/conformance"
	"github.com/authconform/authconform/conformance/basic"
	"github.com/authconform/authconform/conformance/enterprise"
	"github.com/authconform/authconform/conformance/suite"
)

// failTracker is the GinkgoTestingT of a run outside go test.
type failTracker struct{ failed bool }

func (f *failTracker) Fail() { f.failed = true }

func main() {
	os.Exit(run(os.Args[1:], os.Stderr))
}

func run(args []string, stderr io.Writer) int {
	var settings conformance.Settings
	fs := flag.CommandLine
	fs.SetOutput(stderr)
	settings.RegisterFlags(fs)
	labels := fs.String("label-filter", "", "run only requirements matching this Ginkgo label `expression`, e.g. BA-COVERAGE or 'basic && !INFO'")
	junit := fs.String("junit-report", "", "write Ginkgo's JUnit XML report to `file`")
	jsonReport := fs.String("json-report", "", "write Ginkgo's JSON report to `file`")
	verbose := fs.Bool("v", false, "print each spec as it runs")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: authconform --profile FILE [flags]\n\n"+
			"Runs the conformance suites against the target the profile describes.\n\nFlags:\n")
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
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "authconform: unexpected argument %q; pass the profile with --profile\n", fs.Arg(0))
		return 2
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

	env := suite.NewEnv(&settings, nil)
	profile, err := settings.LoadProfile()
	if err != nil {
		fmt.Fprintf(stderr, "authconform: %s\n", oneLine(err))
		return 2
	}
	if profile.Auth == "sso" {
		enterprise.Define(env)
	} else {
		basic.Define(env)
	}
	suite.ReportTable(&settings, env)
	gomega.RegisterFailHandler(ginkgo.Fail)
	t := &failTracker{}
	if !ginkgo.RunSpecs(t, "authconform") || t.failed {
		return 1
	}
	return 0
}

// oneLine joins a multi-error into one line per mistake, without a
// trailing newline.
func oneLine(err error) string {
	if errors.Is(err, conformance.ErrNoTarget) {
		return err.Error()
	}
	return strings.ReplaceAll(strings.TrimSpace(err.Error()), "\n", "\nauthconform: ")
}
