package conformance

import (
	"context"
	"fmt"
	"html"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
)

// MaxHops bounds the redirects followed during one login.
const MaxHops = 15

// Login is the record of one login: every request of the redirect chain,
// from the app through the IdP and back.
type Login struct {
	User   string
	Client *Client
	Hops   []*Exchange
}

// Final returns the last exchange of the login.
func (l *Login) Final() *Exchange {
	if len(l.Hops) == 0 {
		return nil
	}
	return l.Hops[len(l.Hops)-1]
}

// Evidence lists the hops in order, for a failure message.
func (l *Login) Evidence() string {
	var b strings.Builder
	for i, h := range l.Hops {
		fmt.Fprintf(&b, "hop %d: %s %s -> %s\n", i+1, h.Method, h.redactor.Redact(h.URL), h.redactor.Redact(h.Got()))
	}
	return b.String()
}

// PageHeader returns the headers a browser sends when it opens a page.
func PageHeader() http.Header {
	h := http.Header{}
	h.Set("Accept", "text/html,application/xhtml+xml")
	return h
}

// LoginAs queues username at the IdP and logs in with a fresh client,
// starting at the profile's login path.
func (t *Target) LoginAs(ctx context.Context, idp *IdP, username string) (*Login, error) {
	if err := idp.QueueUser(ctx, username); err != nil {
		return &Login{User: username}, fmt.Errorf("queueing %s at the IdP: %w", username, err)
	}
	c := t.NewClient()
	l, err := t.FollowLogin(ctx, c, Request{Path: t.Profile.SSO.LoginPath, Header: PageHeader()}, username)
	l.User = username
	if err != nil {
		// A login that stopped early may leave the user queued or a fault
		// unused, which would change who the next login is.
		_ = idp.Reset(ctx, t.Profile)
	}
	return l, err
}

// FollowLogin sends start and follows redirects through the IdP and back,
// submitting the IdP's login page for username if it is shown. It ends
// at the first response that is not a redirect; an error says why the chain
// did not end at a 2xx page of the app.
func (t *Target) FollowLogin(ctx context.Context, c *Client, start Request, username string) (*Login, error) {
	l := &Login{Client: c}
	req := start
	for len(l.Hops) < MaxHops {
		ex := c.Do(ctx, req)
		l.Hops = append(l.Hops, ex)
		if ex.Err != nil {
			return l, fmt.Errorf("login stopped at %s: %w", ex.URL, ex.Err)
		}
		if loc := ex.Header.Get("Location"); ex.Status >= 300 && ex.Status < 400 && loc != "" {
			next, err := url.Parse(ex.URL)
			if err == nil {
				next, err = next.Parse(loc)
			}
			if err != nil {
				return l, fmt.Errorf("login stopped: invalid Location %q from %s", loc, ex.URL)
			}
			if !t.allowed(hostPort(next)) {
				return l, fmt.Errorf("login redirected to %s, off the app's and the IdP's origins", next)
			}
			req = Request{URL: next.String(), Header: PageHeader()}
			continue
		}
		if form, ok := idpLoginForm(ex, username); ok {
			req = form
			continue
		}
		if !ex.OK() {
			return l, fmt.Errorf("login ended with %s at %s", ex.Got(), ex.URL)
		}
		if !t.SameOrigin(ex.URL) {
			return l, fmt.Errorf("login ended at %s, outside the app", ex.URL)
		}
		return l, nil
	}
	return l, fmt.Errorf("login did not finish within %d redirects", MaxHops)
}

// hostPort returns u's host and port, with the scheme's default port.
func hostPort(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = "80"
		if u.Scheme == "https" {
			port = "443"
		}
	}
	return net.JoinHostPort(u.Hostname(), port)
}

// SameOrigin reports whether a URL is on the app's origin.
func (t *Target) SameOrigin(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && u.Scheme == t.Base.Scheme && u.Host == t.Base.Host
}

var (
	formAction   = regexp.MustCompile(`<form id="pick-form"[^>]*action="([^"]*)"`)
	requestField = regexp.MustCompile(`<input type="hidden" name="request" value="([^"]*)"`)
)

// idpLoginForm recognises mockidp's login page and returns the request
// that picks username on it; with username "" the page is left as it is.
func idpLoginForm(ex *Exchange, username string) (Request, bool) {
	body := string(ex.Body)
	if username == "" || !strings.Contains(body, `id="login-form"`) {
		return Request{}, false
	}
	action, field := formAction.FindStringSubmatch(body), requestField.FindStringSubmatch(body)
	if action == nil || field == nil {
		return Request{}, false
	}
	base, err := url.Parse(ex.URL)
	if err != nil {
		return Request{}, false
	}
	target, err := base.Parse(html.UnescapeString(action[1]))
	if err != nil {
		return Request{}, false
	}
	form := url.Values{"request": {html.UnescapeString(field[1])}, "pick": {username}}
	h := PageHeader()
	h.Set("Content-Type", "application/x-www-form-urlencoded")
	return Request{Method: http.MethodPost, URL: target.String(), Header: h, Body: []byte(form.Encode())}, true
}
