package basicauth

import (
	"strings"
	"testing"
)

func TestRuleMatch(t *testing.T) {
	tests := []struct {
		rule  string
		path  string
		match bool
	}{
		{"/public", "/public", true},
		{"/public", "/public/", false},
		{"/public", "/Public", false},
		{"/public", "/public/x", false},
		{"/public", "/publicity", false},
		{"/public", "/x/public", false},
		{"/public/", "/public/", true},
		{"/public/", "/public", false},
		{"/user/<user_id>/public", "/user/7/public", true},
		{"/user/<user_id>/public", "/user/z%C3%B6e/public", true},
		{"/user/<user_id>/public", "/user//public", false},
		{"/user/<user_id>/public", "/user/a/b/public", false},
		{"/user/<string:name>/public", "/user/a/public", true},
		{"/items/<int:n>", "/items/42", true},
		{"/items/<int:n>", "/items/-1", false},
		{"/items/<int:n>", "/items/4a", false},
		{"/price/<float:p>", "/price/1.5", true},
		{"/price/<float:p>", "/price/15", false},
		{"/files/<path:p>", "/files/a/b/c", true},
		{"/files/<path:p>", "/files/", false},
		{"/files/<path:p>", "/files//a", false},
		{"/assets/<path:path>.css", "/assets/style.css", true},
		{"/assets/<path:path>.css", "/assets/theme/dark.css", true},
		{"/assets/<path:path>.css", "/assets/.css", false},
		{"/assets/<path:path>.css", "/assets/logo.png", false},
		{"/assets/<path:path>.css", "/assets/style.css.png", false},
		{"/id/<uuid:id>", "/id/6f1c1a1e-0000-4000-8000-000000000001", true},
		{"/id/<uuid:id>", "/id/6f1c1a1e", false},
		{"/lang/<any(en, de):code>", "/lang/de", true},
		{"/lang/<any(en, de):code>", "/lang/fr", false},
		{"/a.b", "/aXb", false},
		{"/caf\u00e9", "/caf%C3%A9", true},
	}
	for _, tt := range tests {
		rule, err := ParseRule(tt.rule)
		if err != nil {
			t.Errorf("ParseRule(%q) error = %v", tt.rule, err)
			continue
		}
		if got := rule.Match(tt.path); got != tt.match {
			t.Errorf("rule %q Match(%q) = %v, want %v", tt.rule, tt.path, got, tt.match)
		}
	}
}

func TestParseRuleRejects(t *testing.T) {
	tests := []struct {
		rule, want string
	}{
		{"public", "must start with /"},
		{"/a/<b", "malformed"},
		{"/a/<>", "malformed"},
		{"/a/<x:b>", "unknown converter"},
		{"/a/<int(signed=True):n>", "arguments are not supported"},
		{"/a/<any():n>", "at least one value"},
	}
	for _, tt := range tests {
		_, err := ParseRule(tt.rule)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseRule(%q) error = %v, want one containing %q", tt.rule, err, tt.want)
		}
	}
}

func TestSafePath(t *testing.T) {
	tests := []struct {
		path string
		safe bool
	}{
		{"/", true},
		{"/public", true},
		{"/public/", true},
		{"/user/z%C3%B6e/public", true},
		{"", false},
		{"*", false},
		{"//public", false},
		{"/a//public", false},
		{"/./public", false},
		{"/x/../public", false},
		{"/public/..", false},
		{"/public/.", false},
		{"/x%2F..%2Fpublic", false},
		{"/x%2f..%2fpublic", false},
		{"/%2e%2e/public", false},
		{"/%2E/public", false},
		{"/x%5C..%5Cpublic", false},
		{`/x\..\public`, false},
		{"/public%00", false},
		{"/.well-known", true},
		{"/a..b", true},
	}
	for _, tt := range tests {
		if got := SafePath(tt.path); got != tt.safe {
			t.Errorf("SafePath(%q) = %v, want %v", tt.path, got, tt.safe)
		}
	}
}

func TestDashInternalRoutes(t *testing.T) {
	got := DashInternalRoutes(nil)
	want := []string{"/assets/<path:path>.js", "/assets/<path:path>.css",
		"/_dash-component-suites/<path:path>", "/_dash-layout", "/_dash-dependencies",
		"/_favicon.ico", "/_reload-hash"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("DashInternalRoutes(nil) = %v, want %v", got, want)
	}
	for _, r := range got {
		if r == UpdatePath {
			t.Errorf("DashInternalRoutes contains the callback endpoint %s", UpdatePath)
		}
	}
}
