package basicauth

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

var testUsers = []User{
	{Username: "alice", Password: "wonder:land", Groups: []string{"analysts"}},
	{Username: "bob", Password: "builder"},
	{Username: "zoë", Password: "pässwörd"},
}

const testRealm = "test realm"

// newTestServer serves an app that writes back the user and body it gets, behind
// a middleware built from cfg with the test realm and users as defaults.
func newTestServer(t *testing.T, cfg Config) *httptest.Server {
	t.Helper()
	if cfg.Realm == "" {
		cfg.Realm = testRealm
	}
	if cfg.Users == nil {
		cfg.Users = testUsers
	}
	mw, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		u, ok := UserFromContext(r.Context())
		body, _ := io.ReadAll(r.Body)
		fmt.Fprintf(w, "user=%s authenticated=%v body=%s", u.Username, ok, body)
	})
	srv := httptest.NewServer(mw.Wrap(mux))
	t.Cleanup(srv.Close)
	// A route registered after the middleware wrapped the mux.
	mux.HandleFunc("/later", func(w http.ResponseWriter, _ *http.Request) {
		io.WriteString(w, "later route")
	})
	return srv
}

// send makes one request; rawPath is sent as written, without cleaning.
func send(t *testing.T, srv *httptest.Server, method, rawPath string, header http.Header,
	body string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+rawPath, strings.NewReader(body))
	if err != nil {
		t.Fatalf("NewRequest %s %s: %v", method, rawPath, err)
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, rawPath, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read body of %s %s: %v", method, rawPath, err)
	}
	return resp, string(data)
}

func basic(user, password string) http.Header {
	return http.Header{"Authorization": {"Basic " + b64(user+":"+password)}}
}

// checkChallenge fails unless resp is the standard 401 challenge.
func checkChallenge(t *testing.T, what string, resp *http.Response, body string) {
	t.Helper()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("%s: status = %d, want 401", what, resp.StatusCode)
		return
	}
	wantHeader := `Basic realm="test realm", charset="UTF-8"`
	if got := resp.Header.Get("WWW-Authenticate"); got != wantHeader {
		t.Errorf("%s: WWW-Authenticate = %q, want %q", what, got, wantHeader)
	}
	if got := resp.Header.Get("Content-Type"); got != "text/plain; charset=utf-8" {
		t.Errorf("%s: Content-Type = %q, want text/plain; charset=utf-8", what, got)
	}
	if resp.Request.Method != http.MethodHead && body != LoginRequired {
		t.Errorf("%s: body = %q, want %q", what, body, LoginRequired)
	}
	if resp.Header.Get("Set-Cookie") != "" {
		t.Errorf("%s: 401 sets a cookie: %q", what, resp.Header.Get("Set-Cookie"))
	}
}

func TestMiddlewareSendsSameChallenge(t *testing.T) {
	srv := newTestServer(t, Config{PublicCallbacks: []string{"public-note.children"}})
	xhr := http.Header{"X-Requested-With": {"XMLHttpRequest"}, "Accept": {"application/json"}}
	tests := []struct {
		name, method, path string
		header             http.Header
		body               string
	}{
		{"no header", "GET", "/", nil, ""},
		{"wrong password", "GET", "/", basic("alice", "wonder"), ""},
		{"unknown user", "GET", "/", basic("mallory", "x"), ""},
		{"case variant", "GET", "/", basic("Alice", "wonder:land"), ""},
		{"surrounding space", "GET", "/", basic("alice", " wonder:land"), ""},
		{"malformed", "GET", "/", http.Header{"Authorization": {"Basic !!"}}, ""},
		{"xhr", "GET", "/_dash-layout", xhr, ""},
		{"callback", "POST", UpdatePath, xhr, `{"output":"title.children"}`},
		{"unknown path", "GET", "/no/such/page", nil, ""},
		{"wrong method", "DELETE", "/", nil, ""},
		{"options", "OPTIONS", "/", nil, ""},
		{"head", "HEAD", "/", nil, ""},
		{"route added later", "GET", "/later", nil, ""},
		{"asset", "GET", "/assets/app.js", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := send(t, srv, tt.method, tt.path, tt.header, tt.body)
			checkChallenge(t, tt.method+" "+tt.path, resp, body)
		})
	}
}

func TestMiddlewareAcceptsUsers(t *testing.T) {
	srv := newTestServer(t, Config{})
	for _, u := range testUsers {
		resp, body := send(t, srv, "GET", "/", basic(u.Username, u.Password), "")
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s: status = %d, want 200", u.Username, resp.StatusCode)
			continue
		}
		if want := "user=" + u.Username + " authenticated=true"; !strings.HasPrefix(body, want) {
			t.Errorf("%s: app saw %q, want prefix %q", u.Username, body, want)
		}
		cookie := resp.Header.Get("Set-Cookie")
		if !strings.HasPrefix(cookie, SessionCookie+"=") || !strings.Contains(cookie, "HttpOnly") {
			t.Errorf("%s: Set-Cookie = %q, want an HttpOnly session cookie", u.Username, cookie)
		}
		if strings.Contains(cookie, b64(u.Password)) || strings.Contains(cookie, u.Password) {
			t.Errorf("%s: session cookie contains the password", u.Username)
		}
	}
}

func TestMiddlewareSessionCookieAloneIsRejected(t *testing.T) {
	srv := newTestServer(t, Config{})
	resp, _ := send(t, srv, "GET", "/", basic("bob", "builder"), "")
	cookies := resp.Cookies()
	if len(cookies) != 1 {
		t.Fatalf("authorised response sets %d cookies, want 1", len(cookies))
	}
	header := http.Header{"Cookie": {cookies[0].Name + "=" + cookies[0].Value}}
	resp, body := send(t, srv, "GET", "/", header, "")
	checkChallenge(t, "session cookie without credentials", resp, body)
}

func TestMiddlewarePublicRoutes(t *testing.T) {
	srv := newTestServer(t, Config{PublicRoutes: []string{"/public", "/user/<user_id>/public"}})
	tests := []struct {
		path   string
		header http.Header
		public bool
	}{
		{"/public", nil, true},
		{"/public?next=/reports", nil, true},
		{"/user/7/public", nil, true},
		{"/user/z%C3%B6e/public", nil, true},
		{"/_dash-layout", nil, true},
		{"/_dash-dependencies", nil, true},
		{"/_dash-component-suites/dash/deps/react.min.js", nil, true},
		{"/assets/app.js", nil, true},
		{"/assets/theme/style.css", nil, true},
		{"/_favicon.ico", nil, true},
		{"/_reload-hash", nil, true},
		{"/assets/logo.png", nil, false},
		{"/", nil, false},
		{"/reports", nil, false},
		{"/Public", nil, false},
		{"/PUBLIC", nil, false},
		{"/public/", nil, false},
		{"/public/x", nil, false},
		{"/publicity", nil, false},
		{"//public", nil, false},
		{"/./public", nil, false},
		{"/reports/../public", nil, false},
		{"/public/../reports", nil, false},
		{"/reports%2F..%2Fpublic", nil, false},
		{"/%2e/public", nil, false},
		{"/user/..%2F..%2Freports/public", nil, false},
		{"/user/./public", nil, false},
		{"/user/../public", nil, false},
		{"/reports?/public", nil, false},
		{"/reports", http.Header{"X-Original-URL": {"/public"}}, false},
		{"/reports", http.Header{"X-Rewrite-URL": {"/public"}}, false},
		{"/reports", http.Header{"X-Forwarded-Uri": {"/public"}}, false},
		{"/_dash-layout/", nil, false},
		{"/assets/x%2Fy.css", nil, false},
	}
	for _, tt := range tests {
		resp, body := send(t, srv, "GET", tt.path, tt.header, "")
		if tt.public {
			if resp.StatusCode != http.StatusOK || !strings.Contains(body, "authenticated=false") {
				t.Errorf("GET %s: status %d body %q, want 200 served anonymously",
					tt.path, resp.StatusCode, body)
			}
			continue
		}
		checkChallenge(t, "GET "+tt.path+fmt.Sprint(tt.header), resp, body)
	}
}

func TestMiddlewareWithoutPublicRoutesProtectsInternals(t *testing.T) {
	srv := newTestServer(t, Config{})
	for _, path := range []string{"/_dash-layout", "/_dash-dependencies", "/assets/app.js",
		"/_dash-component-suites/dash/deps/react.min.js", "/_favicon.ico", "/_reload-hash"} {
		resp, body := send(t, srv, "GET", path, nil, "")
		checkChallenge(t, "GET "+path, resp, body)
	}
}

func TestMiddlewarePublicAssetExtensions(t *testing.T) {
	srv := newTestServer(t, Config{PublicRoutes: []string{"/public"},
		PublicAssetExtensions: []string{"png"}})
	resp, _ := send(t, srv, "GET", "/assets/logo.png", nil, "")
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET /assets/logo.png: status = %d, want 200", resp.StatusCode)
	}
	resp, body := send(t, srv, "GET", "/assets/app.js", nil, "")
	checkChallenge(t, "GET /assets/app.js", resp, body)
}

func TestNewRejectsConfig(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"no realm", Config{Users: testUsers}, "empty realm"},
		{"bad user", Config{Realm: "r", Users: []User{{Username: "a:b"}}}, "colon"},
		{"bad route", Config{Realm: "r", PublicRoutes: []string{"public"}}, "must start with /"},
		{"multi-output callback", Config{Realm: "r",
			PublicCallbacks: []string{"..a.children...b.children.."}}, "single output id"},
		{"callback without property", Config{Realm: "r", PublicCallbacks: []string{"note"}},
			"single output id"},
		{"short session key", Config{Realm: "r", SessionKey: []byte("short")}, "too short"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.cfg)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("New error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestChallengeQuotesRealm(t *testing.T) {
	got := Challenge(`a "quoted" \ realm`)
	want := `Basic realm="a \"quoted\" \\ realm", charset="UTF-8"`
	if got != want {
		t.Errorf("Challenge = %q, want %q", got, want)
	}
}
