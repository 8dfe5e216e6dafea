package mockidp

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/authconform/authconform/mockidp/yamlfile"
)

// User is an account the IdP can log in. The same claims, built from these
// fields, go into the ID token, the access token and the userinfo response,
// whatever scopes the client requested.
type User struct {
	// Username is the login name and the preferred_username claim. Required;
	// it may not contain control characters.
	Username string `yaml:"username" json:"username"`
	// Password is checked when the user signs in with the login form's
	// username and password fields. Picking the user from the login page's
	// list needs no password. An empty password accepts any input.
	Password string `yaml:"password" json:"password,omitempty"`
	// Subject is the sub claim. It defaults to Username, and no two users of
	// a server may have the same subject.
	Subject string `yaml:"subject" json:"subject,omitempty"`
	// Email is the email claim, omitted when empty.
	Email string `yaml:"email" json:"email,omitempty"`
	// EmailVerified is the email_verified claim. Nil means true when Email is set.
	EmailVerified *bool `yaml:"email_verified" json:"email_verified,omitempty"`
	// Name is the name claim, omitted when empty.
	Name string `yaml:"name" json:"name,omitempty"`
	// Groups is the groups claim, omitted when empty.
	Groups []string `yaml:"groups" json:"groups,omitempty"`
	// Claims are extra claims. They must not reuse a name that the IdP sets.
	Claims map[string]any `yaml:"claims" json:"claims,omitempty"`
}

// UsersFile is the layout of a users file.
type UsersFile struct {
	// DefaultUser names the user logged in without a page when no user is queued.
	DefaultUser string `yaml:"default_user"`
	Users       []User `yaml:"users"`
}

// reservedClaims are the claims the IdP sets itself; a user's extra claims
// may not replace them.
var reservedClaims = []string{
	"iss", "sub", "aud", "exp", "iat", "nbf", "jti", "azp", "nonce", "auth_time",
	"sid", "scope", "client_id", "at_hash", "c_hash", "acr", "amr",
	"preferred_username", "email", "email_verified", "name", "groups",
}

// Validate reports every problem with u, joined into one error.
func (u User) Validate() error {
	var errs []error
	switch {
	case u.Username == "":
		errs = append(errs, errors.New("username is empty: set a username"))
	case !utf8.ValidString(u.Username):
		errs = append(errs, fmt.Errorf("username %q is not valid UTF-8", u.Username))
	case strings.ContainsFunc(u.Username, unicode.IsControl):
		errs = append(errs, fmt.Errorf(
			"username %q contains a control character: remove it", u.Username))
	}
	for _, name := range slices.Sorted(maps.Keys(u.Claims)) {
		if slices.Contains(reservedClaims, name) {
			errs = append(errs, fmt.Errorf(
				"user %q: claim %q is set by the IdP: use the matching user field "+
					"or another claim name", u.Username, name))
		}
	}
	return errors.Join(errs...)
}

// subject returns the sub claim for u.
func (u User) subject() string {
	if u.Subject != "" {
		return u.Subject
	}
	return u.Username
}

// identityClaims returns the user's claims shared by both tokens and userinfo.
func (u User) identityClaims() map[string]any {
	claims := make(map[string]any, len(u.Claims)+6)
	maps.Copy(claims, u.Claims)
	claims["sub"] = u.subject()
	claims["preferred_username"] = u.Username
	if u.Name != "" {
		claims["name"] = u.Name
	}
	if u.Email != "" {
		claims["email"] = u.Email
		claims["email_verified"] = u.EmailVerified == nil || *u.EmailVerified
	}
	if len(u.Groups) > 0 {
		claims["groups"] = slices.Clone(u.Groups)
	}
	return claims
}

// clone returns a deep enough copy of u that later edits to the caller's
// slices and maps do not reach the IdP.
func (u User) clone() User {
	u.Groups = slices.Clone(u.Groups)
	u.Claims = maps.Clone(u.Claims)
	if u.EmailVerified != nil {
		verified := *u.EmailVerified
		u.EmailVerified = &verified
	}
	return u
}

// LoadUsersFile reads and validates a users file of at most
// yamlfile.MaxFileSize bytes.
func LoadUsersFile(path string) (UsersFile, error) {
	data, err := yamlfile.ReadFile(path)
	if err != nil {
		return UsersFile{}, fmt.Errorf("reading users file: %w", err)
	}
	return parseUsers(path, data)
}

// ParseUsers decodes and validates the YAML of a users file. Unknown keys
// are errors, so a misspelt key does not silently drop a claim.
func ParseUsers(data []byte) (UsersFile, error) {
	return parseUsers("users YAML", data)
}

// parseUsers decodes data, naming it name in errors.
func parseUsers(name string, data []byte) (UsersFile, error) {
	var file UsersFile
	if err := yamlfile.Decode(name, data, &file); err != nil {
		return UsersFile{}, err
	}
	if err := validateUsers(file.Users, file.DefaultUser); err != nil {
		return UsersFile{}, fmt.Errorf("%s: %w", name, err)
	}
	return file, nil
}

// validateUsers checks each user, duplicate names and the default user.
func validateUsers(users []User, defaultUser string) error {
	var errs []error
	seen := make(map[string]bool, len(users))
	subjects := make(map[string]string, len(users)) // sub claim to username
	for i, u := range users {
		if err := u.Validate(); err != nil {
			errs = append(errs, fmt.Errorf("users[%d]: %w", i, err))
		}
		if seen[u.Username] {
			errs = append(errs, fmt.Errorf("users[%d]: duplicate username %q", i, u.Username))
		}
		seen[u.Username] = true
		if other, ok := subjects[u.subject()]; ok {
			errs = append(errs, fmt.Errorf("users[%d]: subject %q is already used by user %q: "+
				"give each user its own subject", i, u.subject(), other))
		} else {
			subjects[u.subject()] = u.Username
		}
	}
	if defaultUser != "" && !seen[defaultUser] {
		errs = append(errs, fmt.Errorf(
			"default user %q is not among the users: add it or fix the name", defaultUser))
	}
	return errors.Join(errs...)
}
