package gateway

import (
	"net/http"
	"strings"
	"testing"

	"github.com/authconform/authconform/internal/gateway/gatewaytest"
)

func TestRestrictedDeniesOtherUsers(t *testing.T) {
	e := newEnv(t, Config{Level: Restricted, AllowedGroups: []string{"analysts"}})
	bob := e.login("bob")
	requests := []struct {
		method, path string
		header       http.Header
		contentType  string
	}{
		{"GET", "/", gatewaytest.PageHeader(), "text/html"},
		{"GET", "/", gatewaytest.PageHeader(), "text/html"},
		{"GET", "/reports", gatewaytest.PageHeader(), "text/html"},
		{"GET", "/_dash-layout", xhrHeader(), "application/json"},
		{"POST", "/_dash-update-component", xhrHeader(), "application/json"},
		{"GET", "/assets/style.css", nil, "application/json"},
	}
	for _, req := range requests {
		resp := bob.Do(req.method, e.base+req.path, req.header, `{}`)
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("bob %s %s: status = %d, want 403", req.method, req.path, resp.StatusCode)
		}
		if !strings.HasPrefix(resp.Header.Get("Content-Type"), req.contentType) {
			t.Errorf("bob %s %s: Content-Type = %q, want %s", req.method, req.path,
				resp.Header.Get("Content-Type"), req.contentType)
		}
		if !strings.Contains(strings.ToLower(resp.Body), "access denied") &&
			!strings.Contains(resp.Body, "access_denied") {
			t.Errorf("bob %s %s: body %q does not say access is denied", req.method, req.path,
				resp.Body)
		}
	}
	if e.app.count() != 0 {
		t.Errorf("the app received %d requests, want 0", e.app.count())
	}
}

func TestRestrictedAdmitsAllowedUsersAndGroups(t *testing.T) {
	e := newEnv(t, Config{Level: Restricted, AllowedUsers: []string{"bob"},
		AllowedGroups: []string{"analysts"}})
	for _, name := range []string{"alice", "bob"} {
		b := e.login(name)
		resp := b.Do("GET", e.base+"/", gatewaytest.PageHeader(), "")
		if got := userDataOf(t, echoOf(t, resp))["username"]; got != name {
			t.Errorf("%s: the app sees username %v", name, got)
		}
	}
}

func TestAuthenticatedAdmitsEveryUser(t *testing.T) {
	e := newEnv(t, Config{Level: Authenticated})
	for _, name := range []string{"alice", "bob"} {
		b := e.login(name)
		resp := b.Do("POST", e.base+"/_dash-update-component", xhrHeader(), "{}")
		data := userDataOf(t, echoOf(t, resp))
		if data["username"] != name {
			t.Errorf("%s: the app sees username %v", name, data["username"])
		}
	}
	bob := e.login("bob")
	resp := bob.Do("GET", e.base+"/", gatewaytest.PageHeader(), "")
	if groups := userDataOf(t, echoOf(t, resp))["groups"]; !equalJSON(groups, []any{}) {
		t.Errorf("bob's groups = %#v, want an empty list", groups)
	}
}

func TestUnauthenticatedServesEveryone(t *testing.T) {
	e := newEnv(t, Config{Level: Unauthenticated})
	b := gatewaytest.NewBrowser(t)
	for _, path := range []string{"/", "/_dash-layout", "/assets/style.css"} {
		resp := b.Do("GET", e.base+path, gatewaytest.PageHeader(), "")
		echo := echoOf(t, resp)
		if echo.UserData != "" {
			t.Errorf("GET %s: the app received user data %q, want none", path, echo.UserData)
		}
	}
	resp := b.Do("GET", e.base+"/", http.Header{UserDataHeader: {`{"username":"alice"}`},
		"X-Forwarded-User": {"alice"}}, "")
	if echo := echoOf(t, resp); echo.UserData != "" || len(echo.Identity) != 0 {
		t.Errorf("spoofed request: the app received user data %q and headers %v, want none",
			echo.UserData, echo.Identity)
	}
	if resp := b.Do("GET", e.base+LoginPath, nil, ""); resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET %s: status = %d, want 404", LoginPath, resp.StatusCode)
	}
	if resp := b.Do("GET", e.base+LogoutPath, nil, ""); resp.StatusCode != http.StatusFound ||
		resp.Header.Get("Location") != "/" {
		t.Errorf("GET %s: status %d Location %q, want 302 to /", LogoutPath, resp.StatusCode,
			resp.Header.Get("Location"))
	}
}

// spoofHeaders returns every identity header in three letter cases and with
// underscores, each claiming alice in the group "admins".
func spoofHeaders() http.Header {
	h := http.Header{}
	for _, name := range IdentityHeaders {
		value := "alice"
		switch {
		case name == UserDataHeader:
			value = `{"username":"alice","email":"alice@example.com","groups":["admins"]}`
		case strings.HasSuffix(name, "Groups"):
			value = "admins"
		}
		for _, spelling := range []string{name, strings.ToLower(name), strings.ToUpper(name),
			strings.ReplaceAll(name, "-", "_")} {
			// Set the raw key: a canonical key would merge the spellings.
			h[spelling] = append(h[spelling], value)
		}
	}
	return h
}

func TestSpoofedIdentityHeadersIgnored(t *testing.T) {
	e := newEnv(t, Config{Level: Authenticated})
	bob := e.login("bob")
	resp := bob.Do("GET", e.base+"/", spoofHeaders(), "")
	echo := echoOf(t, resp)
	data := userDataOf(t, echo)
	if data["username"] != "bob" || !equalJSON(data["groups"], []any{}) {
		t.Errorf("with spoofed headers the app sees %v, want bob without groups", data)
	}
	for name := range echo.Identity {
		if name != UserDataHeader {
			t.Errorf("the app received the client's identity header %s", name)
		}
	}
	if vals := echo.Identity[UserDataHeader]; len(vals) != 1 {
		t.Errorf("the app received %d %s values, want the gateway's one", len(vals),
			UserDataHeader)
	}

	anonymous := gatewaytest.NewBrowser(t)
	resp = anonymous.Do("GET", e.base+"/", spoofHeaders(), "")
	if resp.StatusCode != http.StatusUnauthorized && resp.StatusCode != http.StatusFound {
		t.Errorf("anonymous request with spoofed headers: status = %d, want 401 or 302",
			resp.StatusCode)
	}
}

func TestSessionExpires(t *testing.T) {
	clock := testClock()
	e := newEnv(t, Config{Level: Authenticated, SessionLifetime: time3h, Now: clock.now})
	b := e.login("alice")
	if resp := b.Do("GET", e.base+"/", xhrHeader(), ""); resp.StatusCode != http.StatusOK {
		t.Fatalf("fresh session: status = %d, want 200", resp.StatusCode)
	}
	clock.advance(time3h)
	if resp := b.Do("GET", e.base+"/", xhrHeader(), ""); resp.StatusCode != 401 {
		t.Errorf("expired session: status = %d, want 401", resp.StatusCode)
	}
}
