package basicauth

import (
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// User is an account the middleware accepts.
type User struct {
	Username string
	// Password is compared exactly: case-sensitive and without trimming.
	Password string
	// Groups are the user's groups, passed on to the app.
	Groups []string
}

// clone returns a copy of u that shares no slice with it.
func (u User) clone() User {
	u.Groups = slices.Clone(u.Groups)
	return u
}

// UserStore verifies credentials against a fixed list of users.
type UserStore struct {
	entries []storeEntry
	byName  map[string]int
}

type storeEntry struct {
	user     User
	nameHash [sha256.Size]byte
	passHash [sha256.Size]byte
}

// NewUserStore checks the users and builds a store of them. A user name must
// be non-empty UTF-8 without a colon (RFC 7617 separates user name and
// password at the first colon) and appear once. An empty password is allowed.
func NewUserStore(users []User) (*UserStore, error) {
	s := &UserStore{byName: make(map[string]int, len(users))}
	for i, u := range users {
		switch {
		case u.Username == "":
			return nil, fmt.Errorf("user %d: empty user name; set Username", i)
		case !utf8.ValidString(u.Username) || !utf8.ValidString(u.Password):
			return nil, fmt.Errorf("user %q: user name and password must be UTF-8", u.Username)
		case strings.Contains(u.Username, ":"):
			return nil, fmt.Errorf("user %q: user name contains a colon, which Basic auth "+
				"cannot carry; choose a name without one", u.Username)
		}
		if _, dup := s.byName[u.Username]; dup {
			return nil, fmt.Errorf("user %q is listed twice; keep one entry", u.Username)
		}
		s.byName[u.Username] = len(s.entries)
		s.entries = append(s.entries, storeEntry{
			user:     u.clone(),
			nameHash: sha256.Sum256([]byte(u.Username)),
			passHash: sha256.Sum256([]byte(u.Password)),
		})
	}
	return s, nil
}

// Authenticate returns the user whose name and password equal c exactly. It
// compares SHA-256 digests with crypto/subtle against every user, so the time
// taken does not depend on which part of the credentials differs.
func (s *UserStore) Authenticate(c Credentials) (User, bool) {
	nameHash := sha256.Sum256([]byte(c.Username))
	passHash := sha256.Sum256([]byte(c.Password))
	found, index := 0, 0
	for i := range s.entries {
		e := &s.entries[i]
		match := subtle.ConstantTimeCompare(nameHash[:], e.nameHash[:]) &
			subtle.ConstantTimeCompare(passHash[:], e.passHash[:])
		index = subtle.ConstantTimeSelect(match, i, index)
		found |= match
	}
	if found == 0 {
		return User{}, false
	}
	return s.entries[index].user.clone(), true
}

// Lookup returns the user with the given name, without checking a password.
func (s *UserStore) Lookup(username string) (User, bool) {
	i, ok := s.byName[username]
	if !ok {
		return User{}, false
	}
	return s.entries[i].user.clone(), true
}

// Users returns a copy of the users in the order they were given.
func (s *UserStore) Users() []User {
	users := make([]User, len(s.entries))
	for i := range s.entries {
		users[i] = s.entries[i].user.clone()
	}
	return users
}
