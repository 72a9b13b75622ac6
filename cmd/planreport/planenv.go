package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"

	"selfhost/internal/tfrun"
	"selfhost/planreport"
)

// planEnvironment synthesizes the app for env and plans every stack of it
// in dependency order, writing <stack>.tfplan and <stack>.json to plansDir.
// It runs from the module root. tfEnv is passed to tfrun.New for every
// Terraform command (nil from the command line; an emulator's environment
// in tests).
func planEnvironment(ctx context.Context, env, plansDir string, tfEnv map[string]string, log io.Writer) error {
	if _, err := os.Stat("go.mod"); err != nil {
		return fmt.Errorf("-plan-env runs from the module root (no go.mod here): %w", err)
	}
	fmt.Fprintf(log, "planreport: synthesizing %s (go run .)\n", env)
	cmd := exec.CommandContext(ctx, "go", "run", ".")
	cmd.Env = append(os.Environ(), "SELFHOST_ENV="+env)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("synth: %w", err)
	}
	outdir := os.Getenv("CDKTF_OUTDIR") // as the app's synth does
	if outdir == "" {
		outdir = "cdktf.out"
	}
	dirs, err := filepath.Glob(filepath.Join(outdir, "stacks", env+"-*"))
	if err != nil {
		return err
	}
	if len(dirs) == 0 {
		return fmt.Errorf("synth wrote no stacks named %s-* under %s", env, filepath.Join(outdir, "stacks"))
	}
	order := make([]planreport.Stack, len(dirs))
	for i, d := range dirs {
		order[i].Name = filepath.Base(d)
	}
	planreport.SortStacks(order)

	if err := os.MkdirAll(plansDir, 0o755); err != nil {
		return err
	}
	plansAbs, err := filepath.Abs(plansDir)
	if err != nil {
		return err
	}
	for _, s := range order {
		if err := planStack(ctx, filepath.Join(outdir, "stacks", s.Name), s.Name, plansAbs, tfEnv, log); err != nil {
			return fmt.Errorf("stack %s: %w", s.Name, err)
		}
	}
	return nil
}

func planStack(ctx context.Context, dir, name, plansDir string, tfEnv map[string]string, log io.Writer) error {
	fmt.Fprintf(log, "planreport: planning %s\n", name)
	r, err := tfrun.New(dir, tfEnv)
	if err != nil {
		return err
	}
	r.SetLog(log)
	if err := r.Init(ctx); err != nil {
		return err
	}
	planFile := filepath.Join(plansDir, name+".tfplan")
	if _, err := r.Plan(ctx, planFile); err != nil {
		return err
	}
	plan, err := r.ShowPlan(ctx, planFile)
	if err != nil {
		return err
	}
	data, err := json.MarshalIndent(plan, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(plansDir, name+".json"), append(data, '\n'), 0o644)
}
