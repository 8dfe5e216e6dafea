package refapp

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
)

func TestIdentityFromForwardedHeaders(t *testing.T) {
	tests := []struct {
		name   string
		header http.Header
		want   Identity
		ok     bool
	}{
		{"no headers", http.Header{}, Identity{}, false},
		{"empty user", http.Header{"X-Forwarded-User": {" "}}, Identity{}, false},
		{"email alone", http.Header{"X-Forwarded-Email": {"alice@example.com"}}, Identity{}, false},
		{"user ID only", http.Header{"X-Forwarded-User": {"alice"}},
			Identity{Username: "alice"}, true},
		{"preferred username over user ID", http.Header{
			"X-Forwarded-User":               {"3f2a-subject"},
			"X-Forwarded-Preferred-Username": {"alice"},
			"X-Forwarded-Email":              {"alice@example.com"},
		}, Identity{Username: "alice", Email: "alice@example.com"}, true},
		{"empty preferred username", http.Header{
			"X-Forwarded-User":               {"alice"},
			"X-Forwarded-Preferred-Username": {""},
		}, Identity{Username: "alice"}, true},
		{"one line per group", http.Header{
			"X-Forwarded-Preferred-Username": {"carol"},
			"X-Forwarded-Groups":             {"analysts", "admins"},
		}, Identity{Username: "carol", Groups: []string{"analysts", "admins"}}, true},
		{"groups joined by commas", http.Header{
			"X-Forwarded-Preferred-Username": {"carol"},
			"X-Forwarded-Groups":             {"analysts, admins,", "ops"},
		}, Identity{Username: "carol", Groups: []string{"analysts", "admins", "ops"}}, true},
		{"non-ASCII username", http.Header{"X-Forwarded-Preferred-Username": {"zoë"}},
			Identity{Username: "zoë"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.Header = tt.header
			got, ok := IdentityFromForwardedHeaders(r)
			if ok != tt.ok {
				t.Fatalf("ok = %v, want %v (identity %+v)", ok, tt.ok, got)
			}
			if got.Username != tt.want.Username {
				t.Errorf("username = %q, want %q", got.Username, tt.want.Username)
			}
			if got.Email != tt.want.Email {
				t.Errorf("email = %q, want %q", got.Email, tt.want.Email)
			}
			if !slices.Equal(got.Groups, tt.want.Groups) {
				t.Errorf("groups = %q, want %q", got.Groups, tt.want.Groups)
			}
			if got.Claims != nil {
				t.Errorf("claims = %v, want none", got.Claims)
			}
		})
	}
}
