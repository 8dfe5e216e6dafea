package refapp

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

func TestParseUserData(t *testing.T) {
	id, ok := ParseUserData([]byte(`{"username":"alice","email":"alice@example.com",` +
		`"groups":["analysts"],"department":"finance","level":3}`))
	if !ok {
		t.Fatal("valid user data: no identity")
	}
	if id.Username != "alice" || id.Email != "alice@example.com" ||
		!slices.Equal(id.Groups, []string{"analysts"}) {
		t.Errorf("identity = %+v, want alice with her email and group", id)
	}
	if len(id.Claims) != 2 || id.Claims["department"] != "finance" || id.Claims["level"] != 3.0 {
		t.Errorf("claims = %v, want department and level", id.Claims)
	}

	minimal, ok := ParseUserData([]byte(` {"username":"bob","email":null,"groups":null} `))
	if !ok || minimal.Username != "bob" || minimal.Groups != nil || minimal.Claims != nil {
		t.Errorf("minimal user data: identity %+v, ok %v, want bob only", minimal, ok)
	}

	for _, invalid := range []string{
		``, `null`, `[]`, `"alice"`, `{`, `{}`, `{"username":""}`, `{"username":7}`,
		`{"username":"alice","email":1}`, `{"username":"alice","groups":"analysts"}`,
		`{"username":"alice","groups":[1]}`, `{"username":"alice"} trailing`,
	} {
		if id, ok := ParseUserData([]byte(invalid)); ok {
			t.Errorf("ParseUserData(%q) = %+v, true; want no identity", invalid, id)
		}
	}
}

func TestIdentityUserData(t *testing.T) {
	got, _ := json.Marshal(Identity{Username: "bob"}.UserData())
	if string(got) != `{"email":"","groups":[],"username":"bob"}` {
		t.Errorf("bob's user data = %s", got)
	}
	got, _ = json.Marshal(Identity{}.UserData())
	if string(got) != `{}` {
		t.Errorf("anonymous user data = %s, want {}", got)
	}
	claims := map[string]any{"username": "mallory", "team": "a"}
	id := Identity{Username: "alice", Groups: []string{"g"}, Claims: claims}
	data := id.UserData()
	if data["username"] != "alice" || data["team"] != "a" {
		t.Errorf("user data = %v, want alice's username over the claim", data)
	}
	data["team"] = "b"
	if claims["team"] != "a" {
		t.Error("UserData returned the identity's own claims map")
	}
}

// newSSOApp serves an App in SSO mode.
func newSSOApp(t *testing.T) *httptest.Server {
	t.Helper()
	app, err := New(Options{Identify: IdentityFromUserData, Callbacks: SSOCallbacks(),
		LogoutURL: "/_auth/logout"})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	srv := httptest.NewServer(app)
	t.Cleanup(srv.Close)
	return srv
}

// runCallback posts a callback request for output with an optional user
// data header and returns the output value.
func runCallback(t *testing.T, srv *httptest.Server, output, userData string) any {
	t.Helper()
	id, property, _ := strings.Cut(output, ".")
	body := `{"output":"` + output + `","outputs":{"id":"` + id + `","property":"` + property +
		`"},"inputs":[{"id":"url","property":"pathname","value":"/"}],"state":[]}`
	req, err := http.NewRequest("POST", srv.URL+"/_dash-update-component", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if userData != "" {
		req.Header.Set(UserDataHeader, userData)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var answer struct {
		Response map[string]map[string]any `json:"response"`
	}
	if err := json.Unmarshal(data, &answer); err != nil {
		t.Fatalf("%s: status %d body %q: %v", output, resp.StatusCode, data, err)
	}
	return answer.Response[id][property]
}

func TestSSOCallbacks(t *testing.T) {
	srv := newSSOApp(t)
	alice := `{"username":"alice","email":"alice@example.com","groups":["analysts"],"team":"x"}`
	tests := []struct {
		output, userData string
		want             string
	}{
		{"title.children", alice, `"Hello alice"`},
		{"title.children", "", `"Welcome, guest"`},
		{"title.children", `{"username":`, `"Welcome, guest"`},
		{"user-data.children", alice,
			`{"email":"alice@example.com","groups":["analysts"],"team":"x","username":"alice"}`},
		{"user-data.children", "", `{}`},
		{"report.children", alice, `"Quarterly report for alice"`},
	}
	for _, tt := range tests {
		out, _ := json.Marshal(runCallback(t, srv, tt.output, tt.userData))
		if string(out) != tt.want {
			t.Errorf("%s with user data %q = %s, want %s", tt.output, tt.userData, out, tt.want)
		}
	}
}

func TestSSOLayoutHasLogoutLink(t *testing.T) {
	srv := newSSOApp(t)
	_, body := get(t, srv, "GET", "/_dash-layout")
	var tree struct {
		Props struct {
			Children []struct {
				Type      string         `json:"type"`
				Namespace string         `json:"namespace"`
				Props     map[string]any `json:"props"`
			} `json:"children"`
		} `json:"props"`
	}
	if err := json.Unmarshal([]byte(body), &tree); err != nil {
		t.Fatalf("layout is not JSON: %v", err)
	}
	found := map[string]bool{}
	for _, c := range tree.Props.Children {
		id, _ := c.Props["id"].(string)
		found[id] = true
		if id == "logout" && (c.Type != "A" || c.Namespace != "dash_html_components" ||
			c.Props["href"] != "/_auth/logout" || c.Props["className"] != "dash-logout-btn") {
			t.Errorf("logout component = %+v, want an A with class dash-logout-btn linking "+
				"to /_auth/logout", c)
		}
	}
	for _, id := range []string{"title", "user-data", "logout"} {
		if !found[id] {
			t.Errorf("layout lacks the component %q", id)
		}
	}
}

func TestLayoutWithoutLogoutURLHasNoLink(t *testing.T) {
	_, srv := newTestApp(t, Options{})
	_, body := get(t, srv, "GET", "/_dash-layout")
	if strings.Contains(body, "dash-logout-btn") || strings.Contains(body, "user-data") {
		t.Errorf("default layout has SSO components: %s", body)
	}
}
