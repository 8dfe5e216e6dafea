package reftarget

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/authconform/authconform/internal/basicauth"
)

// mutantCase is an observation that distinguishes a mutant from the
// reference: the same requests yield the reference result on the reference
// target and the mutant result on the mutant.
type mutantCase struct {
	observe   func(t *testing.T, srv *httptest.Server) string
	reference string
	mutant    string
}

// status observes the status of one request.
func status(method, path string, header http.Header, body string) func(
	*testing.T, *httptest.Server) string {
	return func(t *testing.T, srv *httptest.Server) string {
		return strconv.Itoa(do(t, srv, method, path, header, body).resp.StatusCode)
	}
}

var (
	alice = basicHeader("alice", "wonder:land")
	bob   = basicHeader("bob", "builder")
	xhr   = http.Header{"X-Requested-With": {"XMLHttpRequest"},
		"Accept": {"application/json"}, "Content-Type": {"application/json"}}
	validToken = strings.TrimPrefix(alice.Get("Authorization"), "Basic ")
)

// spoofedBody names the protected greeting in "output" and the public note
// in "outputs".
var spoofedBody = strings.Replace(updateBody("title.children"), `"id":"title"`,
	`"id":"public-note"`, 1)

var mutantCases = map[string]mutantCase{
	"open-callback": {
		observe:   status("POST", basicauth.UpdatePath, nil, updateBody("title.children")),
		reference: "401", mutant: "200",
	},
	"xhr-forbidden": {
		observe: func(t *testing.T, srv *httptest.Server) string {
			ex := do(t, srv, "POST", basicauth.UpdatePath, xhr, updateBody("title.children"))
			return fmt.Sprintf("%d %q", ex.resp.StatusCode, ex.body)
		},
		reference: `401 "Login Required"`, mutant: `403 ""`,
	},
	"xhr-redirect": {
		observe: func(t *testing.T, srv *httptest.Server) string {
			ex := do(t, srv, "POST", basicauth.UpdatePath, xhr, updateBody("title.children"))
			return fmt.Sprintf("%d %s", ex.resp.StatusCode, ex.resp.Header.Get("Location"))
		},
		reference: "401 ", mutant: "302 /login",
	},
	"no-realm": {
		observe: func(t *testing.T, srv *httptest.Server) string {
			return do(t, srv, "GET", "/", nil, "").resp.Header.Get("WWW-Authenticate")
		},
		reference: wantChallenge, mutant: "Basic",
	},
	"challenge-leaks": {
		observe: func(t *testing.T, srv *httptest.Server) string {
			ex := do(t, srv, "GET", "/", nil, "")
			return fmt.Sprintf("%d index=%v", ex.resp.StatusCode,
				strings.Contains(ex.body, "react-entry-point"))
		},
		reference: "401 index=false", mutant: "401 index=true",
	},
	"late-route-open": {
		observe:   status("GET", ReportsPath, nil, ""),
		reference: "401", mutant: "200",
	},
	"not-found-first": {
		observe: func(t *testing.T, srv *httptest.Server) string {
			missing := do(t, srv, "GET", "/assets/missing.png", nil, "").resp.StatusCode
			wrongMethod := do(t, srv, "DELETE", "/", nil, "").resp.StatusCode
			return fmt.Sprintf("%d %d", missing, wrongMethod)
		},
		reference: "401 401", mutant: "404 405",
	},
	"logout-route": {
		observe:   status("GET", "/logout", alice, ""),
		reference: "200", mutant: "401",
	},
	"echo-password": {
		observe: func(t *testing.T, srv *httptest.Server) string {
			ex := do(t, srv, "GET", "/", alice, "")
			for _, values := range ex.resp.Header {
				for _, v := range values {
					if strings.Contains(v, "wonder:land") {
						return "echoed"
					}
				}
			}
			return "not echoed"
		},
		reference: "not echoed", mutant: "echoed",
	},
	"lowercase-scheme-500": {
		observe: func(t *testing.T, srv *httptest.Server) string {
			lower := do(t, srv, "GET", "/", authHeader("basic "+validToken), "")
			bearer := do(t, srv, "GET", "/", authHeader("Bearer x"), "")
			return fmt.Sprintf("%d %d", lower.resp.StatusCode, bearer.resp.StatusCode)
		},
		reference: "200 401", mutant: "500 500",
	},
	"junk-prefix": {
		observe:   status("GET", "/", authHeader("XBasic "+validToken), ""),
		reference: "401", mutant: "200",
	},
	"last-colon": {
		observe:   status("GET", "/", alice, ""),
		reference: "200", mutant: "401",
	},
	"latin1": {
		observe:   status("GET", "/", basicHeader("zoë", "pässwörd"), ""),
		reference: "200", mutant: "401",
	},
	"case-insensitive-users": {
		observe:   status("GET", "/", basicHeader("ALICE", "wonder:land"), ""),
		reference: "401", mutant: "200",
	},
	"trimmed-credentials": {
		observe:   status("GET", "/", basicHeader(" alice", "wonder:land "), ""),
		reference: "401", mutant: "200",
	},
	"unknown-user-empty-password": {
		observe:   status("GET", "/", basicHeader("nobody", ""), ""),
		reference: "401", mutant: "200",
	},
	"missing-user": {
		observe:   status("GET", "/", bob, ""),
		reference: "200", mutant: "401",
	},
	"session-cookie": {
		observe: func(t *testing.T, srv *httptest.Server) string {
			login := do(t, srv, "GET", "/", bob, "")
			cookie, _, _ := strings.Cut(login.resp.Header.Get("Set-Cookie"), ";")
			ex := do(t, srv, "GET", "/", http.Header{"Cookie": {cookie}}, "")
			return strconv.Itoa(ex.resp.StatusCode)
		},
		reference: "401", mutant: "200",
	},
	"lockout": {
		observe: func(t *testing.T, srv *httptest.Server) string {
			var last int
			for range LockoutLimit + 1 {
				last = do(t, srv, "POST", basicauth.UpdatePath, alice,
					updateBody("title.children")).resp.StatusCode
			}
			return strconv.Itoa(last)
		},
		reference: "200", mutant: "401",
	},
	"public-protected": {
		observe:   status("GET", "/public", nil, ""),
		reference: "200", mutant: "401",
	},
	"public-prefix": {
		observe: func(t *testing.T, srv *httptest.Server) string {
			sub := do(t, srv, "GET", "/public/x", nil, "").resp.StatusCode
			longer := do(t, srv, "GET", "/publicity", nil, "").resp.StatusCode
			return fmt.Sprintf("%d %d", sub, longer)
		},
		reference: "401 401", mutant: "200 200",
	},
	"public-raw-path": {
		observe: func(t *testing.T, srv *httptest.Server) string {
			ex := do(t, srv, "GET", "/reports/../public", nil, "")
			return fmt.Sprintf("%d index=%v", ex.resp.StatusCode,
				strings.Contains(ex.body, "react-entry-point"))
		},
		reference: "401 index=false", mutant: "200 index=true",
	},
	"original-url-header": {
		observe:   status("GET", ReportsPath, http.Header{"X-Original-URL": {"/public"}}, ""),
		reference: "401", mutant: "200",
	},
	"all-assets-public": {
		observe:   status("GET", "/assets/logo.png", nil, ""),
		reference: "401", mutant: "200",
	},
	"internals-public": {
		observe:   status("GET", "/_dash-layout", nil, ""),
		reference: "401", mutant: "200",
	},
	"public-callback-protected": {
		observe: status("POST", basicauth.UpdatePath, nil,
			updateBody("public-note.children")),
		reference: "200", mutant: "401",
	},
	"spoofed-callback": {
		observe: func(t *testing.T, srv *httptest.Server) string {
			ex := do(t, srv, "POST", basicauth.UpdatePath, nil, spoofedBody)
			return fmt.Sprintf("%d greeting=%v", ex.resp.StatusCode,
				strings.Contains(ex.body, `"title"`))
		},
		reference: "401 greeting=false", mutant: "200 greeting=true",
	},
	"groups-ignored": {
		observe:   status("POST", basicauth.UpdatePath, bob, updateBody("report.children")),
		reference: "204", mutant: "200",
	},
}

func TestEveryMutantHasACase(t *testing.T) {
	for _, name := range MutantNames() {
		if _, ok := mutantCases[name]; !ok {
			t.Errorf("mutant %q has no case in mutantCases", name)
		}
	}
	for name := range mutantCases {
		if _, ok := findMutant(name); !ok {
			t.Errorf("mutantCases has %q, which is not a registered mutant", name)
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
			reference := serve(t, Options{Private: m.Private})
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

func TestMutantKeepsOtherBehaviour(t *testing.T) {
	// Each mutant except those that break logins still serves alice's greeting
	// and still challenges an anonymous request for the index.
	breaksLogin := map[string]bool{"last-colon": true}
	for _, m := range Mutants() {
		t.Run(m.Name, func(t *testing.T) {
			t.Parallel()
			srv := serve(t, Options{Mutant: m.Name})
			if !breaksLogin[m.Name] {
				ex := do(t, srv, "POST", basicauth.UpdatePath, alice, updateBody("title.children"))
				if !strings.Contains(ex.body, "Hello alice") {
					t.Errorf("alice's greeting: status %d body %q", ex.resp.StatusCode, ex.body)
				}
			}
			ex := do(t, srv, "GET", "/", nil, "")
			if ex.resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("anonymous GET /: status = %d, want 401", ex.resp.StatusCode)
			}
		})
	}
}
