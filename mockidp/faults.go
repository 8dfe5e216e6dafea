package mockidp

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"time"
)

// Endpoint names an endpoint of the IdP, for faults and the request log.
type Endpoint string

// The endpoints of the IdP.
const (
	EndpointDiscovery  Endpoint = "discovery"
	EndpointJWKS       Endpoint = "jwks"
	EndpointAuthorize  Endpoint = "authorize"
	EndpointLogin      Endpoint = "login"
	EndpointToken      Endpoint = "token"
	EndpointUserinfo   Endpoint = "userinfo"
	EndpointEndSession Endpoint = "end_session"
)

var endpoints = []Endpoint{
	EndpointDiscovery, EndpointJWKS, EndpointAuthorize, EndpointLogin,
	EndpointToken, EndpointUserinfo, EndpointEndSession,
}

// TokenFault is a defect put into the ID token of one token response, so a
// test can check that the relying party rejects it.
type TokenFault string

// The ID token defects a Fault can request.
const (
	TokenAlgNone       TokenFault = "alg_none"       // unsigned, header alg "none"
	TokenUnknownKey    TokenFault = "unknown_key"    // signed by a key not in the JWKS
	TokenWrongIssuer   TokenFault = "wrong_issuer"   // iss is not the issuer
	TokenWrongAudience TokenFault = "wrong_audience" // aud is not the client id
	TokenExpired       TokenFault = "expired"        // exp ten minutes in the past
	TokenWrongNonce    TokenFault = "wrong_nonce"    // nonce differs from the request's
)

var tokenFaults = []TokenFault{
	TokenAlgNone, TokenUnknownKey, TokenWrongIssuer, TokenWrongAudience,
	TokenExpired, TokenWrongNonce,
}

// StateFault is a defect in the state parameter of the next successful
// authorization response, so a test can check that the relying party
// rejects it.
type StateFault string

// The state defects a Fault can request.
const (
	StateMissing StateFault = "missing" // the response carries no state
	StateWrong   StateFault = "wrong"   // the response carries another state
)

// maxFaultDelay bounds Fault.Delay so a typo cannot hang a test run.
const maxFaultDelay = 10 * time.Minute

// Fault changes the next response of one endpoint. Faults for the same
// endpoint apply in the order they were injected, one per request.
type Fault struct {
	Endpoint Endpoint
	// Error is an OAuth error code such as server_error or access_denied.
	// The authorization endpoint returns it to the client by redirect; the
	// other endpoints return it as a JSON error response.
	Error            string
	ErrorDescription string
	// Status is the HTTP status of a JSON error response. Zero means 400.
	Status int
	// Delay holds the response back before it is handled.
	Delay time.Duration
	// IDToken poisons the ID token of the next token response.
	IDToken TokenFault
	// State alters the state of the code redirect from the authorization
	// endpoint or, when the login page is shown, from the login endpoint.
	State StateFault
}

var errorCodePattern = regexp.MustCompile(`^[a-z_]+$`)

// Validate reports every problem with f, joined into one error.
func (f Fault) Validate() error {
	var errs []error
	if !slices.Contains(endpoints, f.Endpoint) {
		errs = append(errs, fmt.Errorf("fault endpoint %q is unknown: use one of %v",
			f.Endpoint, endpoints))
	}
	if f.Error == "" && f.Delay == 0 && f.IDToken == "" && f.State == "" {
		errs = append(errs, errors.New("fault has no error, delay, id_token or state: set one"))
	}
	if f.State != "" {
		if f.State != StateMissing && f.State != StateWrong {
			errs = append(errs, fmt.Errorf("fault state %q is unknown: use %q or %q",
				f.State, StateMissing, StateWrong))
		}
		if f.Endpoint != EndpointAuthorize && f.Endpoint != EndpointLogin {
			errs = append(errs, fmt.Errorf(
				"fault state applies to the authorize and login endpoints, not %q", f.Endpoint))
		}
	}
	if f.Error != "" && !errorCodePattern.MatchString(f.Error) {
		errs = append(errs, fmt.Errorf(
			"fault error %q is not an OAuth error code: use lowercase letters and _", f.Error))
	}
	if f.Status != 0 && (f.Status < 400 || f.Status > 599) {
		errs = append(errs, fmt.Errorf("fault status %d is not a 4xx or 5xx status", f.Status))
	}
	if f.Delay < 0 || f.Delay > maxFaultDelay {
		errs = append(errs, fmt.Errorf("fault delay %v is outside 0 to %v", f.Delay, maxFaultDelay))
	}
	if f.IDToken != "" {
		if !slices.Contains(tokenFaults, f.IDToken) {
			errs = append(errs, fmt.Errorf("fault id_token %q is unknown: use one of %v",
				f.IDToken, tokenFaults))
		}
		if f.Endpoint != EndpointToken {
			errs = append(errs, fmt.Errorf(
				"fault id_token applies to the token endpoint, not %q", f.Endpoint))
		}
	}
	return errors.Join(errs...)
}

// popFault removes and returns the next fault for ep, if any.
func (s *Server) popFault(ep Endpoint) (Fault, bool) {
	s.st.mu.Lock()
	defer s.st.mu.Unlock()
	queue := s.st.faults[ep]
	if len(queue) == 0 {
		return Fault{}, false
	}
	f := queue[0]
	if len(queue) == 1 {
		delete(s.st.faults, ep)
	} else {
		s.st.faults[ep] = queue[1:]
	}
	return f, true
}

// sleep waits for d. It returns false when the request is cancelled, and
// true early when the server closes, so the handler responds before Close
// returns.
func (s *Server) sleep(ctx context.Context, d time.Duration) bool {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-ctx.Done():
		return false
	case <-s.closing:
		return true
	}
}

type faultKey struct{}

// faultFrom returns the fault popped for this request, if any.
func faultFrom(ctx context.Context) (Fault, bool) {
	f, ok := ctx.Value(faultKey{}).(Fault)
	return f, ok
}
