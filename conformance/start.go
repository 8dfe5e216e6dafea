package conformance

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Started is a target process started from a profile's start block.
type Started struct {
	// Profile is a copy of the profile with the port filled in.
	Profile *Profile
	cmd     *exec.Cmd
	exited  chan struct{}
	waitErr error
	output  *tailBuffer
}

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("finding a free loopback port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// StartTarget runs the profile's start command on a free loopback port and
// waits until the target responds to HTTP. The command's output goes to log.
// Call Stop when done, also on failure paths.
func StartTarget(ctx context.Context, p *Profile, log io.Writer) (*Started, error) {
	port, err := FreePort()
	if err != nil {
		return nil, err
	}
	return StartTargetOn(ctx, p, port, nil, log)
}

// StartTargetOn is StartTarget on a given port, with more placeholders:
// each key of vars, such as "{issuer}", is replaced by its value in the
// url and the command.
func StartTargetOn(ctx context.Context, p *Profile, port int, vars map[string]string, log io.Writer) (*Started, error) {
	if p.Start == nil {
		return nil, errors.New("profile has no start block")
	}
	fill := func(s string) string {
		s = strings.ReplaceAll(s, PortPlaceholder, strconv.Itoa(port))
		for k, v := range vars {
			s = strings.ReplaceAll(s, k, v)
		}
		return s
	}
	cp := *p
	cp.URL = fill(p.URL)
	args := make([]string, len(p.Start.Command))
	for i, a := range p.Start.Command {
		args[i] = fill(a)
	}
	dir := p.Resolve(p.Start.Dir)
	if dir == "" {
		dir = "."
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Dir = dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	tail := &tailBuffer{max: 4096}
	var out io.Writer = tail
	if log != nil {
		out = io.MultiWriter(log, tail)
	}
	cmd.Stdout, cmd.Stderr = out, out
	// A child that detaches keeps the output pipes open; stop waiting for
	// them shortly after the command itself ends.
	cmd.WaitDelay = 2 * time.Second
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting target %q in %s: %w; check start.command in the profile",
			args[0], dir, err)
	}
	s := &Started{Profile: &cp, cmd: cmd, exited: make(chan struct{}), output: tail}
	go func() {
		s.waitErr = cmd.Wait()
		close(s.exited)
	}()
	if err := s.waitReady(ctx, p.Start.Timeout); err != nil {
		s.Stop()
		return nil, err
	}
	return s, nil
}

func (s *Started) waitReady(ctx context.Context, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	client := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{Proxy: nil,
		TLSClientConfig: tlsConfigFor(s.Profile)},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	var last error
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.Profile.URL, nil)
		resp, err := client.Do(req)
		if err == nil {
			resp.Body.Close()
			return nil
		}
		last = err
		select {
		case <-s.exited:
			return fmt.Errorf("target command exited before serving %s (%v); its last output:\n%s",
				s.Profile.URL, s.waitErr, s.output.String())
		case <-ctx.Done():
			return fmt.Errorf("target did not respond at %s within %v (last error: %v); "+
				"raise start.timeout or check the command; its last output:\n%s",
				s.Profile.URL, timeout, last, s.output.String())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// Stop sends SIGTERM to the command's process group, waits up to ten
// seconds, then kills the group.
func (s *Started) Stop() {
	if s == nil || s.cmd.Process == nil {
		return
	}
	pgid := s.cmd.Process.Pid
	_ = syscall.Kill(-pgid, syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(10 * time.Second):
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		<-s.exited
	}
}

// Output returns the end of the command's output.
func (s *Started) Output() string { return s.output.String() }

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if len(t.buf) > t.max {
		t.buf = t.buf[len(t.buf)-t.max:]
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}
