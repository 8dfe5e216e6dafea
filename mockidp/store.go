package mockidp

import (
	"crypto/rand"
	"encoding/base64"
	"sync"
	"time"
)

// loginRequestTTL is how long a login page stays valid after the
// authorization request that showed it.
const loginRequestTTL = 10 * time.Minute

// minSweepInterval is the fewest insertions between two sweeps of expired
// entries, so that small stores are not swept on every login.
const minSweepInterval = 256

// authRequest is a validated authorization request.
type authRequest struct {
	clientID    string
	redirectURI string
	state       string
	nonce       string
	scopes      []string
	challenge   string
	method      string
	prompts     []string
	maxAge      int64 // seconds; -1 when absent or too large to constrain
	expires     time.Time
}

// grant is what a code, a refresh token and a token response are issued for.
type grant struct {
	clientID  string
	user      User
	scopes    []string
	nonce     string
	authTime  time.Time
	sessionID string // key of the IdP session; empty for offline_access refresh tokens
	sid       string // sid claim of the session; empty for offline_access refresh tokens
	code      string // authorization code the grant descends from
}

type codeGrant struct {
	grant
	redirectURI string
	challenge   string
	method      string
	expires     time.Time
}

type refreshGrant struct {
	grant
	expires time.Time
}

// redeemedCode is an authorization code already exchanged, kept until it
// expires so that a second use can revoke the refresh tokens issued for it.
type redeemedCode struct {
	clientID string
	expires  time.Time
	revoked  bool
}

// session is an IdP login session, identified by the session cookie. Its
// sid, the sid claim of ID tokens, is a separate random value, so an ID
// token does not carry the cookie value.
type session struct {
	id       string // session cookie value
	sid      string
	user     User
	authTime time.Time
	expires  time.Time
	refresh  map[string]struct{} // refresh tokens revoked with the session
}

// store holds all mutable state of one Server behind one mutex.
type store struct {
	mu           sync.Mutex
	users        map[string]User
	order        []string // usernames in configuration order, for the login page
	defaultUser  string
	queue        []User
	faults       map[Endpoint][]Fault
	pending      map[string]*authRequest
	codes        map[string]*codeGrant
	redeemed     map[string]*redeemedCode
	sessions     map[string]*session
	sessionBySID map[string]string // sid claim to session cookie value
	refresh      map[string]*refreshGrant
	inserts      int
}

// reset replaces all state with the configured users and nothing else.
func (st *store) reset(users []User, defaultUser string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.users = make(map[string]User, len(users))
	st.order = st.order[:0]
	for _, u := range users {
		st.users[u.Username] = u.clone()
		st.order = append(st.order, u.Username)
	}
	st.defaultUser = defaultUser
	st.queue = nil
	st.faults = make(map[Endpoint][]Fault)
	st.pending = make(map[string]*authRequest)
	st.codes = make(map[string]*codeGrant)
	st.redeemed = make(map[string]*redeemedCode)
	st.sessions = make(map[string]*session)
	st.sessionBySID = make(map[string]string)
	st.refresh = make(map[string]*refreshGrant)
	st.inserts = 0
}

// noteInsertLocked counts one insertion and sweeps expired entries once the
// insertions since the last sweep reach the number of stored entries. The
// cost of sweeping is thereby spread evenly over insertions.
func (st *store) noteInsertLocked(now time.Time) {
	st.inserts++
	size := len(st.pending) + len(st.codes) + len(st.redeemed) + len(st.sessions) +
		len(st.refresh)
	if st.inserts < max(minSweepInterval, size) {
		return
	}
	st.inserts = 0
	st.sweepLocked(now)
}

// sweepLocked deletes every expired entry.
func (st *store) sweepLocked(now time.Time) {
	for id, r := range st.pending {
		if !now.Before(r.expires) {
			delete(st.pending, id)
		}
	}
	for code, c := range st.codes {
		if !now.Before(c.expires) {
			delete(st.codes, code)
		}
	}
	for code, c := range st.redeemed {
		if !now.Before(c.expires) {
			delete(st.redeemed, code)
		}
	}
	for token, r := range st.refresh {
		if !now.Before(r.expires) {
			st.deleteRefreshLocked(token, r)
		}
	}
	for id, s := range st.sessions {
		if !now.Before(s.expires) {
			st.endSessionLocked(id)
		}
	}
}

// deleteRefreshLocked removes a refresh token and its link from its session.
func (st *store) deleteRefreshLocked(token string, r *refreshGrant) {
	delete(st.refresh, token)
	if s, ok := st.sessions[r.sessionID]; ok {
		delete(s.refresh, token)
	}
}

// endSessionLocked deletes a session and revokes its online refresh tokens.
func (st *store) endSessionLocked(id string) bool {
	s, ok := st.sessions[id]
	if !ok {
		return false
	}
	for token := range s.refresh {
		delete(st.refresh, token)
	}
	delete(st.sessions, id)
	delete(st.sessionBySID, s.sid)
	return true
}

// revokeCodeLocked marks a redeemed code revoked and deletes the refresh
// tokens that descend from it, rotated ones included. It returns how many
// it deleted.
func (st *store) revokeCodeLocked(code string) int {
	if c, ok := st.redeemed[code]; ok {
		c.revoked = true
	}
	n := 0
	for token, r := range st.refresh {
		if r.code == code {
			st.deleteRefreshLocked(token, r)
			n++
		}
	}
	return n
}

// counts returns the number of live entries of each kind, for tests.
func (st *store) counts() (pending, codes, sessions, refresh int) {
	st.mu.Lock()
	defer st.mu.Unlock()
	return len(st.pending), len(st.codes), len(st.sessions), len(st.refresh)
}

// randomID returns 32 random bytes, base64url encoded.
func randomID() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never returns an error
	return base64.RawURLEncoding.EncodeToString(b)
}
