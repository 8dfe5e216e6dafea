package conformance

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseProfileErrors(t *testing.T) {
	cases := []struct {
		name, text, want string
	}{
		{"missing url", "auth: basic\nusers: [{username: a, password: b}]\n", "p.yaml:1: missing url"},
		{"unknown key", "url: http://127.0.0.1:1/\nusrs: []\n", `p.yaml:2: unknown key "usrs"`},
		{"wrong type", "url: http://127.0.0.1:1/\nusers: alice\n", "p.yaml:2: wrong type"},
		{"user without password", "url: http://127.0.0.1:1/\nusers:\n  - {username: alice}\n",
			"p.yaml:3: users[0] (alice) has no password"},
		{"user without name", "url: http://127.0.0.1:1/\nusers:\n  - {password: x}\n",
			"p.yaml:3: users[0] has no username"},
		{"colon in user name", "url: http://127.0.0.1:1/\nusers:\n  - {username: \"a:b\", password: x}\n",
			"contains a colon"},
		{"duplicate user", "url: http://127.0.0.1:1/\nusers:\n  - {username: a, password: x}\n  - {username: a, password: y}\n",
			"p.yaml:4: users[1] repeats username"},
		{"bad scheme", "url: ftp://127.0.0.1/\n", "must start with http:// or https://"},
		{"no host", "url: http:///x\n", "has no host"},
		{"credentials in url", "url: http://u:secret@127.0.0.1:1/\n", "carries credentials"},
		{"port placeholder without start", "url: http://127.0.0.1:{port}/\n", "has no start command"},
		{"bad rule", "url: http://127.0.0.1:1/\npublic:\n  routes: [\"/a/<bogus:x>\"]\n", "p.yaml:3: public.routes[0]"},
		{"rule without slash", "url: http://127.0.0.1:1/\npublic:\n  routes: [public]\n", "must start with /"},
		{"bad output id", "url: http://127.0.0.1:1/\ndash:\n  greeting: {output: title, expect: \"Hi {username}\"}\n",
			"not a callback output id"},
		{"greeting without name", "url: http://127.0.0.1:1/\ndash:\n  greeting: {output: t.children, expect: Hi}\n",
			"does not contain {username}"},
		{"callbacks without dash", "url: http://127.0.0.1:1/\npublic:\n  callbacks: [a.b]\n", "need a Dash app"},
		{"empty start", "url: http://127.0.0.1:{port}/\nstart: {command: []}\n", "start.command is empty"},
		{"unknown auth", "url: http://127.0.0.1:1/\nauth: digest\n", `auth "digest" is not supported`},
		{"empty file", "", "profile is empty"},
		{"not a mapping", "- a\n- b\n", "must be a mapping"},
		{"malformed yaml", "url: [\n", "p.yaml"},
		{"sso without idp", "url: http://127.0.0.1:1/\nauth: sso\nsso: {access: authenticated, probe: {path: /me}}\nlogout: {url: /logout}\n",
			"needs an idp section"},
		{"no users", "url: http://127.0.0.1:1/\n", "users is empty"},
		{"start without port", "url: http://127.0.0.1:8000/\nstart: {command: [x]}\n", "has no {port} although start is given"},
		{"sso bad level", "url: http://127.0.0.1:1/\nauth: sso\nsso: {access: private, probe: {path: /me}}\n",
			`sso.access "private" is not an access level`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseProfile("p.yaml", []byte(c.text))
			if err == nil {
				t.Fatalf("got no error, want one containing %q", c.want)
			}
			if !errors.Is(err, ErrProfile) {
				t.Errorf("error %v does not match ErrProfile", err)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %q, want it to contain %q", err, c.want)
			}
		})
	}
}

func TestParseProfileDefaults(t *testing.T) {
	p, err := ParseProfile("p.yaml", []byte("url: http://127.0.0.1:8050/app\nusers:\n  - {username: a, password: \"\"}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if p.Auth != "basic" {
		t.Errorf("auth: got %q, want basic", p.Auth)
	}
	if p.Timeout != DefaultTimeout {
		t.Errorf("timeout: got %v, want %v", p.Timeout, DefaultTimeout)
	}
	if p.Users[0].Password == nil || p.Users[0].Secret() != "" {
		t.Errorf("an explicit empty password must be kept as declared")
	}
	target, err := NewTarget(p)
	if err != nil {
		t.Fatal(err)
	}
	if got := target.URL("/_dash-layout"); got != "http://127.0.0.1:8050/app/_dash-layout" {
		t.Errorf("URL under a path prefix: got %q", got)
	}
}

func TestLoadProfileMissingFile(t *testing.T) {
	_, err := LoadProfile(filepath.Join(t.TempDir(), "none.yaml"))
	if err == nil || !strings.Contains(err.Error(), "cannot read profile") || strings.Count(err.Error(), "\n") > 0 {
		t.Errorf("got %v, want a one-line read error", err)
	}
}

func TestShippedProfilesLoad(t *testing.T) {
	paths, _ := filepath.Glob("../testdata/targets/*.yaml")
	more, _ := filepath.Glob("../testdata/targets/mutants/*.yaml")
	for _, path := range append(paths, more...) {
		if strings.HasSuffix(path, ".expected.yaml") {
			continue
		}
		if _, err := LoadProfile(path); err != nil {
			t.Errorf("%s: %v", path, err)
		}
	}
	if len(paths) == 0 {
		t.Fatal("no profiles found")
	}
	if _, err := os.Stat("../testdata/targets/reference.yaml"); err != nil {
		t.Fatal(err)
	}
}
