package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/authconform/authconform/internal/reftarget"
)

// lockedBuffer is a bytes.Buffer safe for a writer and a reader in
// different goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestRunRejectsUsage(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"unknown flag", []string{"--port", "1"}, []string{"-port", "reftarget -h"}},
		{"positional argument", []string{"serve"}, []string{`"serve"`, "only flags"}},
		{"unknown mutant", []string{"--mutant", "nope"}, []string{`"nope"`, "--list-mutants"}},
		{"remote address", []string{"--addr", "0.0.0.0:8050"},
			[]string{`"0.0.0.0:8050"`, "--allow-remote"}},
		{"all interfaces", []string{"--addr", ":8050"}, []string{`":8050"`, "loopback"}},
		{"host name", []string{"--addr", "example.com:80"}, []string{"--allow-remote"}},
		{"no port", []string{"--addr", "127.0.0.1"}, []string{`"127.0.0.1"`, "host:port"}},
		{"bad boolean", []string{"--private=maybe"}, []string{"maybe", "reftarget -h"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), tt.args, &stdout, &stderr)
			if code != 2 {
				t.Errorf("exit status = %d, want 2", code)
			}
			msg := stderr.String()
			if strings.Count(msg, "\n") != 1 || !strings.HasPrefix(msg, "reftarget: ") {
				t.Errorf("stderr = %q, want one line starting with \"reftarget: \"", msg)
			}
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("stderr = %q, want it to contain %q", msg, w)
				}
			}
		})
	}
}

func TestRunHelp(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"-h"}, &stdout, &stderr); code != 0 {
		t.Errorf("exit status = %d, want 0", code)
	}
	for _, want := range []string{"Usage: reftarget", "-addr", "-mutant", "-allow-remote"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("help text lacks %q", want)
		}
	}
}

func TestRunListsMutants(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"--list-mutants"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit status = %d, want 0 (stderr %q)", code, stderr.String())
	}
	for _, m := range reftarget.Mutants() {
		if !strings.Contains(stdout.String(), m.Name) {
			t.Errorf("list lacks mutant %q", m.Name)
		}
	}
	if !strings.Contains(stdout.String(), "private") {
		t.Error("list does not mark the private mutants")
	}
}

// start runs the command until the test ends and returns its URL.
func start(t *testing.T, args ...string) (string, *lockedBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stdoutReader, stdoutWriter := io.Pipe()
	stderr := &lockedBuffer{}
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, append([]string{"--addr", "127.0.0.1:0"}, args...), stdoutWriter, stderr)
		stdoutWriter.Close()
	}()
	t.Cleanup(func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("exit status = %d, want 0 (stderr %q)", code, stderr.String())
		}
		if !strings.Contains(stderr.String(), "stopped") {
			t.Errorf("log lacks the stop record: %q", stderr.String())
		}
	})
	line, err := bufio.NewReader(stdoutReader).ReadString('\n')
	if err != nil {
		t.Fatalf("read URL: %v (stderr %q)", err, stderr.String())
	}
	go io.Copy(io.Discard, stdoutReader)
	return strings.TrimSpace(line), stderr
}

func getStatus(t *testing.T, url, user, password string) int {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if user != "" {
		req.SetBasicAuth(user, password)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestRunServesReference(t *testing.T) {
	url, logs := start(t)
	if !strings.HasPrefix(url, "http://127.0.0.1:") || !strings.HasSuffix(url, "/") {
		t.Fatalf("printed URL %q, want http://127.0.0.1:PORT/", url)
	}
	if got := getStatus(t, url, "", ""); got != http.StatusUnauthorized {
		t.Errorf("anonymous GET /: status = %d, want 401", got)
	}
	if got := getStatus(t, url+"public", "", ""); got != http.StatusOK {
		t.Errorf("anonymous GET /public: status = %d, want 200", got)
	}
	if got := getStatus(t, url, "alice", "wonder:land"); got != http.StatusOK {
		t.Errorf("alice GET /: status = %d, want 200", got)
	}
	if log := logs.String(); !strings.Contains(log, "status=401") ||
		strings.Contains(log, "wonder") ||
		strings.Contains(log, base64.StdEncoding.EncodeToString([]byte("alice:wonder:land"))) {
		t.Errorf("log lacks the request records or contains credentials: %q", log)
	}
}

func TestRunServesMutant(t *testing.T) {
	url, logs := start(t, "--mutant", "internals-public")
	if got := getStatus(t, url+"_dash-layout", "", ""); got != http.StatusOK {
		t.Errorf("anonymous GET /_dash-layout: status = %d, want 200", got)
	}
	if got := getStatus(t, url+"public", "", ""); got != http.StatusUnauthorized {
		t.Errorf("anonymous GET /public: status = %d, want 401", got)
	}
	if !strings.Contains(logs.String(), "private=true") {
		t.Errorf("start record does not report the private configuration: %q", logs.String())
	}
}

func TestRunReportsListenError(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"--addr", ln.Addr().String()}, &stdout, &stderr)
	if code != 1 {
		t.Errorf("exit status = %d, want 1", code)
	}
	if !strings.Contains(stderr.String(), "listen on "+ln.Addr().String()) {
		t.Errorf("stderr = %q, want the listen error", stderr.String())
	}
}

// TestMain runs main when the test binary is started as the command.
func TestMain(m *testing.M) {
	if os.Getenv("REFTARGET_RUN_MAIN") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

func TestSignalStopsServer(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "--addr", "127.0.0.1:0")
			cmd.Env = append(os.Environ(), "REFTARGET_RUN_MAIN=1")
			stdout, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			var stderr lockedBuffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			url, err := bufio.NewReader(stdout).ReadString('\n')
			if err != nil {
				cmd.Process.Kill()
				t.Fatalf("read URL: %v (stderr %q)", err, stderr.String())
			}
			if got := getStatus(t, strings.TrimSpace(url), "", ""); got != 401 {
				t.Errorf("anonymous GET /: status = %d, want 401", got)
			}
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			waited := make(chan error, 1)
			go func() { waited <- cmd.Wait() }()
			select {
			case err := <-waited:
				if err != nil {
					t.Errorf("exit after %v: %v (stderr %q)", sig, err, stderr.String())
				}
			case <-time.After(10 * time.Second):
				cmd.Process.Kill()
				t.Fatalf("still running 10s after %v; stderr %q", sig, stderr.String())
			}
			if !strings.Contains(stderr.String(), "stopped") {
				t.Errorf("log lacks the stop record: %q", stderr.String())
			}
		})
	}
}
