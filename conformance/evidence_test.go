package conformance

import (
	"encoding/base64"
	"errors"
	"net/http"
	"strings"
	"testing"
)

func TestExchangeRedactsSecrets(t *testing.T) {
	r := &Redactor{}
	r.Add("wonder:land")
	ex := &Exchange{
		Method: "GET", URL: "http://127.0.0.1:1/",
		RequestHeader: http.Header{
			"Authorization": {"Basic " + base64.StdEncoding.EncodeToString([]byte("alice:wonder:land"))},
			"Cookie":        {"session=abc123; other=xyz"},
		},
		Status: 200,
		Header: http.Header{"Set-Cookie": {"session=topsecret; Path=/; HttpOnly"}, "Content-Type": {"text/html"}},
		Body:   []byte("your password is wonder:land"),
	}
	ex.redactor = r
	out := ex.String()
	for _, secret := range []string{"wonder:land", "abc123", "topsecret", "xyz",
		base64.StdEncoding.EncodeToString([]byte("alice:wonder:land"))} {
		if strings.Contains(out, secret) {
			t.Errorf("evidence shows %q:\n%s", secret, out)
		}
	}
	for _, want := range []string{`"alice:"`, "HttpOnly", "[redacted]", "request: GET http://127.0.0.1:1/", "response: 200 OK"} {
		if !strings.Contains(out, want) {
			t.Errorf("evidence lacks %q:\n%s", want, out)
		}
	}
}

func TestExchangeTransportError(t *testing.T) {
	ex := &Exchange{Method: "GET", URL: "http://127.0.0.1:1/", Err: errors.New("connection refused")}
	if !strings.Contains(ex.String(), "response: none (connection refused)") {
		t.Errorf("got %q", ex.String())
	}
	if ex.OK() {
		t.Error("an exchange without response must not be OK")
	}
}

func TestResultStatus(t *testing.T) {
	should := NewResult("BA-MALFORMED")
	should.Errorf(nil, "bad")
	if got := should.Status(false); got != StatusWarn {
		t.Errorf("SHOULD violation, not strict: got %s, want warn", got)
	}
	if got := should.Status(true); got != StatusFail {
		t.Errorf("SHOULD violation, strict: got %s, want fail", got)
	}
	info := NewResult("BA-CLEARTEXT")
	info.Notef("plain HTTP")
	if got := info.Status(true); got != StatusPass {
		t.Errorf("INFO observation: got %s, want pass", got)
	}
	skipped := NewResult("BA-COLON")
	skipped.Skip("no user")
	if got := skipped.Status(false); got != StatusSkip || skipped.Summary() != "no user" {
		t.Errorf("skip: got %s %q", got, skipped.Summary())
	}
}

func TestReportFailed(t *testing.T) {
	rep := &Report{Rows: []Row{{ID: "BA-ACCEPT", Status: StatusPass}, {ID: "BA-MALFORMED", Status: StatusWarn}}}
	if rep.Failed() {
		t.Error("a warning must not fail the run")
	}
	rep.Rows = append(rep.Rows, Row{ID: "BA-REJECT", Status: StatusFail})
	if !rep.Failed() {
		t.Error("a failed row must fail the run")
	}
	var md strings.Builder
	if err := rep.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(md.String(), "| BA-REJECT |  | fail |") {
		t.Errorf("markdown table lacks the failed row:\n%s", md.String())
	}
}
