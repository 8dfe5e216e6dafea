package reftarget

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/authconform/authconform/internal/basicauth"
)

// This file contains the mutants that change how credentials are parsed,
// compared and remembered.

// LockoutLimit is the number of authorised callback requests the lockout
// mutant allows each user.
const LockoutLimit = 20

// authenticateWith replaces the middleware's Authenticate step with a
// function of the request and a store of the target's users.
func authenticateWith(a *assembly,
	authenticate func(store *basicauth.UserStore, r *http.Request) (basicauth.User, error),
) error {
	store, err := basicauth.NewUserStore(a.users)
	if err != nil {
		return err
	}
	a.auth.Hooks.Authenticate = func(r *http.Request) (basicauth.User, error) {
		return authenticate(store, r)
	}
	return nil
}

// standardAuthenticate is the reference step: strict parsing, exact match.
func standardAuthenticate(store *basicauth.UserStore, r *http.Request) (basicauth.User, error) {
	c, err := basicauth.ParseAuthorization(r.Header)
	if err != nil {
		return basicauth.User{}, err
	}
	return verify(store, c)
}

func verify(store *basicauth.UserStore, c basicauth.Credentials) (basicauth.User, error) {
	u, ok := store.Authenticate(c)
	if !ok {
		return basicauth.User{}, basicauth.ErrInvalidCredentials
	}
	return u, nil
}

// dashAuthCredentials parses an Authorization value the way dash-auth 2.3.0
// does: it takes the text between the first and second "Basic " wherever
// they occur, decodes it as lenient base64 and UTF-8, and splits it at the
// first colon.
func dashAuthCredentials(value string) (basicauth.Credentials, error) {
	parts := strings.Split(value, "Basic ")
	if len(parts) < 2 {
		return basicauth.Credentials{}, errors.New("no \"Basic \" in the value")
	}
	decoded, err := lenientBase64(parts[1])
	if err != nil {
		return basicauth.Credentials{}, err
	}
	if !utf8.Valid(decoded) {
		return basicauth.Credentials{}, errors.New("credentials are not UTF-8")
	}
	user, password, found := strings.Cut(string(decoded), ":")
	if !found {
		return basicauth.Credentials{}, errors.New("no colon in the credentials")
	}
	return basicauth.Credentials{Username: user, Password: password}, nil
}

// lenientBase64 decodes like Python's base64.b64decode without validation:
// characters outside the alphabet are dropped, but padding is required.
//
// NOTE: this approximates Python's decoder. Values with padding in the middle
// or extra data after the padding may decode differently.
func lenientBase64(s string) ([]byte, error) {
	kept := strings.Map(func(r rune) rune {
		if strings.ContainsRune("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"+
			"0123456789+/=", r) {
			return r
		}
		return -1
	}, s)
	return base64.StdEncoding.DecodeString(kept)
}

// lowercaseScheme500 responds with 500 to every Authorization value that
// dash-auth's parser raises an exception on. Other requests reach the
// middleware.
func lowercaseScheme500(a *assembly) error {
	a.outer = append(a.outer, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if value := r.Header.Get("Authorization"); value != "" {
				if _, err := dashAuthCredentials(value); err != nil {
					http.Error(w, "Internal Server Error", http.StatusInternalServerError)
					return
				}
			}
			next.ServeHTTP(w, r)
		})
	})
	return nil
}

// junkPrefix falls back to dash-auth's parser, which finds "Basic " anywhere.
func junkPrefix(a *assembly) error {
	return authenticateWith(a, func(store *basicauth.UserStore, r *http.Request) (
		basicauth.User, error) {
		u, err := standardAuthenticate(store, r)
		if !errors.Is(err, basicauth.ErrMalformed) {
			return u, err
		}
		c, err := dashAuthCredentials(r.Header.Get("Authorization"))
		if err != nil {
			return basicauth.User{}, fmt.Errorf("%w: %w", basicauth.ErrMalformed, err)
		}
		return verify(store, c)
	})
}

// lastColon splits the decoded credentials at their last colon.
func lastColon(a *assembly) error {
	return authenticateWith(a, func(store *basicauth.UserStore, r *http.Request) (
		basicauth.User, error) {
		c, err := basicauth.ParseAuthorization(r.Header)
		if err != nil {
			return basicauth.User{}, err
		}
		joined := c.Username + ":" + c.Password
		i := strings.LastIndex(joined, ":")
		return verify(store, basicauth.Credentials{Username: joined[:i], Password: joined[i+1:]})
	})
}

// latin1 parses like the reference but reads each decoded byte as one
// Latin-1 character instead of requiring UTF-8.
func latin1(a *assembly) error {
	return authenticateWith(a, func(store *basicauth.UserStore, r *http.Request) (
		basicauth.User, error) {
		values := r.Header.Values("Authorization")
		if len(values) != 1 || len(values[0]) > basicauth.MaxAuthorizationLength {
			return basicauth.User{}, basicauth.ErrMalformed
		}
		scheme, token, _ := strings.Cut(values[0], " ")
		if !strings.EqualFold(scheme, "Basic") {
			return basicauth.User{}, basicauth.ErrMalformed
		}
		decoded, err := base64.StdEncoding.Strict().DecodeString(token)
		if err != nil || strings.ContainsAny(token, "\r\n") {
			return basicauth.User{}, basicauth.ErrMalformed
		}

		runes := make([]rune, len(decoded))
		for i, b := range decoded {
			runes[i] = rune(b)
		}
		user, password, found := strings.Cut(string(runes), ":")
		if !found {
			return basicauth.User{}, basicauth.ErrMalformed
		}
		return verify(store, basicauth.Credentials{Username: user, Password: password})
	})
}

// caseInsensitiveUsers finds the user by a case-insensitive name match.
func caseInsensitiveUsers(a *assembly) error {
	users := a.users
	return authenticateWith(a, func(store *basicauth.UserStore, r *http.Request) (
		basicauth.User, error) {
		c, err := basicauth.ParseAuthorization(r.Header)
		if err != nil {
			return basicauth.User{}, err
		}
		for _, u := range users {
			if strings.EqualFold(u.Username, c.Username) {
				c.Username = u.Username
				break
			}
		}
		return verify(store, c)
	})
}

// trimmedCredentials trims spaces before comparing.
func trimmedCredentials(a *assembly) error {
	return authenticateWith(a, func(store *basicauth.UserStore, r *http.Request) (
		basicauth.User, error) {
		c, err := basicauth.ParseAuthorization(r.Header)
		if err != nil {
			return basicauth.User{}, err
		}
		c.Username = strings.TrimSpace(c.Username)
		c.Password = strings.TrimSpace(c.Password)
		return verify(store, c)
	})
}

// unknownUserEmptyPassword compares with a map lookup that yields "" for a
// name that is not in the map.
func unknownUserEmptyPassword(a *assembly) error {
	passwords := make(map[string]string, len(a.users))
	for _, u := range a.users {
		passwords[u.Username] = u.Password
	}
	return authenticateWith(a, func(store *basicauth.UserStore, r *http.Request) (
		basicauth.User, error) {
		c, err := basicauth.ParseAuthorization(r.Header)
		if err != nil {
			return basicauth.User{}, err
		}
		if passwords[c.Username] != c.Password {
			return basicauth.User{}, basicauth.ErrInvalidCredentials
		}
		if u, ok := store.Lookup(c.Username); ok {
			return u, nil
		}
		return basicauth.User{Username: c.Username}, nil
	})
}

// missingUser drops bob from the accounts.
func missingUser(a *assembly) error {
	var kept []basicauth.User
	for _, u := range a.users {
		if u.Username != "bob" {
			kept = append(kept, u)
		}
	}
	a.users = kept
	a.auth.Users = kept
	return nil
}

// sessionCookieLogin accepts the session cookie when the header is missing.
func sessionCookieLogin(a *assembly) error {
	key := a.auth.SessionKey
	return authenticateWith(a, func(store *basicauth.UserStore, r *http.Request) (
		basicauth.User, error) {
		u, err := standardAuthenticate(store, r)
		if !errors.Is(err, basicauth.ErrNoCredentials) {
			return u, err
		}
		cookie, cookieErr := r.Cookie(basicauth.SessionCookie)
		if cookieErr != nil {
			return basicauth.User{}, err
		}
		name, cookieErr := basicauth.DecodeSession(key, cookie.Value)
		if cookieErr != nil {
			return basicauth.User{}, cookieErr
		}
		if u, ok := store.Lookup(name); ok {
			return u, nil
		}
		return basicauth.User{}, basicauth.ErrInvalidCredentials
	})
}

// lockout counts each user's authorised callback requests and rejects
// them past LockoutLimit, like a rate limit on the callback endpoint that
// never resets. Other routes stay open to the user.
func lockout(a *assembly) error {
	var mu sync.Mutex
	counts := make(map[string]int)
	return authenticateWith(a, func(store *basicauth.UserStore, r *http.Request) (
		basicauth.User, error) {
		u, err := standardAuthenticate(store, r)
		if err != nil || r.URL.Path != basicauth.UpdatePath {
			return u, err
		}
		mu.Lock()
		counts[u.Username]++
		n := counts[u.Username]
		mu.Unlock()
		if n > LockoutLimit {
			return basicauth.User{}, fmt.Errorf("user locked out after %d callback requests",
				LockoutLimit)
		}
		return u, nil
	})
}
