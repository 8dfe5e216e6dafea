package ssotarget

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/authconform/authconform/internal/gateway"
	"github.com/authconform/authconform/internal/gateway/gatewaytest"
	"github.com/authconform/authconform/mockidp"
)

// target is a running SSO target and its mock IdP.
type target struct {
	t    *testing.T
	idp  *mockidp.Server
	base string
}

// serve starts a mock IdP and the target opts describes, with the IdP's
// issuer and client filled in and "analysts" as the allowed group.
func serve(t *testing.T, opts Options) *target {
	t.Helper()
	ln, base := gatewaytest.Listen(t)
	idp := gatewaytest.StartIdP(t, base, nil)
	opts.Issuer = idp.Issuer()
	opts.ClientID, opts.ClientSecret = gatewaytest.ClientID, gatewaytest.ClientSecret
	if opts.AllowedUsers == nil && opts.AllowedGroups == nil {
		opts.AllowedGroups = []string{"analysts"}
	}
	opts.Now = idp.Now
	h, err := Handler(opts)
	if err != nil {
		t.Fatalf("Handler: %v", err)
	}
	gatewaytest.Serve(t, ln, h)
	return &target{t: t, idp: idp, base: base}
}

// login logs username in with a new browser. It does not check the outcome.
func (tg *target) login(username string) *gatewaytest.Browser {
	tg.t.Helper()
	b := gatewaytest.NewBrowser(tg.t)
	if err := tg.idp.QueueUser(username); err != nil {
		tg.t.Fatal(err)
	}
	b.Login(tg.base, "/")
	return b
}

// loggedIn reports whether the browser's session reaches the app.
func (tg *target) loggedIn(b *gatewaytest.Browser) bool {
	tg.t.Helper()
	return b.Do("GET", tg.base+"/_dash-layout", xhrHeader(), "").StatusCode == http.StatusOK
}

// xhrHeader returns the headers of a Dash renderer's XHR.
func xhrHeader() http.Header {
	return http.Header{"Accept": {"application/json"}, "Content-Type": {"application/json"},
		"X-Requested-With": {"XMLHttpRequest"}}
}

// updateBody returns the callback request for output, such as "title.children".
func updateBody(id, property string) string {
	body, _ := json.Marshal(map[string]any{
		"output":         id + "." + property,
		"outputs":        map[string]string{"id": id, "property": property},
		"inputs":         []map[string]any{{"id": "url", "property": "pathname", "value": "/"}},
		"changedPropIds": []string{"url.pathname"},
		"state":          []any{},
	})
	return string(body)
}

// callback runs the callback of component id's children with the extra
// headers and returns the status and the output, or nil.
func (tg *target) callback(b *gatewaytest.Browser, id string, extra http.Header) (int, any) {
	tg.t.Helper()
	header := xhrHeader()
	for k, v := range extra {
		header[k] = v
	}
	resp := b.Do("POST", tg.base+"/_dash-update-component", header, updateBody(id, "children"))
	if resp.StatusCode != http.StatusOK {
		return resp.StatusCode, nil
	}
	var answer struct {
		Response map[string]map[string]any `json:"response"`
	}
	if err := json.Unmarshal([]byte(resp.Body), &answer); err != nil {
		tg.t.Fatalf("callback %s: answer %q is not JSON: %v", id, resp.Body, err)
	}
	return resp.StatusCode, answer.Response[id]["children"]
}

// userData runs the user-data callback and returns its output as JSON.
func (tg *target) userData(b *gatewaytest.Browser, extra http.Header) string {
	tg.t.Helper()
	status, out := tg.callback(b, "user-data", extra)
	if status != http.StatusOK {
		return http.StatusText(status)
	}
	data, _ := json.Marshal(out)
	return string(data)
}

// sessionID returns the browser's session cookie for the target.
func (tg *target) sessionID(b *gatewaytest.Browser) string {
	return b.SessionCookie(tg.base, gateway.SessionCookie)
}
