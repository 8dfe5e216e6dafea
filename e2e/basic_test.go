package e2e_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/authconform/authconform/conformance"
	"github.com/authconform/authconform/e2e"
	"github.com/authconform/authconform/internal/browser"
	"github.com/authconform/authconform/internal/reftarget"
)

func launchBrowser(t *testing.T) *browser.Browser {
	t.Helper()
	b, err := browser.Launch(browser.Options{})
	if err != nil {
		t.Fatalf("Launch: %v", err)
	}
	t.Cleanup(func() {
		if err := b.Close(); err != nil {
			t.Errorf("closing the browser: %v", err)
		}
	})
	return b
}

func basicCheck(t *testing.T) e2e.Check {
	t.Helper()
	for _, c := range e2e.Checks() {
		if c.ID == "UI-BASIC" {
			return c
		}
	}
	t.Fatal("no UI-BASIC check")
	return e2e.Check{}
}

// runBasic serves the reference target (or a mutant) and runs UI-BASIC
// against it in b, saving files into a fresh folder, which it returns.
func runBasic(t *testing.T, b *browser.Browser, opts reftarget.Options) (
	*conformance.Result, []string, string) {
	t.Helper()
	p, srv, err := serveReference(opts)
	if err != nil {
		t.Fatalf("serving the reference target: %v", err)
	}
	defer srv.Close()
	target, err := conformance.NewTarget(p)
	if err != nil {
		t.Fatalf("NewTarget: %v", err)
	}
	defer target.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := target.Discover(ctx); err != nil {
		t.Fatalf("Discover: %v", err)
	}
	dir := t.TempDir()
	r := e2e.Run(ctx, basicCheck(t), b, target, dir, dir)
	return r, r.Artifacts(), dir
}

// TestBasicReference wants UI-BASIC to pass on the reference target with a
// PNG screenshot per user and one for the anonymous page, and no trace.
func TestBasicReference(t *testing.T) {
	b := launchBrowser(t)
	r, artifacts, dir := runBasic(t, b, reftarget.Options{})
	if got := r.Status(true); got != conformance.StatusPass {
		t.Fatalf("status: got %s, want pass\n%s", got, r.Failure())
	}
	want := []string{"UI-BASIC-1-alice.png", "UI-BASIC-2-bob.png", "UI-BASIC-3-zo_.png",
		"UI-BASIC-4-carol.png", "UI-BASIC-anonymous.png"}
	if strings.Join(artifacts, " ") != strings.Join(want, " ") {
		t.Errorf("artifacts: got %q, want %q", artifacts, want)
	}
	for _, a := range artifacts {
		data, err := os.ReadFile(filepath.Join(dir, a))
		if err != nil {
			t.Errorf("reading %s: %v", a, err)
			continue
		}
		if !bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")) {
			t.Errorf("%s is not a PNG file", a)
		}
	}
}

// TestBasicMutantsFail runs UI-BASIC against mutants of the reference
// target whose breakage a browser sees, and wants it to fail for the
// mutant's reason, with a trace kept for the failure.
func TestBasicMutantsFail(t *testing.T) {
	b := launchBrowser(t)
	cases := []struct {
		mutant string
		reason string
	}{
		// The 401 body is the index page, whose renderer then shows the app.
		{"challenge-leaks", "the page shown without credentials has app elements"},
		// The page's callback requests run without credentials.
		{"open-callback", "(callback title.children) from the page shown without " +
			"credentials: got 200"},
		// alice's password contains a colon, so she cannot log in.
		{"last-colon", "as alice with valid credentials: got 401, want 2xx"},
		// zoë's UTF-8 credentials are read as Latin-1.
		{"latin1", "as zoë with valid credentials: got 401, want 2xx"},
	}
	for _, c := range cases {
		t.Run(c.mutant, func(t *testing.T) {
			r, artifacts, _ := runBasic(t, b, reftarget.Options{Mutant: c.mutant})
			if got := r.Status(false); got != conformance.StatusFail {
				t.Fatalf("status: got %s, want fail (%s)", got, r.Summary())
			}
			if failure := r.Failure(); !strings.Contains(failure, c.reason) {
				t.Errorf("failure does not say %q:\n%s", c.reason, failure)
			}
			var traces int
			for _, a := range artifacts {
				if strings.HasSuffix(a, "-trace.zip") {
					traces++
				}
			}
			if traces == 0 {
				t.Errorf("no trace kept for the failure; artifacts: %q", artifacts)
			}
		})
	}
}
