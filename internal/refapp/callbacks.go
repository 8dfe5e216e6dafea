package refapp

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
)

// MaxUpdateBody is the largest callback request body the App reads, in bytes.
const MaxUpdateBody = 1 << 20

// Dependency is a component property: an input, state or output.
type Dependency struct {
	ID       string `json:"id"`
	Property string `json:"property"`
}

// String returns the property as Dash writes it: "id.property".
func (d Dependency) String() string { return d.ID + "." + d.Property }

// Callback is a server-side callback with one output.
//
// NOTE: the App supports neither callbacks with several outputs nor
// pattern-matching ids, so a multi-output id such as
// "..a.children...b.children.." always gets 400.
type Callback struct {
	Output Dependency
	Inputs []Dependency
	// Groups, when set, restrict the callback: a user in none of them gets
	// 204 No Content, the status Dash sends for PreventUpdate.
	Groups []string
	// Run computes the output from the user and the input values, in the
	// order of Inputs. It returns ErrPreventUpdate for no update, or an
	// error made by Abort to respond with an HTTP status.
	Run func(user Identity, inputs []json.RawMessage) (any, error)
}

// ErrPreventUpdate makes the callback endpoint respond with 204 No Content.
var ErrPreventUpdate = errors.New("prevent update")

// StatusError makes the callback endpoint respond with Status, as
// flask.abort does inside a Dash callback.
type StatusError struct{ Status int }

func (e *StatusError) Error() string {
	return fmt.Sprintf("abort with status %d", e.Status)
}

// Abort returns a StatusError for status.
func Abort(status int) error { return &StatusError{Status: status} }

// urlPathname is the input of every default callback.
var urlPathname = []Dependency{{ID: "url", Property: "pathname"}}

// DefaultCallbacks returns the reference app's callbacks: a greeting that
// names the user, a note that is the same for everyone, and a report
// restricted to the group "analysts".
func DefaultCallbacks() []Callback {
	return []Callback{
		{
			Output: Dependency{ID: "title", Property: "children"},
			Inputs: urlPathname,
			Run: func(user Identity, _ []json.RawMessage) (any, error) {
				return "Hello " + user.Username, nil
			},
		},
		{
			Output: Dependency{ID: "public-note", Property: "children"},
			Inputs: urlPathname,
			Run: func(Identity, []json.RawMessage) (any, error) {
				return "This note is the same for every visitor.", nil
			},
		},
		{
			Output: Dependency{ID: "report", Property: "children"},
			Inputs: urlPathname,
			Groups: []string{"analysts"},
			Run: func(user Identity, _ []json.RawMessage) (any, error) {
				return "Quarterly report for " + user.Username, nil
			},
		},
	}
}

// indexCallbacks checks the callbacks and indexes them by output id.
func (a *App) indexCallbacks() error {
	a.byOutput = make(map[string]int, len(a.callbacks))
	for i, cb := range a.callbacks {
		id := cb.Output.String()
		switch {
		case cb.Output.ID == "" || cb.Output.Property == "":
			return fmt.Errorf("callback %d: output needs an id and a property", i)
		case cb.Run == nil:
			return fmt.Errorf("callback %q: nil Run function", id)
		}
		if _, dup := a.byOutput[id]; dup {
			return fmt.Errorf("callback %q is defined twice; Dash allows one per output", id)
		}
		a.byOutput[id] = i
	}
	return nil
}

// dependencies returns the /_dash-dependencies list.
func (a *App) dependencies() []map[string]any {
	list := make([]map[string]any, 0, len(a.callbacks))
	for _, cb := range a.callbacks {
		inputs := cb.Inputs
		if inputs == nil {
			inputs = []Dependency{}
		}
		list = append(list, map[string]any{
			"output":               cb.Output.String(),
			"inputs":               inputs,
			"state":                []Dependency{},
			"clientside_function":  nil,
			"prevent_initial_call": false,
		})
	}
	return list
}

// updateRequest is the part of a callback request body the App reads.
type updateRequest struct {
	Output  *string         `json:"output"`
	Outputs json.RawMessage `json:"outputs"`
	Inputs  *[]struct {
		ID       json.RawMessage `json:"id"`
		Property string          `json:"property"`
		Value    json.RawMessage `json:"value"`
	} `json:"inputs"`
}

// badRequest is a callback request the App cannot run. Its text is the body
// of the 400 response.
type badRequest string

func (e badRequest) Error() string { return string(e) }

// serveUpdate runs the callback a POST /_dash-update-component names.
func (a *App) serveUpdate(w http.ResponseWriter, r *http.Request) {
	cb, inputs, err := a.parseUpdate(r)
	if err != nil {
		a.logger.Debug("rejected callback request", "err", err)
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	user, _ := a.identify(r)
	if len(cb.Groups) > 0 && !user.InGroup(cb.Groups...) {
		w.WriteHeader(http.StatusNoContent)
		return
	}

	value, err := cb.Run(user, inputs)
	var abort *StatusError
	switch {
	case errors.Is(err, ErrPreventUpdate):
		w.WriteHeader(http.StatusNoContent)
		return
	case errors.As(err, &abort):
		http.Error(w, http.StatusText(abort.Status), abort.Status)
		return
	case err != nil:
		a.logger.Error("callback failed", "output", cb.Output.String(), "err", err)
		http.Error(w, "callback failed", http.StatusInternalServerError)
		return
	}
	answer := map[string]any{
		"multi":    true,
		"response": map[string]any{cb.Output.ID: map[string]any{cb.Output.Property: value}},
	}
	body, err := json.Marshal(answer)
	if err != nil {
		a.logger.Error("encode callback answer", "output", cb.Output.String(), "err", err)
		http.Error(w, "callback failed", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(body)
}

// parseUpdate decodes a callback request and finds its callback the way
// Dash does: by the "output" string, checking "outputs" against the
// callback's output and the number of inputs, and passing input values by
// position. Errors are badRequest values.
func (a *App) parseUpdate(r *http.Request) (*Callback, []json.RawMessage, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxUpdateBody+1))
	if err != nil {
		return nil, nil, badRequest(fmt.Sprintf("failed to read the request body: %v", err))
	}
	if len(body) > MaxUpdateBody {
		return nil, nil, badRequest(fmt.Sprintf("request body exceeds %d bytes", MaxUpdateBody))
	}

	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return nil, nil, badRequest("request body must be a JSON object")
	}
	var req updateRequest
	if err := json.Unmarshal(trimmed, &req); err != nil {
		return nil, nil, badRequest(fmt.Sprintf("request body is not a valid callback "+
			"request: %v", err))
	}
	if req.Output == nil || req.Outputs == nil || req.Inputs == nil {
		return nil, nil, badRequest("callback request is missing output, outputs or inputs")
	}

	i, ok := a.byOutput[*req.Output]
	if !ok {
		return nil, nil, badRequest(fmt.Sprintf("no callback has the output %q", *req.Output))
	}
	cb := &a.callbacks[i]
	if !a.skipOutputCheck && !outputsMatch(req.Outputs, cb.Output) {
		return nil, nil, badRequest("outputs do not match the callback's output")
	}
	if len(*req.Inputs) != len(cb.Inputs) {
		return nil, nil, badRequest(fmt.Sprintf("callback %q takes %d inputs, got %d",
			cb.Output.String(), len(cb.Inputs), len(*req.Inputs)))
	}

	values := make([]json.RawMessage, 0, len(cb.Inputs))
	for _, in := range *req.Inputs {
		values = append(values, slices.Clone(in.Value))
	}
	return cb, values, nil
}

// outputsMatch reports whether "outputs" is one object naming want.
func outputsMatch(raw json.RawMessage, want Dependency) bool {
	var spec struct {
		ID       json.RawMessage `json:"id"`
		Property string          `json:"property"`
	}
	trimmed := bytes.TrimSpace(raw)
	if len(trimmed) == 0 || trimmed[0] != '{' || json.Unmarshal(trimmed, &spec) != nil {
		return false
	}
	var id string
	if json.Unmarshal(spec.ID, &id) != nil {
		return false
	}
	return id == want.ID && spec.Property == want.Property
}
