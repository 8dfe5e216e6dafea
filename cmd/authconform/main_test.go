package main_test

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// buildCommands builds authconform and reftarget into a temporary folder.
func buildCommands(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	cmd := exec.Command("go", "build", "-o", dir+"/", ".", "../reftarget")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return dir
}

// runAuthconform runs the command and returns its output and exit status.
func runAuthconform(t *testing.T, bin string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(filepath.Join(bin, "authconform"), append(args, "--ginkgo.no-color")...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return out.String(), 0
	case errors.As(err, &exit):
		return out.String(), exit.ExitCode()
	}
	t.Fatalf("running authconform: %v", err)
	return "", -1
}

// writeProfile writes a profile that starts the built reftarget with args.
func writeProfile(t *testing.T, bin string, extra string) string {
	t.Helper()
	base, err := os.ReadFile("../../testdata/targets/reference.yaml")
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(string(base), "../../bin/reftarget", filepath.Join(bin, "reftarget"), 1)
	text = strings.Replace(text, `"127.0.0.1:{port}"]`, `"127.0.0.1:{port}"`+extra+`]`, 1)
	path := filepath.Join(t.TempDir(), "profile.yaml")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestCommand(t *testing.T) {
	bin := buildCommands(t)

	t.Run("reference passes", func(t *testing.T) {
		out, code := runAuthconform(t, bin, "--profile", writeProfile(t, bin, ""))
		if code != 0 {
			t.Fatalf("exit status %d, want 0\n%s", code, out)
		}
		if !strings.Contains(out, "17 pass, 0 fail, 0 warn, 0 skip") {
			t.Errorf("report does not show 17 passing requirements:\n%s", out)
		}
	})

	t.Run("mutant fails with evidence", func(t *testing.T) {
		out, code := runAuthconform(t, bin, "--profile", writeProfile(t, bin, ", --mutant, open-callback"))
		if code != 1 {
			t.Fatalf("exit status %d, want 1\n%s", code, out)
		}
		for _, want := range []string{"BA-COVERAGE (MUST) violated", "request: POST http://127.0.0.1:",
			"response: 200 OK", "BA-COVERAGE         MUST    FAIL"} {
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		}
	})

	t.Run("label filter runs one requirement", func(t *testing.T) {
		out, code := runAuthconform(t, bin, "--profile", writeProfile(t, bin, ""), "--label-filter", "BA-COLON")
		if code != 0 {
			t.Fatalf("exit status %d, want 0\n%s", code, out)
		}
		if !strings.Contains(out, "1 pass, 0 fail") || strings.Contains(out, "BA-REJECT ") {
			t.Errorf("want only BA-COLON in the report:\n%s", out)
		}
	})

	t.Run("profile without url", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "nourl.yaml")
		if err := os.WriteFile(path, []byte("auth: basic\nusers:\n  - {username: a, password: b}\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		out, code := runAuthconform(t, bin, "--profile", path)
		if code != 2 {
			t.Errorf("exit status %d, want 2", code)
		}
		if lines := strings.Split(strings.TrimSpace(out), "\n"); len(lines) != 1 {
			t.Errorf("want one line, got %d:\n%s", len(lines), out)
		}
		if !strings.Contains(out, path+":1: missing url") {
			t.Errorf("message does not name the file, line and key:\n%s", out)
		}
	})

	t.Run("setup failures exit 3", func(t *testing.T) {
		unreachable := filepath.Join(t.TempDir(), "down.yaml")
		text := "url: http://127.0.0.1:1/\nusers:\n  - {username: a, password: b}\n"
		if err := os.WriteFile(unreachable, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		out, code := runAuthconform(t, bin, "--profile", unreachable)
		if code != 3 {
			t.Errorf("unreachable target: exit status %d, want 3\n%s", code, out)
		}
		if !strings.Contains(out, "cannot reach the target") || strings.Contains(out, "BA-CHALLENGE") {
			t.Errorf("unreachable target: want one setup error and no requirement row:\n%s", out)
		}
		missing := writeProfile(t, bin, "")
		data, _ := os.ReadFile(missing)
		broken := strings.Replace(string(data), filepath.Join(bin, "reftarget"), filepath.Join(bin, "no-such-binary"), 1)
		if err := os.WriteFile(missing, []byte(broken), 0o644); err != nil {
			t.Fatal(err)
		}
		out, code = runAuthconform(t, bin, "--profile", missing)
		if code != 3 || !strings.Contains(out, "no-such-binary") {
			t.Errorf("missing start command: exit status %d, want 3 naming the command\n%s", code, out)
		}
	})

	t.Run("label filter typo exits 2", func(t *testing.T) {
		out, code := runAuthconform(t, bin, "--profile", writeProfile(t, bin, ""), "--label-filter", "BA-COVERGE")
		if code != 2 || !strings.Contains(out, "matches no requirement") {
			t.Errorf("exit status %d, want 2 with a message\n%s", code, out)
		}
	})

	t.Run("bad input exits 2", func(t *testing.T) {
		for name, args := range map[string][]string{
			"missing file":   {"--profile", "/nonexistent/profile.yaml"},
			"no target":      {},
			"unknown flag":   {"--profil", "x.yaml"},
			"stray argument": {"profile.yaml"},
			"bad target url": {"--target-url", "ftp://127.0.0.1/"},
			"bad filter":     {"--profile", writeProfile(t, bin, ""), "--label-filter", "&&&"},
			"bad report dir": {"--profile", writeProfile(t, bin, ""), "--report-dir", "/proc/version/x"},
		} {
			out, code := runAuthconform(t, bin, args...)
			if code != 2 {
				t.Errorf("%s: exit status %d, want 2\n%s", name, code, out)
			}
			if strings.Contains(out, "goroutine ") || strings.Contains(out, "panic") {
				t.Errorf("%s: output has a stack trace:\n%s", name, out)
			}
		}
	})
}
