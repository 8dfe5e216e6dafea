package basic_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/authconform/authconform/conformance"
	"github.com/authconform/authconform/conformance/basic"
)

// targetsDir holds the real targets' profiles and expected verdicts.
const targetsDir = "../../testdata/targets"

// runProfile starts the target a profile describes, runs every basic check
// against it and returns the results by requirement id.
func runProfile(t *testing.T, profile string) map[string]*conformance.Result {
	t.Helper()
	p, err := conformance.LoadProfile(profile)
	if err != nil {
		t.Fatalf("loading %s: %v", profile, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if p.Start != nil {
		started, err := conformance.StartTarget(ctx, p, testWriter{t})
		if err != nil {
			t.Fatalf("starting %s: %v", profile, err)
		}
		t.Cleanup(started.Stop)
		p = started.Profile
	}
	return runChecks(ctx, t, p)
}

func runChecks(ctx context.Context, t *testing.T, p *conformance.Profile) map[string]*conformance.Result {
	t.Helper()
	target, err := conformance.NewTarget(p)
	if err != nil {
		t.Fatalf("NewTarget: %v", err)
	}
	defer target.Close()
	if exs, err := target.Discover(ctx); err != nil {
		for _, ex := range exs {
			t.Log(ex)
		}
		t.Fatalf("Discover: %v", err)
	}
	out := map[string]*conformance.Result{}
	for _, r := range basic.Run(ctx, target) {
		out[r.Requirement.ID] = r
	}
	return out
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// readExpected reads a file of expected verdicts: requirement id to status.
func readExpected(t *testing.T, path string) map[string]conformance.Status {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading expected verdicts: %v", err)
	}
	var m map[string]conformance.Status
	if err := yaml.Unmarshal(data, &m); err != nil {
		t.Fatalf("decoding %s: %v", path, err)
	}
	for id := range m {
		if _, err := conformance.Lookup(id); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
	}
	return m
}

// compareVerdicts fails for every requirement whose status differs from
// the expected one, showing what the check found.
func compareVerdicts(t *testing.T, results map[string]*conformance.Result, want map[string]conformance.Status) {
	t.Helper()
	for _, req := range conformance.Requirements("basic") {
		r, ok := results[req.ID]
		if !ok {
			t.Errorf("%s: no result", req.ID)
			continue
		}
		w, ok := want[req.ID]
		if !ok {
			t.Errorf("%s: no expected verdict; add one to the expected file (got %s: %s)",
				req.ID, r.Status(false), r.Summary())
			continue
		}
		if got := r.Status(false); got != w {
			detail := r.Summary()
			if len(r.Violations()) > 0 {
				detail = r.Failure()
			}
			t.Errorf("%s: got %s, want %s\n%s", req.ID, got, w, detail)
		}
	}
}

// TestRealTargets runs the suite against nginx and Flask-HTTPAuth and
// compares every verdict with the recorded one, so a change in what the
// suite concludes about a real implementation shows up here.
func TestRealTargets(t *testing.T) {
	for _, name := range []string{"nginx", "flask"} {
		t.Run(name, func(t *testing.T) {
			requireTools(t, name)
			results := runProfile(t, filepath.Join(targetsDir, name+".yaml"))
			compareVerdicts(t, results, readExpected(t, filepath.Join(targetsDir, name+".expected.yaml")))
		})
	}
}

// requireTools fails with the fix when a real target's programs are missing.
func requireTools(t *testing.T, name string) {
	t.Helper()
	need := map[string][]string{
		"nginx": {"/usr/sbin/nginx", "/usr/bin/htpasswd"},
		"flask": {"/usr/lib/python3/dist-packages/flask_httpauth.py"},
	}
	for _, path := range need[name] {
		if _, err := os.Stat(path); err != nil {
			t.Fatalf("%s target needs %s, which is missing; run make deps", name, path)
		}
	}
}

func checkByID(t *testing.T, id string) conformance.Check {
	t.Helper()
	for _, c := range basic.Checks() {
		if c.ID == id {
			return c
		}
	}
	t.Fatalf("no check for %s", id)
	return conformance.Check{}
}
