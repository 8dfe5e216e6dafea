package basicauth

import (
	"net/http"
	"strings"
	"testing"
)

// publicNote is a valid anonymous request for the public callback.
const publicNote = `{"output":"public-note.children",` +
	`"outputs":{"id":"public-note","property":"children"},` +
	`"inputs":[{"id":"url","property":"pathname","value":"/"}],` +
	`"changedPropIds":["url.pathname"],"state":[]}`

func TestMiddlewarePublicCallback(t *testing.T) {
	srv := newTestServer(t, Config{PublicCallbacks: []string{"public-note.children"}})
	tests := []struct {
		name, body string
		admitted   bool
	}{
		{"public callback", publicNote, true},
		{"public callback with bad credentials", publicNote, true},
		{"protected callback", strings.ReplaceAll(publicNote, "public-note", "title"), false},
		{"mixed multi-output id", `{"output":"..public-note.children...title.children..",` +
			`"outputs":[{"id":"public-note","property":"children"},` +
			`{"id":"title","property":"children"}],"inputs":[]}`, false},
		{"outputs name the public callback", `{"output":"title.children",` +
			`"outputs":{"id":"public-note","property":"children"},"inputs":[]}`, false},
		{"output names the public callback, outputs another", `{"output":` +
			`"public-note.children","outputs":{"id":"title","property":"children"}}`, false},
		{"outputs as a list", `{"output":"public-note.children",` +
			`"outputs":[{"id":"public-note","property":"children"}]}`, false},
		{"duplicate output key", `{"output":"public-note.children",` +
			`"outputs":{"id":"public-note","property":"children"},` +
			`"output":"title.children"}`, false},
		{"pattern-matching id", `{"output":"public-note.children",` +
			`"outputs":{"id":{"type":"public-note"},"property":"children"}}`, false},
		{"no outputs", `{"output":"public-note.children"}`, false},
		{"not JSON", `output=public-note.children`, false},
		{"a list", `[` + publicNote + `]`, false},
		{"empty object", `{}`, false},
		{"trailing data", publicNote + `{"output":"title.children"}`, false},
		{"oversized", publicNote[:len(publicNote)-1] + `,"pad":"` +
			strings.Repeat("x", MaxUpdateBody) + `"}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			header := http.Header{"Content-Type": {"application/json"}}
			if strings.Contains(tt.name, "bad credentials") {
				header.Set("Authorization", "Basic "+b64("alice:wrong"))
			}
			resp, body := send(t, srv, "POST", UpdatePath, header, tt.body)
			if !tt.admitted {
				checkChallenge(t, tt.name, resp, body)
				return
			}
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status = %d, want 200", resp.StatusCode)
			}
			if !strings.Contains(body, "authenticated=false") {
				t.Errorf("app saw %q, want an anonymous request", body)
			}
		})
	}
}

func TestMiddlewarePublicCallbackPassesCheckedBody(t *testing.T) {
	srv := newTestServer(t, Config{PublicCallbacks: []string{"public-note.children"}})
	// Go's decoder lets the last duplicate key win and matches keys without
	// regard to case; the app must see the output the middleware checked.
	spoof := `{"OUTPUT":"title.children","output":"public-note.children",` +
		`"outputs":{"id":"public-note","property":"children"},"extra":1,` +
		`"inputs":[{"id":"url","property":"pathname","value":"/"}]}`
	resp, body := send(t, srv, "POST", UpdatePath, nil, spoof)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status = %d, want 200", resp.StatusCode)
	}
	_, forwarded, _ := strings.Cut(body, "body=")
	req, err := DecodeUpdateRequest([]byte(forwarded))
	if err != nil {
		t.Fatalf("app received an undecodable body %q: %v", forwarded, err)
	}
	if req.Output != "public-note.children" {
		t.Errorf("app received output %q, want public-note.children", req.Output)
	}
	for _, key := range []string{`"OUTPUT"`, `"extra"`, `title`} {
		if strings.Contains(forwarded, key) {
			t.Errorf("forwarded body %s still contains %s", forwarded, key)
		}
	}
}

func TestMiddlewareNoPublicCallbacks(t *testing.T) {
	srv := newTestServer(t, Config{PublicRoutes: []string{"/public"}})
	resp, body := send(t, srv, "POST", UpdatePath, nil, publicNote)
	checkChallenge(t, "public callback without declaration", resp, body)
}

func TestCallbackTarget(t *testing.T) {
	tests := []struct {
		body, target string
		ok           bool
	}{
		{publicNote, "public-note.children", true},
		{`{"output":"a.b","outputs":{"id":"a","property":"b"}}`, "a.b", true},
		{`{"output":"a.b.c","outputs":{"id":"a.b","property":"c"}}`, "a.b.c", true},
		{`{"output":"a.b","outputs":{"id":"a","property":"c"}}`, "", false},
		{`{"output":"","outputs":{"id":"","property":""}}`, "", false},
		{`{"output":"..a.b...c.d..","outputs":{"id":"a","property":"b"}}`, "", false},
	}
	for _, tt := range tests {
		req, err := DecodeUpdateRequest([]byte(tt.body))
		if err != nil {
			t.Fatalf("DecodeUpdateRequest(%s): %v", tt.body, err)
		}
		target, ok := CallbackTarget(req)
		if target != tt.target || ok != tt.ok {
			t.Errorf("CallbackTarget(%s) = %q, %v, want %q, %v", tt.body, target, ok,
				tt.target, tt.ok)
		}
	}
}
