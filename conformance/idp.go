package conformance

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/authconform/authconform/mockidp"
)

// IdP is the mock identity provider of an SSO run, driven through its
// control API so that an embedded and an external mockidp behave alike.
type IdP struct {
	// BaseURL is the IdP's listen URL, under which the control API lives.
	BaseURL string
	// Issuer is the IdP's public issuer URL.
	Issuer string
	// AuthorizationEndpoint and EndSessionEndpoint come from discovery.
	AuthorizationEndpoint string
	EndSessionEndpoint    string
	token                 string
	http                  *http.Client
	server                *mockidp.Server
}

// discover reads the endpoints from the IdP's discovery document.
func (i *IdP) discover(ctx context.Context) error {
	var disc struct {
		Issuer                string `json:"issuer"`
		AuthorizationEndpoint string `json:"authorization_endpoint"`
		EndSessionEndpoint    string `json:"end_session_endpoint"`
	}
	if err := i.call(ctx, http.MethodGet, "/.well-known/openid-configuration", nil, &disc, false); err != nil {
		return err
	}
	i.Issuer, i.AuthorizationEndpoint, i.EndSessionEndpoint = disc.Issuer, disc.AuthorizationEndpoint, disc.EndSessionEndpoint
	return nil
}

// StartIdP starts the embedded mockidp of a profile, or connects to the
// external one, and loads the profile's users into it. port fills
// {port} in the client's redirect URIs.
func StartIdP(ctx context.Context, p *Profile, port int) (*IdP, error) {
	spec := p.IdP
	fill := func(list []string) []string {
		out := make([]string, len(list))
		for i, s := range list {
			out[i] = strings.ReplaceAll(s, PortPlaceholder, strconv.Itoa(port))
		}
		return out
	}
	users := make([]mockidp.User, 0, len(p.Users))
	for _, u := range p.Users {
		users = append(users, mockidpUser(u))
	}
	idp := &IdP{token: spec.ControlToken, http: &http.Client{Timeout: 30 * time.Second,
		Transport: &http.Transport{Proxy: nil}}}
	switch spec.Mode {
	case "embedded":
		srv, err := mockidp.Start(mockidp.Config{
			Addr:   spec.Address,
			Issuer: spec.Issuer,
			Clients: []mockidp.Client{{ID: spec.Client.ID, Secret: spec.Client.Secret,
				RedirectURIs:           fill(spec.Client.RedirectURIs),
				PostLogoutRedirectURIs: fill(spec.Client.PostLogoutRedirectURIs)}},
			Users:        users,
			ControlToken: spec.ControlToken,
		})
		if err != nil {
			return nil, fmt.Errorf("starting the embedded mock IdP: %w", err)
		}
		idp.server, idp.BaseURL = srv, srv.URL()
		if err := idp.discover(ctx); err != nil {
			srv.Close()
			return nil, fmt.Errorf("reading the embedded mock IdP's discovery: %w", err)
		}
		return idp, nil
	default:
		idp.BaseURL = strings.TrimSuffix(spec.URL, "/")
		if err := idp.discover(ctx); err != nil {
			return nil, fmt.Errorf("reaching the external mock IdP at %s: %w; start mockidp or fix idp.url", spec.URL, err)
		}
		for _, u := range users {
			if err := idp.control(ctx, http.MethodPost, "users", u, nil); err != nil {
				return nil, fmt.Errorf("adding user %s to the external mock IdP: %w", u.Username, err)
			}
		}
		return idp, nil
	}
}

func mockidpUser(u User) mockidp.User {
	return mockidp.User{Username: u.Username, Password: u.Secret(), Email: u.Email, Name: u.Name,
		Groups: u.Groups, Claims: u.Claims}
}

// Close stops an embedded IdP.
func (i *IdP) Close() {
	if i != nil && i.server != nil {
		_ = i.server.Close()
	}
}

// QueueUser makes username the next user to log in without a page.
func (i *IdP) QueueUser(ctx context.Context, username string) error {
	return i.control(ctx, http.MethodPost, "users/queue", map[string]string{"username": username}, nil)
}

// SetDefaultUser logs username in whenever no user is queued; "" brings
// the login page back.
func (i *IdP) SetDefaultUser(ctx context.Context, username string) error {
	return i.control(ctx, http.MethodPut, "users/default", map[string]string{"username": username}, nil)
}

// Fault is a defect injected into the IdP's next response of an endpoint.
type Fault struct {
	Endpoint string `json:"endpoint"`
	Error    string `json:"error,omitempty"`
	Status   int    `json:"status,omitempty"`
	IDToken  string `json:"id_token,omitempty"`
	State    string `json:"state,omitempty"`
}

// InjectFault makes the next response of an endpoint faulty.
func (i *IdP) InjectFault(ctx context.Context, f Fault) error {
	return i.control(ctx, http.MethodPost, "faults", f, nil)
}

// Reset returns the IdP to its state at start and loads the users again.
func (i *IdP) Reset(ctx context.Context, p *Profile) error {
	if err := i.control(ctx, http.MethodPost, "reset", nil, nil); err != nil {
		return err
	}
	if i.server != nil {
		return nil
	}
	for _, u := range p.Users {
		if err := i.control(ctx, http.MethodPost, "users", mockidpUser(u), nil); err != nil {
			return err
		}
	}
	return nil
}

// RequestRecord is one entry of the IdP's request log.
type RequestRecord struct {
	Endpoint string              `json:"endpoint"`
	Method   string              `json:"method"`
	Path     string              `json:"path"`
	Params   map[string][]string `json:"params"`
	ClientID string              `json:"client_id"`
	Status   int                 `json:"status"`
}

// Requests returns the IdP's request log.
func (i *IdP) Requests(ctx context.Context) ([]RequestRecord, error) {
	var out []RequestRecord
	err := i.control(ctx, http.MethodGet, "requests", nil, &out)
	return out, err
}

func (i *IdP) control(ctx context.Context, method, path string, in, out any) error {
	return i.call(ctx, method, mockidp.ControlPrefix+path, in, out, true)
}

func (i *IdP) call(ctx context.Context, method, path string, in, out any, auth bool) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("encoding %s body: %w", path, err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, i.BaseURL+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if auth && i.token != "" {
		req.Header.Set("Authorization", "Bearer "+i.token)
	}
	resp, err := i.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, MaxBody))
	if resp.StatusCode >= 300 {
		return fmt.Errorf("%s %s: got %d %s", method, path, resp.StatusCode, strings.TrimSpace(string(data)))
	}
	if out != nil && len(data) > 0 {
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("decoding the %s response: %w", path, err)
		}
	}
	return nil
}
