package refapp

import (
	"net/http"
	"strings"
)

// Request headers that oauth2-proxy v7 sets on every request it forwards to
// its upstream when run with --pass-user-headers. It removes any values a
// client sent in them before setting its own.
const (
	// ForwardedUserHeader carries the user ID: the ID token's sub claim,
	// or the email with --prefer-email-to-user.
	ForwardedUserHeader = "X-Forwarded-User"
	// ForwardedPreferredUsernameHeader carries the preferred_username claim.
	ForwardedPreferredUsernameHeader = "X-Forwarded-Preferred-Username"
	// ForwardedEmailHeader carries the email claim.
	ForwardedEmailHeader = "X-Forwarded-Email"
	// ForwardedGroupsHeader carries the groups, one header line per group.
	ForwardedGroupsHeader = "X-Forwarded-Groups"
)

// IdentityFromForwardedHeaders is the IdentityFunc of an app behind
// oauth2-proxy. The username is ForwardedPreferredUsernameHeader, or
// ForwardedUserHeader when that is missing or empty. A request with neither
// is anonymous. The email is ForwardedEmailHeader. The groups are
// every line of ForwardedGroupsHeader, each also split at commas, because a
// proxy in between may join repeated lines into one.
//
// The app trusts these headers as sent, so only a proxy that removes them
// from client requests, as oauth2-proxy does, may stand in front of it.
//
// NOTE: a group name that contains a comma is split into two groups.
func IdentityFromForwardedHeaders(r *http.Request) (Identity, bool) {
	username := strings.TrimSpace(r.Header.Get(ForwardedPreferredUsernameHeader))
	if username == "" {
		username = strings.TrimSpace(r.Header.Get(ForwardedUserHeader))
	}
	if username == "" {
		return Identity{}, false
	}
	id := Identity{
		Username: username,
		Email:    strings.TrimSpace(r.Header.Get(ForwardedEmailHeader)),
	}
	for _, line := range r.Header.Values(ForwardedGroupsHeader) {
		for group := range strings.SplitSeq(line, ",") {
			if group = strings.TrimSpace(group); group != "" {
				id.Groups = append(id.Groups, group)
			}
		}
	}
	return id, true
}
