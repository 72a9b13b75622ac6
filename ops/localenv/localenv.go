// Package localenv runs an environment against a local AWS emulator: it
// starts moto on loopback, points the environment's endpoint at it,
// synthesizes the environment's stacks into a private work folder and hands
// back a deploy.Env to apply, re-plan and destroy them. `go run ./cmd/local`
// and the end-to-end tests share it.
package localenv

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"selfhost/config"
	"selfhost/emulator"
	"selfhost/internal/synth"
	"selfhost/ops/deploy"
	"selfhost/stacks"
)

// Session is a running emulator plus a loaded environment.
type Session struct {
	Srv *emulator.Server
	// Cfg is the environment with its endpoint pointed at Srv.
	Cfg *config.Config
	// Work holds every synth of this session (and the bootstrap state).
	Work string
	Log  io.Writer
	// Published is the digest of the reference app Deploy (or ApplyStacks)
	// published into the environment's repository, once it has.
	Published string
	n         int
}

// Start loads envFile, which must be a non-production environment with an
// emulator endpoint, and starts the emulator.
func Start(ctx context.Context, envFile string, log io.Writer) (*Session, error) {
	cfg, err := config.LoadFile(envFile)
	if err != nil {
		return nil, err
	}
	if cfg.Production || cfg.AWS.Endpoint == "" {
		return nil, fmt.Errorf("%s: not an emulator environment (want production: false and aws.endpoint set)", envFile)
	}
	work, err := os.MkdirTemp("", "selfhost-local-")
	if err != nil {
		return nil, err
	}
	emuDir := filepath.Join(work, "emulator")
	if err := os.MkdirAll(emuDir, 0o755); err != nil {
		return nil, err
	}
	srv, err := emulator.Start(ctx, emulator.Options{Dir: emuDir})
	if err != nil {
		os.RemoveAll(work)
		return nil, err
	}
	s := &Session{Srv: srv, Cfg: cfg, Work: work, Log: log}
	s.Emulate(cfg)
	return s, nil
}

// Emulate points c at the session's emulator, as Start does to Cfg: a
// caller that replaces a synth's whole configuration calls it again.
func (s *Session) Emulate(c *config.Config) { emulate(c, s.Srv.Endpoint()) }

// emulate sets what every synth of a session needs: the emulator's
// endpoint (the S3 backend names it); the provider's endpoint from the
// environment instead of an endpoints block (every Terraform command of the
// session runs with Srv.Env, which sets AWS_ENDPOINT_URL; the block costs
// the provider ~3 s of CPU per command); and the emulator's account as the
// only one allowed, so these stacks run by hand with real credentials and
// without that environment reach no real account: the provider refuses it
// before it changes anything.
func emulate(c *config.Config, endpoint string) {
	c.AWS.Endpoint = endpoint
	c.AWS.EndpointFromEnvironment = true
	c.AWS.AllowedAccountIDs = []string{emulator.AccountID}
}

// Synth synthesizes the environment (after mutate, if given, changes a copy
// of its config) into a new folder and returns it ready to deploy. Every
// synth of a session shares the bootstrap state folder, so a second synth
// sees what the first one applied.
func (s *Session) Synth(mutate func(*config.Config)) (*deploy.Env, error) {
	return s.SynthEdit(mutate, nil)
}

// SynthEdit is Synth with edit, if given, run on the built app before it is
// synthesized: how a test adds what the configuration cannot express (an
// escape hatch), which the guardrails then see like any other resource.
func (s *Session) SynthEdit(mutate func(*config.Config), edit func(cdktf.App, *config.Config) error) (*deploy.Env, error) {
	cfg := *s.Cfg.Clone() // mutate changes this synth's copy only
	if mutate != nil {
		mutate(&cfg)
	}
	s.n++
	// <work>/synth-N/out/stacks/<stack>: the bootstrap state path
	// ../../../<dir> resolves to <work>/synth-N/<dir>; keep it shared.
	dir := filepath.Join(s.Work, "synth-"+strconv.Itoa(s.n))
	outdir := filepath.Join(dir, "out")
	if err := synth.Run(outdir, func(app cdktf.App) error {
		if err := stacks.Build(app, []*config.Config{&cfg}); err != nil {
			return err
		}
		if edit != nil {
			return edit(app, &cfg)
		}
		return nil
	}); err != nil {
		return nil, err
	}
	shared := filepath.Join(s.Work, cfg.State.BootstrapStateDir)
	if err := os.MkdirAll(shared, 0o755); err != nil {
		return nil, err
	}
	if err := os.Symlink(shared, filepath.Join(dir, cfg.State.BootstrapStateDir)); err != nil {
		return nil, err
	}
	return &deploy.Env{Cfg: &cfg, Outdir: outdir, TFEnv: s.Srv.Env(cfg.Region), Log: s.Log}, nil
}

// AWS is an SDK configuration that talks to the emulator.
func (s *Session) AWS() aws.Config {
	return aws.Config{
		Region:       s.Cfg.Region,
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint: aws.String(s.Srv.Endpoint()),
		HTTPClient:   s.Srv.HTTPClient(),
	}
}

// Close stops the emulator and removes the work folder.
func (s *Session) Close() error {
	err := s.Srv.Stop()
	os.RemoveAll(s.Work)
	return err
}

// Fork is a second session on a copy of this one's emulator taken now
// (emulator.Server.Fork), with a copy of the bootstrap state: the same
// deployment, which the two sessions then change independently, each in
// its own work folder. Nothing may run against s while it forks. Close the
// fork when done; closing s stops its emulator too.
func (s *Session) Fork(ctx context.Context) (*Session, error) {
	srv, err := s.Srv.Fork(ctx)
	if err != nil {
		return nil, err
	}
	work, err := os.MkdirTemp("", "selfhost-local-")
	if err == nil {
		src := filepath.Join(s.Work, s.Cfg.State.BootstrapStateDir)
		if _, statErr := os.Stat(src); statErr == nil {
			err = os.CopyFS(filepath.Join(work, s.Cfg.State.BootstrapStateDir), os.DirFS(src))
		}
	}
	if err != nil {
		srv.Stop()
		os.RemoveAll(work)
		return nil, fmt.Errorf("forking the session: %w", err)
	}
	f := &Session{Srv: srv, Cfg: s.Cfg.Clone(), Work: work, Log: s.Log, Published: s.Published}
	f.Emulate(f.Cfg)
	return f, nil
}
