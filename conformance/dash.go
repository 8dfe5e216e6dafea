package conformance

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
)

// Paths of Dash's HTTP protocol, relative to the app's base URL.
const (
	DashLayoutPath       = "/_dash-layout"
	DashDependenciesPath = "/_dash-dependencies"
	DashUpdatePath       = "/_dash-update-component"
	DashFaviconPath      = "/_favicon.ico"
	DashReloadHashPath   = "/_reload-hash"
	DashComponentPrefix  = "/_dash-component-suites/"
	DashAssetsPrefix     = "/assets/"
)

// DashDependency is one input, state or output of a callback.
type DashDependency struct {
	// ID is a component id: a string, or a map for pattern-matching ids.
	ID       any    `json:"id"`
	Property string `json:"property"`
}

// IDString returns the component id as Dash writes it in output strings.
func (d DashDependency) IDString() string {
	if s, ok := d.ID.(string); ok {
		return s
	}
	b, _ := json.Marshal(d.ID) // Values decoded from JSON always encode again.
	return string(b)
}

// DashCallback is one entry of /_dash-dependencies.
type DashCallback struct {
	Output             string           `json:"output"`
	Inputs             []DashDependency `json:"inputs"`
	State              []DashDependency `json:"state"`
	ClientsideFunction any              `json:"clientside_function"`
	PreventInitialCall bool             `json:"prevent_initial_call"`
}

// Outputs splits the callback's output string: "title.children", or
// "..a.children...b.style.." for several outputs.
func (c DashCallback) Outputs() []DashDependency {
	return ParseOutputs(c.Output)
}

// ParseOutputs splits a Dash output string into its outputs.
func ParseOutputs(s string) []DashDependency {
	var parts []string
	if strings.HasPrefix(s, "..") && strings.HasSuffix(s, "..") {
		parts = strings.Split(strings.TrimSuffix(strings.TrimPrefix(s, ".."), ".."), "...")
	} else {
		parts = []string{s}
	}
	out := make([]DashDependency, 0, len(parts))
	for _, p := range parts {
		i := strings.LastIndex(p, ".")
		if i < 0 {
			out = append(out, DashDependency{ID: p})
			continue
		}
		out = append(out, DashDependency{ID: p[:i], Property: p[i+1:]})
	}
	return out
}

// Serverside reports whether the callback runs on the server.
func (c DashCallback) Serverside() bool { return c.ClientsideFunction == nil }

// DashApp is what the suite learned about a Dash app with valid credentials.
type DashApp struct {
	Index       string
	Layout      json.RawMessage
	Callbacks   []DashCallback
	Scripts     []string
	Stylesheets []string
	// Assets are asset URLs the layout refers to, such as image sources.
	Assets       []string
	ComponentIDs []string
}

// Callback returns the callback whose output string is output.
func (a *DashApp) Callback(output string) (DashCallback, bool) {
	for _, c := range a.Callbacks {
		if c.Output == output {
			return c, true
		}
	}
	return DashCallback{}, false
}

// CallbackFor returns the callback one of whose outputs is id.property.
func (a *DashApp) CallbackFor(output string) (DashCallback, bool) {
	for _, c := range a.Callbacks {
		for _, o := range c.Outputs() {
			if o.IDString()+"."+o.Property == output {
				return c, true
			}
		}
	}
	return DashCallback{}, false
}

// IsDashIndex reports whether an HTML page is a Dash index page.
func IsDashIndex(body []byte) bool {
	s := string(body)
	return strings.Contains(s, `id="react-entry-point"`) && strings.Contains(s, `id="_dash-config"`)
}

var (
	scriptSrc = regexp.MustCompile(`<script[^>]*\ssrc="([^"]+)"`)
	linkHref  = regexp.MustCompile(`<link[^>]*\shref="([^"]+)"`)
)

// DiscoverDash fetches the index, layout and dependencies of a Dash app
// with the given credentials.
func DiscoverDash(ctx context.Context, c *Client, auth *Credentials) (*DashApp, []*Exchange, error) {
	var exs []*Exchange
	index := c.Do(ctx, Request{Path: "/", Auth: auth, Header: PageHeader()})
	exs = append(exs, index)
	if !index.OK() {
		return nil, exs, fmt.Errorf("index: got %s, want 2xx", index.Got())
	}
	if !IsDashIndex(index.Body) {
		return nil, exs, fmt.Errorf("index is not a Dash page: no react-entry-point and _dash-config")
	}
	app := &DashApp{Index: string(index.Body)}
	for _, m := range scriptSrc.FindAllStringSubmatch(app.Index, -1) {
		app.Scripts = append(app.Scripts, m[1])
	}
	for _, m := range linkHref.FindAllStringSubmatch(app.Index, -1) {
		app.Stylesheets = append(app.Stylesheets, m[1])
	}

	layout := c.Get(ctx, DashLayoutPath, auth)
	exs = append(exs, layout)
	if !layout.OK() {
		return app, exs, fmt.Errorf("%s: got %s, want 2xx", DashLayoutPath, layout.Got())
	}
	app.Layout = json.RawMessage(layout.Body)
	var tree any
	if err := json.Unmarshal(layout.Body, &tree); err != nil {
		return app, exs, fmt.Errorf("%s is not JSON: %w", DashLayoutPath, err)
	}
	collectIDs(tree, &app.ComponentIDs)
	collectAssets(tree, &app.Assets)

	deps := c.Get(ctx, DashDependenciesPath, auth)
	exs = append(exs, deps)
	if !deps.OK() {
		return app, exs, fmt.Errorf("%s: got %s, want 2xx", DashDependenciesPath, deps.Got())
	}
	if err := json.Unmarshal(deps.Body, &app.Callbacks); err != nil {
		return app, exs, fmt.Errorf("%s is not a list of callbacks: %w", DashDependenciesPath, err)
	}
	return app, exs, nil
}

func collectIDs(node any, ids *[]string) {
	switch n := node.(type) {
	case map[string]any:
		if props, ok := n["props"].(map[string]any); ok {
			if id, ok := props["id"].(string); ok {
				*ids = append(*ids, id)
			}
		}
		for _, v := range n {
			collectIDs(v, ids)
		}
	case []any:
		for _, v := range n {
			collectIDs(v, ids)
		}
	}
}

// collectAssets gathers layout strings that point into the assets folder.
func collectAssets(node any, paths *[]string) {
	switch n := node.(type) {
	case string:
		if strings.HasPrefix(n, DashAssetsPrefix) || strings.HasPrefix(n, "assets/") {
			*paths = append(*paths, n)
		}
	case map[string]any:
		for _, v := range n {
			collectAssets(v, paths)
		}
	case []any:
		for _, v := range n {
			collectAssets(v, paths)
		}
	}
}

// DashInput is an input or state value sent in an update request.
type DashInput struct {
	ID       any    `json:"id"`
	Property string `json:"property"`
	Value    any    `json:"value"`
}

// DashUpdate is the body of POST /_dash-update-component.
type DashUpdate struct {
	Output         string      `json:"output"`
	Outputs        any         `json:"outputs"`
	Inputs         []DashInput `json:"inputs"`
	ChangedPropIDs []string    `json:"changedPropIds"`
	State          []DashInput `json:"state"`
}

// NewDashUpdate builds the body a Dash front end sends for a callback,
// with values for its inputs taken from values ("id.property" keys) and
// a default for the rest: pathname gets pagePath, other properties null.
func NewDashUpdate(cb DashCallback, pagePath string, values map[string]any) DashUpdate {
	u := DashUpdate{Output: cb.Output, Inputs: []DashInput{}, State: []DashInput{},
		ChangedPropIDs: []string{}}
	outs := cb.Outputs()
	if len(outs) == 1 {
		u.Outputs = outs[0]
	} else {
		u.Outputs = outs
	}
	value := func(d DashDependency) any {
		if v, ok := values[d.IDString()+"."+d.Property]; ok {
			return v
		}
		if d.Property == "pathname" {
			return pagePath
		}
		return nil
	}
	for _, in := range cb.Inputs {
		u.Inputs = append(u.Inputs, DashInput{ID: in.ID, Property: in.Property, Value: value(in)})
		u.ChangedPropIDs = append(u.ChangedPropIDs, in.IDString()+"."+in.Property)
	}
	for _, st := range cb.State {
		u.State = append(u.State, DashInput{ID: st.ID, Property: st.Property, Value: value(st)})
	}
	return u
}

// JSON encodes the update body.
func (u DashUpdate) JSON() []byte {
	b, _ := json.Marshal(u) // Fields are plain JSON values.
	return b
}

// UpdateRequest returns the request that runs a callback.
func UpdateRequest(body []byte, auth *Credentials) Request {
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("Accept", "application/json")
	h.Set("X-Requested-With", "XMLHttpRequest")
	return Request{Method: http.MethodPost, Path: DashUpdatePath, Header: h, Body: body, Auth: auth}
}

// DashOutputs returns the outputs in a callback response, keyed
// "id.property". A body that is not a Dash response gives nil.
func DashOutputs(body []byte) map[string]any {
	var resp struct {
		Response map[string]map[string]any `json:"response"`
	}
	if err := json.Unmarshal(body, &resp); err != nil || resp.Response == nil {
		return nil
	}
	out := map[string]any{}
	for id, props := range resp.Response {
		for prop, v := range props {
			out[id+"."+prop] = v
		}
	}
	return out
}

// DashOutputText returns an output's value as text: a string as it is,
// anything else as JSON.
func DashOutputText(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
