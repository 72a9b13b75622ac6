package emulator

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"syscall"
	"time"
)

// forkPath is launcher.py's FORK_PATH.
const forkPath = "/_selfhost/fork"

// Fork starts a copy of the server as it is now: a fork of the moto
// process, with every resource, image and object it holds, on its own
// loopback port (same certificate, same log). The two then change
// independently: how end-to-end tests that start from one deployment run
// their independent steps side by side, each on its own emulator, without
// deploying it twice. Nothing may be talking to s while it forks. The copy
// dies with s; Stop it when done (stopping s stops it too).
func (s *Server) Fork(ctx context.Context) (*Server, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.Endpoint()+forkPath, nil)
	if err != nil {
		return nil, err
	}
	resp, err := s.HTTPClient().Do(req)
	if err != nil {
		return nil, fmt.Errorf("emulator: forking: %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	var got struct {
		Port, PID int
		Error     string
	}
	if err := json.Unmarshal(body, &got); err != nil || resp.StatusCode != http.StatusOK || got.Port == 0 || got.PID == 0 {
		return nil, fmt.Errorf("emulator: forking: %s: %s%s", resp.Status, body, logTail(s.logPath, 20))
	}
	c := &Server{port: got.Port, pid: got.PID, logPath: s.logPath, caFile: s.caFile, exited: make(chan struct{}), fork: true}
	// The copy is the original's child, not ours: the original reaps it,
	// and this notices it is gone.
	go func() {
		defer close(c.exited)
		for syscall.Kill(c.pid, 0) == nil {
			select {
			case <-s.exited: // it dies with the original
				return
			case <-time.After(100 * time.Millisecond):
			}
		}
	}()
	if err := c.waitReady(ctx, 30*time.Second); err != nil {
		c.Stop()
		return nil, fmt.Errorf("emulator: the fork: %w", err)
	}
	return c, nil
}
