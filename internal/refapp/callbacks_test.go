package refapp

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// update builds a callback request body as the Dash renderer sends it.
func update(output string) string {
	id, prop, _ := strings.Cut(output, ".")
	return `{"output":"` + output + `","outputs":{"id":"` + id + `","property":"` + prop +
		`"},"inputs":[{"id":"url","property":"pathname","value":"/"}],` +
		`"changedPropIds":["url.pathname"],"state":[]}`
}

func post(t *testing.T, srv *httptest.Server, user, body string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest("POST", srv.URL+"/_dash-update-component",
		strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if user != "" {
		req.Header.Set("X-Test-User", user)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(data)
}

func TestUpdateRunsCallbacks(t *testing.T) {
	_, srv := newTestApp(t, Options{})
	tests := []struct {
		name, user, output string
		status             int
		want               string
	}{
		{"greeting", "alice", "title.children", 200,
			`{"multi":true,"response":{"title":{"children":"Hello alice"}}}`},
		{"note for anyone", "", "public-note.children", 200,
			`{"multi":true,"response":{"public-note":` +
				`{"children":"This note is the same for every visitor."}}}`},
		{"report for analyst", "alice:analysts", "report.children", 200,
			`{"multi":true,"response":{"report":{"children":"Quarterly report for alice"}}}`},
		{"report for other group", "carol:sales", "report.children", 204, ""},
		{"report for no group", "bob", "report.children", 204, ""},
		{"report for anonymous", "", "report.children", 204, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := post(t, srv, tt.user, update(tt.output))
			if resp.StatusCode != tt.status {
				t.Fatalf("status = %d, want %d (body %q)", resp.StatusCode, tt.status, body)
			}
			if body != tt.want {
				t.Errorf("body = %s, want %s", body, tt.want)
			}
			if tt.status == 200 && resp.Header.Get("Content-Type") != "application/json" {
				t.Errorf("Content-Type = %q, want application/json",
					resp.Header.Get("Content-Type"))
			}
		})
	}
}

func TestUpdateRejectsInvalidBodies(t *testing.T) {
	_, srv := newTestApp(t, Options{})
	tests := []struct {
		name, body, want string
	}{
		{"not JSON", `output=title.children`, "JSON object"},
		{"a list", `[` + update("title.children") + `]`, "JSON object"},
		{"empty", ``, "JSON object"},
		{"truncated", update("title.children")[:20], "not a valid callback request"},
		{"missing output", `{"outputs":{"id":"title","property":"children"},"inputs":[]}`,
			"is missing"},
		{"missing outputs", `{"output":"title.children","inputs":[]}`, "is missing"},
		{"missing inputs", `{"output":"title.children",` +
			`"outputs":{"id":"title","property":"children"}}`, "is missing"},
		{"unknown output", update("nothing.children"), "no callback has the output"},
		{"multi-output id", `{"output":"..public-note.children...title.children..",` +
			`"outputs":[],"inputs":[]}`, "no callback has the output"},
		{"outputs disagree", strings.Replace(update("title.children"), `"id":"title"`,
			`"id":"public-note"`, 1), "outputs do not match"},
		{"outputs as list", strings.Replace(strings.Replace(update("title.children"),
			`"outputs":{`, `"outputs":[{`, 1), `},"inputs"`, `}],"inputs"`, 1),
			"outputs do not match"},
		{"too many inputs", strings.Replace(update("title.children"), `"inputs":[`,
			`"inputs":[{"id":"x","property":"y","value":1},`, 1), "takes 1 inputs, got 2"},
		{"no inputs", strings.Replace(update("title.children"),
			`[{"id":"url","property":"pathname","value":"/"}]`, `[]`, 1),
			"takes 1 inputs, got 0"},
		{"input not an object", strings.Replace(update("title.children"),
			`[{"id":"url","property":"pathname","value":"/"}]`, `[1]`, 1),
			"not a valid callback request"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := post(t, srv, "alice:analysts", tt.body)
			if resp.StatusCode != http.StatusBadRequest {
				t.Fatalf("status = %d, want 400 (body %q)", resp.StatusCode, body)
			}
			if !strings.Contains(body, tt.want) {
				t.Errorf("body = %q, want it to contain %q", body, tt.want)
			}
		})
	}
}

func TestUpdateSkipOutputCheckDispatchesOnOutput(t *testing.T) {
	_, srv := newTestApp(t, Options{SkipOutputCheck: true})
	body := strings.Replace(update("title.children"), `"id":"title"`, `"id":"public-note"`, 1)
	resp, got := post(t, srv, "", body)
	if resp.StatusCode != 200 || !strings.Contains(got, `"title":{"children":"Hello "}`) {
		t.Errorf("status %d body %s, want the title callback's answer", resp.StatusCode, got)
	}
}

func TestUpdateMapsCallbackErrors(t *testing.T) {
	callbacks := []Callback{
		{Output: Dependency{ID: "a", Property: "children"},
			Run: func(Identity, []json.RawMessage) (any, error) { return nil, ErrPreventUpdate }},
		{Output: Dependency{ID: "b", Property: "children"},
			Run: func(Identity, []json.RawMessage) (any, error) { return nil, Abort(403) }},
		{Output: Dependency{ID: "c", Property: "children"},
			Run: func(Identity, []json.RawMessage) (any, error) { return nil, errors.New("boom") }},
	}
	_, srv := newTestApp(t, Options{Callbacks: callbacks})
	for output, want := range map[string]int{"a": 204, "b": 403, "c": 500} {
		body := `{"output":"` + output + `.children","outputs":{"id":"` + output +
			`","property":"children"},"inputs":[]}`
		resp, got := post(t, srv, "alice", body)
		if resp.StatusCode != want {
			t.Errorf("callback %s: status = %d, want %d (body %q)", output, resp.StatusCode,
				want, got)
		}
	}
}

func TestNewRejectsCallbacks(t *testing.T) {
	run := func(Identity, []json.RawMessage) (any, error) { return "", nil }
	tests := []struct {
		name      string
		callbacks []Callback
		want      string
	}{
		{"no property", []Callback{{Output: Dependency{ID: "a"}, Run: run}}, "id and a property"},
		{"no run", []Callback{{Output: Dependency{ID: "a", Property: "b"}}}, "nil Run"},
		{"duplicate", []Callback{{Output: Dependency{ID: "a", Property: "b"}, Run: run},
			{Output: Dependency{ID: "a", Property: "b"}, Run: run}}, "defined twice"},
	}
	for _, tt := range tests {
		_, err := New(Options{Callbacks: tt.callbacks})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: New error = %v, want one containing %q", tt.name, err, tt.want)
		}
	}
}

func TestIdentityFromContext(t *testing.T) {
	r := httptest.NewRequest("GET", "/", nil)
	if _, ok := IdentityFromContext(r); ok {
		t.Error("IdentityFromContext on a bare request: ok = true")
	}
	want := Identity{Username: "alice", Groups: []string{"analysts"}}
	r = r.WithContext(ContextWithIdentity(r.Context(), want))
	got, ok := IdentityFromContext(r)
	if !ok || got.Username != "alice" || !got.InGroup("sales", "analysts") {
		t.Errorf("IdentityFromContext = %+v, %v, want alice in analysts", got, ok)
	}
	if got.InGroup("sales") {
		t.Error("InGroup(sales) = true for a member of analysts only")
	}
}
