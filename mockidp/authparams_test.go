package mockidp

import (
	"net/url"
	"testing"
	"time"
)

func TestPromptParsedAsList(t *testing.T) {
	idp := startIDP(t, func(c *Config) { c.DefaultUser = "alice" })
	b := newBrowser(t, idp)
	b.code(authParams()) // start an IdP session

	// Values that merely contain "login" or "none" are unknown values.
	for _, prompt := range []string{"nologin", "nonesuch", "login,none", "none login",
		"consent none"} {
		q := redirectQuery(t, b.authorize(authParams("prompt", prompt)))
		if q.Get("error") != "invalid_request" {
			t.Errorf("prompt=%q: error = %q, want invalid_request", prompt, q.Get("error"))
		}
		if q.Get("state") != "st-123" {
			t.Errorf("prompt=%q: state = %q, want st-123", prompt, q.Get("state"))
		}
	}
	// Known values: the session is reused unless login is among them.
	for _, prompt := range []string{"consent", "select_account", "consent select_account"} {
		if q := redirectQuery(t, b.authorize(authParams("prompt", prompt))); q.Get("code") == "" {
			t.Errorf("prompt=%q: no code in %v, want the session reused", prompt, q)
		}
	}
	showsLoginPage(t, b.authorize(authParams("prompt", "consent login")))
}

func TestMaxAgeHugeMeansNoConstraint(t *testing.T) {
	idp := startIDP(t, nil)
	b := newBrowser(t, idp)
	id := showsLoginPage(t, b.authorize(authParams()))
	redirectQuery(t, b.submitLogin(url.Values{"request": {id}, "pick": {"bob"}}))
	if _, err := idp.Advance(time.Hour); err != nil {
		t.Fatal(err)
	}
	// The first value overflows int64; the second fits in int64 but not, as
	// seconds, in a time.Duration.
	for _, maxAge := range []string{"99999999999999999999", "99999999999"} {
		q := redirectQuery(t, b.authorize(authParams("max_age", maxAge)))
		if q.Get("code") == "" {
			t.Errorf("max_age=%s: no code in %v, want the session reused", maxAge, q)
		}
	}
}

func TestMaxAgeRejectsBadValues(t *testing.T) {
	idp := startIDP(t, func(c *Config) { c.DefaultUser = "alice" })
	b := newBrowser(t, idp)
	for _, maxAge := range []string{"-1", "-99999999999999999999", "ten", "1.5", "+5", " 5"} {
		q := redirectQuery(t, b.authorize(authParams("max_age", maxAge)))
		if q.Get("error") != "invalid_request" {
			t.Errorf("max_age=%q: error = %q, want invalid_request", maxAge, q.Get("error"))
		}
	}
}
