package main

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/authconform/authconform/internal/gateway/gatewaytest"
	"github.com/authconform/authconform/internal/ssotarget"
	"github.com/authconform/authconform/mockidp"
)

func TestRunRejectsSSOUsage(t *testing.T) {
	sso := []string{"--mode", "sso"}
	idp := []string{"--issuer", "http://127.0.0.1:9400", "--client-id", "app"}
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"unknown mode", []string{"--mode", "oidc"}, []string{`"oidc"`, "basic, sso or upstream"}},
		{"SSO flag in basic mode", []string{"--level", "restricted"},
			[]string{"--level", "--mode sso"}},
		{"private in SSO mode", append(sso, "--private"), []string{"--private", "basic"}},
		{"missing level", sso, []string{"missing --level"}},
		{"unknown level", append(sso, "--level", "open"), []string{`"open"`,
			"restricted, authenticated or unauthenticated"}},
		{"restricted without allowed", append(append(sso, "--level", "restricted"), idp...),
			[]string{"--allowed-users or --allowed-groups"}},
		{"missing issuer", append(sso, "--level", "authenticated"), []string{"missing --issuer"}},
		{"relative issuer", append(sso, "--level", "authenticated", "--issuer", "idp"),
			[]string{`"idp"`, "http://127.0.0.1:9400"}},
		{"remote issuer", append(sso, "--level", "authenticated", "--issuer",
			"https://idp.example"), []string{`"https://idp.example"`, "--allow-remote"}},
		{"missing client id", append(sso, "--level", "authenticated", "--issuer",
			"http://127.0.0.1:9400"), []string{"missing --client-id"}},
		{"unknown SSO mutant", append(sso, "--mutant", "open-callback"),
			[]string{`"open-callback"`, "--mode sso --list-mutants"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := run(context.Background(), tt.args, &stdout, &stderr); code != 2 {
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

func TestRunListsSSOMutants(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"--mode", "sso", "--list-mutants"}, &stdout,
		&stderr)
	if code != 0 {
		t.Fatalf("exit status = %d, want 0 (stderr %q)", code, stderr.String())
	}
	for _, m := range ssotarget.Mutants() {
		if !strings.Contains(stdout.String(), m.Name+" ") {
			t.Errorf("list lacks mutant %q", m.Name)
		}
	}
	if !strings.Contains(stdout.String(), "LEVEL") {
		t.Error("list lacks the LEVEL column")
	}
}

func TestRunHelpDescribesSSOMode(t *testing.T) {
	var stdout, stderr bytes.Buffer
	run(context.Background(), []string{"-h"}, &stdout, &stderr)
	for _, want := range []string{"--mode sso", "-issuer", "-client-id", "-allowed-groups"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("help text lacks %q", want)
		}
	}
}

// startIdP starts a mock IdP that accepts any loopback redirect URI, since
// the command picks its port only when it starts.
func startIdP(t *testing.T) *mockidp.Server {
	t.Helper()
	idp, err := mockidp.Start(mockidp.Config{
		Clients: []mockidp.Client{{ID: gatewaytest.ClientID, Secret: gatewaytest.ClientSecret,
			LoopbackRedirects: true}},
		Users: gatewaytest.Users(),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = idp.Close() })
	return idp
}

func TestRunServesSSOTarget(t *testing.T) {
	idp := startIdP(t)
	t.Setenv(clientSecretEnv, gatewaytest.ClientSecret)
	url, logs := start(t, "--mode", "sso", "--level", "restricted", "--issuer", idp.Issuer(),
		"--client-id", gatewaytest.ClientID, "--allowed-groups", "analysts")
	base := strings.TrimSuffix(url, "/")

	b := gatewaytest.NewBrowser(t)
	resp := b.Do("GET", url, gatewaytest.PageHeader(), "")
	if resp.StatusCode != http.StatusFound ||
		resp.Header.Get("Location") != "/_auth/login?next=%2F" {
		t.Errorf("anonymous GET /: status %d Location %q, want 302 to the login route",
			resp.StatusCode, resp.Header.Get("Location"))
	}
	if err := idp.QueueUser("alice"); err != nil {
		t.Fatal(err)
	}
	resp, visited := b.Login(base, "/")
	if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Body, "react-entry-point") {
		t.Errorf("login as alice: status %d after %v, want the app's index page",
			resp.StatusCode, visited)
	}

	log := logs.String()
	for _, want := range []string{"mode=sso", "level=restricted", "msg=login user=alice"} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q: %q", want, log)
		}
	}
	if session := b.SessionCookie(base, "authconform_session"); session == "" ||
		strings.Contains(log, session) || strings.Contains(log, gatewaytest.ClientSecret) {
		t.Errorf("log contains the session id or the client secret: %q", log)
	}
}

func TestRunServesSSOMutant(t *testing.T) {
	idp := startIdP(t)
	url, logs := start(t, "--mode", "sso", "--mutant", "unauthenticated-requires-login",
		"--issuer", idp.Issuer(), "--client-id", gatewaytest.ClientID,
		"--client-secret", gatewaytest.ClientSecret)
	resp := gatewaytest.NewBrowser(t).Do("GET", url, gatewaytest.PageHeader(), "")
	if resp.StatusCode != http.StatusFound {
		t.Errorf("anonymous GET /: status = %d, want the mutant's 302 to login",
			resp.StatusCode)
	}
	if !strings.Contains(logs.String(), "level=unauthenticated") {
		t.Errorf("start record does not report the mutant's level: %q", logs.String())
	}
}
