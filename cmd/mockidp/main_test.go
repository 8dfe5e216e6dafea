package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

const usersFile = "../../testdata/users.yaml"

// syncBuffer is a bytes.Buffer safe for one writer and one reader.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

var discoveryLine = regexp.MustCompile(`discovery: (\S+)`)

// runInBackground starts run with args and returns its output, the
// discovery URL once printed, and a stop function returning the exit code.
func runInBackground(t *testing.T, args ...string) (*syncBuffer, *syncBuffer, string, func() int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	go func() { done <- run(ctx, args, &stdout, &stderr) }()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if m := discoveryLine.FindStringSubmatch(stdout.String()); m != nil {
			return &stdout, &stderr, m[1], func() int { cancel(); return <-done }
		}
		select {
		case code := <-done:
			cancel()
			t.Fatalf("run exited with %d before serving; stderr: %s", code, stderr.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
	cancel()
	t.Fatalf("no discovery URL printed within 10s; stdout: %s", stdout.String())
	return nil, nil, "", nil
}

func TestRunServesDiscoveryAndStops(t *testing.T) {
	stdout, stderr, discovery, stop := runInBackground(t, "--users", usersFile)
	for _, want := range []string{"issuer:    http://127.0.0.1:", "id=mockidp-client",
		"secret=mockidp-secret"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, stdout.String())
		}
	}
	resp, err := http.Get(discovery)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if !strings.HasPrefix(discovery, doc["issuer"].(string)) {
		t.Errorf("discovery issuer %v is not the prefix of %s", doc["issuer"], discovery)
	}
	if code := stop(); code != 0 {
		t.Errorf("exit code = %d, want 0", code)
	}
	if !strings.Contains(stderr.String(), "path=/.well-known/openid-configuration") {
		t.Errorf("request not logged:\n%s", stderr.String())
	}
}

func TestRunWithConfigFile(t *testing.T) {
	stdout, _, discovery, stop := runInBackground(t, "--config",
		"../../testdata/mockidp/config.yaml", "--addr", "127.0.0.1:0", "--issuer", "")
	defer stop()
	if !strings.Contains(stdout.String(), "id=dashboard") {
		t.Errorf("output lacks the configured client:\n%s", stdout.String())
	}
	resp, err := http.Get(discovery)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("discovery status %d, want 200", resp.StatusCode)
	}
}

func TestRunTLSSelfSignedAndSigningKey(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(t.TempDir(), "signing.pem")
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY",
		Bytes: x509.MarshalPKCS1PrivateKey(key)})
	if err := os.WriteFile(keyFile, pemBytes, 0o600); err != nil {
		t.Fatal(err)
	}
	stdout, _, _, stop := runInBackground(t, "--users", usersFile, "--tls-self-signed",
		"--signing-key", keyFile)
	defer stop()
	if !strings.Contains(stdout.String(), "issuer:    https://127.0.0.1:") {
		t.Errorf("issuer is not https:\n%s", stdout.String())
	}
}

func TestRunRejectsBadInput(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	badYAML := filepath.Join(t.TempDir(), "users.yaml")
	if err := os.WriteFile(badYAML, []byte("users:\n  - username: x\n    colour: red\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		args    []string
		want    int
		message string
	}{
		{"unknown flag", []string{"--frobnicate"}, 2, "frobnicate"},
		{"no users", nil, 2, "--users"},
		{"non-loopback", []string{"--users", usersFile, "--addr", "0.0.0.0:0"}, 2,
			"--allow-non-loopback"},
		{"bad log level", []string{"--users", usersFile, "--log-level", "loud"}, 2, "loud"},
		{"unknown users field", []string{"--users", badYAML}, 2, "colour"},
		{"unreadable users file", []string{"--users", "/nonexistent/users.yaml"}, 1,
			"/nonexistent/users.yaml"},
		{"port in use", []string{"--users", usersFile, "--addr", busy.Addr().String()}, 1,
			busy.Addr().String()},
		{"unknown default user", []string{"--users", usersFile, "--default-user", "zed"}, 2, "zed"},
		{"half TLS", []string{"--users", usersFile, "--tls-cert", "c.pem"}, 2, "--tls-key"},
		{"extra argument", []string{"--users", usersFile, "serve"}, 2, "serve"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), tc.args, &stdout, &stderr)
			if code != tc.want {
				t.Errorf("exit code = %d, want %d; stderr: %s", code, tc.want, stderr.String())
			}
			if !strings.Contains(stderr.String(), tc.message) {
				t.Errorf("stderr does not mention %q: %s", tc.message, stderr.String())
			}
			if strings.Contains(stderr.String(), "goroutine ") {
				t.Errorf("stderr has a stack trace: %s", stderr.String())
			}
		})
	}
}

// stoppedContext returns a cancelled context, so that run returns at once
// with 0 if it starts serving where a test expects it to reject the input.
func stoppedContext() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}

func TestRunFlagErrorsAreOneLine(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		flag string
	}{
		{"unknown flag", []string{"--frobnicate"}, "-frobnicate"},
		{"bad duration", []string{"--users", usersFile, "--code-ttl", "5x"}, "-code-ttl"},
		{"bad bool", []string{"--users", usersFile, "--control=maybe"}, "-control"},
		{"missing value", []string{"--users"}, "-users"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := run(stoppedContext(), tc.args, &stdout, &stderr); code != 2 {
				t.Errorf("exit code = %d, want 2", code)
			}
			lines := strings.Split(strings.TrimSuffix(stderr.String(), "\n"), "\n")
			if len(lines) != 1 {
				t.Fatalf("stderr has %d lines, want 1:\n%s", len(lines), stderr.String())
			}
			for _, want := range []string{tc.flag, "run mockidp -h for the flags"} {
				if !strings.Contains(lines[0], want) {
					t.Errorf("stderr %q lacks %q", lines[0], want)
				}
			}
			if strings.Contains(lines[0], "parse error") {
				t.Errorf("stderr %q has flag package jargon", lines[0])
			}
		})
	}
}

func TestRunHelpPrintsFlags(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"-h"}, &stdout, &stderr); code != 0 {
		t.Errorf("exit code = %d, want 0", code)
	}
	for _, want := range []string{"Usage: mockidp", "-users", "-code-ttl duration"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("help lacks %q:\n%s", want, stdout.String())
		}
	}
}

func TestRunRejectsBadFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	absUsers, err := filepath.Abs(usersFile)
	if err != nil {
		t.Fatal(err)
	}
	empty := write("empty.yaml", "")
	onlyDefault := write("nousers.yaml", "users: []\n")
	unknownKey := write("users.yaml", "users:\n  - username: alice\nurl: http://x\n")
	badConfig := write("config.yaml", "users_file: "+absUsers+"\ntokens:\n  code_ttl: 90\n"+
		"  access_ttl: soon\n")
	noRedirects := write("clients.yaml", "users_file: "+absUsers+"\nclients:\n  - id: app\n"+
		"    secret: s\n")
	configIssuer := write("issuer.yaml", "users_file: "+absUsers+"\nissuer: idp.test:9400\n")
	for _, tc := range []struct {
		name    string
		args    []string
		message []string
	}{
		{"empty users file", []string{"--users", empty}, []string{"no users in " + empty}},
		{"users file without users", []string{"--users", onlyDefault},
			[]string{"no users in " + onlyDefault}},
		{"endless users file", []string{"--users", "/dev/zero"},
			[]string{"/dev/zero", "at most 4 MiB"}},
		{"endless config file", []string{"--config", "/dev/zero"},
			[]string{"/dev/zero", "at most 4 MiB"}},
		{"port out of range", []string{"--users", usersFile, "--addr", "127.0.0.1:99999"},
			[]string{`"99999"`, "0 to 65535"}},
		{"issuer flag without scheme", []string{"--users", usersFile, "--issuer", "127.0.0.1:9400"},
			[]string{`--issuer "127.0.0.1:9400" must be an absolute http or https URL such as ` +
				`http://127.0.0.1:9400`}},
		{"issuer in config without scheme", []string{"--config", configIssuer},
			[]string{configIssuer + `: issuer "idp.test:9400"`, "such as http://idp.test:9400"}},
		{"unknown users key", []string{"--users", unknownKey},
			[]string{unknownKey + `:3: unknown key "url": use one of default_user, users`}},
		{"mistyped config values", []string{"--config", badConfig},
			[]string{badConfig + `:3: tokens.code_ttl must be a duration such as 90s`,
				badConfig + `:4: tokens.access_ttl must be a duration such as 90s, 10m or 1h, not "soon"`}},
		{"client without redirect URIs", []string{"--config", noRedirects},
			[]string{`client "app" has no redirect URIs`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := run(stoppedContext(), tc.args, &stdout, &stderr); code != 2 {
				t.Errorf("exit code = %d, want 2; stderr: %s", code, stderr.String())
			}
			for _, want := range tc.message {
				if !strings.Contains(stderr.String(), want) {
					t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
				}
			}
			for _, jargon := range []string{"mockidp.", "Go struct", "unmarshal", "main."} {
				if strings.Contains(stderr.String(), jargon) {
					t.Errorf("stderr has Go jargon %q:\n%s", jargon, stderr.String())
				}
			}
			for _, line := range strings.Split(strings.TrimSpace(stderr.String()), "\n") {
				if !strings.HasPrefix(line, "mockidp: ") {
					t.Errorf("stderr line %q lacks the mockidp: prefix", line)
				}
			}
		})
	}
}
