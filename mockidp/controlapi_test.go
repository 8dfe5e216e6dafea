package mockidp

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// logBuffer collects the text log of a server; it is safe for concurrent use.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// startLoggedIDP starts a server that logs at debug level into the returned
// buffer.
func startLoggedIDP(t *testing.T, edit func(*Config)) (*Server, *logBuffer) {
	t.Helper()
	var logs logBuffer
	idp := startIDP(t, func(c *Config) {
		c.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
		if edit != nil {
			edit(c)
		}
	})
	return idp, &logs
}

// rawControl sends a control request and returns the status, the headers
// and the body.
func rawControl(t *testing.T, idp *Server, method, path, body string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(method, idp.URL()+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, string(data)
}

func TestAdvanceRejectsOverflow(t *testing.T) {
	idp := startIDP(t, nil)
	if _, err := idp.Advance(2562047 * time.Hour); err != nil {
		t.Fatalf("first advance: %v", err)
	}
	before := idp.Now()
	if _, err := idp.Advance(2562047 * time.Hour); err == nil {
		t.Fatal("second advance of 2562047h succeeded, want an overflow error")
	}
	if got := idp.Now(); got.Before(before) {
		t.Errorf("clock went back from %v to %v", before, got)
	}
	// What remains below the limit is still allowed.
	rest := MaxClockAdvance - 2562047*time.Hour
	if _, err := idp.Advance(rest); err != nil {
		t.Errorf("advance by the remaining %v: %v", rest, err)
	}
	if _, err := idp.Advance(time.Nanosecond); err == nil {
		t.Error("advance past MaxClockAdvance by 1ns succeeded")
	}
}

func TestAdvanceOverflowOverHTTP(t *testing.T) {
	idp := startIDP(t, nil)
	body := `{"duration":"2562047h"}`
	if got := control(t, idp, "POST", "clock/advance", body, "", nil); got != 200 {
		t.Fatalf("first advance: status %d, want 200", got)
	}
	before := idp.Now()
	var errBody map[string]string
	if got := control(t, idp, "POST", "clock/advance", body, "", &errBody); got != 400 {
		t.Errorf("second advance: status %d, want 400", got)
	}
	for _, want := range []string{"2562047h0m0s", MaxClockAdvance.String()} {
		if !strings.Contains(errBody["error"], want) {
			t.Errorf("error %q does not name %s", errBody["error"], want)
		}
	}
	if got := idp.Now(); got.Before(before) {
		t.Errorf("clock went back from %v to %v", before, got)
	}
}

func TestControlRejectsTrailingJSON(t *testing.T) {
	idp := startIDP(t, nil)
	for _, body := range []string{
		`{"username":"dave"}{"username":"eve"}`,
		`{"username":"dave"} x`,
		`{"username":"dave"}]`,
	} {
		var errBody map[string]string
		if got := control(t, idp, "POST", "users", body, "", &errBody); got != 400 {
			t.Errorf("body %s: status %d, want 400", body, got)
		}
		if !strings.Contains(errBody["error"], "after the JSON object") {
			t.Errorf("body %s: error %q does not name the trailing data", body, errBody["error"])
		}
	}
	for _, u := range idp.Users() {
		if u.Username == "dave" || u.Username == "eve" {
			t.Errorf("user %s was added from a body with trailing data", u.Username)
		}
	}
	// Trailing white space is fine.
	if got := control(t, idp, "POST", "users", "{\"username\":\"dave\"}\n  \n", "", nil); got != 204 {
		t.Errorf("body with trailing newline: status %d, want 204", got)
	}
}

func TestControlRejectsBadUsernames(t *testing.T) {
	idp := startIDP(t, nil)
	for _, body := range []string{
		`{"username":"dav\u0000e"}`, `{"username":"dave\n"}`, `{"username":"\u001b[31mdave"}`,
		`{"username":"da\u0085ve"}`,
	} {
		var errBody map[string]string
		if got := control(t, idp, "POST", "users", body, "", &errBody); got != 400 {
			t.Errorf("body %s: status %d, want 400", body, got)
		}
		if !strings.Contains(errBody["error"], "control character") {
			t.Errorf("body %s: error %q does not say why", body, errBody["error"])
		}
	}
	if n := len(idp.Users()); n != 2 {
		t.Errorf("server has %d users, want the 2 configured", n)
	}
}

func TestControlRejectsDuplicateSubject(t *testing.T) {
	idp := startIDP(t, nil)
	for _, body := range []string{
		`{"username":"mallory","subject":"alice"}`, // alice's sub defaults to her username
		`{"username":"bob","subject":"alice"}`,     // replacing bob must not take alice's sub
	} {
		var errBody map[string]string
		if got := control(t, idp, "POST", "users", body, "", &errBody); got != 400 {
			t.Errorf("body %s: status %d, want 400", body, got)
		}
		if !strings.Contains(errBody["error"], `"alice"`) {
			t.Errorf("body %s: error %q does not name the subject", body, errBody["error"])
		}
	}
	// Replacing a user with its own subject is fine.
	if got := control(t, idp, "POST", "users", `{"username":"bob","subject":"bob"}`, "",
		nil); got != 204 {
		t.Errorf("replace bob with his own subject: status %d, want 204", got)
	}
	// A user whose username is another user's subject is rejected too.
	if err := idp.AddUser(User{Username: "carol", Subject: "c-1"}); err != nil {
		t.Fatal(err)
	}
	if err := idp.AddUser(User{Username: "c-1"}); err == nil {
		t.Error("AddUser(c-1) succeeded although carol's subject is c-1")
	}
}

func TestControlJSONErrorsInPlainWords(t *testing.T) {
	idp := startIDP(t, nil)
	for _, tc := range []struct {
		path, body, want string
	}{
		{"clock/advance", `{"duration":90}`, `duration must be a string such as "90m", not a number`},
		{"clock/advance", `{}`, `duration is missing`},
		{"clock/advance", `{"duration":"soon"}`, `"soon" is not a duration`},
		{"faults", `{"endpoint":"token","status":"503"}`, "status must be a number such as 503"},
		{"users", `{"username":"x","groups":[1]}`, "groups must be an array of strings"},
		{"users", `{"username":"x","url":"y"}`, `unknown key "url": use one of claims, email`},
		{"users", `["x"]`, "request body must be a JSON object, not an array"},
		{"users", ``, "request body is empty"},
		{"users", `{"username":`, "request body ends inside the JSON object"},
		{"users", `{"username" "x"}`, "request body is not valid JSON at byte"},
	} {
		var errBody map[string]string
		if got := control(t, idp, "POST", tc.path, tc.body, "", &errBody); got != 400 {
			t.Errorf("%s %s: status %d, want 400", tc.path, tc.body, got)
		}
		if !strings.Contains(errBody["error"], tc.want) {
			t.Errorf("%s %s: error %q, want it to contain %q", tc.path, tc.body,
				errBody["error"], tc.want)
		}
		for _, jargon := range []string{"Go struct", "Go value", "json:", "unmarshal"} {
			if strings.Contains(errBody["error"], jargon) {
				t.Errorf("%s %s: error %q contains %q", tc.path, tc.body, errBody["error"], jargon)
			}
		}
	}
}

func TestControlUnknownPathAndMethodAnswerJSON(t *testing.T) {
	idp := startIDP(t, nil)
	for _, tc := range []struct {
		method, path string
		status       int
		allow        string
	}{
		{"GET", ControlPrefix + "nowhere", 404, ""},
		{"GET", ControlPrefix + "users/", 404, ""},
		{"DELETE", ControlPrefix + "users", 405, "GET, POST"},
		{"GET", ControlPrefix + "reset", 405, "POST"},
		{"POST", ControlPrefix, 405, "GET"},
	} {
		status, header, body := rawControl(t, idp, tc.method, tc.path, "")
		if status != tc.status {
			t.Errorf("%s %s: status %d, want %d", tc.method, tc.path, status, tc.status)
		}
		if ct := header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("%s %s: Content-Type %q, want application/json", tc.method, tc.path, ct)
		}
		if !strings.HasPrefix(body, `{"error":`) {
			t.Errorf("%s %s: body %q is not a JSON error", tc.method, tc.path, body)
		}
		if got := header.Get("Allow"); got != tc.allow {
			t.Errorf("%s %s: Allow %q, want %q", tc.method, tc.path, got, tc.allow)
		}
	}
}

func TestControlIndexListsEndpoints(t *testing.T) {
	idp := startIDP(t, nil)
	var index struct {
		Issuer    string
		Discovery string
		Endpoints []struct{ Method, Path, Description string }
	}
	if got := control(t, idp, "GET", "", "", "", &index); got != 200 {
		t.Fatalf("GET %s: status %d, want 200", ControlPrefix, got)
	}
	if index.Issuer != idp.Issuer() || index.Discovery != idp.DiscoveryURL() {
		t.Errorf("index issuer %q discovery %q, want %q and %q", index.Issuer, index.Discovery,
			idp.Issuer(), idp.DiscoveryURL())
	}
	listed := map[string]bool{}
	for _, ep := range index.Endpoints {
		listed[ep.Method+" "+ep.Path] = true
		if ep.Description == "" {
			t.Errorf("%s %s has no description", ep.Method, ep.Path)
		}
	}
	for _, want := range []string{"GET /_mockidp/users", "POST /_mockidp/users",
		"POST /_mockidp/users/queue", "PUT /_mockidp/users/default", "GET /_mockidp/faults",
		"POST /_mockidp/faults", "GET /_mockidp/requests", "GET /_mockidp/clock",
		"POST /_mockidp/clock/advance", "POST /_mockidp/reset"} {
		if !listed[want] {
			t.Errorf("index lacks %s", want)
		}
	}
}

func TestControlListsPendingFaultsInOrder(t *testing.T) {
	idp := startIDP(t, func(c *Config) { c.DefaultUser = "alice" })
	for _, body := range []string{
		`{"endpoint":"token","error":"server_error","status":503}`,
		`{"endpoint":"authorize","state":"wrong"}`,
		`{"endpoint":"token","id_token":"expired","delay":"1ms"}`,
	} {
		if got := control(t, idp, "POST", "faults", body, "", nil); got != 204 {
			t.Fatalf("inject %s: status %d, want 204", body, got)
		}
	}
	var listing struct{ Faults []map[string]any }
	if got := control(t, idp, "GET", "faults", "", "", &listing); got != 200 {
		t.Fatalf("GET faults: status %d, want 200", got)
	}
	if len(listing.Faults) != 3 {
		t.Fatalf("listed %d faults, want 3: %v", len(listing.Faults), listing.Faults)
	}
	// authorize comes before token; token faults are in injection order.
	if listing.Faults[0]["endpoint"] != "authorize" || listing.Faults[0]["state"] != "wrong" {
		t.Errorf("fault 0 = %v, want the authorize state fault", listing.Faults[0])
	}
	if listing.Faults[1]["error"] != "server_error" || listing.Faults[1]["status"] != float64(503) {
		t.Errorf("fault 1 = %v, want the 503 server_error", listing.Faults[1])
	}
	if listing.Faults[2]["id_token"] != "expired" || listing.Faults[2]["delay"] != "1ms" {
		t.Errorf("fault 2 = %v, want the expired ID token after 1ms", listing.Faults[2])
	}

	// An applied fault leaves the list.
	q := redirectQuery(t, newBrowser(t, idp).authorize(authParams()))
	if q.Get("state") == "st-123" {
		t.Errorf("authorize state fault did not apply: %v", q)
	}
	if faults := idp.Faults(); len(faults) != 2 || faults[0].Error != "server_error" {
		t.Errorf("Faults() after one authorize request = %+v, want the two token faults", faults)
	}
	idp.Reset()
	if n := len(idp.Faults()); n != 0 {
		t.Errorf("Faults() after Reset has %d entries, want 0", n)
	}
}

func TestControlLogsUnauthorizedAndRejected(t *testing.T) {
	idp, logs := startLoggedIDP(t, func(c *Config) { c.ControlToken = "s3cret-token" })
	for _, token := range []string{"", "wrong-token"} {
		if got := control(t, idp, "GET", "clock", "", token, nil); got != 401 {
			t.Errorf("token %q: status %d, want 401", token, got)
		}
	}
	out := logs.String()
	if n := strings.Count(out, "mockidp control request unauthorized"); n != 2 {
		t.Errorf("logged %d unauthorized control requests, want 2:\n%s", n, out)
	}
	for _, want := range []string{"requires a bearer token", "bearer token is wrong",
		"path=/_mockidp/clock"} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
	if control(t, idp, "POST", "clock/advance", `{"duration":90}`, "s3cret-token", nil) != 400 {
		t.Error("numeric duration was not rejected")
	}
	if control(t, idp, "POST", "clock/advance", `{"duration":"-1h"}`, "s3cret-token", nil) != 400 {
		t.Error("negative duration was not rejected")
	}
	out = logs.String()
	for _, want := range []string{"duration must be a string", "clock advance -1h0m0s is negative"} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks the error %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "s3cret-token") || strings.Contains(out, "wrong-token") {
		t.Errorf("log contains a bearer token:\n%s", out)
	}
}

func TestFaultsApplyFirstInFirstOut(t *testing.T) {
	idp := startIDP(t, nil)
	for _, status := range []int{501, 502, 503} {
		if err := idp.InjectFault(Fault{Endpoint: EndpointJWKS, Error: "server_error",
			Status: status}); err != nil {
			t.Fatal(err)
		}
	}
	for _, want := range []int{501, 502, 503, 200} {
		resp := mustGet(t, http.DefaultClient, idp.Issuer()+pathJWKS)
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("JWKS status %d, want %d", resp.StatusCode, want)
		}
	}
}
