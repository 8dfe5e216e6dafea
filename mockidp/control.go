package mockidp

import (
	"errors"
	"fmt"
)

// ErrUnknownUser is returned when a username is not among the server's users.
var ErrUnknownUser = errors.New("unknown user")

// AddUser adds u, or replaces the user with the same username. It rejects a
// user whose subject (sub claim) another user already has.
func (s *Server) AddUser(u User) error {
	if err := u.Validate(); err != nil {
		return fmt.Errorf("adding user: %w", err)
	}
	s.st.mu.Lock()
	defer s.st.mu.Unlock()
	for _, name := range s.st.order {
		if other := s.st.users[name]; name != u.Username && other.subject() == u.subject() {
			return fmt.Errorf("adding user %q: subject %q is already used by user %q: "+
				"give each user its own subject", u.Username, u.subject(), name)
		}
	}
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

// InjectFault queues f for the next request to f.Endpoint. Faults for one
// endpoint apply first-in, first-out, one per request.
func (s *Server) InjectFault(f Fault) error {
	if err := f.Validate(); err != nil {
		return fmt.Errorf("injecting fault: %w", err)
	}
	s.st.mu.Lock()
	defer s.st.mu.Unlock()
	s.st.faults[f.Endpoint] = append(s.st.faults[f.Endpoint], f)
	return nil
}

// Faults returns the faults not yet applied, grouped by endpoint in the
// order of the Endpoint constants and, within an endpoint, in the order they
// will apply.
func (s *Server) Faults() []Fault {
	s.st.mu.Lock()
	defer s.st.mu.Unlock()
	var out []Fault
	for _, ep := range endpoints {
		out = append(out, s.st.faults[ep]...)
	}
	return out
}
