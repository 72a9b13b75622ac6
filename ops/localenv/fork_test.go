package localenv

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// A fork is a session of its own: its emulator's endpoint in its config,
// its own work folder with a copy of the bootstrap state, and it stops
// without stopping the original.
func TestFork(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the emulator; skipped with -short")
	}
	ctx := context.Background()
	s, err := Start(ctx, "../../environments/local.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	state := filepath.Join(s.Work, s.Cfg.State.BootstrapStateDir, "terraform.tfstate")
	if err := os.MkdirAll(filepath.Dir(state), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(state, []byte(`{"version": 4}`), 0o644); err != nil {
		t.Fatal(err)
	}

	f, err := s.Fork(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if f.Cfg.AWS.Endpoint != f.Srv.Endpoint() || f.Srv.Endpoint() == s.Srv.Endpoint() || s.Cfg.AWS.Endpoint != s.Srv.Endpoint() {
		t.Errorf("fork's config endpoint %s, its emulator %s, the original's %s (config %s)", f.Cfg.AWS.Endpoint, f.Srv.Endpoint(), s.Srv.Endpoint(), s.Cfg.AWS.Endpoint)
	}
	if !f.Cfg.AWS.EndpointFromEnvironment || len(f.Cfg.AWS.AllowedAccountIDs) != 1 {
		t.Errorf("fork's config not emulated: %+v", f.Cfg.AWS)
	}
	if f.Work == s.Work {
		t.Fatalf("fork shares the work folder %s", f.Work)
	}
	if got, err := os.ReadFile(filepath.Join(f.Work, s.Cfg.State.BootstrapStateDir, "terraform.tfstate")); err != nil || string(got) != `{"version": 4}` {
		t.Errorf("fork's bootstrap state %q (%v), want the original's", got, err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(f.Work); !os.IsNotExist(err) {
		t.Errorf("fork's work folder left: %v", err)
	}
	if _, err := os.Stat(state); err != nil {
		t.Errorf("the original's bootstrap state after the fork closed: %v", err)
	}
	if resp, err := s.Srv.HTTPClient().Get(s.Srv.Endpoint() + "/moto-api/"); err != nil {
		t.Errorf("the original stopped with its fork: %v", err)
	} else {
		resp.Body.Close()
	}
}
