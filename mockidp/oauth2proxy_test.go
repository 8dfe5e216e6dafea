package mockidp

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const (
	oauth2ProxyVersion = "v7.15.6"
	// oauth2ProxyEnv names an environment variable with the path of a
	// prebuilt oauth2-proxy binary, which skips the build.
	oauth2ProxyEnv = "AUTHCONFORM_OAUTH2_PROXY"
)

// oauth2ProxyBinary returns an oauth2-proxy binary: the one named by
// AUTHCONFORM_OAUTH2_PROXY, a cached build, or a new build from the Go
// module proxy into the user cache directory (about a minute on 2 cores).
func oauth2ProxyBinary(t *testing.T) string {
	t.Helper()
	if path := os.Getenv(oauth2ProxyEnv); path != "" {
		if _, err := os.Stat(path); err != nil {
			t.Fatalf("%s=%s: %v", oauth2ProxyEnv, path, err)
		}
		return path
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		t.Skipf("no user cache directory to build oauth2-proxy into: %v", err)
	}
	dir := filepath.Join(cache, "authconform", "oauth2-proxy-"+oauth2ProxyVersion)
	bin := filepath.Join(dir, "oauth2-proxy")
	if _, err := os.Stat(bin); err == nil {
		return bin
	}
	if testing.Short() {
		t.Skipf("-short: not building oauth2-proxy; set %s to a prebuilt binary", oauth2ProxyEnv)
	}
	t.Logf("building oauth2-proxy %s into %s", oauth2ProxyVersion, dir)
	cmd := exec.Command("go", "install",
		"github.com/oauth2-proxy/oauth2-proxy/v7@"+oauth2ProxyVersion)
	cmd.Env = append(os.Environ(), "GOBIN="+dir, "GOFLAGS=-mod=mod")
	cmd.Dir = os.TempDir() // outside this module, so its go.mod does not apply
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building oauth2-proxy: %v\n%s", err, out)
	}
	return bin
}

// freeAddr returns a loopback address that was free a moment ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startOAuth2Proxy runs oauth2-proxy on addr in front of upstream, with
// idp as its OIDC provider, and returns its base URL.
func startOAuth2Proxy(t *testing.T, idp *Server, addr, upstream string) string {
	t.Helper()
	bin := oauth2ProxyBinary(t)
	base := "http://" + addr
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin,
		"--provider=oidc", "--oidc-issuer-url="+idp.Issuer(),
		"--client-id=proxy", "--client-secret=proxy-secret",
		"--redirect-url="+base+"/oauth2/callback", "--upstream="+upstream,
		"--http-address="+addr, "--cookie-secret=0123456789abcdef0123456789abcdef",
		"--cookie-secure=false", "--email-domain=*", "--skip-provider-button=true",
		"--scope=openid email profile groups", "--code-challenge-method=S256",
		"--pass-user-headers=true")
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("starting oauth2-proxy: %v", err)
	}
	t.Cleanup(func() {
		cancel()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("oauth2-proxy output:\n%s", logs.String())
		}
	})
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(base + "/ping")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return base
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("oauth2-proxy did not answer /ping within 20s:\n%s", logs.String())
	return ""
}

func TestOAuth2ProxyLogsUserIn(t *testing.T) {
	// The upstream echoes the identity headers oauth2-proxy sets.
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]string{
			"user":     r.Header.Get("X-Forwarded-User"),
			"email":    r.Header.Get("X-Forwarded-Email"),
			"username": r.Header.Get("X-Forwarded-Preferred-Username"),
			"groups":   r.Header.Get("X-Forwarded-Groups"),
		})
	}))
	defer upstream.Close()

	proxyAddr := freeAddr(t)
	idp := startIDP(t, func(c *Config) {
		c.Clients = append(c.Clients, Client{ID: "proxy", Secret: "proxy-secret",
			RedirectURIs: []string{"http://" + proxyAddr + "/oauth2/callback"}})
	})
	proxy := startOAuth2Proxy(t, idp, proxyAddr, upstream.URL)

	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Jar: jar, Timeout: 20 * time.Second}
	resp, err := client.Get(proxy + "/dashboard")
	if err != nil {
		t.Fatal(err)
	}
	m := loginPageRequest.FindStringSubmatch(readBody(t, resp))
	if m == nil {
		t.Fatalf("oauth2-proxy did not lead to the login page (final URL %s, status %d)",
			resp.Request.URL, resp.StatusCode)
	}
	resp, err = client.PostForm(idp.Issuer()+pathLogin, url.Values{"request": {m[1]},
		"username": {"alice"}, "password": {"alice-pw"}})
	if err != nil {
		t.Fatal(err)
	}
	body := readBody(t, resp)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("after login: status %d at %s: %.300s", resp.StatusCode, resp.Request.URL, body)
	}
	var seen map[string]string
	if err := json.Unmarshal([]byte(body), &seen); err != nil {
		t.Fatalf("upstream answer is not JSON: %v: %.300s", err, body)
	}
	if seen["username"] != "alice" {
		t.Errorf("upstream saw username %q, want alice (headers %v)", seen["username"], seen)
	}
	if seen["email"] != "alice@example.com" {
		t.Errorf("upstream saw email %q, want alice@example.com", seen["email"])
	}
	if groups := strings.Split(seen["groups"], ","); fmt.Sprint(groups) != "[admins analysts]" {
		t.Errorf("upstream saw groups %q, want admins,analysts", seen["groups"])
	}
}
