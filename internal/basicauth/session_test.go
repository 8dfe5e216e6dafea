package basicauth

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestSessionRoundTrip(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	value := EncodeSession(key, User{Username: "zoë", Password: "pässwörd"}, time.Unix(0, 0))
	if strings.Contains(value, "pässwörd") || strings.Contains(value, b64("pässwörd")) {
		t.Errorf("session value %q contains the password", value)
	}
	name, err := DecodeSession(key, value)
	if err != nil || name != "zoë" {
		t.Errorf("DecodeSession = %q, %v, want zoë, nil", name, err)
	}
}

func TestDecodeSessionRejects(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	good := EncodeSession(key, User{Username: "bob"}, time.Unix(0, 0))
	body, mac, _ := strings.Cut(good, ".")
	forged := EncodeSession([]byte("another key of 32 bytes........."),
		User{Username: "alice"}, time.Unix(0, 0))
	forgedBody, _, _ := strings.Cut(forged, ".")
	tests := map[string]string{
		"no signature":       body,
		"other key":          forged,
		"swapped payload":    forgedBody + "." + mac,
		"bad signature":      body + ".!!",
		"empty":              "",
		"unsigned json body": "eyJ1c2VybmFtZSI6ImFsaWNlIn0.",
	}
	for name, value := range tests {
		if _, err := DecodeSession(key, value); !errors.Is(err, ErrInvalidSession) {
			t.Errorf("%s: DecodeSession error = %v, want ErrInvalidSession", name, err)
		}
	}
}
