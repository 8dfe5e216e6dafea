package basicauth

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// UpdatePath is the path of Dash's callback endpoint.
const UpdatePath = "/_dash-update-component"

// MaxUpdateBody is the largest update request body, in bytes, read to decide
// whether an anonymous request targets a public callback.
const MaxUpdateBody = 1 << 20

// UpdateRequest is the body of a Dash callback request. The middleware keeps
// only these fields and passes them on re-encoded, so the app decodes exactly
// what the middleware checked.
type UpdateRequest struct {
	// Output is the callback id Dash dispatches on: "id.property", or
	// "..a.children...b.style.." for several outputs.
	Output string `json:"output"`
	// Outputs describes the outputs: an object {"id", "property"} for one
	// output, a list of them for several.
	Outputs        json.RawMessage `json:"outputs,omitempty"`
	Inputs         json.RawMessage `json:"inputs,omitempty"`
	ChangedPropIDs json.RawMessage `json:"changedPropIds,omitempty"`
	State          json.RawMessage `json:"state,omitempty"`
}

// DecodeUpdateRequest decodes a callback request body. The body must be one
// JSON object.
func DecodeUpdateRequest(body []byte) (*UpdateRequest, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	var req UpdateRequest
	if err := dec.Decode(&req); err != nil {
		return nil, fmt.Errorf("decode callback request: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("decode callback request: data after the JSON object")
	}
	return &req, nil
}

// CallbackTarget returns the id of the one callback an update request
// targets. The request must name a single output in "output" and describe
// the same component and property in "outputs"; anything else targets no
// single callback.
func CallbackTarget(req *UpdateRequest) (string, bool) {
	if req.Output == "" || strings.HasPrefix(req.Output, "..") {
		return "", false
	}
	var spec struct {
		ID       json.RawMessage `json:"id"`
		Property string          `json:"property"`
	}
	if len(req.Outputs) == 0 || req.Outputs[0] != '{' {
		return "", false
	}
	if err := json.Unmarshal(req.Outputs, &spec); err != nil {
		return "", false
	}
	var id string
	if err := json.Unmarshal(spec.ID, &id); err != nil {
		return "", false
	}
	if id+"."+spec.Property != req.Output {
		return "", false
	}
	return req.Output, true
}

// admitPublicCallback decides whether an anonymous request may run a public
// callback. On success it returns the request with its body replaced by the
// re-encoded UpdateRequest, so the app dispatches on the output that was
// checked whatever duplicate or extra keys the original body held. Otherwise
// it leaves r with a body that reads the same as before.
func (m *Middleware) admitPublicCallback(r *http.Request) (*http.Request, bool) {
	if r.Method != http.MethodPost || r.URL.EscapedPath() != UpdatePath ||
		len(m.publicCallbacks) == 0 {
		return nil, false
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxUpdateBody+1))
	r.Body = io.NopCloser(io.MultiReader(bytes.NewReader(body), r.Body))
	if err != nil || len(body) > MaxUpdateBody {
		return nil, false
	}
	req, err := DecodeUpdateRequest(body)
	if err != nil {
		return nil, false
	}
	target, ok := m.hooks.CallbackTarget(req)
	if !ok || !m.publicCallbacks[target] {
		return nil, false
	}
	canonical, err := json.Marshal(req)
	if err != nil {
		return nil, false
	}
	r2 := r.Clone(r.Context())
	r2.Body = io.NopCloser(bytes.NewReader(canonical))
	r2.ContentLength = int64(len(canonical))
	r2.Header.Del("Content-Length")
	r2.Header.Set("Content-Type", "application/json")
	return r2, true
}
