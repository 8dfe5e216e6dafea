package gateway

import (
	"net/http"
	"strings"
	"testing"
)

func TestSafeRedirectTarget(t *testing.T) {
	tests := map[string]string{
		"":                              "/",
		"/":                             "/",
		"/reports":                      "/reports",
		"/reports?q=a%20b#top":          "/reports?q=a%20b#top",
		"/zo%C3%AB/page":                "/zo%C3%AB/page",
		"//evil.example":                "/",
		"///evil.example":               "/",
		"/\\evil.example":               "/",
		"\\/evil.example":               "/",
		"https://evil.example":          "/",
		"http://127.0.0.1:8050/":        "/",
		"https:evil.example":            "/",
		"javascript:alert(1)":           "/",
		"/%09/evil.example":             "/",
		"/\t/evil.example":              "/",
		"/%2F/evil.example":             "/",
		"/%2f%2fevil.example":           "/",
		"/%5Cevil.example":              "/",
		"/%252F%252Fevil.example":       "/",
		"/ /evil.example":               "/",
		"/\r\nLocation: http://evil":    "/",
		"evil.example":                  "/",
		"/@evil.example":                "/@evil.example",
		"/.evil.example":                "/.evil.example",
		"/%zz":                          "/",
		"/" + strings.Repeat("a", 3000): "/",
	}
	for next, want := range tests {
		if got := safeRedirectTarget(next); got != want {
			t.Errorf("safeRedirectTarget(%q) = %q, want %q", next, got, want)
		}
	}
}

func TestIsPageRequest(t *testing.T) {
	tests := []struct {
		method, path string
		header       http.Header
		want         bool
	}{
		{"GET", "/", http.Header{"Accept": {"text/html"}}, true},
		{"HEAD", "/reports", http.Header{"Accept": {"application/xhtml+xml"}}, true},
		{"GET", "/", http.Header{"Accept": {"text/html;q=0.9, */*;q=0.1"}}, true},
		{"GET", "/", http.Header{"Accept": {"text/html", "application/json"}}, true},
		{"GET", "/", http.Header{"Accept": {"text/html;q=0"}}, false},
		{"GET", "/", http.Header{"Accept": {"*/*"}}, false},
		{"GET", "/", nil, false},
		{"POST", "/", http.Header{"Accept": {"text/html"}}, false},
		{"GET", "/_dash-layout", http.Header{"Accept": {"text/html"}}, false},
		{"GET", "/", http.Header{"Accept": {"text/html"}, "X-Requested-With": {"XMLHttpRequest"}},
			false},
		{"GET", "/", http.Header{"Accept": {"text/html"}, "Sec-Fetch-Mode": {"navigate"}}, true},
		{"GET", "/", http.Header{"Accept": {"text/html"}, "Sec-Fetch-Mode": {"cors"}}, false},
	}
	for _, tt := range tests {
		r, _ := http.NewRequest(tt.method, "http://127.0.0.1"+tt.path, nil)
		for k, v := range tt.header {
			r.Header[k] = v
		}
		if got := isPageRequest(r); got != tt.want {
			t.Errorf("isPageRequest(%s %s %v) = %v, want %v", tt.method, tt.path, tt.header,
				got, tt.want)
		}
	}
}

func TestStripIdentityHeaders(t *testing.T) {
	h := spoofHeaders()
	h.Set("Accept", "text/html")
	h["X-Forwarded-Host"] = []string{"kept"}
	stripIdentityHeaders(h)
	for name := range h {
		if name != "Accept" && name != "X-Forwarded-Host" {
			t.Errorf("header %s was not removed", name)
		}
	}
	if h.Get("X-Forwarded-Host") != "kept" {
		t.Error("X-Forwarded-Host was removed, but it names no user")
	}
}

func TestStripGatewayCookies(t *testing.T) {
	r, _ := http.NewRequest("GET", "http://127.0.0.1/", nil)
	r.Header.Set("Cookie", SessionCookie+"=s1; theme=dark; "+LoginCookie+"=l1; lang=en")
	stripGatewayCookies(r)
	if got := r.Header.Get("Cookie"); got != "theme=dark; lang=en" {
		t.Errorf("Cookie = %q, want theme=dark; lang=en", got)
	}
	r.Header.Set("Cookie", SessionCookie+"=s1")
	stripGatewayCookies(r)
	if _, ok := r.Header["Cookie"]; ok {
		t.Error("a Cookie header with only the gateway's cookies was kept")
	}
}

func TestUserFromClaims(t *testing.T) {
	u, err := userFromClaims(map[string]any{
		"iss": "i", "sub": "s", "aud": "a", "exp": 1.0, "nonce": "n", "sid": "x",
		"preferred_username": "alice", "email": "alice@example.com", "name": "Alice",
		"email_verified": true, "groups": []any{"analysts", "admins"},
		"department": "finance", "level": 3.0,
	})
	if err != nil {
		t.Fatal(err)
	}
	if u.Username != "alice" || u.Email != "alice@example.com" ||
		strings.Join(u.Groups, ",") != "analysts,admins" {
		t.Errorf("user = %+v, want alice with her email and two groups", u)
	}
	if len(u.Extra) != 2 || u.Extra["department"] != "finance" || u.Extra["level"] != 3.0 {
		t.Errorf("extra claims = %v, want department and level only", u.Extra)
	}

	single, err := userFromClaims(map[string]any{"preferred_username": "bob", "groups": "ops"})
	if err != nil || strings.Join(single.Groups, ",") != "ops" {
		t.Errorf("groups given as one string: user %+v, error %v, want groups [ops]", single, err)
	}
	bad := []map[string]any{
		{"sub": "alice"},
		{"preferred_username": ""},
		{"preferred_username": "alice", "email": 3.0},
		{"preferred_username": "alice", "groups": []any{"a", 1.0}},
		{"preferred_username": "alice", "groups": map[string]any{}},
	}
	for _, claims := range bad {
		if _, err := userFromClaims(claims); err == nil {
			t.Errorf("userFromClaims(%v): error = nil, want one", claims)
		}
	}
}

func TestParseLevel(t *testing.T) {
	for _, l := range Levels() {
		if got, err := ParseLevel(string(l)); err != nil || got != l {
			t.Errorf("ParseLevel(%q) = %q, %v", l, got, err)
		}
	}
	if _, err := ParseLevel("Restricted"); err == nil ||
		!strings.Contains(err.Error(), "restricted, authenticated or unauthenticated") {
		t.Errorf("ParseLevel(Restricted): error = %v, want one listing the levels", err)
	}
}
