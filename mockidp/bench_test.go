package mockidp

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/oauth2-proxy/mockoidc"
)

// The benchmarks run one client at a time, the only way raw mockoidc is
// safe to use, so the two servers are compared on the same footing.

func BenchmarkLoginMockidp(b *testing.B) {
	idp := startIDP(b, func(c *Config) { c.DefaultUser = "alice" })
	f := newFlowClient(idp)
	jwts := 0
	for b.Loop() {
		code, err := f.code("alice")
		if err != nil {
			b.Fatal(err)
		}
		tokens, err := f.exchange(code)
		if err != nil {
			b.Fatal(err)
		}
		jwts += countJWTs(tokens)
	}
	b.ReportMetric(float64(jwts)/float64(b.N), "jwts/login")
}

func BenchmarkTokenEndpointMockidp(b *testing.B) {
	idp := startIDP(b, func(c *Config) { c.DefaultUser = "alice" })
	f := newFlowClient(idp)
	jwts := 0
	for b.Loop() {
		b.StopTimer()
		code, err := f.code("alice")
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		tokens, err := f.exchange(code)
		if err != nil {
			b.Fatal(err)
		}
		jwts += countJWTs(tokens)
	}
	b.ReportMetric(float64(jwts)/float64(b.N), "jwts/login")
}

// mockoidcFlow runs the code flow against raw mockoidc with
// client_secret_post, the method it accepts.
type mockoidcFlow struct {
	m    *mockoidc.MockOIDC
	http *http.Client
}

func startMockoidc(b *testing.B) *mockoidcFlow {
	b.Helper()
	m, err := mockoidc.Run()
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = m.Shutdown() })
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
	return &mockoidcFlow{m: m, http: c}
}

func (f *mockoidcFlow) code() (string, error) {
	params := url.Values{"client_id": {f.m.ClientID}, "redirect_uri": {appRedirect},
		"response_type": {"code"}, "scope": {"openid profile email"}, "state": {"s"},
		"nonce": {"n"}}
	resp, err := f.http.Get(f.m.AuthorizationEndpoint() + "?" + params.Encode())
	if err != nil {
		return "", err
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || loc.Query().Get("code") == "" {
		return "", fmt.Errorf("mockoidc authorize: status %d", resp.StatusCode)
	}
	return loc.Query().Get("code"), nil
}

func (f *mockoidcFlow) exchange(code string) (map[string]any, error) {
	resp, err := f.http.PostForm(f.m.TokenEndpoint(), url.Values{
		"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {appRedirect},
		"client_id": {f.m.ClientID}, "client_secret": {f.m.ClientSecret}})
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("mockoidc token status %d: %v", resp.StatusCode, body)
	}
	return body, nil
}

func BenchmarkLoginMockoidc(b *testing.B) {
	f := startMockoidc(b)
	jwts := 0
	for b.Loop() {
		code, err := f.code()
		if err != nil {
			b.Fatal(err)
		}
		tokens, err := f.exchange(code)
		if err != nil {
			b.Fatal(err)
		}
		jwts += countJWTs(tokens)
	}
	b.ReportMetric(float64(jwts)/float64(b.N), "jwts/login")
}

func BenchmarkTokenEndpointMockoidc(b *testing.B) {
	f := startMockoidc(b)
	jwts := 0
	for b.Loop() {
		b.StopTimer()
		code, err := f.code()
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		tokens, err := f.exchange(code)
		if err != nil {
			b.Fatal(err)
		}
		jwts += countJWTs(tokens)
	}
	b.ReportMetric(float64(jwts)/float64(b.N), "jwts/login")
}
