package mockidp

import (
	"crypto/subtle"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// controlRoute is one endpoint of the HTTP control API.
type controlRoute struct {
	method, path string
	summary      string
	handle       http.HandlerFunc
}

// controlRoutes lists the control API. GET ControlPrefix serves this list
// as JSON, so it is the API's index as well as its routing table.
func (s *Server) controlRoutes() []controlRoute {
	p := strings.TrimSuffix(ControlPrefix, "/")
	return []controlRoute{
		{"GET", ControlPrefix, "this index of the control endpoints", s.ctlIndex},
		{"GET", p + "/users", "list users (without passwords), the default user and the queue",
			s.ctlUsers},
		{"POST", p + "/users", "add a user, or replace the one with the same username",
			s.ctlAddUser},
		{"POST", p + "/users/queue", `queue a user for the next login: {"username": "..."}`,
			s.ctlQueueUser},
		{"PUT", p + "/users/default", `set the default user; "" shows the login page again`,
			s.ctlDefaultUser},
		{"GET", p + "/faults", "list the faults not yet applied, in the order they apply",
			s.ctlFaults},
		{"POST", p + "/faults", "inject a fault into the next response of one endpoint",
			s.ctlFault},
		{"GET", p + "/requests", "read the request log of the OIDC endpoints", s.ctlRequests},
		{"GET", p + "/clock", "read the server's clock", s.ctlClock},
		{"POST", p + "/clock/advance", `advance the clock: {"duration": "90m"}`, s.ctlAdvance},
		{"POST", p + "/reset", "restore users, state, request log and clock to their start",
			s.ctlReset},
	}
}

// controlHandler serves the HTTP control API under ControlPrefix. Every
// response, errors included, is JSON.
func (s *Server) controlHandler() http.Handler {
	routes := s.controlRoutes()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rw := &statusRecorder{ResponseWriter: w}
		defer func() {
			s.logger.Info("mockidp control request", "method", r.Method, "path", r.URL.Path,
				"status", rw.status)
		}()
		if problem := s.controlAuthProblem(r); problem != "" {
			s.logger.Warn("mockidp control request unauthorized", "method", r.Method,
				"path", r.URL.Path, "remote_addr", r.RemoteAddr, "reason", problem)
			rw.Header().Set("WWW-Authenticate", `Bearer realm="mockidp-control"`)
			writeControlError(rw, http.StatusUnauthorized, fmt.Errorf(
				"%s: send the configured token as Authorization: Bearer TOKEN", problem))
			return
		}
		r.Body = http.MaxBytesReader(rw, r.Body, maxFormBytes)
		var allowed []string
		for _, route := range routes {
			if route.path != r.URL.Path {
				continue
			}
			if route.method == r.Method {
				route.handle(rw, r)
				return
			}
			allowed = append(allowed, route.method)
		}
		if len(allowed) == 0 {
			s.controlError(rw, r, http.StatusNotFound, fmt.Errorf(
				"no control endpoint at %s: GET %s lists them", r.URL.Path, ControlPrefix))
			return
		}
		slices.Sort(allowed)
		rw.Header().Set("Allow", strings.Join(allowed, ", "))
		s.controlError(rw, r, http.StatusMethodNotAllowed, fmt.Errorf(
			"method %s is not allowed on %s: use %s", r.Method, r.URL.Path,
			strings.Join(allowed, " or ")))
	})
}

// controlAuthProblem describes why r lacks the control token, or returns
// "" when r may use the control API.
func (s *Server) controlAuthProblem(r *http.Request) string {
	if s.cfg.ControlToken == "" {
		return ""
	}
	presented, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	switch {
	case !ok:
		return "the control API requires a bearer token"
	case subtle.ConstantTimeCompare([]byte(presented), []byte(s.cfg.ControlToken)) != 1:
		return "the bearer token is wrong"
	}
	return ""
}

// controlError logs err and sends it as JSON with status.
func (s *Server) controlError(w http.ResponseWriter, r *http.Request, status int, err error) {
	s.logger.Warn("mockidp control request rejected", "method", r.Method, "path", r.URL.Path,
		"status", status, "err", err)
	writeControlError(w, status, err)
}

func writeControlError(w http.ResponseWriter, status int, err error) {
	writeJSON(w, status, map[string]string{"error": err.Error()})
}

// respondControl sends 204 on success, or logs the error and sends it as
// JSON with 400.
func (s *Server) respondControl(w http.ResponseWriter, r *http.Request, err error) {
	if err != nil {
		s.controlError(w, r, http.StatusBadRequest, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// controlEndpoint is one entry of the control API index.
type controlEndpoint struct {
	Method      string `json:"method"`
	Path        string `json:"path"`
	Description string `json:"description"`
}

func (s *Server) ctlIndex(w http.ResponseWriter, _ *http.Request) {
	routes := s.controlRoutes()
	list := make([]controlEndpoint, 0, len(routes))
	for _, route := range routes {
		list = append(list, controlEndpoint{route.method, route.path, route.summary})
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer": s.issuer, "discovery": s.DiscoveryURL(), "endpoints": list,
	})
}

// usernameBody is the request body naming one user.
type usernameBody struct {
	Username string `json:"username"`
}

func (s *Server) ctlUsers(w http.ResponseWriter, _ *http.Request) {
	users := s.Users()
	for i := range users {
		users[i].Password = "" // the control API never returns passwords
	}
	s.st.mu.Lock()
	queue := make([]string, 0, len(s.st.queue))
	for _, u := range s.st.queue {
		queue = append(queue, u.Username)
	}
	defaultUser := s.st.defaultUser
	s.st.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{
		"users": users, "default_user": defaultUser, "queue": queue,
	})
}

func (s *Server) ctlAddUser(w http.ResponseWriter, r *http.Request) {
	var u User
	if err := decodeJSON(r, &u); err != nil {
		s.controlError(w, r, http.StatusBadRequest, err)
		return
	}
	s.respondControl(w, r, s.AddUser(u))
}

func (s *Server) ctlQueueUser(w http.ResponseWriter, r *http.Request) {
	var body usernameBody
	if err := decodeJSON(r, &body); err != nil {
		s.controlError(w, r, http.StatusBadRequest, err)
		return
	}
	s.respondControl(w, r, s.QueueUser(body.Username))
}

func (s *Server) ctlDefaultUser(w http.ResponseWriter, r *http.Request) {
	var body usernameBody
	if err := decodeJSON(r, &body); err != nil {
		s.controlError(w, r, http.StatusBadRequest, err)
		return
	}
	s.respondControl(w, r, s.SetDefaultUser(body.Username))
}

// faultBody is the JSON form of a Fault; delay is a Go duration string.
type faultBody struct {
	Endpoint         Endpoint   `json:"endpoint"`
	Error            string     `json:"error,omitempty"`
	ErrorDescription string     `json:"error_description,omitempty"`
	Status           int        `json:"status,omitempty"`
	Delay            string     `json:"delay,omitempty"`
	IDToken          TokenFault `json:"id_token,omitempty"`
	State            StateFault `json:"state,omitempty"`
}

func (s *Server) ctlFaults(w http.ResponseWriter, _ *http.Request) {
	faults := s.Faults()
	list := make([]faultBody, 0, len(faults))
	for _, f := range faults {
		body := faultBody{Endpoint: f.Endpoint, Error: f.Error,
			ErrorDescription: f.ErrorDescription, Status: f.Status, IDToken: f.IDToken,
			State: f.State}
		if f.Delay != 0 {
			body.Delay = f.Delay.String()
		}
		list = append(list, body)
	}
	writeJSON(w, http.StatusOK, map[string]any{"faults": list})
}

func (s *Server) ctlFault(w http.ResponseWriter, r *http.Request) {
	var body faultBody
	if err := decodeJSON(r, &body); err != nil {
		s.controlError(w, r, http.StatusBadRequest, err)
		return
	}
	f := Fault{Endpoint: body.Endpoint, Error: body.Error, ErrorDescription: body.ErrorDescription,
		Status: body.Status, IDToken: body.IDToken, State: body.State}
	if body.Delay != "" {
		d, err := time.ParseDuration(body.Delay)
		if err != nil {
			s.controlError(w, r, http.StatusBadRequest, fmt.Errorf(
				"fault delay %q is not a duration: use a duration such as \"2s\"", body.Delay))
			return
		}
		f.Delay = d
	}
	s.respondControl(w, r, s.InjectFault(f))
}

func (s *Server) ctlRequests(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"requests": s.Requests()})
}

func (s *Server) ctlClock(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"now": s.Now(), "advanced": time.Duration(s.offset.Load()).String(),
	})
}

func (s *Server) ctlAdvance(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Duration string `json:"duration"`
	}
	if err := decodeJSON(r, &body); err != nil {
		s.controlError(w, r, http.StatusBadRequest, err)
		return
	}
	if body.Duration == "" {
		s.controlError(w, r, http.StatusBadRequest, fmt.Errorf(
			"duration is missing: send a body such as {\"duration\": \"90m\"}"))
		return
	}
	d, err := time.ParseDuration(body.Duration)
	if err != nil {
		s.controlError(w, r, http.StatusBadRequest, fmt.Errorf(
			"clock duration %q is not a duration: use a duration such as \"90m\"",
			body.Duration))
		return
	}
	now, err := s.Advance(d)
	if err != nil {
		s.controlError(w, r, http.StatusBadRequest, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"now": now})
}

func (s *Server) ctlReset(w http.ResponseWriter, _ *http.Request) {
	s.Reset()
	w.WriteHeader(http.StatusNoContent)
}
