package refapp

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// newTestApp serves an App whose user is taken from the X-Test-User header
// ("name" or "name:group"), so tests can choose the identity per request.
func newTestApp(t *testing.T, opts Options) (*App, *httptest.Server) {
	t.Helper()
	opts.Identify = func(r *http.Request) (Identity, bool) {
		v := r.Header.Get("X-Test-User")
		if v == "" {
			return Identity{}, false
		}
		name, group, _ := strings.Cut(v, ":")
		id := Identity{Username: name}
		if group != "" {
			id.Groups = []string{group}
		}
		return id, true
	}
	app, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	srv := httptest.NewServer(app)
	t.Cleanup(srv.Close)
	return app, srv
}

func get(t *testing.T, srv *httptest.Server, method, path string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(body)
}

func TestAppServesIndexForUnknownPaths(t *testing.T) {
	_, srv := newTestApp(t, Options{})
	for _, path := range []string{"/", "/page/2", "/reports/../public", "/public/"} {
		resp, body := get(t, srv, "GET", path)
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s: status = %d, want 200", path, resp.StatusCode)
			continue
		}
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
			t.Errorf("GET %s: Content-Type = %q, want text/html", path, ct)
		}
		for _, want := range []string{`<div id="react-entry-point">`,
			`<script id="_dash-config" type="application/json">`,
			`<script src="` + ReactScript + `">`, `<script src="` + RendererScript + `">`,
			`<link rel="stylesheet" href="` + StyleSheet + `">`,
			`<script src="` + AppScript + `">`} {
			if !strings.Contains(body, want) {
				t.Errorf("GET %s: index lacks %s", path, want)
			}
		}
	}
}

func TestAppStatusCodes(t *testing.T) {
	_, srv := newTestApp(t, Options{})
	tests := []struct {
		method, path string
		status       int
		contentType  string
	}{
		{"HEAD", "/", 200, "text/html"},
		{"POST", "/", 405, ""},
		{"DELETE", "/anything", 405, ""},
		{"OPTIONS", "/", 405, ""},
		{"GET", "/public", 200, "text/html"},
		{"GET", "/user/7/public", 200, "text/plain"},
		{"GET", "/user//public", 200, "text/html"},
		{"GET", "/_dash-layout", 200, "application/json"},
		{"POST", "/_dash-layout", 405, ""},
		{"GET", "/_dash-dependencies", 200, "application/json"},
		{"GET", "/_dash-update-component", 405, ""},
		{"GET", "/_reload-hash", 200, "application/json"},
		{"GET", "/_favicon.ico", 200, "image/x-icon"},
		{"GET", "/assets/style.css", 200, "text/css"},
		{"GET", "/assets/app.js", 200, "text/javascript"},
		{"GET", "/assets/logo.png", 200, "image/png"},
		{"GET", "/assets/missing.css", 404, ""},
		{"GET", ReactScript, 200, "text/javascript"},
		{"GET", RendererScript, 200, "text/javascript"},
		{"GET", "/_dash-component-suites/dash/missing.js", 404, ""},
	}
	for _, tt := range tests {
		resp, _ := get(t, srv, tt.method, tt.path)
		if resp.StatusCode != tt.status {
			t.Errorf("%s %s: status = %d, want %d", tt.method, tt.path, resp.StatusCode, tt.status)
			continue
		}
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, tt.contentType) {
			t.Errorf("%s %s: Content-Type = %q, want %s", tt.method, tt.path, ct, tt.contentType)
		}
		if tt.status == 405 && resp.Header.Get("Allow") == "" {
			t.Errorf("%s %s: 405 without an Allow header", tt.method, tt.path)
		}
	}
}

func TestAppPublicProfileNamesUser(t *testing.T) {
	_, srv := newTestApp(t, Options{})
	_, body := get(t, srv, "GET", "/user/zo%C3%AB/public")
	if !strings.Contains(body, "zoë") {
		t.Errorf("body = %q, want it to name zoë", body)
	}
}

func TestAppLayout(t *testing.T) {
	_, srv := newTestApp(t, Options{})
	_, body := get(t, srv, "GET", "/_dash-layout")
	var tree any
	if err := json.Unmarshal([]byte(body), &tree); err != nil {
		t.Fatalf("layout is not JSON: %v", err)
	}
	types := map[string]string{}
	var walk func(node any)
	walk = func(node any) {
		switch n := node.(type) {
		case map[string]any:
			if props, ok := n["props"].(map[string]any); ok {
				if id, ok := props["id"].(string); ok {
					types[id] = n["type"].(string)
				}
				walk(props["children"])
			}
		case []any:
			for _, c := range n {
				walk(c)
			}
		}
	}
	walk(tree)
	want := map[string]string{"title": "H1", "public-note": "Div", "report": "Div",
		"url": "Location"}
	for id, typ := range want {
		if types[id] != typ {
			t.Errorf("layout component %q has type %q, want %q", id, types[id], typ)
		}
	}
}

func TestAppDependencies(t *testing.T) {
	_, srv := newTestApp(t, Options{})
	_, body := get(t, srv, "GET", "/_dash-dependencies")
	var deps []struct {
		Output             string       `json:"output"`
		Inputs             []Dependency `json:"inputs"`
		State              []Dependency `json:"state"`
		ClientsideFunction any          `json:"clientside_function"`
		PreventInitialCall *bool        `json:"prevent_initial_call"`
	}
	if err := json.Unmarshal([]byte(body), &deps); err != nil {
		t.Fatalf("dependencies are not a JSON list: %v", err)
	}
	var outputs []string
	for _, d := range deps {
		outputs = append(outputs, d.Output)
		if len(d.Inputs) != 1 || d.Inputs[0] != (Dependency{ID: "url", Property: "pathname"}) {
			t.Errorf("%s: inputs = %v, want [url.pathname]", d.Output, d.Inputs)
		}
		if d.State == nil || d.PreventInitialCall == nil {
			t.Errorf("%s: state or prevent_initial_call missing", d.Output)
		}
	}
	want := "title.children public-note.children report.children"
	if strings.Join(outputs, " ") != want {
		t.Errorf("outputs = %v, want %s", outputs, want)
	}
}

func TestAppHandleAddsRoutes(t *testing.T) {
	app, srv := newTestApp(t, Options{})
	if err := app.Handle("GET /reports", IndexPage("Reports")); err != nil {
		t.Fatal(err)
	}
	resp, body := get(t, srv, "GET", "/reports")
	if resp.StatusCode != 200 || !strings.Contains(body, "<title>Reports</title>") {
		t.Errorf("GET /reports: status %d, body without the Reports title", resp.StatusCode)
	}
	resp, _ = get(t, srv, "POST", "/reports")
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST /reports: status = %d, want 405", resp.StatusCode)
	}
}

func TestAppHandleRejects(t *testing.T) {
	app, _ := newTestApp(t, Options{})
	tests := map[string]string{
		"reports":           "must start with /",
		"GET /_dash-layout": "already registered",
		"GET /a/{}":         "empty wildcard",
		"GET /a/b{c}":       "whole segment",
	}
	for pattern, want := range tests {
		err := app.Handle(pattern, IndexPage("x"))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Handle(%q) error = %v, want one containing %q", pattern, err, want)
		}
	}
	if err := app.Handle("GET /x", nil); err == nil {
		t.Error("Handle with a nil handler: error = nil")
	}
}

func TestAppWrapRoutesRunsAfterRouting(t *testing.T) {
	app, srv := newTestApp(t, Options{})
	app.WrapRoutes(func(http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(http.StatusTeapot)
		})
	})
	if err := app.Handle("GET /later", IndexPage("Later")); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		method, path string
		status       int
	}{
		{"GET", "/", http.StatusTeapot},
		{"GET", "/unknown", http.StatusTeapot},
		{"GET", "/_dash-layout", http.StatusTeapot},
		{"POST", "/_dash-layout", http.StatusMethodNotAllowed},
		{"DELETE", "/", http.StatusMethodNotAllowed},
		{"GET", "/assets/missing.js", http.StatusNotFound},
		{"GET", "/later", http.StatusOK},
	}
	for _, tt := range tests {
		resp, _ := get(t, srv, tt.method, tt.path)
		if resp.StatusCode != tt.status {
			t.Errorf("%s %s: status = %d, want %d", tt.method, tt.path, resp.StatusCode, tt.status)
		}
	}
}
