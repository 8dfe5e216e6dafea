package mockidp

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// Redacted replaces secret values in the request log.
const Redacted = "[redacted]"

// secretParams are request parameters whose values the request log hides.
var secretParams = []string{
	"client_secret", "code", "code_verifier", "password", "refresh_token",
	"id_token_hint", "access_token",
}

// RequestRecord is one request in the request log.
type RequestRecord struct {
	Time     time.Time           `json:"time"` // on the server's clock
	Endpoint Endpoint            `json:"endpoint"`
	Method   string              `json:"method"`
	Path     string              `json:"path"`
	Params   map[string][]string `json:"params"` // query and form, secrets redacted
	ClientID string              `json:"client_id,omitempty"`
	// Auth is the scheme of the Authorization header ("Basic", "Bearer"),
	// never its value.
	Auth   string `json:"auth,omitempty"`
	Status int    `json:"status"`
}

// requestLog is a ring buffer of the latest requests.
type requestLog struct {
	mu      sync.Mutex
	records []RequestRecord
	next    int
	size    int
}

func newRequestLog(size int) *requestLog {
	return &requestLog{size: size}
}

func (l *requestLog) add(rec RequestRecord) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.size == 0 {
		return
	}
	if len(l.records) < l.size {
		l.records = append(l.records, rec)
		return
	}
	l.records[l.next] = rec
	l.next = (l.next + 1) % l.size
}

// snapshot returns the records, oldest first.
func (l *requestLog) snapshot() []RequestRecord {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]RequestRecord, 0, len(l.records))
	out = append(out, l.records[l.next:]...)
	return append(out, l.records[:l.next]...)
}

func (l *requestLog) clear() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.records = nil
	l.next = 0
}

// newRecord describes r with secrets redacted. r.Form must be parsed.
func newRecord(r *http.Request, ep Endpoint, now time.Time) RequestRecord {
	params := make(map[string][]string, len(r.Form))
	for key, values := range r.Form {
		if slices.Contains(secretParams, key) {
			values = []string{Redacted}
		}
		params[key] = slices.Clone(values)
	}
	rec := RequestRecord{
		Time:     now,
		Endpoint: ep,
		Method:   r.Method,
		Path:     r.URL.Path,
		Params:   params,
		ClientID: r.Form.Get("client_id"),
	}
	if auth := r.Header.Get("Authorization"); auth != "" {
		scheme, _, _ := strings.Cut(auth, " ")
		rec.Auth = scheme
	}
	if id, _, ok := r.BasicAuth(); ok {
		if unescaped, err := url.QueryUnescape(id); err == nil {
			rec.ClientID = unescaped
		}
	}
	return rec
}

// statusRecorder remembers the status a handler wrote.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (w *statusRecorder) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusRecorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusRecorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }
