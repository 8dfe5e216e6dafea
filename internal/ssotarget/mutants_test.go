package ssotarget

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/authconform/authconform/internal/gateway"
	"github.com/authconform/authconform/internal/gateway/gatewaytest"
	"github.com/authconform/authconform/mockidp"
)

// mutantCase is an observation that distinguishes a mutant from the reference: the
// same steps yield the reference result on the reference target and the
// mutant result on the mutant.
type mutantCase struct {
	observe   func(t *testing.T, tg *target) string
	reference string
	mutant    string
}

// loginAfterFault observes whether a login survives the fault.
func loginAfterFault(fault mockidp.Fault) func(*testing.T, *target) string {
	return func(t *testing.T, tg *target) string {
		if err := tg.idp.InjectFault(fault); err != nil {
			t.Fatal(err)
		}
		return "logged in: " + strconv.FormatBool(tg.loggedIn(tg.login("alice")))
	}
}

// anonymousStatus observes the status of one anonymous request.
func anonymousStatus(method, path string, header http.Header, body string) func(
	*testing.T, *target) string {
	return func(t *testing.T, tg *target) string {
		b := gatewaytest.NewBrowser(t)
		return strconv.Itoa(b.Do(method, tg.base+path, header, body).StatusCode)
	}
}

// finalHost observes the host a login or logout with next=//evil.example ends on.
func finalHost(route string) func(*testing.T, *target) string {
	return func(t *testing.T, tg *target) string {
		b := tg.login("alice")
		_, visited := b.Navigate(tg.base + route + "?next=%2F%2Fevil.example")
		for _, v := range visited {
			if u, err := url.Parse(v); err == nil && u.Host == "evil.example" {
				return "evil.example"
			}
		}
		return "own origin"
	}
}

var mutantCases = map[string]mutantCase{
	"trust-user-data-header": {
		observe: func(t *testing.T, tg *target) string {
			spoof := http.Header{"Plotly-User-Data": {`{"username":"alice"}`}}
			_, out := tg.callback(tg.login("bob"), "title", spoof)
			return fmt.Sprint(out)
		},
		reference: "Hello bob", mutant: "Hello alice",
	},
	"trust-forwarded-user": {
		observe: func(t *testing.T, tg *target) string {
			spoof := http.Header{"X-Forwarded-User": {"alice"},
				"X-Forwarded-Groups": {"analysts"}}
			status, out := tg.callback(gatewaytest.NewBrowser(t), "title", spoof)
			return fmt.Sprint(status, " ", out)
		},
		reference: "401 <nil>", mutant: "200 Hello alice",
	},
	"append-client-groups": {
		observe: func(t *testing.T, tg *target) string {
			spoof := http.Header{"X-Forwarded-Groups": {"analysts"}}
			status, _ := tg.callback(tg.login("bob"), "report", spoof)
			return strconv.Itoa(status)
		},
		reference: "204", mutant: "200",
	},
	"drop-groups": {
		observe: func(t *testing.T, tg *target) string {
			return tg.userData(tg.login("alice"), nil)
		},
		reference: `{"department":"finance","email":"alice@example.com","groups":["analysts"],` +
			`"username":"alice"}`,
		mutant: `{"department":"finance","email":"alice@example.com","groups":[],` +
			`"username":"alice"}`,
	},
	"shared-last-user": {observe: observeIsolation, reference: "isolated", mutant: "leaked"},
	"skip-nonce": {
		observe: loginAfterFault(mockidp.Fault{Endpoint: mockidp.EndpointToken,
			IDToken: mockidp.TokenWrongNonce}),
		reference: "logged in: false", mutant: "logged in: true",
	},
	"skip-audience": {
		observe: loginAfterFault(mockidp.Fault{Endpoint: mockidp.EndpointToken,
			IDToken: mockidp.TokenWrongAudience}),
		reference: "logged in: false", mutant: "logged in: true",
	},
	"accept-alg-none": {
		observe: loginAfterFault(mockidp.Fault{Endpoint: mockidp.EndpointToken,
			IDToken: mockidp.TokenAlgNone}),
		reference: "logged in: false", mutant: "logged in: true",
	},
	"skip-state": {
		observe: loginAfterFault(mockidp.Fault{Endpoint: mockidp.EndpointAuthorize,
			State: mockidp.StateWrong}),
		reference: "logged in: false", mutant: "logged in: true",
	},
	"session-in-cookie": {
		observe: func(t *testing.T, tg *target) string {
			forged := base64.RawURLEncoding.EncodeToString([]byte(`{"username":"mallory"}`))
			h := http.Header{"Cookie": {gateway.SessionCookie + "=" + forged}}
			out := tg.userData(gatewaytest.NewBrowser(t), h)
			return fmt.Sprintf("forged user seen: %v", strings.Contains(out, "mallory"))
		},
		reference: "forged user seen: false", mutant: "forged user seen: true",
	},
	"state-not-bound": {
		observe: func(t *testing.T, tg *target) string {
			noRedirect := func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
			starter := &http.Client{CheckRedirect: noRedirect}
			resp, err := starter.Get(tg.base + "/_auth/login?next=%2F")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			authorize := resp.Header.Get("Location")
			if err := tg.idp.QueueUser("alice"); err != nil {
				t.Fatal(err)
			}
			resp, err = starter.Get(authorize)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			callback := resp.Header.Get("Location")
			// Another browser, without the starter's login cookie, follows it.
			resp, err = (&http.Client{CheckRedirect: noRedirect}).Get(callback)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			return fmt.Sprintf("other browser: %d", resp.StatusCode)
		},
		reference: "other browser: 400", mutant: "other browser: 302",
	},
	"no-state": {
		observe: func(t *testing.T, tg *target) string {
			client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error {
				return http.ErrUseLastResponse
			}}
			resp, err := client.Get(tg.base + "/_auth/login?next=%2F")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			loc, err := url.Parse(resp.Header.Get("Location"))
			if err != nil {
				t.Fatal(err)
			}
			return fmt.Sprintf("state sent: %v", loc.Query().Has("state"))
		},
		reference: "state sent: true", mutant: "state sent: false",
	},
	"idp-error-shows-app": {
		observe: func(t *testing.T, tg *target) string {
			fault := mockidp.Fault{Endpoint: mockidp.EndpointAuthorize, Error: "access_denied"}
			if err := tg.idp.InjectFault(fault); err != nil {
				t.Fatal(err)
			}
			resp, _ := gatewaytest.NewBrowser(t).Login(tg.base, "/")
			return fmt.Sprintf("%d app=%v", resp.StatusCode,
				strings.Contains(resp.Body, "react-entry-point"))
		},
		reference: "403 app=false", mutant: "200 app=true",
	},
	"logout-keeps-session": {
		observe: func(t *testing.T, tg *target) string {
			b := tg.login("alice")
			id := tg.sessionID(b)
			b.Navigate(tg.base + LogoutPath)
			replay := gatewaytest.NewBrowser(t)
			replay.Jar.SetCookies(mustParse(t, tg.base), []*http.Cookie{{
				Name: gateway.SessionCookie, Value: id}})
			return "replay works: " + strconv.FormatBool(tg.loggedIn(replay))
		},
		reference: "replay works: false", mutant: "replay works: true",
	},
	"logout-noop": {
		observe: func(t *testing.T, tg *target) string {
			b := tg.login("alice")
			b.Navigate(tg.base + LogoutPath)
			return "logged in: " + strconv.FormatBool(tg.loggedIn(b))
		},
		reference: "logged in: false", mutant: "logged in: true",
	},
	"logout-local-only": {
		observe: func(t *testing.T, tg *target) string {
			b := tg.login("alice")
			_, visited := b.Navigate(tg.base + LogoutPath)
			if strings.HasPrefix(visited[1], tg.idp.Issuer()) {
				return "IdP"
			}
			return "app"
		},
		reference: "IdP", mutant: "app",
	},
	"open-redirect-login": {
		observe: finalHost(LoginPath), reference: "own origin", mutant: "evil.example",
	},
	"open-redirect-logout": {
		observe: finalHost(LogoutPath), reference: "own origin", mutant: "evil.example",
	},
	"cookie-not-httponly": {
		observe: func(t *testing.T, tg *target) string {
			if err := tg.idp.QueueUser("alice"); err != nil {
				t.Fatal(err)
			}
			b := gatewaytest.NewBrowser(t)
			resp := b.Do("GET", tg.base+LoginPath, nil, "")
			resp = b.Do("GET", resp.Header.Get("Location"), nil, "")
			resp = b.Do("GET", resp.Header.Get("Location"), nil, "")
			if c := resp.Cookie(gateway.SessionCookie); c != nil {
				return "HttpOnly: " + strconv.FormatBool(c.HttpOnly)
			}
			return "no session cookie"
		},
		reference: "HttpOnly: true", mutant: "HttpOnly: false",
	},
	"session-fixation": {
		observe: func(t *testing.T, tg *target) string {
			b := gatewaytest.NewBrowser(t)
			chosen := "chosen-by-the-client"
			b.Jar.SetCookies(mustParse(t, tg.base), []*http.Cookie{{
				Name: gateway.SessionCookie, Value: chosen}})
			if err := tg.idp.QueueUser("alice"); err != nil {
				t.Fatal(err)
			}
			b.Login(tg.base, "/")
			return "session id kept: " + strconv.FormatBool(tg.sessionID(b) == chosen)
		},
		reference: "session id kept: false", mutant: "session id kept: true",
	},
	"restricted-admits-all": {
		observe: func(t *testing.T, tg *target) string {
			status, _ := tg.callback(tg.login("bob"), "title", nil)
			return strconv.Itoa(status)
		},
		reference: "403", mutant: "200",
	},
	"unauthenticated-requires-login": {
		observe:   anonymousStatus("GET", "/", gatewaytest.PageHeader(), ""),
		reference: "200", mutant: "302",
	},
	"anonymous-xhr": {
		observe: anonymousStatus("POST", "/_dash-update-component", xhrHeader(),
			updateBody("title", "children")),
		reference: "401", mutant: "200",
	},
	"layout-public": {
		observe:   anonymousStatus("GET", "/_dash-layout", xhrHeader(), ""),
		reference: "401", mutant: "200",
	},
	"greeting-shows-email": {
		observe: func(t *testing.T, tg *target) string {
			_, out := tg.callback(tg.login("alice"), "title", nil)
			return fmt.Sprint(out)
		},
		reference: "Hello alice", mutant: "Hello alice@example.com",
	},
}

// observeIsolation logs 8 users in and sends 200 greeting requests across
// their sessions, 8 at a time, and reports whether any showed another user.
func observeIsolation(t *testing.T, tg *target) string {
	var browsers []*gatewaytest.Browser
	var names []string
	for i := range 8 {
		name := fmt.Sprintf("user%d", i)
		if err := tg.idp.AddUser(mockidp.User{Username: name}); err != nil {
			t.Fatal(err)
		}
		browsers = append(browsers, tg.login(name))
		names = append(names, name)
	}

	jobs := make(chan int)
	var leaked sync.Map
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				_, out := tg.callback(browsers[i%8], "title", nil)
				if out != "Hello "+names[i%8] {
					leaked.Store(i, out)
				}
			}
		}()
	}
	for i := range 200 {
		jobs <- i
	}
	close(jobs)
	wg.Wait()

	result := "isolated"
	leaked.Range(func(any, any) bool { result = "leaked"; return false })
	return result
}

func mustParse(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestEveryMutantHasACase(t *testing.T) {
	for _, name := range MutantNames() {
		if _, ok := mutantCases[name]; !ok {
			t.Errorf("mutant %q has no case in mutantCases", name)
		}
	}
	for name := range mutantCases {
		if _, ok := findMutant(name); !ok {
			t.Errorf("mutantCases has %q, which is not a mutant", name)
		}
	}
}

func TestMutantChangesBehaviour(t *testing.T) {
	for _, m := range Mutants() {
		c, ok := mutantCases[m.Name]
		if !ok {
			continue
		}
		t.Run(m.Name, func(t *testing.T) {
			t.Parallel()
			reference := serve(t, Options{Level: m.Level})
			if got := c.observe(t, reference); got != c.reference {
				t.Errorf("reference: observed %q, want %q", got, c.reference)
			}
			mutated := serve(t, Options{Mutant: m.Name})
			if got := c.observe(t, mutated); got != c.mutant {
				t.Errorf("mutant: observed %q, want %q", got, c.mutant)
			}
		})
	}
}
