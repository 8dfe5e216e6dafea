package e2e

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/mxschmitt/playwright-go"

	"github.com/authconform/authconform/conformance"
)

// Dash's index page marks the element the app renders into and the block
// that configures the front end with these ids.
var dashMarkers = []string{"react-entry-point", "_dash-config"}

// settleTimeoutMS bounds the wait for a page's scripts and requests to
// finish after it loads, in milliseconds. A page that keeps polling never
// goes idle, so running out of time here is no failure.
const settleTimeoutMS = 3000

// checkBasic checks UI-BASIC: each profile user sees the app and its
// greeting, and a browser without credentials sees the 401 response, no app
// content, and gets no app data from the requests the page could send.
func checkBasic(_ context.Context, s *Session, t *conformance.Target, r *conformance.Result) {
	if t.Profile.Auth != "basic" {
		r.Skip("the target does not use Basic auth (auth: %s)", t.Profile.Auth)
		return
	}
	if len(t.Profile.Users) == 0 {
		r.Skip("the profile lists no users, so the app cannot be opened with credentials")
		return
	}
	var authorisedText string
	for i, u := range t.Profile.Users {
		page := openAuthorised(s, t, r, i, u)
		// The first user's page is compared with the anonymous one.
		if i == 0 && page != nil {
			authorisedText = settle(page)
		}
	}
	if t.IsPublic("/") {
		r.Notef("the index is declared public, so it was not opened without credentials")
		return
	}
	openAnonymous(s, t, r, authorisedText)
}

// origin returns scheme://host:port of the target, where the browser sends
// the credentials.
func origin(t *conformance.Target) string {
	return (&url.URL{Scheme: t.Base.Scheme, Host: t.Base.Host}).String()
}

// openAuthorised opens the app as user u with the browser answering the
// Basic challenge, and wants a 2xx page that shows the user's greeting. It
// returns the page, or nil when the app did not open.
func openAuthorised(s *Session, t *conformance.Target, r *conformance.Result, i int,
	u conformance.User) playwright.Page {
	page, err := s.NewPage(fmt.Sprintf("%d-%s", i+1, u.Username),
		playwright.BrowserNewContextOptions{HttpCredentials: &playwright.HttpCredentials{
			Username: u.Username, Password: u.Secret(), Origin: playwright.String(origin(t)),
		}})
	if err != nil {
		r.Errorf(nil, "browser: %v", err)
		return nil
	}
	base := t.Base.String()
	resp, err := page.Goto(base)
	switch {
	case err != nil:
		r.Errorf(nil, "opening %s as %s: the browser failed: %v", base, u.Username, err)
		return nil
	case resp.Status() < 200 || resp.Status() > 299:
		r.Errorf(nil, "opening %s as %s with valid credentials: got %d, want 2xx",
			base, u.Username, resp.Status())
		return nil
	}
	r.Checked()

	greeting := t.Profile.Dash
	if greeting == nil || greeting.Greeting == nil {
		r.Notef("the profile declares no greeting, so only the status was checked")
		return page
	}
	outputs := conformance.ParseOutputs(greeting.Greeting.Output)
	if len(outputs) != 1 || outputs[0].Property != "children" {
		r.Errorf(nil, "dash.greeting.output %q: a browser check needs one output whose "+
			"property is children, such as title.children", greeting.Greeting.Output)
		return page
	}
	id := outputs[0].IDString()
	want := strings.ReplaceAll(greeting.Greeting.Expect, "{username}", u.Username)
	if _, err := page.WaitForFunction(`([id, want]) => {
		const e = document.getElementById(id);
		return e !== null && e.textContent.trim() === want;
	}`, []string{id, want}); err != nil {
		r.Errorf(nil, "opening %s as %s: #%s shows %s, want %q",
			base, u.Username, id, elementText(page, id), want)
		return page
	}
	r.Checked()
	return page
}

// settle waits until the page's requests are done, then returns its
// visible text.
func settle(page playwright.Page) string {
	_ = page.WaitForLoadState(playwright.PageWaitForLoadStateOptions{
		State: playwright.LoadStateNetworkidle, Timeout: playwright.Float(settleTimeoutMS)})
	text, err := page.Evaluate(`() => document.body ? document.body.innerText : ""`)
	if err != nil {
		return ""
	}
	str, _ := text.(string)
	return str
}

// elementText describes what the element with the id shows, for a message.
func elementText(page playwright.Page, id string) string {
	v, err := page.Evaluate(`(id) => {
		const e = document.getElementById(id);
		return e === null ? null : e.textContent;
	}`, id)
	switch text := v.(type) {
	case string:
		return fmt.Sprintf("%q", text)
	case nil:
		if err != nil {
			return fmt.Sprintf("nothing readable (%v)", err)
		}
		return "nothing: no such element"
	default:
		return fmt.Sprint(text)
	}
}

// navigation records the status of the first main-frame response for a
// URL. A browser that is not given credentials may report the 401 as a
// navigation error (net::ERR_INVALID_AUTH_CREDENTIALS in full Chromium)
// while its response listener still sees the response.
type navigation struct {
	mu     sync.Mutex
	url    string
	status int
	header map[string]string
}

func (n *navigation) listen(page playwright.Page) {
	page.OnResponse(func(resp playwright.Response) {
		if !resp.Request().IsNavigationRequest() || resp.URL() != n.url {
			return
		}
		header := resp.Headers()
		n.mu.Lock()
		defer n.mu.Unlock()
		if n.status == 0 {
			n.status, n.header = resp.Status(), header
		}
	})
}

func (n *navigation) result() (int, map[string]string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.status, n.header
}

// openAnonymous opens the app without credentials and wants the 401
// response, no app content on the page, and no app data from the requests
// the page could send. authorisedText is what the first user's page showed.
func openAnonymous(s *Session, t *conformance.Target, r *conformance.Result,
	authorisedText string) {
	page, err := s.NewPage("anonymous", playwright.BrowserNewContextOptions{})
	if err != nil {
		r.Errorf(nil, "browser: %v", err)
		return
	}
	base := t.Base.String()
	nav := &navigation{url: base}
	nav.listen(page)
	_, gotoErr := page.Goto(base)
	status, header := nav.result()
	switch {
	case status == 0 && gotoErr != nil:
		r.Errorf(nil, "opening %s without credentials: the browser failed before any "+
			"response: %v", base, gotoErr)
		return
	case status >= 200 && status <= 299:
		r.Errorf(nil, "opening %s without credentials: got %d, want 401; the browser "+
			"shows the app to anyone", base, status)
	case status != http.StatusUnauthorized:
		r.Errorf(nil, "opening %s without credentials: got %d (WWW-Authenticate: %q), "+
			"want 401", base, status, header["www-authenticate"])
	default:
		r.Checked()
	}

	if !sameOrigin(page.URL(), t) {
		if err := showChallengeBody(page, base); err != nil {
			r.Errorf(nil, "showing the 401 response of %s as a page: %v", base, err)
			return
		}
		r.Notef("the browser reported the 401 as an error; the page checked is the same " +
			"response shown as a browser shows it once its login prompt is dismissed")
	}
	text := settle(page)
	checkNoAppContent(page, t, r, text, authorisedText)
	probeAnonymousRequests(page, t, r)
}

// showChallengeBody opens url again with the response fetched outside the
// browser's network stack, so that the browser renders the 401 body instead
// of reporting net::ERR_INVALID_AUTH_CREDENTIALS, which full Chromium does
// for a 401 when it has no credentials to send.
func showChallengeBody(page playwright.Page, url string) error {
	err := page.Route(url, func(route playwright.Route) {
		resp, err := route.Fetch()
		if err != nil {
			_ = route.Abort()
			return
		}
		_ = route.Fulfill(playwright.RouteFulfillOptions{Response: resp})
	})
	if err != nil {
		return fmt.Errorf("intercepting %s: %w", url, err)
	}
	defer func() { _ = page.Unroute(url) }()
	if _, err := page.Goto(url); err != nil {
		return fmt.Errorf("opening %s: %w", url, err)
	}
	return nil
}

func sameOrigin(pageURL string, t *conformance.Target) bool {
	u, err := url.Parse(pageURL)
	return err == nil && u.Scheme == t.Base.Scheme && u.Host == t.Base.Host
}

// checkNoAppContent wants the anonymous page to hold none of Dash's index
// markers, none of the layout's component ids, and not the text the first
// user's page showed.
func checkNoAppContent(page playwright.Page, t *conformance.Target, r *conformance.Result,
	text, authorisedText string) {
	ids := append([]string(nil), dashMarkers...)
	if t.Dash != nil {
		ids = append(ids, t.Dash.ComponentIDs...)
	}
	found, err := page.Evaluate(`(ids) => ids.filter((id) => document.getElementById(id) !== null)`,
		ids)
	if err != nil {
		r.Errorf(nil, "reading the page shown without credentials: %v", err)
		return
	}
	if list, ok := found.([]any); ok && len(list) > 0 {
		r.Errorf(nil, "the page shown without credentials has app elements %v; want none",
			list)
	} else {
		r.Checked()
	}
	// Short texts such as a lone heading also occur on error pages.
	const minCompared = 16
	trimmed := strings.TrimSpace(authorisedText)
	if len(trimmed) >= minCompared && strings.Contains(text, trimmed) {
		r.Errorf(nil, "the page shown without credentials contains the app's text %q",
			excerpt(trimmed, 120))
	}
}

func excerpt(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
