// Package gatewaytest provides what tests of the SSO gateway share: a mock
// IdP registered for a gateway's address, its users, and a browser-like HTTP
// client that follows redirects among loopback servers one step at a time.
package gatewaytest

import (
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/authconform/authconform/mockidp"
)

// The gateway's registration at the mock IdP.
const (
	ClientID     = "dashboard"
	ClientSecret = "dashboard-secret"
)

// MaxRedirects is how many redirects Browser.Navigate follows.
const MaxRedirects = 12

// Users returns the IdP's users: alice in "analysts" with an extra claim
// "department", and bob with no group.
func Users() []mockidp.User {
	return []mockidp.User{
		{Username: "alice", Password: "alice-pw", Email: "alice@example.com",
			Name: "Alice Analyst", Groups: []string{"analysts"},
			Claims: map[string]any{"department": "finance"}},
		{Username: "bob", Password: "bob-pw", Email: "bob@example.com"},
	}
}

// Listen opens a loopback listener for a gateway and returns it with its
// base URL, such as "http://127.0.0.1:40123", so the IdP can register the
// gateway's redirect URIs before the gateway exists.
func Listen(t testing.TB) (net.Listener, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	return ln, "http://" + ln.Addr().String()
}

// StartIdP starts a mock IdP with Users and a client registered for the
// gateway at base: redirect URI base/_auth/callback and post-logout
// redirect URI base/. edit, when set, changes the config first. The IdP
// has no default user, so each login needs a queued user. It is closed when
// the test ends.
func StartIdP(t testing.TB, base string, edit func(*mockidp.Config)) *mockidp.Server {
	t.Helper()
	cfg := mockidp.Config{
		Clients: []mockidp.Client{{
			ID: ClientID, Secret: ClientSecret,
			RedirectURIs:           []string{base + "/_auth/callback"},
			PostLogoutRedirectURIs: []string{base + "/"},
		}},
		Users: Users(),
	}
	if edit != nil {
		edit(&cfg)
	}
	idp, err := mockidp.Start(cfg)
	if err != nil {
		t.Fatalf("start mock IdP: %v", err)
	}
	t.Cleanup(func() { _ = idp.Close() })
	return idp
}

// Serve serves h on ln until the test ends.
func Serve(t testing.TB, ln net.Listener, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(h)
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

// Response is a response with its body read.
type Response struct {
	*http.Response
	Body string
}

// Cookie returns the cookie named name that the response sets, or nil.
func (r *Response) Cookie(name string) *http.Cookie {
	for _, c := range r.Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// PageHeader returns the headers of a browser's page navigation.
func PageHeader() http.Header {
	return http.Header{"Accept": {"text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"}}
}

// Browser is an HTTP client with a cookie jar that does not follow
// redirects on its own.
type Browser struct {
	t      testing.TB
	Client *http.Client
	Jar    http.CookieJar
}

// NewBrowser returns a Browser with an empty cookie jar.
func NewBrowser(t testing.TB) *Browser {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
	return &Browser{t: t, Client: client, Jar: jar}
}

// Do sends one request and reads the response.
func (b *Browser) Do(method, target string, header http.Header, body string) *Response {
	b.t.Helper()
	var reader io.Reader
	if body != "" {
		reader = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, target, reader)
	if err != nil {
		b.t.Fatalf("%s %s: %v", method, target, err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := b.Client.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", method, target, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatalf("%s %s: read body: %v", method, target, err)
	}
	return &Response{Response: resp, Body: string(data)}
}

// Navigate requests target as a page and follows redirects with GET while
// they stay on loopback hosts. It returns the last response and every URL
// visited, target first. A redirect to another host is recorded in the list
// but not requested, and its response is the last one.
func (b *Browser) Navigate(target string) (*Response, []string) {
	b.t.Helper()
	visited := []string{target}
	resp := b.Do("GET", target, PageHeader(), "")
	for range MaxRedirects {
		if resp.StatusCode < 300 || resp.StatusCode > 399 {
			return resp, visited
		}
		next, err := resp.Request.URL.Parse(resp.Header.Get("Location"))
		if err != nil {
			b.t.Fatalf("redirect from %s: invalid Location %q: %v", visited[len(visited)-1],
				resp.Header.Get("Location"), err)
		}
		visited = append(visited, next.String())
		if !isLoopback(next) {
			return resp, visited
		}
		resp = b.Do("GET", next.String(), PageHeader(), "")
	}
	b.t.Fatalf("more than %d redirects: %v", MaxRedirects, visited)
	return nil, nil
}

// Login starts a login at the gateway at base, returning to next, and
// follows it through the IdP. The caller queues the user at the IdP first.
func (b *Browser) Login(base, next string) (*Response, []string) {
	b.t.Helper()
	return b.Navigate(base + "/_auth/login?" + url.Values{"next": {next}}.Encode())
}

// SessionCookie returns the value of the cookie named name that the jar
// holds for base, or "".
func (b *Browser) SessionCookie(base, name string) string {
	u, err := url.Parse(base)
	if err != nil {
		b.t.Fatal(err)
	}
	for _, c := range b.Jar.Cookies(u) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

func isLoopback(u *url.URL) bool {
	if u.Scheme != "http" && u.Scheme != "https" {
		return false
	}
	ip := net.ParseIP(u.Hostname())
	return ip != nil && ip.IsLoopback()
}
