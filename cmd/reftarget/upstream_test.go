package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
)

func TestRunRejectsUpstreamUsage(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"SSO flag", []string{"--level", "restricted"}, []string{"--level", "--addr and --allow-remote"}},
		{"mutant", []string{"--mutant", "skip-nonce"}, []string{"--mutant"}},
		{"list mutants", []string{"--list-mutants"}, []string{"--list-mutants"}},
		{"private", []string{"--private"}, []string{"--private"}},
		{"remote address", []string{"--addr", "0.0.0.0:8050"}, []string{`"0.0.0.0:8050"`,
			"--allow-remote"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			args := append([]string{"--mode", "upstream"}, tt.args...)
			if code := run(context.Background(), args, &stdout, &stderr); code != 2 {
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

func TestRunHelpDescribesUpstreamMode(t *testing.T) {
	var stdout, stderr bytes.Buffer
	run(context.Background(), []string{"-h"}, &stdout, &stderr)
	for _, want := range []string{"--mode upstream", "X-Forwarded-Groups", "oauth2-proxy"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("help text lacks %q", want)
		}
	}
}

// userData runs the user-data callback of the app at url with the extra
// request headers and returns its output.
func userData(t *testing.T, url string, header http.Header) map[string]any {
	t.Helper()
	body := `{"output":"user-data.children","outputs":{"id":"user-data","property":"children"},` +
		`"inputs":[{"id":"url","property":"pathname","value":"/"}],` +
		`"changedPropIds":["url.pathname"],"state":[]}`
	req, err := http.NewRequest(http.MethodPost, url+"_dash-update-component", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header = header.Clone()
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("user-data callback: status %d: %s", resp.StatusCode, data)
	}
	var answer struct {
		Response map[string]map[string]map[string]any `json:"response"`
	}
	if err := json.Unmarshal(data, &answer); err != nil {
		t.Fatalf("user-data callback: answer %q is not JSON: %v", data, err)
	}
	return answer.Response["user-data"]["children"]
}

func TestRunServesUpstreamApp(t *testing.T) {
	url, logs := start(t, "--mode", "upstream")

	anonymous := userData(t, url, http.Header{})
	if len(anonymous) != 0 {
		t.Errorf("user data without headers = %v, want {}", anonymous)
	}

	header := http.Header{}
	header.Set("X-Forwarded-User", "3f2a-subject")
	header.Set("X-Forwarded-Preferred-Username", "carol")
	header.Set("X-Forwarded-Email", "carol@example.com")
	header.Add("X-Forwarded-Groups", "analysts")
	header.Add("X-Forwarded-Groups", "admins")
	carol := userData(t, url, header)
	if carol["username"] != "carol" {
		t.Errorf("username = %v, want carol", carol["username"])
	}
	if carol["email"] != "carol@example.com" {
		t.Errorf("email = %v, want carol@example.com", carol["email"])
	}
	groups, _ := carol["groups"].([]any)
	if !slices.Equal(groups, []any{"analysts", "admins"}) {
		t.Errorf("groups = %v, want [analysts admins]", carol["groups"])
	}

	resp, err := http.Get(url + "_dash-layout")
	if err != nil {
		t.Fatal(err)
	}
	layout, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(layout), `"href":"/oauth2/sign_out"`) {
		t.Errorf("layout lacks the logout link to /oauth2/sign_out: %s", layout)
	}

	log := logs.String()
	for _, want := range []string{"mode=upstream", "level=WARN"} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q: %q", want, log)
		}
	}
}
