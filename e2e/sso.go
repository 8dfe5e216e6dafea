package e2e

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/mxschmitt/playwright-go"

	"github.com/authconform/authconform/conformance"
)

// idpControlTimeout bounds a call to the mock IdP's control API.
const idpControlTimeout = 10 * time.Second

// ssoSkipReason returns why an SSO login check does not apply to t, "" when
// it does.
func ssoSkipReason(t *conformance.Target) string {
	switch {
	case t.Profile.Auth != "sso" || t.Profile.SSO == nil:
		return fmt.Sprintf("the target does not use SSO (auth: %s)", t.Profile.Auth)
	case t.IdP == nil:
		return "no mock IdP is connected, so no user can be logged in"
	case t.Profile.SSO.Access == conformance.AccessUnauthenticated:
		return "an Unauthenticated app has no login"
	}
	return ""
}

// admittedUser returns the first profile user the app must admit.
func admittedUser(t *conformance.Target) (conformance.User, bool) {
	for _, u := range t.Profile.Users {
		if t.Profile.SSO.Allowed(u) {
			return u, true
		}
	}
	return conformance.User{}, false
}

// deniedUser returns the first profile user a Restricted app must deny.
func deniedUser(t *conformance.Target) (conformance.User, bool) {
	for _, u := range t.Profile.Users {
		if !t.Profile.SSO.Allowed(u) {
			return u, true
		}
	}
	return conformance.User{}, false
}

// resetIdP ends every IdP session and clears queued users and faults, so
// that the IdP shows its login page.
func resetIdP(ctx context.Context, t *conformance.Target, r *conformance.Result) bool {
	ctx, cancel := context.WithTimeout(ctx, idpControlTimeout)
	defer cancel()
	if err := t.IdP.Reset(ctx, t.Profile); err != nil {
		r.Errorf(nil, "resetting the mock IdP at %s: %v", t.IdP.BaseURL, err)
		return false
	}
	return true
}

// loginURL returns where an anonymous user starts.
func loginURL(t *conformance.Target) string {
	path := t.Profile.SSO.LoginPath
	if path == "" {
		path = "/"
	}
	return t.URL(path)
}

// idpOrigin returns the scheme and host of the IdP's login pages.
func idpOrigin(t *conformance.Target) string {
	u, err := url.Parse(t.IdP.AuthorizationEndpoint)
	if err != nil {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

func originOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

// idpLoginForm is the mock IdP's login page: its form for a username and
// password, present whenever the page is shown.
const idpLoginForm = "#login-form"

// expectLoginPage waits for the mock IdP's login page and reports whether
// the browser shows it. what describes how the browser got there, for
// messages.
func expectLoginPage(page playwright.Page, t *conformance.Target, r *conformance.Result,
	what string) bool {
	err := page.Locator(idpLoginForm).WaitFor()
	if err != nil {
		r.Errorf(nil, "%s: want the IdP's login page (%s), got %s titled %q",
			what, idpOrigin(t), page.URL(), pageTitle(page))
		return false
	}
	if got := originOf(page.URL()); got != idpOrigin(t) {
		r.Errorf(nil, "%s: the login page is at %s, want the IdP's origin %s",
			what, got, idpOrigin(t))
		return false
	}
	r.Checked()
	return true
}

func pageTitle(page playwright.Page) string {
	title, err := page.Title()
	if err != nil {
		return "(unreadable)"
	}
	return title
}

// pickButton returns the selector of the login page's button that logs
// username in. The mock IdP replaces every character outside A-Z a-z 0-9 -
// and _ in the button's id with _.
func pickButton(username string) string {
	id := []rune(username)
	for i, c := range id {
		ok := c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' ||
			c == '-' || c == '_'
		if !ok {
			id[i] = '_'
		}
	}
	return "#pick-" + string(id)
}

// logIn opens the app in page, wants the IdP's login page, signs u in there
// and waits until the browser is back on the app's origin.
func logIn(page playwright.Page, t *conformance.Target, r *conformance.Result,
	u conformance.User) bool {
	start := loginURL(t)
	if _, err := page.Goto(start); err != nil {
		r.Errorf(nil, "opening %s: the browser failed: %v", start, err)
		return false
	}
	if !expectLoginPage(page, t, r, "opening "+start) {
		return false
	}
	if err := signIn(page, u); err != nil {
		r.Errorf(nil, "signing in as %s on the IdP's login page: %v", u.Username, err)
		return false
	}
	err := page.WaitForURL(func(raw string) bool { return sameOrigin(raw, t) })
	if err != nil {
		r.Errorf(nil, "after signing in as %s: want the browser back at %s, got %s titled %q",
			u.Username, origin(t), page.URL(), pageTitle(page))
		return false
	}
	return true
}

// signIn picks u on the login page, or types the username and password when
// the page lists no button for u.
func signIn(page playwright.Page, u conformance.User) error {
	pick := page.Locator(pickButton(u.Username))
	if n, err := pick.Count(); err == nil && n == 1 {
		return pick.Click()
	}
	if err := page.Locator("#username").Fill(u.Username); err != nil {
		return fmt.Errorf("filling the username: %w", err)
	}
	if err := page.Locator("#password").Fill(u.Secret()); err != nil {
		return fmt.Errorf("filling the password: %w", err)
	}
	return page.Locator("#sign-in").Click()
}

// identityCheck is a script that reports whether the page shows a user,
// with its arguments.
type identityCheck struct {
	script string
	args   []string
	// describe names what is expected, for messages.
	describe string
	// element is the id of the element that shows the identity.
	element string
}

// identityFor returns how the page shows that u is logged in: the profile's
// greeting, else its probe callback. ok is false when the profile declares
// neither.
func identityFor(t *conformance.Target, u conformance.User) (identityCheck, bool) {
	if d := t.Profile.Dash; d != nil && d.Greeting != nil {
		outs := conformance.ParseOutputs(d.Greeting.Output)
		if len(outs) == 1 {
			want := strings.ReplaceAll(d.Greeting.Expect, "{username}", u.Username)
			return identityCheck{script: textEquals, args: []string{outs[0].IDString(), want},
				describe: fmt.Sprintf("%q", want), element: outs[0].IDString()}, true
		}
	}
	probe := t.Profile.SSO.Probe
	outs := conformance.ParseOutputs(probe.Callback)
	if probe.Callback == "" || len(outs) != 1 {
		return identityCheck{}, false
	}
	id := outs[0].IDString()
	if probe.Format == "json" {
		return identityCheck{script: jsonUsernameEquals, args: []string{id, u.Username},
			describe: fmt.Sprintf("user data with username %q", u.Username), element: id}, true
	}
	want := strings.ReplaceAll(probe.Expect, "{username}", u.Username)
	return identityCheck{script: textEquals, args: []string{id, want},
		describe: fmt.Sprintf("%q", want), element: id}, true
}

const textEquals = `([id, want]) => {
	const e = document.getElementById(id);
	return e !== null && e.textContent.trim() === want;
}`

const jsonUsernameEquals = `([id, user]) => {
	const e = document.getElementById(id);
	if (e === null) {
		return false;
	}
	try {
		return JSON.parse(e.textContent).username === user;
	} catch (err) {
		return false;
	}
}`

// expectIdentity waits until the page shows that u is logged in.
func expectIdentity(page playwright.Page, t *conformance.Target, r *conformance.Result,
	u conformance.User, what string) bool {
	check, ok := identityFor(t, u)
	if !ok {
		r.Notef("the profile declares no greeting or probe callback, so the page was " +
			"not checked for the user")
		return true
	}
	if _, err := page.WaitForFunction(check.script, check.args); err != nil {
		r.Errorf(nil, "%s: #%s shows %s, want %s", what, check.element,
			elementText(page, check.element), check.describe)
		return false
	}
	r.Checked()
	return true
}

// showsIdentity reports whether the page shows u as logged in right now.
func showsIdentity(page playwright.Page, t *conformance.Target, u conformance.User) bool {
	check, ok := identityFor(t, u)
	if !ok {
		return false
	}
	v, err := page.Evaluate(check.script, check.args)
	shown, _ := v.(bool)
	return err == nil && shown
}

// openAsAdmitted prepares an SSO check: it skips a target without SSO or
// without a user the app admits, resets the IdP, and opens a page in a new
// browser context for that user.
func openAsAdmitted(ctx context.Context, s *Session, t *conformance.Target,
	r *conformance.Result) (playwright.Page, conformance.User, bool) {
	if reason := ssoSkipReason(t); reason != "" {
		r.Skip("%s", reason)
		return nil, conformance.User{}, false
	}
	u, ok := admittedUser(t)
	if !ok {
		r.Skip("the profile lists no user the app admits")
		return nil, conformance.User{}, false
	}
	if !resetIdP(ctx, t, r) {
		return nil, conformance.User{}, false
	}
	page, err := s.NewPage(u.Username, playwright.BrowserNewContextOptions{})
	if err != nil {
		r.Errorf(nil, "browser: %v", err)
		return nil, conformance.User{}, false
	}
	return page, u, true
}

// checkSSOLogin checks UI-SSO-LOGIN: opening the app leads to the IdP's
// login page, and picking an admitted user there returns to the app, which
// shows that user.
func checkSSOLogin(ctx context.Context, s *Session, t *conformance.Target,
	r *conformance.Result) {
	page, u, ok := openAsAdmitted(ctx, s, t, r)
	if !ok {
		return
	}
	if !logIn(page, t, r, u) {
		return
	}
	expectIdentity(page, t, r, u, "after logging in as "+u.Username)
}
