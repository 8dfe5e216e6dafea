package e2e_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/authconform/authconform/conformance"
	"github.com/authconform/authconform/e2e"
	"github.com/authconform/authconform/internal/browser"
	"github.com/authconform/authconform/internal/ssotarget"
)

var ssoIDs = []string{"UI-SSO-LOGIN", "UI-LOGOUT", "UI-DENIED"}

// runSSOChecks serves the SSO reference target at a level (or a mutant)
// and runs the SSO browser checks against it in b.
func runSSOChecks(t *testing.T, b *browser.Browser,
	level, mutant string) (map[string]*conformance.Result, string) {
	t.Helper()
	p, stop, err := serveSSO(level, mutant)
	if err != nil {
		t.Fatalf("serving the SSO target: %v", err)
	}
	defer stop()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	l, exs, err := conformance.Launch(ctx, p, nil)
	if err != nil {
		t.Fatal(conformance.ErrorWithEvidence(err, exs))
	}
	defer l.Close()
	dir := t.TempDir()
	out := map[string]*conformance.Result{}
	for _, c := range e2e.Checks() {
		for _, id := range ssoIDs {
			if c.ID == id {
				out[id] = e2e.Run(ctx, c, b, l.Target, dir, dir)
			}
		}
	}
	return out, dir
}

// hasScreenshot reports whether the artifacts include a PNG file that exists
// and is not empty.
func hasScreenshot(t *testing.T, dir string, artifacts []string) bool {
	t.Helper()
	for _, a := range artifacts {
		if !strings.HasSuffix(a, ".png") {
			continue
		}
		if fi, err := os.Stat(filepath.Join(dir, a)); err == nil && fi.Size() > 0 {
			return true
		}
	}
	return false
}

// TestSSOReference wants each SSO check to pass at the levels it applies
// to and to skip at the others.
func TestSSOReference(t *testing.T) {
	b := launchBrowser(t)
	want := map[string]map[string]conformance.Status{
		ssotarget.Restricted: {"UI-SSO-LOGIN": conformance.StatusPass,
			"UI-LOGOUT": conformance.StatusPass, "UI-DENIED": conformance.StatusPass},
		ssotarget.Authenticated: {"UI-SSO-LOGIN": conformance.StatusPass,
			"UI-LOGOUT": conformance.StatusPass, "UI-DENIED": conformance.StatusSkip},
		ssotarget.Unauthenticated: {"UI-SSO-LOGIN": conformance.StatusSkip,
			"UI-LOGOUT": conformance.StatusSkip, "UI-DENIED": conformance.StatusSkip},
	}
	for _, level := range []string{ssotarget.Restricted, ssotarget.Authenticated,
		ssotarget.Unauthenticated} {
		t.Run(level, func(t *testing.T) {
			results, _ := runSSOChecks(t, b, level, "")
			for _, id := range ssoIDs {
				r := results[id]
				if got := r.Status(true); got != want[level][id] {
					t.Errorf("%s: got %s, want %s: %s\n%s", id, got, want[level][id],
						r.Summary(), r.Failure())
				}
			}
		})
	}
}

// TestSSOMutantsFail runs the SSO checks against gateway and app mutants
// whose breakage a browser sees, and wants exactly the named check to fail,
// for the mutant's reason.
func TestSSOMutantsFail(t *testing.T) {
	b := launchBrowser(t)
	cases := []struct {
		mutant string
		fails  []string
		reason string
	}{
		// The app takes alice's email for her username. The logout check
		// needs to see alice logged in first, so it fails too.
		{"greeting-shows-email", []string{"UI-SSO-LOGIN", "UI-LOGOUT"},
			`want user data with username "alice"`},
		// Logout only redirects, so the app opens again.
		{"logout-noop", []string{"UI-LOGOUT"}, "after logout shows the app as alice"},
		// Logout keeps the IdP session, so the next login is silent.
		{"logout-local-only", []string{"UI-LOGOUT"}, "after logout shows the app as alice"},
		// A user outside the allowed set reaches the app.
		{"restricted-admits-all", []string{"UI-DENIED"}, "who may not use the app"},
	}
	for _, c := range cases {
		t.Run(c.mutant, func(t *testing.T) {
			results, dir := runSSOChecks(t, b, "", c.mutant)
			for _, id := range ssoIDs {
				r := results[id]
				got := r.Status(true)
				broken := slices.Contains(c.fails, id)
				switch {
				case broken && got != conformance.StatusFail:
					t.Errorf("%s: got %s, want fail: %s", id, got, r.Summary())
				case broken && !strings.Contains(r.Failure(), c.reason):
					t.Errorf("%s: failure does not say %q:\n%s", id, c.reason, r.Failure())
				case broken && !hasScreenshot(t, dir, r.Artifacts()):
					t.Errorf("%s: failed without a screenshot of what the browser showed: %q", id, r.Artifacts())
				case !broken && got == conformance.StatusFail:
					t.Errorf("%s: got fail, want it unaffected by the mutant:\n%s", id,
						r.Failure())
				}
			}
		})
	}
}
