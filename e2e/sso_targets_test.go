package e2e_test

import (
	"context"
	"fmt"
	"net/http/httptest"

	"github.com/authconform/authconform/conformance"
	"github.com/authconform/authconform/internal/ssotarget"
	"github.com/authconform/authconform/mockidp"
)

// serveSSO serves the SSO reference target at an access level, or a mutant
// at its own level when level is "", in process with its own mock IdP. It
// returns the level's profile aimed at both and a function that stops them.
// The profile reaches the IdP as an external one, through its URL.
func serveSSO(level, mutant string) (*conformance.Profile, func(), error) {
	if level == "" {
		for _, m := range ssotarget.Mutants() {
			if m.Name == mutant {
				level = m.Level
			}
		}
	}
	p, err := conformance.LoadProfile(fmt.Sprintf("%s/sso-%s.yaml", targetsDir, level))
	if err != nil {
		return nil, nil, err
	}

	srv := httptest.NewUnstartedServer(nil)
	base := "http://" + srv.Listener.Addr().String()
	client := p.IdP.Client
	idp, err := mockidp.Start(mockidp.Config{Clients: []mockidp.Client{{
		ID: client.ID, Secret: client.Secret,
		RedirectURIs:           []string{base + ssotarget.CallbackPath},
		PostLogoutRedirectURIs: []string{base + "/"},
	}}})
	if err != nil {
		srv.Close()
		return nil, nil, fmt.Errorf("starting the mock IdP: %w", err)
	}
	h, err := ssotarget.Handler(ssotarget.Options{
		Level: level, Issuer: idp.Issuer(), ClientID: client.ID, ClientSecret: client.Secret,
		AllowedUsers: p.SSO.AllowedUsers, AllowedGroups: p.SSO.AllowedGroups,
		Mutant: mutant, PublicURL: base,
	})
	if err != nil {
		srv.Close()
		_ = idp.Close()
		return nil, nil, fmt.Errorf("building the SSO target: %w", err)
	}

	srv.Config.Handler = h
	srv.Start()
	p.URL, p.Start = base+"/", nil
	p.IdP = &conformance.IdPSpec{Mode: "external", URL: idp.URL(), Client: client}
	stop := func() {
		srv.Close()
		_ = idp.Close()
	}
	return p, stop, nil
}

// builtinSSO serves the SSO reference target at the Restricted level, where
// every SSO browser check applies.
func builtinSSO(context.Context) (*conformance.Profile, func(), error) {
	return serveSSO(ssotarget.Restricted, "")
}
