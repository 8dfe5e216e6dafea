package basicauth

import (
	"encoding/base64"
	"errors"
	"net/http"
	"strings"
	"testing"
)

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func TestParseAuthorizationAccepts(t *testing.T) {
	tests := []struct {
		name, value, user, password string
	}{
		{"plain", "Basic " + b64("bob:builder"), "bob", "builder"},
		{"lowercase scheme", "basic " + b64("bob:builder"), "bob", "builder"},
		{"uppercase scheme", "BASIC " + b64("bob:builder"), "bob", "builder"},
		{"colon in password", "Basic " + b64("alice:wonder:land"), "alice", "wonder:land"},
		{"utf-8", "Basic " + b64("zoë:pässwörd"), "zoë", "pässwörd"},
		{"empty user and password", "Basic " + b64(":"), "", ""},
		{"spaces kept", "Basic " + b64(" bob : builder "), " bob ", " builder "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{"Authorization": {tt.value}}
			c, err := ParseAuthorization(h)
			if err != nil {
				t.Fatalf("ParseAuthorization(%q) error = %v, want nil", tt.value, err)
			}
			if c.Username != tt.user || c.Password != tt.password {
				t.Errorf("ParseAuthorization(%q) = %q:%q, want %q:%q",
					tt.value, c.Username, c.Password, tt.user, tt.password)
			}
		})
	}
}

func TestParseAuthorizationRejects(t *testing.T) {
	valid := b64("bob:builder")
	tests := []struct {
		name   string
		values []string
		want   error
	}{
		{"no header", nil, ErrNoCredentials},
		{"no scheme", []string{valid}, ErrMalformed},
		{"bearer", []string{"Bearer x"}, ErrMalformed},
		{"scheme alone", []string{"Basic"}, ErrMalformed},
		{"scheme and space", []string{"Basic "}, ErrMalformed},
		{"two spaces", []string{"Basic  " + valid}, ErrMalformed},
		{"tab separator", []string{"Basic\t" + valid}, ErrMalformed},
		{"two tokens", []string{"Basic " + valid + " " + valid}, ErrMalformed},
		{"invalid base64", []string{"Basic !!!!"}, ErrMalformed},
		{"missing padding", []string{"Basic " + strings.TrimRight(b64("bob:builde"), "=")},
			ErrMalformed},
		{"url-safe alphabet", []string{"Basic " +
			base64.URLEncoding.EncodeToString([]byte("bob:~~~"))}, ErrMalformed},
		{"no colon", []string{"Basic " + b64("bobbuilder")}, ErrMalformed},
		{"not utf-8", []string{"Basic " + b64("bob:\xff\xfe")}, ErrMalformed},
		{"16 KiB value", []string{"Basic " + b64(strings.Repeat("a", 12<<10)+":x")},
			ErrMalformed},
		{"two headers", []string{"Basic " + valid, "Basic " + valid}, ErrMalformed},
		{"junk before scheme", []string{"XBasic " + valid}, ErrMalformed},
		{"space before scheme", []string{" Basic " + valid}, ErrMalformed},
		{"newline in token", []string{"Basic " + valid[:4] + "\n" + valid[4:]}, ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			for _, v := range tt.values {
				h.Add("Authorization", v)
			}
			_, err := ParseAuthorization(h)
			if !errors.Is(err, tt.want) {
				t.Errorf("ParseAuthorization(%q) error = %v, want %v", tt.values, err, tt.want)
			}
		})
	}
}

func TestParseAuthorizationErrorHidesCredentials(t *testing.T) {
	for _, value := range []string{"Basic " + b64("bob-secret-no-colon"), "bob-secret",
		"bob-secret Basic", "Basic bob-secret"} {
		_, err := ParseAuthorization(http.Header{"Authorization": {value}})
		if err == nil {
			t.Errorf("ParseAuthorization(%q) error = nil, want ErrMalformed", value)
			continue
		}
		if strings.Contains(err.Error(), "bob-secret") {
			t.Errorf("ParseAuthorization(%q) error %q contains the credentials", value, err)
		}
	}
}

func TestUserStoreAuthenticate(t *testing.T) {
	store, err := NewUserStore([]User{
		{Username: "alice", Password: "wonder:land", Groups: []string{"analysts"}},
		{Username: "bob", Password: "builder"},
		{Username: "guest", Password: ""},
	})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		user, password string
		ok             bool
	}{
		{"alice", "wonder:land", true},
		{"bob", "builder", true},
		{"guest", "", true},
		{"alice", "builder", false},
		{"Alice", "wonder:land", false},
		{"alice", "Wonder:land", false},
		{"alice ", "wonder:land", false},
		{"alice", "wonder:land ", false},
		{"nobody", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		u, ok := store.Authenticate(Credentials{Username: tt.user, Password: tt.password})
		if ok != tt.ok {
			t.Errorf("Authenticate(%q, %q) ok = %v, want %v", tt.user, tt.password, ok, tt.ok)
			continue
		}
		if ok && u.Username != tt.user {
			t.Errorf("Authenticate(%q, %q) user = %q", tt.user, tt.password, u.Username)
		}
	}
}

func TestUserStoreReturnsCopies(t *testing.T) {
	store, err := NewUserStore([]User{{Username: "alice", Password: "p",
		Groups: []string{"analysts"}}})
	if err != nil {
		t.Fatal(err)
	}
	u, _ := store.Authenticate(Credentials{Username: "alice", Password: "p"})
	u.Groups[0] = "admins"
	again, _ := store.Lookup("alice")
	if again.Groups[0] != "analysts" {
		t.Errorf("groups after caller change = %v, want [analysts]", again.Groups)
	}
}

func TestNewUserStoreRejects(t *testing.T) {
	tests := []struct {
		name  string
		users []User
		want  string
	}{
		{"empty name", []User{{Password: "x"}}, "empty user name"},
		{"colon in name", []User{{Username: "a:b"}}, "colon"},
		{"duplicate", []User{{Username: "a"}, {Username: "a"}}, "listed twice"},
		{"invalid utf-8", []User{{Username: "a\xff"}}, "UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewUserStore(tt.users)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("NewUserStore error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}
