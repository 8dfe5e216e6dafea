package browser

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// launch starts a browser for a test and closes it in cleanup.
func launch(t *testing.T) *Browser {
	t.Helper()
	b, err := Launch(Options{})
	if err != nil {
		t.Fatalf("Launch: %v", err)
	}
	t.Cleanup(func() {
		if err := b.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return b
}

func servePage(t *testing.T, title string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, "<!DOCTYPE html><title>%s</title><h1 id=greeting>Hello</h1>", title)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestLaunchLoadsPage opens a page from a loopback server and reads it.
func TestLaunchLoadsPage(t *testing.T) {
	b := launch(t)
	srv := servePage(t, "launch test")
	page, err := b.Browser.NewPage()
	if err != nil {
		t.Fatalf("NewPage: %v", err)
	}
	resp, err := page.Goto(srv.URL)
	if err != nil {
		t.Fatalf("Goto %s: %v", srv.URL, err)
	}
	if resp.Status() != http.StatusOK {
		t.Errorf("status: got %d, want 200", resp.Status())
	}
	if title, err := page.Title(); err != nil || title != "launch test" {
		t.Errorf("title: got %q (%v), want %q", title, err, "launch test")
	}
	text, err := page.Locator("#greeting").TextContent()
	if err != nil || text != "Hello" {
		t.Errorf("#greeting: got %q (%v), want Hello", text, err)
	}
}

// TestCloseLeavesNoChromium wants every Chromium process that a launch
// starts to have exited once Close returns, and the count of Chromium
// processes below the test process to be what it was before the launch.
func TestCloseLeavesNoChromium(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads processes from /proc, which only Linux has")
	}
	self := os.Getpid()
	before := len(chromiumDescendants(self))

	b, err := Launch(Options{})
	if err != nil {
		t.Fatalf("Launch: %v", err)
	}
	page, err := b.Browser.NewPage()
	if err != nil {
		_ = b.Close()
		t.Fatalf("NewPage: %v", err)
	}
	srv := servePage(t, "process test")
	if _, err := page.Goto(srv.URL); err != nil {
		_ = b.Close()
		t.Fatalf("Goto: %v", err)
	}
	started := chromiumDescendants(self)
	if len(started) == 0 {
		t.Errorf("no chromium process found below the test process %d while the browser "+
			"was open; the check below proves nothing", self)
	}
	if err := b.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}

	// Helper processes may take a moment to exit after the main one.
	deadline := time.Now().Add(10 * time.Second)
	var left []string
	for {
		left = left[:0]
		for _, p := range started {
			if alive(p) {
				left = append(left, fmt.Sprintf("%d (%s)", p.pid, p.comm))
			}
		}
		if len(left) == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if len(left) > 0 {
		t.Errorf("chromium processes still running after Close: %s", strings.Join(left, ", "))
	}
	if after := len(chromiumDescendants(self)); after != before {
		t.Errorf("chromium processes below the test: got %d after Close, want %d as before",
			after, before)
	}
}

// TestLaunchPassesLoopbackFlags reads the browser's command line and wants
// the resolver rule and, as root, --no-sandbox on it.
func TestLaunchPassesLoopbackFlags(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads command lines from /proc, which only Linux has")
	}
	b := launch(t)
	var cmdlines []string
	for pid := range chromiumDescendants(os.Getpid()) {
		data, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "cmdline"))
		if err == nil {
			cmdlines = append(cmdlines, string(data))
		}
	}
	if len(cmdlines) == 0 {
		t.Fatalf("no chromium process found below the test process (driver pid %d)",
			b.DriverPID())
	}
	// The first process Playwright starts is the browser; its helpers get
	// other flags, so look for a command line that has all of them.
	want := LaunchArgs(os.Geteuid() == 0)
	for _, line := range cmdlines {
		args := strings.Split(strings.TrimRight(line, "\x00"), "\x00")
		missing := 0
		for _, w := range want {
			if !slices.Contains(args, w) {
				missing++
			}
		}
		if missing == 0 {
			return
		}
	}
	t.Errorf("no chromium command line has all of %q; got:\n%s", want,
		strings.ReplaceAll(strings.Join(cmdlines, "\n"), "\x00", " "))
}

// TestCloseTwice wants the second Close to return the first one's result.
func TestCloseTwice(t *testing.T) {
	b, err := Launch(Options{})
	if err != nil {
		t.Fatalf("Launch: %v", err)
	}
	if err := b.Close(); err != nil {
		t.Fatalf("first Close: %v", err)
	}
	if err := b.Close(); err != nil {
		t.Errorf("second Close: got %v, want nil", err)
	}
	if _, err := b.Browser.NewPage(); err == nil {
		t.Errorf("NewPage after Close: got no error, want one")
	}
}

func TestLaunchArgs(t *testing.T) {
	for _, root := range []bool{false, true} {
		args := LaunchArgs(root)
		if got := slices.Contains(args, "--no-sandbox"); got != root {
			t.Errorf("root=%v: --no-sandbox present=%v, want %v", root, got, root)
		}
		rule := "--host-resolver-rules=" + LoopbackResolverRule
		if !slices.Contains(args, rule) {
			t.Errorf("root=%v: %q missing from %q", root, rule, args)
		}
		for _, a := range args {
			if strings.HasPrefix(a, "--user-data-dir") {
				t.Errorf("root=%v: %q set; Playwright makes its own profile", root, a)
			}
		}
	}
}

func TestDriverVersion(t *testing.T) {
	if v := DriverVersion(); !regexp.MustCompile(`^\d+\.\d+\.\d+$`).MatchString(v) {
		t.Errorf("DriverVersion: got %q, want a version such as 1.64.1", v)
	}
}

func TestFindDriverMissingFolder(t *testing.T) {
	dir := t.TempDir()
	_, err := FindDriver(dir)
	if !errors.Is(err, ErrNoDriver) {
		t.Fatalf("FindDriver(%s): got %v, want ErrNoDriver", dir, err)
	}
	for _, want := range []string{dir, "package/cli.js", "make browsers"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}

func TestFindDriverMissingNode(t *testing.T) {
	t.Setenv(EnvNodePath, "")
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "package"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "package", "cli.js"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := FindDriver(dir)
	if !errors.Is(err, ErrNoDriver) {
		t.Fatalf("FindDriver: got %v, want ErrNoDriver", err)
	}
	if !strings.Contains(err.Error(), "node") || !strings.Contains(err.Error(), EnvNodePath) {
		t.Errorf("error %q does not name node and %s", err, EnvNodePath)
	}
}

func TestFindDriverFromEnvironment(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(EnvDriverPath, dir)
	_, err := FindDriver("")
	if !errors.Is(err, ErrNoDriver) || !strings.Contains(err.Error(), EnvDriverPath) {
		t.Errorf("FindDriver with %s=%s: got %v, want ErrNoDriver naming the variable",
			EnvDriverPath, dir, err)
	}
}

func TestFindChromiumNotExecutable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "chromium")
	if err := os.WriteFile(path, []byte("#!/bin/sh\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := FindChromium(path)
	if !errors.Is(err, ErrNoChromium) {
		t.Fatalf("FindChromium(%s): got %v, want ErrNoChromium", path, err)
	}
	t.Setenv(EnvChromium, path)
	if _, err := FindChromium(""); !errors.Is(err, ErrNoChromium) ||
		!strings.Contains(err.Error(), EnvChromium) {
		t.Errorf("FindChromium with %s: got %v, want ErrNoChromium naming the variable",
			EnvChromium, err)
	}
}

// TestLaunchBadDriverVersion wants Launch to refuse a driver folder whose
// cli.js reports another version, without downloading a replacement.
func TestLaunchBadDriverVersion(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatalf("node not found on PATH: %v", err)
	}
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "package"), 0o755); err != nil {
		t.Fatal(err)
	}
	cli := "console.log('Version 0.0.1');\n"
	if err := os.WriteFile(filepath.Join(dir, "package", "cli.js"), []byte(cli), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(node, filepath.Join(dir, "node")); err != nil {
		t.Fatal(err)
	}
	_, err = Launch(Options{DriverDir: dir})
	if err == nil {
		t.Fatal("Launch with a 0.0.1 driver: got no error")
	}
	if !strings.Contains(err.Error(), "make browsers") {
		t.Errorf("error %q does not name the fix", err)
	}
	if _, statErr := os.Stat(filepath.Join(dir, "package", "lib")); statErr == nil {
		t.Errorf("Launch wrote a driver into %s; it must not download", dir)
	}
}
