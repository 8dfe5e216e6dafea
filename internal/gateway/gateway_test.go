package gateway

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/authconform/authconform/internal/gateway/gatewaytest"
)

func TestNewRejectsConfig(t *testing.T) {
	valid := Config{Level: Restricted, Issuer: "http://127.0.0.1:9", ClientID: "app",
		AllowedGroups: []string{"analysts"}}
	tests := []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"missing level", func(c *Config) { c.Level = "" }, `access level ""`},
		{"unknown level", func(c *Config) { c.Level = "private" }, `"private"`},
		{"missing issuer", func(c *Config) { c.Issuer = "" }, "missing Issuer"},
		{"relative issuer", func(c *Config) { c.Issuer = "idp.example" }, `"idp.example"`},
		{"issuer with query", func(c *Config) { c.Issuer = "http://127.0.0.1:9/?a=b" },
			"remove the user info, query or fragment"},
		{"missing client id", func(c *Config) { c.ClientID = "" }, "missing ClientID"},
		{"restricted without allowed", func(c *Config) { c.AllowedGroups = nil },
			"AllowedUsers or AllowedGroups"},
		{"empty allowed user", func(c *Config) { c.AllowedUsers = []string{" "} },
			"empty name"},
		{"public URL with path", func(c *Config) { c.PublicURL = "http://127.0.0.1:8050/app" },
			`"http://127.0.0.1:8050/app"`},
		{"negative lifetime", func(c *Config) { c.SessionLifetime = -1 }, "SessionLifetime"},
		{"negative max sessions", func(c *Config) { c.MaxSessions = -1 }, "MaxSessions"},
		{"unknown flaw", func(c *Config) { c.Flaw = "typo" }, `"typo"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := valid
			tt.edit(&cfg)
			_, err := New(context.Background(), cfg, &upstream{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("New error = %v, want one containing %q", err, tt.want)
			}
		})
	}
	if _, err := New(context.Background(), valid, nil); err == nil ||
		!strings.Contains(err.Error(), "upstream") {
		t.Errorf("New with a nil upstream: error = %v, want one naming the upstream", err)
	}
}

func TestNewReportsDiscoveryFailure(t *testing.T) {
	ln, base := gatewaytest.Listen(t)
	ln.Close()
	_, err := New(context.Background(), Config{Level: Authenticated, Issuer: base,
		ClientID: "app"}, &upstream{})
	if err == nil || !strings.Contains(err.Error(), "discover provider "+base) {
		t.Errorf("New error = %v, want a discovery error naming %s", err, base)
	}
}

func TestAnonymousPageRedirectsToIdP(t *testing.T) {
	for _, level := range []Level{Restricted, Authenticated} {
		t.Run(string(level), func(t *testing.T) {
			e := newEnv(t, Config{Level: level, AllowedGroups: []string{"analysts"}})
			b := gatewaytest.NewBrowser(t)
			resp := b.Do("GET", e.base+"/reports?q=1", gatewaytest.PageHeader(), "")
			if resp.StatusCode != http.StatusFound {
				t.Fatalf("GET /reports: status = %d, want 302", resp.StatusCode)
			}
			wantLocation := LoginPath + "?next=%2Freports%3Fq%3D1"
			if got := resp.Header.Get("Location"); got != wantLocation {
				t.Errorf("Location = %q, want %q", got, wantLocation)
			}
			resp = b.Do("GET", e.base+resp.Header.Get("Location"), gatewaytest.PageHeader(), "")
			authURL, err := url.Parse(resp.Header.Get("Location"))
			if resp.StatusCode != http.StatusFound || err != nil {
				t.Fatalf("login route: status %d, Location %q", resp.StatusCode,
					resp.Header.Get("Location"))
			}
			if !strings.HasPrefix(authURL.String(), e.idp.Issuer()) {
				t.Errorf("login redirects to %s, want the IdP at %s", authURL, e.idp.Issuer())
			}
			q := authURL.Query()
			want := map[string]string{"response_type": "code", "client_id": gatewaytest.ClientID,
				"redirect_uri": e.base + CallbackPath, "scope": "openid profile email groups",
				"code_challenge_method": "S256"}
			for k, v := range want {
				if q.Get(k) != v {
					t.Errorf("authorization request %s = %q, want %q", k, q.Get(k), v)
				}
			}
			for _, k := range []string{"state", "nonce", "code_challenge"} {
				if len(q.Get(k)) < 40 {
					t.Errorf("authorization request %s = %q, want a random value", k, q.Get(k))
				}
			}
			if c := resp.Cookie(LoginCookie); c == nil || !c.HttpOnly || c.Path != Prefix {
				t.Errorf("login cookie = %v, want HttpOnly with path %s", c, Prefix)
			}
			if e.app.count() != 0 {
				t.Errorf("the app received %d requests, want 0", e.app.count())
			}
		})
	}
}

func TestAnonymousNonPageRequestGets401(t *testing.T) {
	e := newEnv(t, Config{Level: Authenticated})
	b := gatewaytest.NewBrowser(t)
	requests := []struct {
		method, path string
		header       http.Header
	}{
		{"POST", "/_dash-update-component", xhrHeader()},
		{"GET", "/_dash-layout", xhrHeader()},
		{"GET", "/_dash-layout", gatewaytest.PageHeader()},
		{"GET", "/_dash-dependencies", nil},
		{"GET", "/", xhrHeader()},
		{"GET", "/", http.Header{"Accept": {"*/*"}}},
		{"GET", "/", http.Header{"Accept": {"text/html"}, "Sec-Fetch-Mode": {"cors"}}},
		{"GET", "/assets/style.css", nil},
		{"DELETE", "/", gatewaytest.PageHeader()},
	}
	for _, req := range requests {
		resp := b.Do(req.method, e.base+req.path, req.header, `{"output":"title.children"}`)
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("%s %s: status = %d, want 401", req.method, req.path, resp.StatusCode)
		}
		if ct := resp.Header.Get("Content-Type"); ct != "application/json" ||
			!strings.Contains(resp.Body, `"login_required"`) {
			t.Errorf("%s %s: Content-Type %q body %q, want a JSON login_required error",
				req.method, req.path, ct, resp.Body)
		}
	}
	if e.app.count() != 0 {
		t.Errorf("the app received %d requests, want 0", e.app.count())
	}
}

func TestLoginPassesUserData(t *testing.T) {
	e := newEnv(t, Config{Level: Restricted, AllowedGroups: []string{"analysts"}})
	b := gatewaytest.NewBrowser(t)
	if err := e.idp.QueueUser("alice"); err != nil {
		t.Fatal(err)
	}
	resp, visited := b.Navigate(e.base + "/reports?q=1")
	if got := visited[len(visited)-1]; got != e.base+"/reports?q=1" {
		t.Errorf("login ends at %s, want the page first requested; visited %v", got, visited)
	}
	echo := echoOf(t, resp)
	data := userDataOf(t, echo)
	want := map[string]any{"username": "alice", "email": "alice@example.com",
		"groups": []any{"analysts"}, "department": "finance"}
	if len(data) != len(want) {
		t.Errorf("user data = %v, want exactly %v", data, want)
	}
	for k, v := range want {
		if got := data[k]; !equalJSON(got, v) {
			t.Errorf("user data %s = %v, want %v", k, got, v)
		}
	}
	if resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("app response Cache-Control = %q, want no-store", resp.Header.Get("Cache-Control"))
	}
	if strings.Contains(echo.Cookie, SessionCookie) || strings.Contains(echo.Cookie, LoginCookie) {
		t.Errorf("the app received the gateway's cookies: %q", echo.Cookie)
	}
}

func equalJSON(a, b any) bool {
	as, aok := a.([]any)
	bs, bok := b.([]any)
	if aok && bok {
		return slices.Equal(as, bs)
	}
	return a == b
}

func TestSessionCookieAttributes(t *testing.T) {
	e := newEnv(t, Config{Level: Authenticated})
	b := gatewaytest.NewBrowser(t)
	if err := e.idp.QueueUser("bob"); err != nil {
		t.Fatal(err)
	}
	// Step through the login to catch the callback's Set-Cookie.
	resp := b.Do("GET", e.base+LoginPath+"?next=/", nil, "")
	resp = b.Do("GET", resp.Header.Get("Location"), nil, "")
	resp = b.Do("GET", resp.Header.Get("Location"), nil, "")
	c := resp.Cookie(SessionCookie)
	if c == nil {
		t.Fatalf("callback: status %d sets no session cookie: %.300s", resp.StatusCode, resp.Body)
	}
	if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.Secure {
		t.Errorf("session cookie = %+v, want HttpOnly, SameSite=Lax, Path=/ and not Secure "+
			"over HTTP", c)
	}
	if len(c.Value) != 43 {
		t.Errorf("session id %q has %d characters, want 43 (32 random bytes)", c.Value,
			len(c.Value))
	}
	if c.MaxAge <= 0 || c.MaxAge > int(DefaultSessionLifetime.Seconds()) {
		t.Errorf("session cookie Max-Age = %d, want the session lifetime", c.MaxAge)
	}
}

func TestSecureCookiesOverHTTPS(t *testing.T) {
	g := &Gateway{publicURL: "https://dash.example", now: testClock().now,
		steps: steps{httpOnly: true}}
	rec := newRecorder()
	r, _ := http.NewRequest("GET", "http://127.0.0.1/", nil)
	g.setSessionCookie(rec, r, newID(), g.now().Add(DefaultSessionLifetime))
	g.setLoginCookie(rec, r, newID())
	for _, c := range rec.Result().Cookies() {
		if !c.Secure || !c.HttpOnly {
			t.Errorf("cookie %s: Secure %v HttpOnly %v, want both", c.Name, c.Secure, c.HttpOnly)
		}
	}
}

func TestEveryLoginGetsNewSessionID(t *testing.T) {
	e := newEnv(t, Config{Level: Authenticated})
	b := gatewaytest.NewBrowser(t)
	// A session id the client chose before login.
	chosen := newID()
	b.Jar.SetCookies(mustParse(t, e.base), []*http.Cookie{{Name: SessionCookie, Value: chosen}})
	if err := e.idp.QueueUser("alice"); err != nil {
		t.Fatal(err)
	}
	b.Login(e.base, "/")
	first := b.SessionCookie(e.base, SessionCookie)
	if first == "" || first == chosen {
		t.Fatalf("session id after login = %q, want a new one (client chose %q)", first, chosen)
	}
	// A second login, silent at the IdP, replaces the session.
	b.Login(e.base, "/")
	second := b.SessionCookie(e.base, SessionCookie)
	if second == "" || second == first {
		t.Fatalf("session id after a second login = %q, want one other than %q", second, first)
	}
	replay := gatewaytest.NewBrowser(t)
	replay.Jar.SetCookies(mustParse(t, e.base), []*http.Cookie{{Name: SessionCookie,
		Value: first}})
	if resp := replay.Do("GET", e.base+"/", xhrHeader(), ""); resp.StatusCode != 401 {
		t.Errorf("the replaced session's cookie: status = %d, want 401", resp.StatusCode)
	}
}

func mustParse(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestOwnRoutes(t *testing.T) {
	e := newEnv(t, Config{Level: Authenticated})
	b := gatewaytest.NewBrowser(t)
	tests := []struct {
		method, path string
		status       int
		allow        string
	}{
		{"GET", Prefix + "unknown", http.StatusNotFound, ""},
		{"POST", LoginPath, http.StatusMethodNotAllowed, "GET, HEAD"},
		{"POST", CallbackPath, http.StatusMethodNotAllowed, "GET"},
		{"PUT", LogoutPath, http.StatusMethodNotAllowed, "GET, POST"},
		{"GET", CallbackPath + "?code=x&state=y", http.StatusBadRequest, ""},
	}
	for _, tt := range tests {
		resp := b.Do(tt.method, e.base+tt.path, nil, "")
		if resp.StatusCode != tt.status || resp.Header.Get("Allow") != tt.allow {
			t.Errorf("%s %s: status %d Allow %q, want %d Allow %q", tt.method, tt.path,
				resp.StatusCode, resp.Header.Get("Allow"), tt.status, tt.allow)
		}
		if hasAppContent(resp.Body) {
			t.Errorf("%s %s: the response holds app content", tt.method, tt.path)
		}
	}
}
