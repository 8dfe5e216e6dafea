package mockidp

import (
	"context"
	"encoding/json"
	"net/http"
)

// The OIDC endpoint paths, relative to the issuer's path.
const (
	pathDiscovery  = "/.well-known/openid-configuration"
	pathJWKS       = "/jwks"
	pathAuthorize  = "/authorize"
	pathLogin      = "/login"
	pathToken      = "/token"
	pathUserinfo   = "/userinfo"
	pathEndSession = "/logout"
)

// routes builds the handler of every endpoint.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	p := s.issuerPath
	mux.Handle("GET "+p+pathDiscovery, s.endpoint(EndpointDiscovery, s.handleDiscovery))
	mux.Handle("GET "+p+pathJWKS, s.endpoint(EndpointJWKS, s.handleJWKS))
	mux.Handle(p+pathAuthorize, s.endpoint(EndpointAuthorize, s.handleAuthorize))
	mux.Handle("POST "+p+pathLogin, s.endpoint(EndpointLogin, s.handleLogin))
	mux.Handle("POST "+p+pathToken, s.endpoint(EndpointToken, s.handleToken))
	mux.Handle(p+pathUserinfo, s.endpoint(EndpointUserinfo, s.handleUserinfo))
	mux.Handle(p+pathEndSession, s.endpoint(EndpointEndSession, s.handleEndSession))
	if !s.cfg.ControlDisabled {
		mux.Handle(ControlPrefix, s.controlHandler())
	}
	return mux
}

// endpoint wraps h with form parsing, faults, the request log and logging.
func (s *Server) endpoint(ep Endpoint, h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
		rw := &statusRecorder{ResponseWriter: w}
		parseErr := r.ParseForm()
		rec := newRecord(r, ep, s.Now())
		defer func() {
			rec.Status = rw.status
			s.reqLog.add(rec)
			s.logger.Info("mockidp request", "endpoint", ep, "method", r.Method,
				"path", r.URL.Path, "status", rw.status, "client_id", rec.ClientID)
		}()
		if parseErr != nil {
			s.logger.Warn("mockidp invalid request", "endpoint", ep, "err", parseErr)
			writeOAuthError(rw, http.StatusBadRequest, "invalid_request",
				"request parameters could not be parsed: "+parseErr.Error())
			return
		}
		fault, ok := s.popFault(ep)
		if ok {
			s.logger.Info("mockidp fault", "endpoint", ep, "error", fault.Error,
				"delay", fault.Delay, "id_token", fault.IDToken)
			if fault.Delay > 0 && !s.sleep(r.Context(), fault.Delay) {
				return
			}
			redirects := ep == EndpointAuthorize || ep == EndpointLogin
			if fault.Error != "" && !redirects {
				writeOAuthError(rw, cmpOrInt(fault.Status, http.StatusBadRequest),
					fault.Error, fault.ErrorDescription)
				return
			}
			r = r.WithContext(context.WithValue(r.Context(), faultKey{}, fault))
		}
		h(rw, r)
	})
}

// writeJSON sends v as a JSON response that caches must not store.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v) // a failed write means the client went away
}

// oauthError is the JSON body of an OAuth 2.0 error response.
type oauthError struct {
	Error       string `json:"error"`
	Description string `json:"error_description,omitempty"`
}

func writeOAuthError(w http.ResponseWriter, status int, code, description string) {
	writeJSON(w, status, oauthError{Error: code, Description: description})
}

func cmpOrInt(a, b int) int {
	if a != 0 {
		return a
	}
	return b
}
