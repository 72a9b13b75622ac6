// Package e2e deploys the local environment onto the moto emulator with
// Terraform and checks what was built through the AWS API. It needs
// terraform, the provider (registry or mirror) and moto; `go test -short`
// skips it.
package e2e

import (
	"context"
	"io"
	"testing"
	"time"

	_ "selfhost/internal/golden"
	"selfhost/internal/synth"
	"selfhost/ops/localenv"
)

func TestMain(m *testing.M) { synth.TestMain(m) }

// start begins a session on a fresh emulator, closed when the test ends.
func start(t *testing.T) (*localenv.Session, context.Context) {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end test on the emulator; skipped with -short")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	t.Cleanup(cancel)
	s, err := localenv.Start(ctx, "../environments/local.yaml", testLog(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("stopping the emulator: %v", err)
		}
	})
	return s, ctx
}

// testLog sends Terraform's output to the test log with -v only.
func testLog(t *testing.T) io.Writer {
	if !testing.Verbose() {
		return nil
	}
	return &tlog{t}
}

type tlog struct{ t *testing.T }

func (l *tlog) Write(p []byte) (int, error) { l.t.Log(string(p)); return len(p), nil }
