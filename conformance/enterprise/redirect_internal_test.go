package enterprise

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/authconform/authconform/conformance"
)

// TestOffOriginFindsRedirects wants Location headers and meta refreshes
// that leave the app and the IdP found, and same-origin ones left alone.
func TestOffOriginFindsRedirects(t *testing.T) {
	base, _ := url.Parse("http://127.0.0.1:8050/")
	target := &conformance.Target{Base: base, IdP: &conformance.IdP{Issuer: "http://127.0.0.1:9400"}}
	page := func(status int, loc, body string) *conformance.Exchange {
		h := http.Header{}
		if loc != "" {
			h.Set("Location", loc)
		}
		return &conformance.Exchange{URL: "http://127.0.0.1:8050/_auth/callback", Status: status, Header: h, Body: []byte(body)}
	}
	cases := []struct {
		name string
		ex   *conformance.Exchange
		want bool
	}{
		{"location off origin", page(302, "//evil.example/", ""), true},
		{"backslash location", page(302, `/\evil.example`, ""), true},
		{"user info trick", page(302, "http://127.0.0.1:8050@evil.example/", ""), true},
		{"location to the IdP", page(302, "http://127.0.0.1:9400/authorize", ""), false},
		{"location on origin", page(302, "/reports", ""), false},
		{"meta refresh off origin", page(200, "", `<meta http-equiv="refresh" content="0;url=https://evil.example/">`), true},
		{"meta refresh on origin", page(200, "", `<meta http-equiv='refresh' content='0; URL=/'>`), false},
		{"plain page", page(200, "", "<p>hello</p>"), false},
	}
	for _, c := range cases {
		h, _ := offOrigin(target, []*conformance.Exchange{c.ex})
		if got := h != nil; got != c.want {
			t.Errorf("%s: off origin = %v, want %v", c.name, got, c.want)
		}
	}
}
