package enterprise

import (
	"context"
	"net/url"
	"strings"

	"github.com/authconform/authconform/conformance"
)

// poisonings are the IdP faults a middleware must reject: ID token defects
// at the token endpoint and state defects in the code redirect.
var poisonings = []conformance.Fault{
	{Endpoint: "token", IDToken: "alg_none"},
	{Endpoint: "token", IDToken: "unknown_key"},
	{Endpoint: "token", IDToken: "wrong_issuer"},
	{Endpoint: "token", IDToken: "wrong_audience"},
	{Endpoint: "token", IDToken: "expired"},
	{Endpoint: "token", IDToken: "wrong_nonce"},
	{Endpoint: "authorize", State: "missing"},
	{Endpoint: "authorize", State: "wrong"},
}

func faultName(f conformance.Fault) string {
	switch {
	case f.IDToken != "":
		return "ID token fault " + f.IDToken
	case f.State != "":
		return "state fault " + f.State
	}
	return "IdP error " + f.Error
}

// firstAllowed returns the first user the app must admit.
func firstAllowed(t *conformance.Target, r *conformance.Result) (conformance.User, bool) {
	allowed, _ := allowedUsers(t)
	if len(allowed) == 0 {
		r.Skip("the profile declares no user the app admits")
		return conformance.User{}, false
	}
	return allowed[0], true
}

// loggedIn reports whether the client's session shows u.
func loggedIn(ctx context.Context, t *conformance.Target, c *conformance.Client, u conformance.User) (bool, seen) {
	s := probe(ctx, t, c, nil)
	return s.Served && s.Username == u.Username, s
}

// checkTokenValidation logs in once per poisoning and wants no session.
//
// TODO: a state the app issued to another browser (login CSRF) is not
// tried; only a missing and a random state are.
func checkTokenValidation(ctx context.Context, t *conformance.Target, r *conformance.Result) {
	if !needsLogin(t, r) {
		return
	}
	u, ok := firstAllowed(t, r)
	if !ok {
		return
	}
	defer func() { _ = t.IdP.Reset(ctx, t.Profile) }()
	for _, f := range poisonings {
		if err := t.IdP.InjectFault(ctx, f); err != nil {
			r.Errorf(nil, "injecting %s at the IdP failed: %v", faultName(f), err)
			continue
		}
		l, err := t.LoginAs(ctx, t.IdP, u.Username)
		r.Checked()
		final := l.Final()
		if err == nil && f.IDToken == "wrong_nonce" && !sentNonce(t, l) {
			r.Notef("the app sends no nonce, so the wrong-nonce probe does not apply " +
				"(OpenID Connect Core makes the nonce optional in the code flow)")
			_ = t.IdP.Reset(ctx, t.Profile)
			continue
		}
		if err == nil && appContent(final.Body) != "" {
			r.Errorf(final, "login as %q with %s: got the app, want the login rejected\nlogin hops:\n%s",
				u.Username, faultName(f), l.Evidence())
			continue
		}
		if in, s := loggedIn(ctx, t, l.Client, u); in {
			r.Errorf(s.Ex, "login as %q with %s: the login page failed but a session resulted (the probe shows %s)",
				u.Username, faultName(f), s.describe())
		}
		_ = t.IdP.Reset(ctx, t.Profile)
	}
}

// sentNonce reports whether the login's authorization request carried a
// nonce.
func sentNonce(t *conformance.Target, l *conformance.Login) bool {
	for _, h := range l.Hops {
		if strings.HasPrefix(h.URL, t.IdP.AuthorizationEndpoint) {
			if u, err := url.Parse(h.URL); err == nil && u.Query().Get("nonce") != "" {
				return true
			}
		}
	}
	return false
}

// checkIdPError makes the IdP return an error for the authorization
// request, and wants an error page and no session.
func checkIdPError(ctx context.Context, t *conformance.Target, r *conformance.Result) {
	if !needsLogin(t, r) {
		return
	}
	u, ok := firstAllowed(t, r)
	if !ok {
		return
	}
	defer func() { _ = t.IdP.Reset(ctx, t.Profile) }()
	for _, code := range []string{"access_denied", "server_error"} {
		f := conformance.Fault{Endpoint: "authorize", Error: code}
		if err := t.IdP.InjectFault(ctx, f); err != nil {
			r.Errorf(nil, "injecting %s at the IdP failed: %v", code, err)
			continue
		}
		l, err := t.LoginAs(ctx, t.IdP, u.Username)
		r.Checked()
		final := l.Final()
		switch {
		case err == nil && appContent(final.Body) != "":
			r.Errorf(final, "IdP error %s: got the app, want an error page\nlogin hops:\n%s", code, l.Evidence())
		case final != nil && appContent(final.Body) != "":
			r.Errorf(final, "IdP error %s: the page after the error carries app content, want an error page\nlogin hops:\n%s",
				code, l.Evidence())
		}
		if in, s := loggedIn(ctx, t, l.Client, u); in {
			r.Errorf(s.Ex, "IdP error %s: a session resulted (the probe shows %s), want the user logged out", code, s.describe())
		}
		_ = t.IdP.Reset(ctx, t.Profile)
	}
}
