package mockidp

import (
	"fmt"
	"net/http/cookiejar"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// soakEnv gates the long tests: AUTHCONFORM_SOAK=1 go test -run Soak ...
const soakEnv = "AUTHCONFORM_SOAK"

func requireSoak(t *testing.T) {
	t.Helper()
	if os.Getenv(soakEnv) != "1" {
		t.Skipf("soak test: set %s=1 to run it", soakEnv)
	}
}

// TestSoakConcurrentLogins has 64 clients log in, read userinfo by their
// token, refresh and log out, in a loop for 30 seconds. Each login must
// yield its own user.
func TestSoakConcurrentLogins(t *testing.T) {
	requireSoak(t)
	const clients = 64
	duration := 30 * time.Second
	idp := startIDP(t, func(c *Config) { c.Users = manyUsers(clients) })
	deadline := time.Now().Add(duration)
	var logins atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	for i := range clients {
		wg.Go(func() {
			name := fmt.Sprintf("user%02d", i)
			f := newFlowClient(idp)
			for time.Now().Before(deadline) {
				if err := soakRound(idp, f, name); err != nil {
					errs <- fmt.Errorf("%s after %d logins: %w", name, logins.Load(), err)
					return
				}
				logins.Add(1)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	t.Logf("%d logins by %d clients in %v", logins.Load(), clients, duration)
}

// soakRound runs one login, refresh and logout for username.
func soakRound(idp *Server, f *flowClient, username string) error {
	code, err := f.code(username)
	if err != nil {
		return err
	}
	tokens, err := f.exchange(code)
	if err != nil {
		return err
	}
	claims, err := idp.verifyToken(tokens["id_token"].(string), true)
	if err != nil {
		return err
	}
	if claims["sub"] != username {
		return fmt.Errorf("logged in as %v", claims["sub"])
	}
	if _, err := f.refresh(tokens["refresh_token"].(string)); err != nil {
		return err
	}
	return f.logout()
}

// TestSoakMemoryStaysFlat compares the heap after 1,000 and after 100,000
// logins. Half the logins end with a logout; the others expire, because the
// clock moves past the session lifetime every 1,000 logins. Run it without
// -race: under the race detector 100,000 logins take too long.
func TestSoakMemoryStaysFlat(t *testing.T) {
	requireSoak(t)
	idp := startIDP(t, func(c *Config) { c.DefaultUser = "alice" })
	const workers = 4
	run := func(total int) {
		var wg sync.WaitGroup
		for w := range workers {
			wg.Go(func() {
				f := newFlowClient(idp)
				for i := w; i < total; i += workers {
					if err := memoryRound(f, i); err != nil {
						t.Errorf("login %d: %v", i, err)
						return
					}
				}
			})
		}
		wg.Wait()
	}
	heap := func() uint64 {
		runtime.GC()
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	advance := func() {
		if _, err := idp.Advance(DefaultSessionTTL + time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	run(1000)
	advance()
	after1k := heap()
	for range 99 {
		run(1000)
		advance()
	}
	after100k := heap()
	pending, codes, sessions, refresh := idp.st.counts()
	t.Logf("heap after 1,000 logins: %.2f MiB; after 100,000: %.2f MiB; live entries: "+
		"%d pending, %d codes, %d sessions, %d refresh tokens",
		mib(after1k), mib(after100k), pending, codes, sessions, refresh)
	const allowed = 4 << 20
	if after100k > after1k+allowed {
		t.Errorf("heap grew by %.2f MiB between 1,000 and 100,000 logins, want at most %.0f MiB",
			mib(after100k-after1k), mib(allowed))
	}
}

// memoryRound logs in. Every second login logs out; the others drop the
// cookie, leaving the session to expire.
func memoryRound(f *flowClient, i int) error {
	code, err := f.code("alice")
	if err != nil {
		return err
	}
	if _, err := f.exchange(code); err != nil {
		return err
	}
	if i%2 == 0 {
		return f.logout()
	}
	f.http.Jar, _ = cookiejar.New(nil)
	return nil
}

func mib(b uint64) float64 { return float64(b) / (1 << 20) }
