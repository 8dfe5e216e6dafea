package mockidp

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/authconform/authconform/mockidp/yamlfile"
)

// startError returns Start's error for testConfig changed by edit.
func startError(t *testing.T, edit func(*Config)) error {
	t.Helper()
	cfg := testConfig()
	edit(&cfg)
	idp, err := Start(cfg)
	if err == nil {
		_ = idp.Close()
		t.Fatal("Start succeeded, want an error")
	}
	if !errors.Is(err, ErrInvalidConfig) {
		t.Errorf("error %v does not wrap ErrInvalidConfig", err)
	}
	return err
}

func TestConfigRejectsBadClients(t *testing.T) {
	for _, tc := range []struct {
		name   string
		client Client
		want   string
	}{
		{"no redirect URIs", Client{ID: "x", Secret: "s"}, "has no redirect URIs"},
		{"custom scheme", Client{ID: "x", RedirectURIs: []string{"app://callback"}},
			"must be an absolute http or https URL"},
		{"no scheme", Client{ID: "x", RedirectURIs: []string{"127.0.0.1:4180/cb"}},
			"such as http://127.0.0.1:4180/cb"},
		{"no host", Client{ID: "x", RedirectURIs: []string{"http:///cb"}}, "absolute http"},
		{"fragment", Client{ID: "x", RedirectURIs: []string{"http://127.0.0.1/cb#top"}},
			"has a fragment"},
		{"empty fragment", Client{ID: "x", RedirectURIs: []string{"http://127.0.0.1/cb#"}},
			"has a fragment"},
		{"bad logout URI", Client{ID: "x", RedirectURIs: []string{"http://127.0.0.1/cb"},
			PostLogoutRedirectURIs: []string{"javascript:alert(1)"}}, "post-logout redirect URI"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := startError(t, func(c *Config) { c.Clients = []Client{tc.client} })
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not contain %q", err, tc.want)
			}
		})
	}
	// Loopback redirects need no list.
	startIDP(t, func(c *Config) { c.Clients = []Client{{ID: "x", LoopbackRedirects: true}} })
}

func TestConfigRejectsBadAddrAndIssuer(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"port too large", func(c *Config) { c.Addr = "127.0.0.1:99999" },
			`port "99999" is not a number from 0 to 65535`},
		{"port not numeric", func(c *Config) { c.Addr = "127.0.0.1:http" }, `port "http"`},
		{"no port", func(c *Config) { c.Addr = "127.0.0.1" }, "is not host:port"},
		{"issuer without scheme", func(c *Config) { c.Issuer = "127.0.0.1:9400" },
			`issuer "127.0.0.1:9400" must be an absolute http or https URL such as ` +
				`http://127.0.0.1:9400`},
		{"issuer with other scheme", func(c *Config) { c.Issuer = "ftp://idp" },
			"such as http://127.0.0.1:9400"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := startError(t, tc.edit); !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not contain %q", err, tc.want)
			}
		})
	}
}

func TestConfigRejectsBadUsers(t *testing.T) {
	for _, tc := range []struct {
		name  string
		users []User
		want  string
	}{
		{"control character", []User{{Username: "al\tice"}}, "control character"},
		{"invalid UTF-8", []User{{Username: "al\xffice"}}, "not valid UTF-8"},
		{"shared subject", []User{{Username: "a", Subject: "s"}, {Username: "b", Subject: "s"}},
			`subject "s" is already used by user "a"`},
		{"subject is another username", []User{{Username: "a"}, {Username: "b", Subject: "a"}},
			`subject "a" is already used by user "a"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := startError(t, func(c *Config) { c.Users = tc.users })
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not contain %q", err, tc.want)
			}
		})
	}
}

func TestLoadUsersFileErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	unknownKey := write("users.yaml", "users:\n  - username: alice\nurl: http://x\n")
	_, err := LoadUsersFile(unknownKey)
	if err == nil || !strings.Contains(err.Error(), unknownKey+`:3: unknown key "url"`) {
		t.Errorf("unknown key: error %v, want %s:3: unknown key \"url\"", err, unknownKey)
	}
	mistyped := write("typed.yaml", "users:\n  - username: alice\n    groups: admins\n")
	_, err = LoadUsersFile(mistyped)
	if err == nil || !strings.Contains(err.Error(), ":3: users[0].groups must be a list") {
		t.Errorf("mistyped groups: error %v", err)
	}
	if _, err := LoadUsersFile("/dev/zero"); !errors.Is(err, yamlfile.ErrTooLarge) {
		t.Errorf("/dev/zero: error %v, want ErrTooLarge", err)
	}
	for _, jargon := range []string{"mockidp.", "Go struct", "unmarshal"} {
		for _, path := range []string{unknownKey, mistyped} {
			if _, err := LoadUsersFile(path); err != nil && strings.Contains(err.Error(), jargon) {
				t.Errorf("error %q contains %q", err, jargon)
			}
		}
	}
}
