package e2e

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/mxschmitt/playwright-go"

	"github.com/authconform/authconform/conformance"
)

// maxHistorySteps bounds how far the logout check goes back in history.
// After login, logout and reopening, the page the user saw logged in is two
// entries back.
const maxHistorySteps = 3

// responseLog keeps the responses a page gets from the target while it is
// recording.
type responseLog struct {
	mu        sync.Mutex
	t         *conformance.Target
	recording bool
	responses []playwright.Response
}

func (l *responseLog) listen(page playwright.Page) {
	page.OnResponse(func(resp playwright.Response) {
		l.mu.Lock()
		defer l.mu.Unlock()
		if l.recording && sameOrigin(resp.URL(), l.t) {
			l.responses = append(l.responses, resp)
		}
	})
}

func (l *responseLog) start() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.recording, l.responses = true, nil
}

// stop ends recording and returns what was recorded. Bodies are read only
// afterwards, because the listener must not call into the browser.
func (l *responseLog) stop() []playwright.Response {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.recording = false
	return l.responses
}

// clickLogout clicks the element with id logout, or else a link to the
// profile's logout URL.
func clickLogout(page playwright.Page, t *conformance.Target) error {
	logout := page.Locator("#logout")
	if n, err := logout.Count(); err != nil || n == 0 {
		if t.Profile.Logout == nil || t.Profile.Logout.URL == "" {
			return fmt.Errorf("the page has no #logout element and the profile names no " +
				"logout url")
		}
		logout = page.Locator(fmt.Sprintf("a[href=%q]", t.Profile.Logout.URL))
		if n, err := logout.Count(); err != nil || n == 0 {
			return fmt.Errorf("the page has no #logout element and no link to %s",
				t.Profile.Logout.URL)
		}
	}
	return logout.First().Click()
}

// checkLogout checks UI-LOGOUT: after logging in, clicking the logout
// control logs the user out, reopening the app leads to the IdP's login
// page, and going back in history fetches no protected content from the
// server.
func checkLogout(ctx context.Context, s *Session, t *conformance.Target, r *conformance.Result) {
	page, u, ok := openAsAdmitted(ctx, s, t, r)
	if !ok {
		return
	}
	log := &responseLog{t: t}
	log.listen(page)
	if !logIn(page, t, r, u) || !expectIdentity(page, t, r, u, "after logging in as "+u.Username) {
		return
	}
	appURL := page.URL()

	if err := clickLogout(page, t); err != nil {
		r.Errorf(nil, "logging out as %s at %s: %v", u.Username, appURL, err)
		return
	}
	settle(page)
	r.Checked()

	if _, err := page.Goto(appURL); err != nil {
		r.Errorf(nil, "reopening %s after logout: the browser failed: %v", appURL, err)
		return
	}
	if waitForLoginOrIdentity(page, t, u) == shownIdentity {
		r.Errorf(nil, "reopening %s after logout shows the app as %s; want the IdP's "+
			"login page", appURL, u.Username)
		return
	}
	if !expectLoginPage(page, t, r, "reopening "+appURL+" after logout") {
		return
	}
	goBack(page, t, r, u, log)
}

// What waitForLoginOrIdentity saw first.
const (
	shownNeither  = ""
	shownLogin    = "login"
	shownIdentity = "identity"
)

// waitForLoginOrIdentity waits until the page shows either the IdP's login
// form or the app with u logged in, and returns which, or shownNeither
// when neither appears in time.
func waitForLoginOrIdentity(page playwright.Page, t *conformance.Target,
	u conformance.User) string {
	identity := "() => false"
	var args []string
	if check, ok := identityFor(t, u); ok {
		identity, args = check.script, check.args
	}
	script := fmt.Sprintf(`(args) => {
		if (document.querySelector(%q) !== null) {
			return %q;
		}
		return (%s)(args) ? %q : false;
	}`, idpLoginForm, shownLogin, identity, shownIdentity)
	handle, err := page.WaitForFunction(script, args)
	if err != nil {
		return shownNeither
	}
	v, err := handle.JSONValue()
	if err != nil {
		return shownNeither
	}
	shown, _ := v.(string)
	return shown
}

// goBack steps back through the history and wants no step to fetch the
// app's page or the user's data from the server.
func goBack(page playwright.Page, t *conformance.Target, r *conformance.Result,
	u conformance.User, log *responseLog) {
	fetched := 0
	for step := 1; step <= maxHistorySteps; step++ {
		log.start()
		_, err := page.GoBack()
		settle(page)
		responses := log.stop()
		fetched += len(responses)
		if err != nil {
			r.Errorf(nil, "going back %d step(s) after logout: the browser failed: %v", step, err)
			return
		}
		for _, resp := range responses {
			if leak := protectedContent(resp, t, u); leak != "" {
				r.Errorf(nil, "going back %d step(s) after logout to %s: the server sent %s",
					step, page.URL(), leak)
			}
		}
		if sameOrigin(page.URL(), t) && showsIdentity(page, t, u) && len(responses) > 0 {
			r.Errorf(nil, "going back %d step(s) after logout: %s shows the app as %s",
				step, page.URL(), u.Username)
		}
		r.Checked()
	}
	if fetched == 0 {
		r.Notef("going back %d steps after logout requested nothing from the app, so no "+
			"server response was checked", maxHistorySteps)
	}
}

// protectedContent describes the protected content in a response from the
// target, "" for none: the app's index page, or a callback response that
// names the user.
func protectedContent(resp playwright.Response, t *conformance.Target, u conformance.User) string {
	if resp.Status() < 200 || resp.Status() > 299 {
		return ""
	}
	body, err := resp.Body()
	if err != nil {
		return ""
	}
	req := resp.Request()
	what := fmt.Sprintf("%s %s -> %d", req.Method(), resp.URL(), resp.Status())
	if req.IsNavigationRequest() && conformance.IsDashIndex(body) {
		return what + " with the app's index page"
	}
	if req.Method() == http.MethodPost && strings.HasSuffix(originless(resp.URL()),
		conformance.DashUpdatePath) {
		for key, v := range conformance.DashOutputs(body) {
			if strings.Contains(conformance.DashOutputText(v), u.Username) {
				return fmt.Sprintf("%s with %s naming %s", what, key, u.Username)
			}
		}
	}
	return ""
}

// originless returns the path of a URL, without query.
func originless(raw string) string {
	raw = strings.TrimPrefix(strings.TrimPrefix(raw, "http://"), "https://")
	if i := strings.IndexByte(raw, '/'); i >= 0 {
		raw = raw[i:]
	}
	path, _, _ := strings.Cut(raw, "?")
	return path
}

// checkDenied checks UI-DENIED: in a Restricted app, a user outside the
// allowed users and groups logs in and gets a 4xx page without app content.
func checkDenied(ctx context.Context, s *Session, t *conformance.Target, r *conformance.Result) {
	if reason := ssoSkipReason(t); reason != "" {
		r.Skip("%s", reason)
		return
	}
	if access := t.Profile.SSO.Access; access != conformance.AccessRestricted {
		r.Skip("only a Restricted app denies logged-in users; this one is %s", access)
		return
	}
	u, ok := deniedUser(t)
	if !ok {
		r.Skip("every profile user is allowed, so none can be denied")
		return
	}
	if !resetIdP(ctx, t, r) {
		return
	}
	page, err := s.NewPage(u.Username, playwright.BrowserNewContextOptions{})
	if err != nil {
		r.Errorf(nil, "browser: %v", err)
		return
	}

	log := &responseLog{t: t}
	log.listen(page)
	log.start()
	if !logIn(page, t, r, u) {
		return
	}
	text := settle(page)
	status := lastDocumentStatus(log.stop())
	switch {
	case status == 0:
		r.Errorf(nil, "after logging in as %s: no page response from the target", u.Username)
	case status < 400 || status > 499:
		r.Errorf(nil, "after logging in as %s, who may not use the app: %s got %d, want 4xx",
			u.Username, page.URL(), status)
	default:
		r.Checked()
	}
	if showsIdentity(page, t, u) {
		r.Errorf(nil, "after logging in as %s, who may not use the app: the page shows "+
			"the app greeting them", u.Username)
	}
	checkNoAppContent(page, t, r, text, "")
}

// lastDocumentStatus returns the status of the last page (navigation)
// response among responses, 0 when there is none.
func lastDocumentStatus(responses []playwright.Response) int {
	status := 0
	for _, resp := range responses {
		if resp.Request().IsNavigationRequest() {
			status = resp.Status()
		}
	}
	return status
}
