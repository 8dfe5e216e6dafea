package mockidp

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// tokenResponse is the JSON body of a successful token response.
type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int64  `json:"expires_in"` // seconds
	RefreshToken string `json:"refresh_token,omitempty"`
	IDToken      string `json:"id_token,omitempty"`
	Scope        string `json:"scope"`
}

// signedTokens returns the access token and, for the openid scope, the ID
// token for g. fault, when set, poisons the ID token.
func (s *Server) signedTokens(g grant, fault TokenFault, withNonce bool) (tokenResponse, error) {
	now := s.Now()
	exp := now.Add(s.cfg.AccessTTL)
	access := g.user.identityClaims()
	registered := map[string]any{
		"iss": s.issuer, "aud": g.clientID, "client_id": g.clientID,
		"scope": strings.Join(g.scopes, " "), "iat": now.Unix(), "exp": exp.Unix(),
		"jti": randomID(),
	}
	for k, v := range registered {
		access[k] = v
	}
	accessToken, err := s.keys.SignJWT(jwt.MapClaims(access))
	if err != nil {
		return tokenResponse{}, fmt.Errorf("signing access token: %w", err)
	}
	resp := tokenResponse{
		AccessToken: accessToken,
		TokenType:   "Bearer",
		ExpiresIn:   int64(s.cfg.AccessTTL / time.Second),
		Scope:       strings.Join(g.scopes, " "),
	}
	if !slices.Contains(g.scopes, "openid") {
		return resp, nil
	}
	claims := s.idTokenClaims(g, now, withNonce)
	if resp.IDToken, err = s.signIDToken(claims, fault, now); err != nil {
		return tokenResponse{}, err
	}
	return resp, nil
}

// idTokenClaims builds the claims of an ID token for g.
func (s *Server) idTokenClaims(g grant, now time.Time, withNonce bool) jwt.MapClaims {
	claims := g.user.identityClaims()
	claims["iss"] = s.issuer
	claims["aud"] = g.clientID
	claims["azp"] = g.clientID
	claims["iat"] = now.Unix()
	claims["exp"] = now.Add(s.cfg.AccessTTL).Unix()
	claims["auth_time"] = g.authTime.Unix()
	claims["jti"] = randomID()
	if g.sid != "" {
		claims["sid"] = g.sid
	}
	if withNonce && g.nonce != "" {
		claims["nonce"] = g.nonce
	}
	return jwt.MapClaims(claims)
}

// signIDToken signs claims, first applying fault.
func (s *Server) signIDToken(claims jwt.MapClaims, fault TokenFault, now time.Time) (string, error) {
	switch fault {
	case TokenWrongIssuer:
		claims["iss"] = s.issuer + "/other-issuer"
	case TokenWrongAudience:
		claims["aud"] = "other-audience"
		claims["azp"] = "other-audience"
	case TokenExpired:
		exp := now.Add(-10 * time.Minute)
		claims["exp"] = exp.Unix()
		claims["iat"] = exp.Add(-s.cfg.AccessTTL).Unix()
		claims["auth_time"] = exp.Add(-s.cfg.AccessTTL).Unix()
	case TokenWrongNonce:
		claims["nonce"] = "wrong-" + randomID()
	case TokenAlgNone:
		token := jwt.NewWithClaims(jwt.SigningMethodNone, claims)
		return token.SignedString(jwt.UnsafeAllowNoneSignatureType)
	case TokenUnknownKey:
		rogue, err := s.rogueKey()
		if err != nil {
			return "", fmt.Errorf("generating the unknown signing key: %w", err)
		}
		return rogue.SignJWT(claims)
	}
	token, err := s.keys.SignJWT(claims)
	if err != nil {
		return "", fmt.Errorf("signing ID token: %w", err)
	}
	return token, nil
}

// errTokenInvalid is wrapped by every failure of verifyToken.
var errTokenInvalid = errors.New("invalid token")

// verifyToken checks a token's RS256 signature against the signing key and
// its issuer; with checkTime it also checks expiry on the server's clock.
func (s *Server) verifyToken(raw string, checkTime bool) (jwt.MapClaims, error) {
	opts := []jwt.ParserOption{
		jwt.WithValidMethods([]string{"RS256"}),
		jwt.WithIssuer(s.issuer),
		jwt.WithTimeFunc(s.Now),
	}
	if checkTime {
		opts = append(opts, jwt.WithExpirationRequired())
	} else {
		opts = append(opts, jwt.WithoutClaimsValidation())
	}
	claims := jwt.MapClaims{}
	_, err := jwt.ParseWithClaims(raw, claims, func(t *jwt.Token) (any, error) {
		if kid, _ := t.Header["kid"].(string); kid != s.kid {
			return nil, fmt.Errorf("key id %q is not the signing key's", kid)
		}
		return s.keys.PublicKey, nil
	}, opts...)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errTokenInvalid, err)
	}
	if !checkTime {
		// WithoutClaimsValidation skips the issuer check too.
		if iss, _ := claims["iss"].(string); iss != s.issuer {
			return nil, fmt.Errorf("%w: issuer %q is not %q", errTokenInvalid, iss, s.issuer)
		}
	}
	return claims, nil
}
