package enterprise_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/authconform/authconform/conformance"
	"github.com/authconform/authconform/conformance/enterprise"
)

const (
	oauth2ProxyVersion = "v7.15.6"
	oauth2ProxyModule  = "github.com/oauth2-proxy/oauth2-proxy/v7"
	// oauth2ProxyEnv names a prebuilt oauth2-proxy binary. The test and
	// testdata/targets/oauth2-proxy/run.sh both read it.
	oauth2ProxyEnv = "AUTHCONFORM_OAUTH2_PROXY"
	// reftargetEnv names the reftarget binary run.sh starts as the upstream.
	reftargetEnv = "AUTHCONFORM_REFTARGET"
)

// TestOAuth2ProxyTargets runs the suite against oauth2-proxy in front of
// the reference app, at each access level, and compares every verdict with
// the recorded one, so a change in what the suite concludes about a real
// SSO middleware shows up here.
func TestOAuth2ProxyTargets(t *testing.T) {
	t.Setenv(oauth2ProxyEnv, oauth2ProxyBinary(t))
	t.Setenv(reftargetEnv, buildReftarget(t))
	for _, level := range []string{"authenticated", "restricted"} {
		t.Run(level, func(t *testing.T) {
			name := "oauth2-proxy-" + level
			results := runOAuth2Proxy(t, filepath.Join(targetsDir, name+".yaml"))
			want := readExpected(t, filepath.Join(targetsDir, name+".expected.yaml"))
			compareVerdicts(t, results, want)
		})
	}
}

// oauth2ProxyBinary returns the oauth2-proxy binary that run.sh would use:
// the one $AUTHCONFORM_OAUTH2_PROXY names, or the build cached under the
// user cache directory, which it makes first when missing. Under -short it
// skips instead of building.
func oauth2ProxyBinary(t *testing.T) string {
	t.Helper()
	if path := os.Getenv(oauth2ProxyEnv); path != "" {
		if _, err := os.Stat(path); err != nil {
			t.Fatalf("%s=%s: %v; point it at an oauth2-proxy %s binary or unset it",
				oauth2ProxyEnv, path, err, oauth2ProxyVersion)
		}
		return path
	}

	cache, err := os.UserCacheDir()
	if err != nil {
		if testing.Short() {
			t.Skipf("-short: no user cache directory for oauth2-proxy (%v)", err)
		}
		t.Fatalf("no user cache directory to build oauth2-proxy into: %v; set HOME, or set %s "+
			"to an oauth2-proxy %s binary", err, oauth2ProxyEnv, oauth2ProxyVersion)
	}
	dir := filepath.Join(cache, "authconform", "oauth2-proxy-"+oauth2ProxyVersion)
	bin := filepath.Join(dir, "oauth2-proxy")
	if _, err := os.Stat(bin); err == nil {
		return bin
	}

	if testing.Short() {
		t.Skipf("-short: not building oauth2-proxy; set %s to a prebuilt binary", oauth2ProxyEnv)
	}
	t.Logf("building oauth2-proxy %s into %s", oauth2ProxyVersion, dir)
	cmd := exec.Command("go", "install", oauth2ProxyModule+"@"+oauth2ProxyVersion)
	cmd.Env = append(os.Environ(), "GOBIN="+dir, "GOFLAGS=-mod=mod")
	cmd.Dir = os.TempDir() // Outside this module, so that its go.mod does not apply.
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building oauth2-proxy %s with go install failed: %v\n%s\nfix the Go module "+
			"proxy access, or set %s to a prebuilt oauth2-proxy binary",
			oauth2ProxyVersion, err, out, oauth2ProxyEnv)
	}
	return bin
}

// buildReftarget builds the reftarget command of this checkout, so the
// test never runs a stale bin/reftarget.
func buildReftarget(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "reftarget")
	cmd := exec.Command("go", "build", "-o", bin, "github.com/authconform/authconform/cmd/reftarget")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building reftarget failed: %v\n%s", err, out)
	}
	return bin
}

// runOAuth2Proxy launches the target of a profile, runs every EN check
// against it and returns the results by requirement id. The target's
// output is shown when the test fails.
func runOAuth2Proxy(t *testing.T, profile string) map[string]*conformance.Result {
	t.Helper()
	p, err := conformance.LoadProfile(profile)
	if err != nil {
		t.Fatalf("loading %s: %v", profile, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	output := &tailWriter{max: 16 << 10}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("end of the target's output:\n%s", output.String())
		}
	})
	l, exs, err := conformance.Launch(ctx, p, output)
	if err != nil {
		t.Fatalf("launching %s: %v", profile, conformance.ErrorWithEvidence(err, exs))
	}
	defer l.Close()
	results := map[string]*conformance.Result{}
	for _, r := range enterprise.Run(ctx, l.Target) {
		results[r.Requirement.ID] = r
	}
	return results
}

// readExpected reads a file of expected verdicts: EN requirement id to
// status.
func readExpected(t *testing.T, path string) map[string]conformance.Status {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading expected verdicts: %v", err)
	}
	var want map[string]conformance.Status
	if err := yaml.Unmarshal(data, &want); err != nil {
		t.Fatalf("decoding %s: %v", path, err)
	}
	for id, status := range want {
		req, err := conformance.Lookup(id)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if req.Area != "enterprise" {
			t.Fatalf("%s: %s is a %s requirement, not an enterprise one; remove it", path, id, req.Area)
		}
		switch status {
		case conformance.StatusPass, conformance.StatusFail, conformance.StatusWarn,
			conformance.StatusSkip:
		default:
			t.Fatalf("%s: %s has status %q; use pass, fail, warn or skip", path, id, status)
		}
	}
	return want
}

// compareVerdicts fails for every EN requirement whose non-strict status
// differs from the expected one, showing what the check found.
func compareVerdicts(t *testing.T, results map[string]*conformance.Result, want map[string]conformance.Status) {
	t.Helper()
	for _, req := range conformance.Requirements("enterprise") {
		r, ok := results[req.ID]
		if !ok {
			t.Errorf("%s: no result", req.ID)
			continue
		}
		got := r.Status(false)
		w, ok := want[req.ID]
		if !ok {
			t.Errorf("%s: no expected verdict; add one to the expected file (got %s: %s)",
				req.ID, got, r.Summary())
			continue
		}
		if got == w {
			continue
		}
		detail := r.Summary()
		if len(r.Violations()) > 0 {
			detail = r.Failure()
		}
		t.Errorf("%s: got %s, want %s\n%s", req.ID, got, w, detail)
	}
}

// tailWriter keeps the last max bytes written to it. Safe for concurrent
// use, because the target's output arrives from another goroutine.
type tailWriter struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func (w *tailWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, p...)
	if len(w.buf) > w.max {
		w.buf = w.buf[len(w.buf)-w.max:]
	}
	return len(p), nil
}

func (w *tailWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return string(w.buf)
}
