package enterprise

import (
	"crypto/rand"
	"crypto/rsa"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/authconform/authconform/conformance"
)

// forgedClaims are the claims of a forged ID token for victim: the real
// issuer and audience, so only the signature gives it away.
func forgedClaims(t *conformance.Target, victim conformance.User, groups []string) jwt.MapClaims {
	now := time.Now()
	return jwt.MapClaims{
		"iss": t.IdP.Issuer, "aud": t.Profile.IdP.Client.ID, "sub": victim.Username,
		"preferred_username": victim.Username, "email": victim.Email, "groups": groups,
		"iat": now.Unix(), "exp": now.Add(time.Hour).Unix(),
	}
}

// unsignedJWT returns an ID token with alg none.
func unsignedJWT(t *conformance.Target, victim conformance.User, groups []string) string {
	s, err := jwt.NewWithClaims(jwt.SigningMethodNone, forgedClaims(t, victim, groups)).
		SignedString(jwt.UnsafeAllowNoneSignatureType)
	if err != nil {
		return "invalid"
	}
	return s
}

var (
	forgeKeyOnce sync.Once
	forgeKey     *rsa.PrivateKey
)

// selfSignedJWT returns an RS256 ID token signed by a key the IdP never
// published.
func selfSignedJWT(t *conformance.Target, victim conformance.User, groups []string) string {
	forgeKeyOnce.Do(func() {
		forgeKey, _ = rsa.GenerateKey(rand.Reader, 2048) // Fails only when the system's random source does.
	})
	if forgeKey == nil {
		return "invalid"
	}
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, forgedClaims(t, victim, groups))
	tok.Header["kid"] = "authconform-forged"
	s, err := tok.SignedString(forgeKey)
	if err != nil {
		return "invalid"
	}
	return s
}
