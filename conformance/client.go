package conformance

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"time"
)

// MaxBody caps how much of a response body is read and kept.
const MaxBody = 1 << 20

// Credentials are a user name and password sent with the Basic scheme.
// They may be deliberately wrong.
type Credentials struct {
	Username string
	Password string
}

// BasicHeader returns the Authorization value for the credentials.
func (c Credentials) BasicHeader() string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(c.Username+":"+c.Password))
}

// Request is one request to the target.
type Request struct {
	Method string
	// Path is the request target relative to the app's base URL, sent
	// exactly as written, dot segments and percent-escapes included. It
	// may carry a query.
	Path string
	// URL, when set, is an absolute URL used instead of Path, for requests
	// to another origin such as the IdP.
	URL    string
	Header http.Header
	Body   []byte
	// Auth adds an Authorization header with the Basic scheme.
	Auth *Credentials
	// FollowRedirects follows up to ten redirects; by default a 3xx is
	// returned as it is.
	FollowRedirects bool
}

// Client sends requests to one target with its own cookie jar, so each spec
// starts with no session. It is not safe for concurrent use by specs that
// expect separate sessions; make one per spec.
type Client struct {
	target *Target
	jar    http.CookieJar
	http   *http.Client
}

// NewClient returns a client with a fresh cookie jar.
func (t *Target) NewClient() *Client {
	jar, _ := cookiejar.New(nil) // cookiejar.New returns an error only for invalid options, and none are given.
	c := &Client{target: t, jar: jar}
	c.http = &http.Client{
		Transport: t.transport,
		Jar:       jar,
		Timeout:   t.Profile.Timeout,
	}
	return c
}

// Jar returns the client's cookie jar.
func (c *Client) Jar() http.CookieJar { return c.jar }

// URL returns the absolute URL of a path relative to the app's base URL.
func (t *Target) URL(path string) string {
	base := strings.TrimSuffix(t.Base.String(), "/")
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	return base + path
}

// Do sends a request and returns the exchange. A transport error is kept in
// Exchange.Err, so the exchange can still serve as evidence.
func (c *Client) Do(ctx context.Context, r Request) *Exchange {
	method := r.Method
	if method == "" {
		method = http.MethodGet
	}
	ex := &Exchange{Method: method, URL: c.target.URL(r.Path), RequestHeader: http.Header{},
		RequestBody: r.Body, redactor: c.target.Redactor}
	if r.URL != "" {
		ex.URL = r.URL
	}
	for k, v := range r.Header {
		ex.RequestHeader[k] = append([]string(nil), v...)
	}
	if r.Auth != nil {
		ex.RequestHeader.Set("Authorization", r.Auth.BasicHeader())
	}
	req, err := http.NewRequestWithContext(ctx, method, ex.URL, bytes.NewReader(r.Body))
	if err != nil {
		ex.Err = fmt.Errorf("building request: %w", err)
		return ex
	}
	req.Header = ex.RequestHeader.Clone()
	if host := req.Header.Get("Host"); host != "" {
		req.Host = host
	}
	if len(r.Body) == 0 {
		req.Body = http.NoBody
	}
	hc := *c.http
	if !r.FollowRedirects {
		hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	}
	// The jar's cookies go out with the request; show them in the evidence.
	var jarCookies []string
	for _, ck := range c.jar.Cookies(req.URL) {
		jarCookies = append(jarCookies, ck.Name+"="+ck.Value)
	}
	if len(jarCookies) > 0 {
		ex.RequestHeader.Add("Cookie", strings.Join(jarCookies, "; "))
	}
	resp, err := hc.Do(req)
	if err != nil {
		ex.Err = err
		return ex
	}
	defer resp.Body.Close()
	ex.fill(resp)
	if resp.Request != nil && resp.Request.URL.String() != ex.URL {
		ex.FinalURL = resp.Request.URL.String()
	}
	return ex
}

// Get sends a GET of path with optional credentials.
func (c *Client) Get(ctx context.Context, path string, auth *Credentials) *Exchange {
	return c.Do(ctx, Request{Method: http.MethodGet, Path: path, Auth: auth})
}

// Raw sends a request whose header lines are written as given, byte for
// byte, for values an HTTP library would reject or merge. The request line
// and Host are added; the connection is closed after the response.
func (c *Client) Raw(ctx context.Context, method, path string, lines []string) *Exchange {
	t := c.target
	ex := &Exchange{Method: method, URL: t.URL(path), RequestHeader: http.Header{},
		redactor: t.Redactor, Raw: true}
	for _, l := range lines {
		if k, v, ok := strings.Cut(l, ":"); ok {
			ex.RequestHeader[k] = append(ex.RequestHeader[k], strings.TrimLeft(v, " "))
		}
	}
	u, err := url.Parse(ex.URL)
	if err != nil {
		ex.Err = err
		return ex
	}
	ctx, cancel := context.WithTimeout(ctx, t.Profile.Timeout)
	defer cancel()
	conn, err := t.dial(ctx, u)
	if err != nil {
		ex.Err = err
		return ex
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: %s\r\n", method, u.RequestURI(), u.Host)
	for _, l := range lines {
		b.WriteString(l + "\r\n")
	}
	b.WriteString("Connection: close\r\n\r\n")
	if _, err := conn.Write(b.Bytes()); err != nil {
		ex.Err = fmt.Errorf("writing raw request: %w", err)
		return ex
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), &http.Request{Method: method})
	if err != nil {
		ex.Err = fmt.Errorf("reading response to raw request: %w", err)
		return ex
	}
	defer resp.Body.Close()
	ex.fill(resp)
	return ex
}

func (t *Target) dial(ctx context.Context, u *url.URL) (net.Conn, error) {
	host := u.Host
	if u.Port() == "" {
		if u.Scheme == "https" {
			host = net.JoinHostPort(u.Hostname(), "443")
		} else {
			host = net.JoinHostPort(u.Hostname(), "80")
		}
	}
	if !t.allowed(host) {
		return nil, fmt.Errorf("not connecting to %s: %w", host, ErrForeignHost)
	}
	d := &net.Dialer{Timeout: t.Profile.Timeout}
	if u.Scheme != "https" {
		return d.DialContext(ctx, "tcp", host)
	}
	td := &tls.Dialer{NetDialer: d, Config: t.tlsConfig.Clone()}
	return td.DialContext(ctx, "tcp", host)
}

func (ex *Exchange) fill(resp *http.Response) {
	ex.Status = resp.StatusCode
	ex.Proto = resp.Proto
	ex.Header = resp.Header.Clone()
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxBody))
	ex.Body = body
	if err != nil {
		ex.Err = fmt.Errorf("reading body: %w", err)
	}
}

// ErrForeignHost is returned for a request to a host that is neither the
// target nor its IdP, such as the target of an open redirect.
var ErrForeignHost = errors.New("host is neither the target nor its IdP")

// newTransport returns a transport that connects only to the hosts allow
// accepts, checked before any name is resolved.
func newTransport(cfg *tls.Config, allow func(hostport string) bool) *http.Transport {
	dialer := &net.Dialer{Timeout: 10 * time.Second}
	return &http.Transport{
		Proxy: nil, // Requests go straight to the target, never to a proxy from the environment.
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			if !allow(addr) {
				return nil, fmt.Errorf("not connecting to %s: %w", addr, ErrForeignHost)
			}
			return dialer.DialContext(ctx, network, addr)
		},
		TLSClientConfig:       cfg,
		MaxIdleConnsPerHost:   16,
		IdleConnTimeout:       30 * time.Second,
		ResponseHeaderTimeout: 30 * time.Second,
		DisableCompression:    true,
	}
}
