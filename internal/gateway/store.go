package gateway

import (
	"crypto/rand"
	"encoding/base64"
	"sync"
	"time"
)

// newID returns a random 32-byte identifier, base64url-encoded without padding.
func newID() string {
	b := make([]byte, 32)
	// crypto/rand.Read never returns an error; it crashes the program if the
	// system's random source fails.
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// store is a thread-safe map from ids to values that expire a fixed time
// after they are put. Expired values are swept as new ones are put, oldest
// first, and the oldest value is dropped when the store is full.
type store[V any] struct {
	ttl time.Duration
	max int
	now func() time.Time

	mu    sync.Mutex
	items map[string]item[V]
	// order lists the puts, oldest first. An entry whose sequence number no
	// longer matches its item's was deleted or replaced and is skipped.
	order []orderEntry
	seq   uint64
}

type item[V any] struct {
	value   V
	expires time.Time
	seq     uint64
}

type orderEntry struct {
	id  string
	seq uint64
}

func newStore[V any](ttl time.Duration, maxItems int, now func() time.Time) *store[V] {
	return &store[V]{ttl: ttl, max: maxItems, now: now, items: map[string]item[V]{}}
}

// put stores v under id, replacing any value there, and returns its expiry.
func (s *store[V]) put(id string, v V) time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	s.sweepLocked(now)
	s.seq++
	expires := now.Add(s.ttl)
	s.items[id] = item[V]{value: v, expires: expires, seq: s.seq}
	s.order = append(s.order, orderEntry{id: id, seq: s.seq})
	return expires
}

// get returns the value stored under id, unless it has expired.
func (s *store[V]) get(id string) (V, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lookupLocked(id, false)
}

// take returns and deletes the value stored under id, unless it has
// expired. Of several concurrent calls for one id, only one gets the value.
func (s *store[V]) take(id string) (V, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lookupLocked(id, true)
}

func (s *store[V]) lookupLocked(id string, remove bool) (V, bool) {
	var zero V
	it, ok := s.items[id]
	if !ok {
		return zero, false
	}
	if !s.now().Before(it.expires) {
		delete(s.items, id)
		return zero, false
	}
	if remove {
		delete(s.items, id)
	}
	return it.value, true
}

// delete removes the value stored under id and reports whether there was one.
func (s *store[V]) delete(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.items[id]
	delete(s.items, id)
	return ok
}

// len returns the number of stored values, expired ones not yet swept included.
func (s *store[V]) len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.items)
}

// sweepLocked drops expired values, and the oldest values while the store is
// full. Values expire in the order they were put, because the lifetime is
// the same for all, so the sweep stops at the first live entry.
func (s *store[V]) sweepLocked(now time.Time) {
	for len(s.order) > 0 {
		head := s.order[0]
		it, ok := s.items[head.id]
		if ok && it.seq == head.seq {
			if now.Before(it.expires) && len(s.items) < s.max {
				break
			}
			delete(s.items, head.id)
		}
		s.order[0] = orderEntry{}
		s.order = s.order[1:]
	}
}
