package mockidp

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/oauth2-proxy/mockoidc"
)

// maxFormBytes bounds request bodies.
const maxFormBytes = 1 << 20

// Server is a running mock OpenID Connect provider. Its methods are safe
// for concurrent use, and two servers share no state.
type Server struct {
	cfg        Config
	clients    map[string]Client
	issuer     string
	issuerPath string
	listenURL  string
	cookieName string
	logger     *slog.Logger

	keys     *mockoidc.Keypair
	kid      string
	rogueKey func() (*mockoidc.Keypair, error) // signs TokenUnknownKey tokens

	offset  atomic.Int64 // clock advance in nanoseconds
	st      store
	reqLog  *requestLog
	httpSrv *http.Server
	ln      net.Listener
	closing chan struct{}
	once    sync.Once
	served  chan struct{}
}

// Start validates cfg, listens on cfg.Addr and serves until Close.
func Start(cfg Config) (*Server, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidConfig, err)
	}
	s, err := newServer(cfg)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("listening on %s: %w", cfg.Addr, err)
	}
	s.ln = ln
	scheme := "http"
	if cfg.TLS != nil {
		scheme = "https"
		ln = tls.NewListener(ln, cfg.TLS)
	}
	s.listenURL = scheme + "://" + s.ln.Addr().String()
	if err := s.setIssuer(cmpOr(cfg.Issuer, s.listenURL)); err != nil {
		_ = s.ln.Close()
		return nil, err
	}
	s.httpSrv = &http.Server{
		Handler:           s.routes(),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(s.logger.Handler(), slog.LevelWarn),
	}
	go func() {
		defer close(s.served)
		err := s.httpSrv.Serve(ln)
		if err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.logger.Error("mockidp stopped serving", "err", err)
		}
	}()
	return s, nil
}

// newServer builds a Server without listening.
func newServer(cfg Config) (*Server, error) {
	key := cfg.SigningKey
	if key == nil {
		var err error
		if key, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			return nil, fmt.Errorf("generating signing key: %w", err)
		}
	}
	keys, err := mockoidc.NewKeypair(key)
	if err != nil {
		return nil, fmt.Errorf("loading signing key: %w", err)
	}
	// Computing the key id now means later calls only read it.
	kid, err := keys.KeyID()
	if err != nil {
		return nil, fmt.Errorf("computing signing key id: %w", err)
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	s := &Server{
		cfg:      cfg,
		clients:  make(map[string]Client, len(cfg.Clients)),
		logger:   logger,
		keys:     keys,
		kid:      kid,
		rogueKey: sync.OnceValues(func() (*mockoidc.Keypair, error) { return mockoidc.RandomKeypair(2048) }),
		reqLog:   newRequestLog(cfg.RequestLogSize),
		closing:  make(chan struct{}),
		served:   make(chan struct{}),
	}
	for _, c := range cfg.Clients {
		c.RedirectURIs = append([]string(nil), c.RedirectURIs...)
		c.PostLogoutRedirectURIs = append([]string(nil), c.PostLogoutRedirectURIs...)
		s.clients[c.ID] = c
	}
	s.st.reset(cfg.Users, cfg.DefaultUser)
	return s, nil
}

// setIssuer fixes the issuer and the names that derive from it.
func (s *Server) setIssuer(issuer string) error {
	if err := ValidateIssuer(issuer); err != nil {
		return err
	}
	u, _ := url.Parse(issuer)
	s.issuer = issuer
	s.issuerPath = u.Path
	// Browsers send cookies to every port of a host, so the name carries the
	// issuer to keep two servers on one host apart.
	sum := sha256.Sum256([]byte(issuer))
	s.cookieName = "mockidp_session_" + hex.EncodeToString(sum[:4])
	return nil
}

// Close stops the server. It cuts fault delays short, then waits for the
// requests in flight to finish. Calling Close again does nothing.
func (s *Server) Close() error {
	var err error
	s.once.Do(func() {
		if s.closing != nil {
			close(s.closing)
		}
		if s.httpSrv == nil {
			return
		}
		err = s.httpSrv.Shutdown(context.Background())
		<-s.served
	})
	return err
}

// Issuer returns the public issuer URL, the iss claim of every token.
func (s *Server) Issuer() string { return s.issuer }

// URL returns the base URL the server listens on, such as http://127.0.0.1:40123.
func (s *Server) URL() string { return s.listenURL }

// Addr returns the listen address.
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// DiscoveryURL returns the URL of the discovery document under the issuer.
func (s *Server) DiscoveryURL() string {
	return s.issuer + "/.well-known/openid-configuration"
}

// Clients returns the registered clients.
func (s *Server) Clients() []Client { return append([]Client(nil), s.cfg.Clients...) }

// PublicKey returns the key that verifies the tokens.
func (s *Server) PublicKey() *rsa.PublicKey { return s.keys.PublicKey }

// Client returns a new HTTP client that trusts the certificates in
// Config.TLS, if any. It has no cookie jar and follows redirects as
// http.Client does by default.
func (s *Server) Client() *http.Client {
	transport := http.DefaultTransport.(*http.Transport).Clone()
	if s.cfg.TLS != nil && len(s.cfg.TLS.Certificates) > 0 {
		pool := x509.NewCertPool()
		for _, cert := range s.cfg.TLS.Certificates {
			if len(cert.Certificate) > 0 {
				if leaf, err := x509.ParseCertificate(cert.Certificate[0]); err == nil {
					pool.AddCert(leaf)
				}
			}
		}
		transport.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	}
	return &http.Client{Transport: transport}
}

// Now returns the time on the server's clock.
func (s *Server) Now() time.Time {
	return s.cfg.Now().Add(time.Duration(s.offset.Load()))
}

// MaxClockAdvance is the largest total advance of a server's clock, the
// largest time.Duration (about 292 years).
const MaxClockAdvance = time.Duration(math.MaxInt64)

// Advance moves the server's clock forward by d and returns the new time.
// Codes, sessions and tokens expire by this clock. It rejects a negative d
// and a d that would take the total advance past MaxClockAdvance.
func (s *Server) Advance(d time.Duration) (time.Time, error) {
	if d < 0 {
		return time.Time{}, fmt.Errorf("clock advance %v is negative: the clock only moves forward", d)
	}
	for {
		old := s.offset.Load()
		if int64(d) > int64(MaxClockAdvance)-old {
			return time.Time{}, fmt.Errorf("clock advance %v would take the total advance "+
				"past the limit %v (already advanced %v): advance by at most %v, or reset",
				d, MaxClockAdvance, time.Duration(old), MaxClockAdvance-time.Duration(old))
		}
		if s.offset.CompareAndSwap(old, old+int64(d)) {
			return s.Now(), nil
		}
	}
}

// Requests returns the request log, oldest first.
func (s *Server) Requests() []RequestRecord { return s.reqLog.snapshot() }

// Reset restores the configured users and default user, and drops queued
// users, faults, sessions, codes, refresh tokens, the request log and any
// clock advance. Signing keys and clients stay.
func (s *Server) Reset() {
	s.st.reset(s.cfg.Users, s.cfg.DefaultUser)
	s.reqLog.clear()
	s.offset.Store(0)
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
