package mockidp

import (
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"
)

// Tests for the places where github.com/oauth2-proxy/mockoidc (pseudo-version
// v0.0.0-20261103160011-e06ed0b7cb7f) goes wrong. The protocol tests cover
// the rest: TestRefreshRotatesAndRejectsReuse (expires_in in seconds, any
// token accepted as a refresh token, no rotation), TestTokenEndpointClient
// Authentication (client_secret_basic), TestPublicClientPKCE (public
// clients, a challenge without a method), TestAuthorizeErrorsRedirectOrShow
// Page (redirect_uri checks, errors by redirect), TestOfflineAccessOutlives
// Logout (offline_access).

// manyUsers returns n users named user00, user01, ...
func manyUsers(n int) []User {
	users := make([]User, n)
	for i := range users {
		name := fmt.Sprintf("user%02d", i)
		users[i] = User{Username: name, Email: name + "@example.com",
			Groups: []string{"group-" + name}}
	}
	return users
}

// loginByPick logs a fresh browser in as username through the login page
// and returns the token response. It returns errors instead of failing the
// test, so it can run outside the test goroutine.
func loginByPick(idp *Server, username string) (map[string]any, error) {
	f := newFlowClient(idp)
	code, err := f.code(username)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", username, err)
	}
	tokens, err := f.exchange(code)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", username, err)
	}
	return tokens, nil
}

func TestConcurrentLoginsKeepIdentities(t *testing.T) {
	const n = 64
	idp := startIDP(t, func(c *Config) { c.Users = manyUsers(n) })
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			name := fmt.Sprintf("user%02d", i)
			tokens, err := loginByPick(idp, name)
			if err != nil {
				errs <- err
				return
			}
			claims, err := idp.verifyToken(tokens["id_token"].(string), true)
			if err != nil {
				errs <- fmt.Errorf("%s: %w", name, err)
				return
			}
			groups, _ := claims["groups"].([]any)
			if claims["sub"] != name || len(groups) != 1 || groups[0] != "group-"+name {
				errs <- fmt.Errorf("%s got sub %v groups %v", name, claims["sub"], groups)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestServersHaveIndependentClocksAndState(t *testing.T) {
	a := startIDP(t, func(c *Config) { c.DefaultUser = "alice" })
	b := startIDP(t, func(c *Config) { c.DefaultUser = "bob" })
	if _, err := a.Advance(5 * time.Hour); err != nil {
		t.Fatal(err)
	}
	if d := time.Until(b.Now()); d > time.Minute {
		t.Errorf("advancing server a moved server b's clock by %v", d)
	}
	if err := a.QueueUser("bob"); err != nil {
		t.Fatal(err)
	}
	if sub := verifiedClaims(t, b, login(t, b)["id_token"])["sub"]; sub != "bob" {
		t.Errorf("server b logged in %v, want its default bob", sub)
	}
	if a.cookieName == b.cookieName {
		t.Errorf("both servers use cookie %s", a.cookieName)
	}
	// The same code is unknown to the other server.
	code := newBrowser(t, a).code(authParams())
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code},
		"redirect_uri": {appRedirect}}
	if _, body := postToken(t, b, form, "app", "app-secret"); body["error"] != "invalid_grant" {
		t.Errorf("server b redeemed server a's code: %v", body)
	}
}

func TestCloseBeforeStartAndTwice(t *testing.T) {
	var never Server
	if err := never.Close(); err != nil {
		t.Errorf("Close of a server never started: %v", err)
	}
	idp, err := Start(testConfig())
	if err != nil {
		t.Fatal(err)
	}
	if err := idp.Close(); err != nil {
		t.Errorf("first Close: %v", err)
	}
	if err := idp.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestCloseWaitsForRequestInFlight(t *testing.T) {
	idp, err := Start(testConfig())
	if err != nil {
		t.Fatal(err)
	}
	// A delayed request is in flight when Close starts; Close cuts the
	// delay short and still lets the handler respond.
	if err := idp.InjectFault(Fault{Endpoint: EndpointJWKS, Delay: time.Minute}); err != nil {
		t.Fatal(err)
	}
	done := make(chan int)
	go func() {
		resp, err := http.Get(idp.Issuer() + pathJWKS)
		if err != nil {
			done <- -1
			return
		}
		resp.Body.Close()
		done <- resp.StatusCode
	}()
	for len(idp.Requests()) == 0 && idp.inFlightFault() {
		time.Sleep(5 * time.Millisecond)
	}
	if err := idp.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if status := <-done; status == -1 {
		t.Errorf("request in flight failed at Close, want an answer")
	}
}

// inFlightFault reports whether a fault is still queued, for tests.
func (s *Server) inFlightFault() bool {
	s.st.mu.Lock()
	defer s.st.mu.Unlock()
	return len(s.st.faults) > 0
}

func TestUserinfoEmailVerifiedFalse(t *testing.T) {
	idp := startIDP(t, func(c *Config) { c.DefaultUser = "bob" })
	info := getUserinfo(t, idp, login(t, idp)["access_token"].(string))
	if v, ok := info["email_verified"]; !ok || v != false {
		t.Errorf("userinfo email_verified = %v (present %v), want false", v, ok)
	}
}

func TestExpiredStateIsFreed(t *testing.T) {
	const batch = 150
	idp := startIDP(t, func(c *Config) { c.DefaultUser = "alice" })
	for range batch {
		login(t, idp)
	}
	if _, sessions, _, _ := countsOf(idp); sessions != batch {
		t.Fatalf("sessions = %d after %d logins, want %d", sessions, batch, batch)
	}
	if _, err := idp.Advance(DefaultSessionTTL + time.Minute); err != nil {
		t.Fatal(err)
	}
	for range batch {
		login(t, idp)
	}
	codes, sessions, refresh, pending := countsOf(idp)
	if sessions > batch || refresh > batch || codes != 0 || pending != 0 {
		t.Errorf("after expiry and %d more logins: sessions %d refresh %d codes %d pending %d,"+
			" want at most %d sessions and refresh tokens, no codes", batch, sessions, refresh,
			codes, pending, batch)
	}
}

func countsOf(idp *Server) (codes, sessions, refresh, pending int) {
	pending, codes, sessions, refresh = idp.st.counts()
	return codes, sessions, refresh, pending
}
