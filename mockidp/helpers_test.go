package mockidp

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"

	"github.com/golang-jwt/jwt/v5"
)

// Redirect URIs of the test clients. Nothing listens there: test browsers
// stop at the redirect and read the Location header.
const (
	appRedirect    = "http://127.0.0.1:9/app/callback"
	appLogout      = "http://127.0.0.1:9/app/signed-out"
	publicRedirect = "http://127.0.0.1:9/spa/callback"
	testVerifier   = "a-pkce-code-verifier-that-is-long-enough-0123456789"
)

func testConfig() Config {
	verified := false
	return Config{
		Clients: []Client{
			{ID: "app", Secret: "app-secret", RedirectURIs: []string{appRedirect},
				PostLogoutRedirectURIs: []string{appLogout}},
			{ID: "spa", RedirectURIs: []string{publicRedirect}},
		},
		Users: []User{
			{Username: "alice", Password: "alice-pw", Email: "alice@example.com",
				Name: "Alice Example", Groups: []string{"admins", "analysts"},
				Claims: map[string]any{"department": "finance"}},
			{Username: "bob", Password: "bob-pw", Email: "bob@example.com",
				EmailVerified: &verified, Groups: []string{"viewers"}},
		},
	}
}

// startIDP starts a server with testConfig changed by edit, closed at cleanup.
func startIDP(t testing.TB, edit func(*Config)) *Server {
	t.Helper()
	cfg := testConfig()
	if edit != nil {
		edit(&cfg)
	}
	idp, err := Start(cfg)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { _ = idp.Close() })
	return idp
}

// browser is an HTTP client with a cookie jar that follows redirects within
// the IdP and stops at redirects anywhere else.
type browser struct {
	t    testing.TB
	idp  *Server
	http *http.Client
}

func newBrowser(t testing.TB, idp *Server) *browser {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	client := idp.Client()
	client.Jar = jar
	client.CheckRedirect = func(req *http.Request, _ []*http.Request) error {
		if !strings.HasPrefix(req.URL.String(), idp.URL()) {
			return http.ErrUseLastResponse
		}
		return nil
	}
	return &browser{t: t, idp: idp, http: client}
}

// authParams returns the parameters of a code flow request for client "app".
func authParams(extra ...string) url.Values {
	v := url.Values{
		"client_id": {"app"}, "redirect_uri": {appRedirect}, "response_type": {"code"},
		"scope": {"openid profile email"}, "state": {"st-123"}, "nonce": {"n-456"},
	}
	for i := 0; i+1 < len(extra); i += 2 {
		v.Set(extra[i], extra[i+1])
	}
	return v
}

// authorize sends an authorization request and returns the response.
func (b *browser) authorize(params url.Values) *http.Response {
	b.t.Helper()
	resp, err := b.http.Get(b.idp.Issuer() + pathAuthorize + "?" + params.Encode())
	if err != nil {
		b.t.Fatalf("authorize: %v", err)
	}
	return resp
}

// redirectQuery returns the query of a redirect to the client.
func redirectQuery(t testing.TB, resp *http.Response) url.Values {
	t.Helper()
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		body, _ := io.ReadAll(resp.Body)
		t.Fatalf("status = %d, want 302; body: %.300s", resp.StatusCode, body)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatalf("Location %q: %v", resp.Header.Get("Location"), err)
	}
	return loc.Query()
}

// code runs an authorization request that must end in a code.
func (b *browser) code(params url.Values) string {
	b.t.Helper()
	q := redirectQuery(b.t, b.authorize(params))
	if q.Get("code") == "" {
		b.t.Fatalf("redirect has no code: %v", q)
	}
	return q.Get("code")
}

// postForm posts form to the token endpoint, optionally with Basic auth.
func postToken(t testing.TB, idp *Server, form url.Values, basicID, basicSecret string) (
	*http.Response, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, idp.Issuer()+pathToken,
		strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if basicID != "" {
		req.SetBasicAuth(url.QueryEscape(basicID), url.QueryEscape(basicSecret))
	}
	resp, err := idp.Client().Do(req)
	if err != nil {
		t.Fatalf("token request: %v", err)
	}
	defer resp.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("token response is not JSON: %v", err)
	}
	return resp, body
}

// exchange redeems code for client "app" with client_secret_basic and
// requires success.
func exchange(t testing.TB, idp *Server, code string) map[string]any {
	t.Helper()
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code},
		"redirect_uri": {appRedirect}}
	resp, body := postToken(t, idp, form, "app", "app-secret")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("token status = %d, want 200; body: %v", resp.StatusCode, body)
	}
	return body
}

// verifiedClaims checks a token's signature with the server's key and
// returns its claims; time checks use the server's clock.
func verifiedClaims(t testing.TB, idp *Server, raw any) jwt.MapClaims {
	t.Helper()
	s, _ := raw.(string)
	claims := jwt.MapClaims{}
	_, err := jwt.ParseWithClaims(s, claims, func(*jwt.Token) (any, error) {
		return idp.PublicKey(), nil
	}, jwt.WithValidMethods([]string{"RS256"}), jwt.WithTimeFunc(idp.Now))
	if err != nil {
		t.Fatalf("token %.40q does not verify: %v", s, err)
	}
	return claims
}

func s256(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// login runs a full code flow for the queued or default user and returns
// the token response.
func login(t testing.TB, idp *Server) map[string]any {
	t.Helper()
	return exchange(t, idp, newBrowser(t, idp).code(authParams()))
}

func readBody(t testing.TB, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading body: %v", err)
	}
	return string(b)
}
