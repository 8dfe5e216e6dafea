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

// subject returns the user a check logs in as: the first the app must
// admit. It skips the check at the unauthenticated level and, when
// needLogout is set, for a profile without a logout URL.
func subject(t *conformance.Target, r *conformance.Result, needLogout bool) (conformance.User, bool) {
	if needLogout && !needsLogout(t, r) || !needLogout && !needsLogin(t, r) {
		return conformance.User{}, false
	}
	return firstAllowed(t, r)
}

// loginSubject logs the check's subject in, recording a failed login as a
// violation.
func loginSubject(ctx context.Context, t *conformance.Target, r *conformance.Result, needLogout bool,
	why string) (conformance.User, *conformance.Login, bool) {
	u, ok := subject(t, r, needLogout)
	if !ok {
		return u, nil, false
	}
	l, ok := login(ctx, t, r, u, why)
	return u, l, ok
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

// checkTokenValidation logs in once per poisoning and wants no session,
// then wants the IdP's response to one browser's login to give another
// browser no session.
func checkTokenValidation(ctx context.Context, t *conformance.Target, r *conformance.Result) {
	u, ok := subject(t, r, false)
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
	checkStateBinding(ctx, t, r, u)
}

// checkStateBinding starts a login in one client, takes the IdP's redirect
// back to the app with its code and state, and follows it in a new client.
// A state bound to the browser that started the login gives the new client
// no session. Without that binding an attacker can log a victim into the
// attacker's account (login CSRF).
func checkStateBinding(ctx context.Context, t *conformance.Target, r *conformance.Result, u conformance.User) {
	if err := t.IdP.QueueUser(ctx, u.Username); err != nil {
		r.Errorf(nil, "queueing %s at the IdP failed: %v", u.Username, err)
		return
	}
	defer func() { _ = t.IdP.Reset(ctx, t.Profile) }()
	starter := t.NewClient()
	req := conformance.Request{Path: t.Profile.SSO.LoginPath, Header: conformance.PageHeader()}
	callback := ""
	for hops := 0; callback == "" && hops < conformance.MaxHops; hops++ {
		ex := starter.Do(ctx, req)
		if ex.Err != nil || ex.Status < 300 || ex.Status >= 400 {
			break
		}
		loc, err := resolve(ex.URL, ex.Header.Get("Location"))
		if err != nil {
			break
		}
		if t.SameOrigin(loc.String()) && loc.Query().Get("code") != "" {
			callback = loc.String()
			break
		}
		req = conformance.Request{URL: loc.String(), Header: conformance.PageHeader()}
	}
	if callback == "" {
		r.Notef("the IdP's redirect back to the app was not found, so state binding was not tried")
		return
	}
	other := t.NewClient()
	l, _ := t.FollowLogin(ctx, other, conformance.Request{URL: callback, Header: conformance.PageHeader()}, "")
	r.Checked()
	if in, s := loggedIn(ctx, t, other, u); in {
		r.Errorf(s.Ex, "the IdP's response to a login started in another browser logged this one in as %q "+
			"(the probe shows %s): the state is not bound to the browser that started the login, "+
			"so an attacker can log a victim into the attacker's account\nhops:\n%s", u.Username, s.describe(), l.Evidence())
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
	u, ok := subject(t, r, false)
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
