package gateway

import (
	"fmt"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const time3h = 3 * time.Hour

// clock is a test clock that starts at the real time and moves only when
// advanced.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func testClock() *clock { return &clock{t: time.Now()} }

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func newRecorder() *httptest.ResponseRecorder { return httptest.NewRecorder() }

func TestStoreExpiresValues(t *testing.T) {
	c := testClock()
	s := newStore[int](time.Hour, 100, c.now)
	s.put("a", 1)
	if v, ok := s.get("a"); !ok || v != 1 {
		t.Fatalf("get(a) = %d, %v, want 1, true", v, ok)
	}
	c.advance(time.Hour)
	if _, ok := s.get("a"); ok {
		t.Error("get(a) after the lifetime: found, want expired")
	}
	if _, ok := s.take("a"); ok {
		t.Error("take(a) after the lifetime: found, want expired")
	}
}

func TestStoreSweepsExpiredValues(t *testing.T) {
	c := testClock()
	s := newStore[int](time.Minute, 1000, c.now)
	for i := range 50 {
		s.put(fmt.Sprint(i), i)
	}
	c.advance(time.Minute)
	s.put("fresh", 0)
	if n := s.len(); n != 1 {
		t.Errorf("after the lifetime and one put: %d values stored, want 1", n)
	}
	if n := len(s.order); n != 1 {
		t.Errorf("after the sweep: %d order entries, want 1", n)
	}
}

func TestStoreDropsOldestWhenFull(t *testing.T) {
	s := newStore[int](time.Hour, 3, testClock().now)
	for i := range 5 {
		s.put(fmt.Sprint(i), i)
	}
	if n := s.len(); n != 3 {
		t.Errorf("%d values stored, want the maximum of 3", n)
	}
	for id, want := range map[string]bool{"0": false, "1": false, "2": true, "4": true} {
		if _, ok := s.get(id); ok != want {
			t.Errorf("get(%s) found = %v, want %v", id, ok, want)
		}
	}
}

func TestStoreReplacedValueKeepsNewExpiry(t *testing.T) {
	c := testClock()
	s := newStore[int](time.Hour, 10, c.now)
	s.put("a", 1)
	c.advance(30 * time.Minute)
	s.put("a", 2)
	c.advance(40 * time.Minute)
	s.put("b", 3) // sweeps the first entry for "a", which was replaced
	if v, ok := s.get("a"); !ok || v != 2 {
		t.Errorf("get(a) = %d, %v, want the replacement 2, true", v, ok)
	}
}

func TestStoreTakeIsSingleUse(t *testing.T) {
	s := newStore[int](time.Hour, 10, time.Now)
	s.put("login", 1)
	var wins atomic.Int32
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, ok := s.take("login"); ok {
				wins.Add(1)
			}
		}()
	}
	wg.Wait()
	if wins.Load() != 1 {
		t.Errorf("%d concurrent takes got the value, want 1", wins.Load())
	}
}

func TestStoreConcurrentUse(t *testing.T) {
	s := newStore[int](time.Hour, 100, time.Now)
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				id := fmt.Sprint(w, "-", i%20)
				s.put(id, i)
				s.get(id)
				if i%3 == 0 {
					s.delete(id)
				}
			}
		}()
	}
	wg.Wait()
	if n := s.len(); n > 100 {
		t.Errorf("%d values stored, want at most 100", n)
	}
}

func TestNewIDIsRandom(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		id := newID()
		if len(id) != 43 || seen[id] {
			t.Fatalf("newID() = %q: want 43 characters, never repeated", id)
		}
		seen[id] = true
	}
}
