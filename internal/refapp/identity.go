package refapp

import (
	"context"
	"net/http"
	"slices"
)

// Identity is the logged-in user as presented to the app.
type Identity struct {
	Username string
	Email    string
	Groups   []string
	// Claims are further attributes from an identity provider.
	Claims map[string]any
}

// InGroup reports whether the identity belongs to at least one of groups.
func (id Identity) InGroup(groups ...string) bool {
	for _, g := range groups {
		if slices.Contains(id.Groups, g) {
			return true
		}
	}
	return false
}

// IdentityFunc returns the identity of a request's user, and false for an
// anonymous request. It is where the app learns who the user is: from the
// request context set by an authentication middleware, or from a header set
// by an SSO gateway.
type IdentityFunc func(r *http.Request) (Identity, bool)

type identityKey struct{}

// ContextWithIdentity returns a copy of ctx that carries id, for
// IdentityFromContext.
func ContextWithIdentity(ctx context.Context, id Identity) context.Context {
	return context.WithValue(ctx, identityKey{}, id)
}

// IdentityFromContext is the IdentityFunc that reads the identity stored by
// ContextWithIdentity.
func IdentityFromContext(r *http.Request) (Identity, bool) {
	id, ok := r.Context().Value(identityKey{}).(Identity)
	return id, ok
}
