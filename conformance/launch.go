package conformance

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strconv"
)

// Launched is a target ready for checks, with whatever was started for it.
type Launched struct {
	Target  *Target
	started *Started
	idp     *IdP
}

// Close stops what Launch started: the target's command and the embedded
// IdP.
func (l *Launched) Close() {
	if l == nil {
		return
	}
	if l.Target != nil {
		l.Target.Close()
	}
	l.started.Stop()
	l.idp.Close()
}

// Launch prepares a profile's target for checks: for an SSO target it
// starts or connects to the mock IdP, then it runs the profile's start
// command (with {port}, {issuer}, {client_id}, {client_secret} and
// {idp_url} filled in) and discovers the app's routes. The command's output
// goes to log. On error the returned exchanges are evidence, and whatever
// was started is stopped.
func Launch(ctx context.Context, p *Profile, log io.Writer) (*Launched, []*Exchange, error) {
	l := &Launched{}
	port := 0
	if p.Start != nil {
		var err error
		if port, err = FreePort(); err != nil {
			return nil, nil, err
		}
	} else if u, err := url.Parse(p.URL); err == nil {
		port, _ = strconv.Atoi(u.Port())
	}
	// The target's output may echo secrets the profile passes it.
	secrets := &Redactor{}
	for _, u := range p.Users {
		secrets.Add(u.Secret())
	}
	if p.IdP != nil {
		secrets.Add(p.IdP.Client.Secret, p.IdP.ControlToken)
	}
	if log != nil {
		log = redactingWriter{w: log, r: secrets}
	}
	vars := map[string]string{}
	if p.Auth == "sso" {
		idp, err := StartIdP(ctx, p, port)
		if err != nil {
			return nil, nil, err
		}
		l.idp = idp
		vars["{issuer}"] = idp.Issuer
		vars["{idp_url}"] = idp.BaseURL
		vars["{client_id}"] = p.IdP.Client.ID
		vars["{client_secret}"] = p.IdP.Client.Secret
	}
	if p.Start != nil {
		started, err := StartTargetOn(ctx, p, port, vars, log)
		if err != nil {
			l.Close()
			// The error quotes the command's last output.
			return nil, nil, errors.New(secrets.Redact(err.Error()))
		}
		l.started = started
		p = started.Profile
	}
	t, err := NewTarget(p)
	if err != nil {
		l.Close()
		return nil, nil, err
	}
	t.IdP = l.idp
	if l.idp != nil {
		t.Redactor.Add(p.IdP.Client.Secret, p.IdP.ControlToken)
		for _, raw := range []string{l.idp.BaseURL, l.idp.Issuer, l.idp.AuthorizationEndpoint, l.idp.EndSessionEndpoint} {
			if u, err := url.Parse(raw); err == nil && u.Host != "" {
				t.AllowHost(u)
			}
		}
	}
	l.Target = t
	if ex := t.NewClient().Get(ctx, "/", nil); ex.Err != nil {
		l.Close()
		return nil, nil, fmt.Errorf("cannot reach the target at %s: %v; start the app or fix url in the profile",
			p.URL, t.Redactor.Redact(ex.Err.Error()))
	}
	exs, err := t.Discover(ctx)
	if err != nil {
		l.Close()
		return nil, exs, fmt.Errorf("discovering %s: %w", p.URL, err)
	}
	return l, nil, nil
}

// redactingWriter hides secrets in what passes through it. A secret split
// across two writes is not found; output arrives a line at a time in practice.
type redactingWriter struct {
	w io.Writer
	r *Redactor
}

func (rw redactingWriter) Write(p []byte) (int, error) {
	if _, err := io.WriteString(rw.w, rw.r.Redact(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}

// ErrorWithEvidence appends the exchanges to an error's message.
func ErrorWithEvidence(err error, exs []*Exchange) error {
	if len(exs) == 0 {
		return err
	}
	msg := err.Error()
	for _, ex := range exs {
		msg += "\n" + ex.String()
	}
	return errors.New(msg)
}
