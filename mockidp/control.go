package mockidp

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// ErrUnknownUser is returned when a username is not among the server's users.
var ErrUnknownUser = errors.New("unknown user")

// AddUser adds u, or replaces the user with the same username.
func (s *Server) AddUser(u User) error {
	if err := u.Validate(); err != nil {
		return fmt.Errorf("adding user: %w", err)
	}
	s.st.mu.Lock()
	defer s.st.mu.Unlock()
	if _, exists := s.st.users[u.Username]; !exists {
		s.st.order = append(s.st.order, u.Username)
	}
	s.st.users[u.Username] = u.clone()
	return nil
}

// Users returns the users in the order they were added.
func (s *Server) Users() []User {
	s.st.mu.Lock()
	defer s.st.mu.Unlock()
	out := make([]User, 0, len(s.st.order))
	for _, name := range s.st.order {
		out = append(out, s.st.users[name].clone())
	}
	return out
}

// QueueUser makes the named user the one logged in by the next
// authorization request that has no reusable IdP session. Queued users are
// used in order, before the default user and instead of the login page.
func (s *Server) QueueUser(username string) error {
	s.st.mu.Lock()
	defer s.st.mu.Unlock()
	u, ok := s.st.users[username]
	if !ok {
		return fmt.Errorf("queueing user %q: %w: add the user first", username, ErrUnknownUser)
	}
	s.st.queue = append(s.st.queue, u.clone())
	return nil
}

// SetDefaultUser sets the user logged in when no user is queued. An empty
// username clears it, so the login page is shown again.
func (s *Server) SetDefaultUser(username string) error {
	s.st.mu.Lock()
	defer s.st.mu.Unlock()
	if _, ok := s.st.users[username]; username != "" && !ok {
		return fmt.Errorf("setting default user %q: %w: add the user first",
			username, ErrUnknownUser)
	}
	s.st.defaultUser = username
	return nil
}

// InjectFault queues f for the next request to f.Endpoint.
func (s *Server) InjectFault(f Fault) error {
	if err := f.Validate(); err != nil {
		return fmt.Errorf("injecting fault: %w", err)
	}
	s.st.mu.Lock()
	defer s.st.mu.Unlock()
	s.st.faults[f.Endpoint] = append(s.st.faults[f.Endpoint], f)
	return nil
}

// controlHandler serves the HTTP control API under ControlPrefix.
func (s *Server) controlHandler() http.Handler {
	mux := http.NewServeMux()
	p := strings.TrimSuffix(ControlPrefix, "/")
	mux.HandleFunc("GET "+p+"/users", s.ctlUsers)
	mux.HandleFunc("POST "+p+"/users", s.ctlAddUser)
	mux.HandleFunc("POST "+p+"/users/queue", s.ctlQueueUser)
	mux.HandleFunc("PUT "+p+"/users/default", s.ctlDefaultUser)
	mux.HandleFunc("POST "+p+"/faults", s.ctlFault)
	mux.HandleFunc("GET "+p+"/requests", s.ctlRequests)
	mux.HandleFunc("GET "+p+"/clock", s.ctlClock)
	mux.HandleFunc("POST "+p+"/clock/advance", s.ctlAdvance)
	mux.HandleFunc("POST "+p+"/reset", s.ctlReset)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.controlAuthorized(r) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="mockidp-control"`)
			writeControlError(w, http.StatusUnauthorized,
				errors.New("control API requires the configured bearer token"))
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
		rw := &statusRecorder{ResponseWriter: w}
		mux.ServeHTTP(rw, r)
		s.logger.Info("mockidp control request", "method", r.Method, "path", r.URL.Path,
			"status", rw.status)
	})
}

func (s *Server) controlAuthorized(r *http.Request) bool {
	if s.cfg.ControlToken == "" {
		return true
	}
	given, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	return ok && subtle.ConstantTimeCompare([]byte(given), []byte(s.cfg.ControlToken)) == 1
}

func writeControlError(w http.ResponseWriter, status int, err error) {
	writeJSON(w, status, map[string]string{"error": err.Error()})
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
		writeControlError(w, http.StatusBadRequest, err)
		return
	}
	s.respondControl(w, s.AddUser(u))
}

func (s *Server) ctlQueueUser(w http.ResponseWriter, r *http.Request) {
	var body usernameBody
	if err := decodeJSON(r, &body); err != nil {
		writeControlError(w, http.StatusBadRequest, err)
		return
	}
	s.respondControl(w, s.QueueUser(body.Username))
}

func (s *Server) ctlDefaultUser(w http.ResponseWriter, r *http.Request) {
	var body usernameBody
	if err := decodeJSON(r, &body); err != nil {
		writeControlError(w, http.StatusBadRequest, err)
		return
	}
	s.respondControl(w, s.SetDefaultUser(body.Username))
}

// faultBody is the JSON form of a Fault; delay is a Go duration string.
type faultBody struct {
	Endpoint         Endpoint   `json:"endpoint"`
	Error            string     `json:"error"`
	ErrorDescription string     `json:"error_description"`
	Status           int        `json:"status"`
	Delay            string     `json:"delay"`
	IDToken          TokenFault `json:"id_token"`
	State            StateFault `json:"state"`
}

func (s *Server) ctlFault(w http.ResponseWriter, r *http.Request) {
	var body faultBody
	if err := decodeJSON(r, &body); err != nil {
		writeControlError(w, http.StatusBadRequest, err)
		return
	}
	f := Fault{Endpoint: body.Endpoint, Error: body.Error, ErrorDescription: body.ErrorDescription,
		Status: body.Status, IDToken: body.IDToken, State: body.State}
	if body.Delay != "" {
		d, err := time.ParseDuration(body.Delay)
		if err != nil {
			writeControlError(w, http.StatusBadRequest,
				fmt.Errorf("fault delay %q: %w: use a duration such as 2s", body.Delay, err))
			return
		}
		f.Delay = d
	}
	s.respondControl(w, s.InjectFault(f))
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
		writeControlError(w, http.StatusBadRequest, err)
		return
	}
	d, err := time.ParseDuration(body.Duration)
	if err != nil {
		writeControlError(w, http.StatusBadRequest,
			fmt.Errorf("clock duration %q: %w: use a duration such as 90m", body.Duration, err))
		return
	}
	now, err := s.Advance(d)
	if err != nil {
		writeControlError(w, http.StatusBadRequest, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"now": now})
}

func (s *Server) ctlReset(w http.ResponseWriter, _ *http.Request) {
	s.Reset()
	w.WriteHeader(http.StatusNoContent)
}

// respondControl sends 204 on success, or the error as JSON with 400.
func (s *Server) respondControl(w http.ResponseWriter, err error) {
	if err != nil {
		s.logger.Info("mockidp control request rejected", "err", err)
		writeControlError(w, http.StatusBadRequest, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
