package ssotarget

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/authconform/authconform/internal/gateway/gatewaytest"
)

func TestHandlerRejectsOptions(t *testing.T) {
	tests := []struct {
		name string
		opts Options
		want string
	}{
		{"unknown mutant", Options{Level: Authenticated, Mutant: "nope"},
			`unknown mutant "nope"; valid names: trust-user-data-header`},
		{"missing level", Options{}, "missing access level"},
		{"unknown level", Options{Level: "open"}, `"open"`},
		{"missing issuer", Options{Level: Authenticated, ClientID: "x"}, "missing Issuer"},
		{"restricted without allowed", Options{Level: Restricted, Issuer: "http://127.0.0.1:9",
			ClientID: "x"}, "AllowedUsers or AllowedGroups"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Handler(tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Handler error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestReferenceGreetsLoggedInUser(t *testing.T) {
	for _, level := range []string{Restricted, Authenticated} {
		t.Run(level, func(t *testing.T) {
			tg := serve(t, Options{Level: level})
			alice := tg.login("alice")
			if _, out := tg.callback(alice, "title", nil); out != "Hello alice" {
				t.Errorf("greeting = %v, want Hello alice", out)
			}
			want := `{"department":"finance","email":"alice@example.com","groups":["analysts"],` +
				`"username":"alice"}`
			if got := tg.userData(alice, nil); got != want {
				t.Errorf("user data = %s, want %s", got, want)
			}
			if status, out := tg.callback(alice, "report", nil); status != 200 ||
				out != "Quarterly report for alice" {
				t.Errorf("report: status %d output %v, want alice's report", status, out)
			}
		})
	}
}

func TestReferenceLevelsTreatBobDifferently(t *testing.T) {
	restricted := serve(t, Options{Level: Restricted})
	bob := restricted.login("bob")
	if status, _ := restricted.callback(bob, "title", nil); status != http.StatusForbidden {
		t.Errorf("restricted: bob's greeting status = %d, want 403", status)
	}
	if resp := bob.Do("GET", restricted.base+"/", gatewaytest.PageHeader(), ""); resp.StatusCode !=
		http.StatusForbidden || strings.Contains(resp.Body, "react-entry-point") {
		t.Errorf("restricted: bob's page status %d, want 403 without the app", resp.StatusCode)
	}

	authenticated := serve(t, Options{Level: Authenticated})
	bob = authenticated.login("bob")
	if got, want := authenticated.userData(bob, nil),
		`{"email":"bob@example.com","groups":[],"username":"bob"}`; got != want {
		t.Errorf("authenticated: bob's user data = %s, want %s", got, want)
	}
	if status, _ := authenticated.callback(bob, "report", nil); status != http.StatusNoContent {
		t.Errorf("authenticated: bob's report status = %d, want 204", status)
	}
}

func TestReferenceUnauthenticatedGreetsGuest(t *testing.T) {
	tg := serve(t, Options{Level: Unauthenticated})
	b := gatewaytest.NewBrowser(t)
	resp := b.Do("GET", tg.base+"/", gatewaytest.PageHeader(), "")
	if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Body, "react-entry-point") {
		t.Errorf("anonymous GET /: status %d, want the index page", resp.StatusCode)
	}
	if _, out := tg.callback(b, "title", nil); out != "Welcome, guest" {
		t.Errorf("greeting = %v, want Welcome, guest", out)
	}
	spoof := http.Header{"Plotly-User-Data": {`{"username":"alice"}`}}
	if got := tg.userData(b, spoof); got != "{}" {
		t.Errorf("user data with a spoofed header = %s, want {}", got)
	}
}

func TestReferenceLayoutHasLogoutLink(t *testing.T) {
	tg := serve(t, Options{Level: Authenticated})
	alice := tg.login("alice")
	resp := alice.Do("GET", tg.base+"/_dash-layout", xhrHeader(), "")
	var layout struct {
		Props struct {
			Children []struct {
				Type  string         `json:"type"`
				Props map[string]any `json:"props"`
			} `json:"children"`
		} `json:"props"`
	}
	if err := json.Unmarshal([]byte(resp.Body), &layout); err != nil {
		t.Fatalf("layout %q: %v", resp.Body, err)
	}
	var ids []string
	var logout map[string]any
	for _, c := range layout.Props.Children {
		id, _ := c.Props["id"].(string)
		ids = append(ids, id)
		if c.Type == "A" && id == "logout" {
			logout = c.Props
		}
	}
	if logout == nil || logout["href"] != LogoutPath || logout["className"] != "dash-logout-btn" {
		t.Errorf("layout logout link = %v, want an A with href %s and class dash-logout-btn",
			logout, LogoutPath)
	}
	if !strings.Contains(strings.Join(ids, " "), "user-data") {
		t.Errorf("layout ids %v lack user-data", ids)
	}
}

func TestReferenceLogoutThroughLayoutLink(t *testing.T) {
	tg := serve(t, Options{Level: Authenticated})
	alice := tg.login("alice")
	_, visited := alice.Navigate(tg.base + LogoutPath)
	if !strings.HasPrefix(visited[1], tg.idp.Issuer()) {
		t.Errorf("logout visits %v, want the IdP's end-session endpoint second", visited)
	}
	if tg.loggedIn(alice) {
		t.Error("after logout the browser still reaches the app")
	}
}

func TestMutantsAreWellFormed(t *testing.T) {
	seen := map[string]bool{}
	for _, m := range Mutants() {
		if seen[m.Name] {
			t.Errorf("mutant %q is listed twice", m.Name)
		}
		seen[m.Name] = true
		if m.Description == "" || len(m.Breaks) == 0 {
			t.Errorf("mutant %q lacks a description or the requirements it breaks", m.Name)
		}
		for _, id := range m.Breaks {
			if !strings.HasPrefix(id, "EN-") {
				t.Errorf("mutant %q breaks %q, want an EN requirement id", m.Name, id)
			}
		}
		if m.Level != Restricted && m.Level != Authenticated && m.Level != Unauthenticated {
			t.Errorf("mutant %q has level %q", m.Name, m.Level)
		}
	}
	if got := strings.Join(MutantNames(), ","); got == "" || len(MutantNames()) != len(seen) {
		t.Errorf("MutantNames() = %s, want the %d mutant names", got, len(seen))
	}
}
