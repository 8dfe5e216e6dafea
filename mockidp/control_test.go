package mockidp

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
)

// control sends a control API request and decodes the JSON response into out.
func control(t *testing.T, idp *Server, method, path, body, token string, out any) int {
	t.Helper()
	req, err := http.NewRequest(method, idp.URL()+ControlPrefix+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	if out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatalf("%s %s: decoding response: %v", method, path, err)
		}
	}
	return resp.StatusCode
}

func TestControlAPIUsersAndQueue(t *testing.T) {
	idp := startIDP(t, nil)
	if got := control(t, idp, "POST", "users",
		`{"username":"dave","groups":["ops"],"claims":{"team":"sre"}}`, "", nil); got != 204 {
		t.Fatalf("add user: status %d, want 204", got)
	}
	if got := control(t, idp, "POST", "users/queue", `{"username":"dave"}`, "", nil); got != 204 {
		t.Fatalf("queue user: status %d, want 204", got)
	}
	if got := control(t, idp, "PUT", "users/default", `{"username":"bob"}`, "", nil); got != 204 {
		t.Fatalf("default user: status %d, want 204", got)
	}
	var listing struct {
		Users       []User   `json:"users"`
		DefaultUser string   `json:"default_user"`
		Queue       []string `json:"queue"`
	}
	control(t, idp, "GET", "users", "", "", &listing)
	if len(listing.Users) != 3 || listing.DefaultUser != "bob" || len(listing.Queue) != 1 {
		t.Errorf("users listing = %+v, want 3 users, default bob, queue [dave]", listing)
	}
	for _, u := range listing.Users {
		if u.Password != "" {
			t.Errorf("users listing shows the password of %s", u.Username)
		}
	}
	for i, want := range []string{"dave", "bob"} {
		id := verifiedClaims(t, idp, login(t, idp)["id_token"])
		if id["sub"] != want {
			t.Errorf("login %d sub = %v, want %s", i, id["sub"], want)
		}
		if want == "dave" && id["team"] != "sre" {
			t.Errorf("dave's team claim = %v, want sre", id["team"])
		}
	}
	var errBody map[string]string
	if got := control(t, idp, "POST", "users/queue", `{"username":"zed"}`, "", &errBody); got != 400 {
		t.Errorf("queue unknown user: status %d, want 400", got)
	}
	if !strings.Contains(errBody["error"], `"zed"`) {
		t.Errorf("error %q does not name the user", errBody["error"])
	}
	if got := control(t, idp, "POST", "users", `{"username":"x","claims":{"iss":"y"}}`, "",
		nil); got != 400 {
		t.Errorf("user with reserved claim: status %d, want 400", got)
	}
}

func TestControlAPIClockRequestsReset(t *testing.T) {
	idp := startIDP(t, func(c *Config) { c.DefaultUser = "alice" })
	before := idp.Now()
	var clock struct{ Now time.Time }
	if got := control(t, idp, "POST", "clock/advance", `{"duration":"2h"}`, "", &clock); got != 200 {
		t.Fatalf("advance: status %d, want 200", got)
	}
	if d := clock.Now.Sub(before); d < 2*time.Hour || d > 2*time.Hour+time.Minute {
		t.Errorf("clock moved by %v, want 2h", d)
	}
	if got := control(t, idp, "POST", "clock/advance", `{"duration":"-1h"}`, "", nil); got != 400 {
		t.Errorf("negative advance: status %d, want 400", got)
	}

	login(t, idp)
	var log struct{ Requests []RequestRecord }
	control(t, idp, "GET", "requests", "", "", &log)
	if len(log.Requests) != 2 {
		t.Fatalf("request log has %d entries, want 2 (authorize, token)", len(log.Requests))
	}
	tokenReq := log.Requests[1]
	if tokenReq.Endpoint != EndpointToken || tokenReq.ClientID != "app" || tokenReq.Auth != "Basic" {
		t.Errorf("token record = %+v, want token endpoint, client app, Basic", tokenReq)
	}
	if got := tokenReq.Params["code"]; len(got) != 1 || got[0] != Redacted {
		t.Errorf("code param = %v, want redacted", got)
	}
	if tokenReq.Status != 200 {
		t.Errorf("token record status = %d, want 200", tokenReq.Status)
	}

	if got := control(t, idp, "POST", "reset", "", "", nil); got != 204 {
		t.Fatalf("reset: status %d, want 204", got)
	}
	if n := len(idp.Requests()); n != 0 {
		t.Errorf("request log has %d entries after reset, want 0", n)
	}
	if d := idp.Now().Sub(before); d > time.Minute {
		t.Errorf("clock still advanced by %v after reset", d)
	}
}

func TestControlAPIToken(t *testing.T) {
	idp := startIDP(t, func(c *Config) { c.ControlToken = "s3cret" })
	if got := control(t, idp, "GET", "clock", "", "", nil); got != 401 {
		t.Errorf("no token: status %d, want 401", got)
	}
	if got := control(t, idp, "GET", "clock", "", "wrong", nil); got != 401 {
		t.Errorf("wrong token: status %d, want 401", got)
	}
	if got := control(t, idp, "GET", "clock", "", "s3cret", nil); got != 200 {
		t.Errorf("right token: status %d, want 200", got)
	}
}

func TestControlAPIDisabled(t *testing.T) {
	idp := startIDP(t, func(c *Config) { c.ControlDisabled = true })
	if got := control(t, idp, "GET", "clock", "", "", nil); got != 404 {
		t.Errorf("disabled control API: status %d, want 404", got)
	}
}

func TestFaultOAuthErrors(t *testing.T) {
	idp := startIDP(t, func(c *Config) { c.DefaultUser = "alice" })
	b := newBrowser(t, idp)

	body := `{"endpoint":"authorize","error":"access_denied","error_description":"no"}`
	if got := control(t, idp, "POST", "faults", body, "", nil); got != 204 {
		t.Fatalf("inject: status %d, want 204", got)
	}
	q := redirectQuery(t, b.authorize(authParams()))
	if q.Get("error") != "access_denied" || q.Get("state") != "st-123" {
		t.Errorf("authorize fault redirect = %v, want access_denied with state", q)
	}

	if err := idp.InjectFault(Fault{Endpoint: EndpointToken, Error: "server_error",
		Status: 503}); err != nil {
		t.Fatal(err)
	}
	form := url.Values{"grant_type": {"authorization_code"}, "code": {b.code(authParams())},
		"redirect_uri": {appRedirect}}
	resp, got := postToken(t, idp, form, "app", "app-secret")
	if resp.StatusCode != 503 || got["error"] != "server_error" {
		t.Errorf("token fault: status %d body %v, want 503 server_error", resp.StatusCode, got)
	}
	// The fault applied once: the next login works.
	login(t, idp)

	for _, bad := range []string{
		`{"endpoint":"nowhere","error":"x"}`, `{"endpoint":"token"}`,
		`{"endpoint":"userinfo","id_token":"expired"}`, `{"endpoint":"token","delay":"soon"}`,
		`{"endpoint":"token","id_token":"rot13"}`, `{"endpoint":"token","eror":"typo"}`,
	} {
		if got := control(t, idp, "POST", "faults", bad, "", nil); got != 400 {
			t.Errorf("fault %s: status %d, want 400", bad, got)
		}
	}
}

func TestFaultDelay(t *testing.T) {
	idp := startIDP(t, nil)
	if err := idp.InjectFault(Fault{Endpoint: EndpointDiscovery, Delay: 300 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	resp := mustGet(t, http.DefaultClient, idp.DiscoveryURL())
	resp.Body.Close()
	// The delay is a lower bound, which a slow machine cannot break.
	if elapsed := time.Since(start); elapsed < 300*time.Millisecond {
		t.Errorf("delayed discovery answered after %v, want at least 300ms", elapsed)
	}
	if resp.StatusCode != 200 {
		t.Errorf("delayed discovery status %d, want 200", resp.StatusCode)
	}
}

func TestFaultPoisonedIDTokensFailVerification(t *testing.T) {
	idp := startIDP(t, func(c *Config) { c.DefaultUser = "alice" })
	ctx := context.Background()
	provider, err := oidc.NewProvider(ctx, idp.Issuer())
	if err != nil {
		t.Fatal(err)
	}
	verifier := provider.VerifierContext(ctx, &oidc.Config{ClientID: "app", Now: idp.Now})
	// An unpoisoned token verifies, so the failures below come from the faults.
	if _, err := verifier.Verify(ctx, login(t, idp)["id_token"].(string)); err != nil {
		t.Fatalf("clean ID token fails verification: %v", err)
	}
	for _, fault := range tokenFaults {
		t.Run(string(fault), func(t *testing.T) {
			if err := idp.InjectFault(Fault{Endpoint: EndpointToken, IDToken: fault}); err != nil {
				t.Fatal(err)
			}
			raw := login(t, idp)["id_token"].(string)
			token, err := verifier.Verify(ctx, raw)
			if fault == TokenWrongNonce {
				if err != nil {
					t.Fatalf("wrong-nonce token should verify apart from its nonce: %v", err)
				}
				if token.Nonce == "n-456" {
					t.Errorf("nonce = %q, want a different one", token.Nonce)
				}
				return
			}
			if err == nil {
				t.Errorf("poisoned ID token (%s) verified", fault)
			}
		})
	}
}

func TestFaultStateMissingOrWrong(t *testing.T) {
	idp := startIDP(t, func(c *Config) { c.DefaultUser = "alice" })
	b := newBrowser(t, idp)
	for _, tc := range []struct {
		fault StateFault
		check func(url.Values) bool
	}{
		{StateMissing, func(q url.Values) bool { return !q.Has("state") }},
		{StateWrong, func(q url.Values) bool { return q.Has("state") && q.Get("state") != "st-123" }},
	} {
		body := `{"endpoint":"authorize","state":"` + string(tc.fault) + `"}`
		if got := control(t, idp, "POST", "faults", body, "", nil); got != 204 {
			t.Fatalf("inject %s: status %d, want 204", tc.fault, got)
		}
		q := redirectQuery(t, b.authorize(authParams()))
		if q.Get("code") == "" || !tc.check(q) {
			t.Errorf("state fault %s: redirect query %v", tc.fault, q)
		}
	}
	if got := control(t, idp, "POST", "faults", `{"endpoint":"token","state":"missing"}`, "",
		nil); got != 400 {
		t.Errorf("state fault on token endpoint: status %d, want 400", got)
	}
}
