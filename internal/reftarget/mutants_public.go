package reftarget

import (
	"encoding/json"
	"net/http"
	"net/url"
	"path"

	"github.com/authconform/authconform/internal/basicauth"
	"github.com/authconform/authconform/internal/refapp"
)

// This file contains the mutants that change what is public and how public and
// group-restricted callbacks are decided.

// publicProtected declares no public routes.
func publicProtected(a *assembly) error {
	a.auth.PublicRoutes = nil
	return nil
}

// publicPrefix matches a rule against every leading part of the path.
func publicPrefix(a *assembly) error {
	a.auth.Hooks.MatchRule = func(rule *basicauth.Rule, p string) bool {
		for end := 1; end <= len(p); end++ {
			if rule.Match(p[:end]) {
				return true
			}
		}
		return false
	}
	return nil
}

// publicRawPath matches public rules on the decoded, cleaned path.
func publicRawPath(a *assembly) error {
	a.auth.Hooks.RequestPath = func(r *http.Request) string {
		return path.Clean(r.URL.Path)
	}
	return nil
}

// originalURLHeader trusts a rewrite header for the public-route check.
func originalURLHeader(a *assembly) error {
	a.auth.Hooks.RequestPath = func(r *http.Request) string {
		if original := r.Header.Get("X-Original-URL"); original != "" {
			if u, err := url.Parse(original); err == nil {
				return u.EscapedPath()
			}
		}
		return r.URL.EscapedPath()
	}
	return nil
}

// allAssetsPublic declares every asset public.
func allAssetsPublic(a *assembly) error {
	a.auth.PublicRoutes = append(a.auth.PublicRoutes, "/assets/<path:path>")
	return nil
}

// internalsPublic declares Dash's internal routes public in the private
// configuration, as if a public route had been declared.
func internalsPublic(a *assembly) error {
	a.auth.PublicRoutes = basicauth.DashInternalRoutes(nil)
	return nil
}

// publicCallbackProtected declares no public callbacks.
func publicCallbackProtected(a *assembly) error {
	a.auth.PublicCallbacks = nil
	return nil
}

// spoofedCallback decides from "outputs" in the middleware and turns off the
// app's check that "outputs" agrees with "output".
func spoofedCallback(a *assembly) error {
	a.auth.Hooks.CallbackTarget = func(req *basicauth.UpdateRequest) (string, bool) {
		var spec struct {
			ID       string `json:"id"`
			Property string `json:"property"`
		}
		if err := json.Unmarshal(req.Outputs, &spec); err != nil || spec.ID == "" {
			return "", false
		}
		return spec.ID + "." + spec.Property, true
	}
	a.app.SkipOutputCheck = true
	return nil
}

// groupsIgnored removes the report callback's group restriction.
func groupsIgnored(a *assembly) error {
	callbacks := refapp.DefaultCallbacks()
	for i := range callbacks {
		callbacks[i].Groups = nil
	}
	a.app.Callbacks = callbacks
	return nil
}
