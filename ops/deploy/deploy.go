// Package deploy runs Terraform over the synthesized stacks of one
// environment in dependency order: init + apply, re-plan, destroy. It is the
// engine behind `go run ./cmd/local`, the end-to-end tests and the plan
// review; it knows stack names and order, tfrun knows Terraform.
package deploy

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"sync"

	"github.com/hashicorp/terraform-exec/tfexec"
	tfjson "github.com/hashicorp/terraform-json"

	"selfhost/config"
	"selfhost/internal/tfrun"
)

// Env is one synthesized environment.
type Env struct {
	Cfg *config.Config
	// Outdir is the synth output folder (holding stacks/<stack>/).
	Outdir string
	// TFEnv is added to every Terraform command's environment (e.g. the
	// emulator's credentials and endpoint).
	TFEnv map[string]string
	// Log receives Terraform's output as it runs; nil discards it.
	Log io.Writer

	mu      sync.Mutex // guards runners: PlanAll runs stacks of one Env at once
	runners map[string]*tfrun.Runner
}

// Stacks lists the environment's stacks that were synthesized, in the
// order of config.Parts.
func (e *Env) Stacks() []string {
	var out []string
	for _, p := range config.Parts {
		s := e.Cfg.StackName(p)
		if isDir(e.Dir(s)) {
			out = append(out, s)
		}
	}
	return out
}

// Dir is a stack's Terraform working directory.
func (e *Env) Dir(stack string) string { return filepath.Join(e.Outdir, "stacks", stack) }

// Runner returns the (initialised) Terraform runner of a stack.
func (e *Env) Runner(ctx context.Context, stack string) (*tfrun.Runner, error) {
	e.mu.Lock()
	r, ok := e.runners[stack]
	e.mu.Unlock()
	if ok {
		return r, nil
	}
	r, err := tfrun.New(e.Dir(stack), e.TFEnv)
	if err != nil {
		return nil, err
	}
	if e.Log != nil {
		r.SetLog(e.Log)
	}
	if err := r.Init(ctx); err != nil {
		return nil, fmt.Errorf("%s: %w", stack, err)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.runners == nil {
		e.runners = map[string]*tfrun.Runner{}
	}
	e.runners[stack] = r
	return r, nil
}

// Apply applies the given stacks (default: all) in order.
func (e *Env) Apply(ctx context.Context, stacks ...string) error {
	if len(stacks) == 0 {
		stacks = e.Stacks()
	}
	for _, s := range stacks {
		r, err := e.Runner(ctx, s)
		if err != nil {
			return err
		}
		if err := r.Apply(ctx); err != nil {
			return fmt.Errorf("%s: %w", s, err)
		}
	}
	return nil
}

// ApplyPlanned applies the plan that PlanJSON saved for stack, exactly
// that plan: Terraform refuses it if the state changed since ("saved plan
// is stale"). It skips the new validate and plan that Apply starts with.
func (e *Env) ApplyPlanned(ctx context.Context, stack string) error {
	r, err := e.Runner(ctx, stack)
	if err != nil {
		return err
	}
	if err := r.Apply(ctx, tfexec.DirOrPlan(e.planFile(stack))); err != nil {
		return fmt.Errorf("%s: %w", stack, err)
	}
	return nil
}

// planFile is where PlanJSON saves a stack's plan.
func (e *Env) planFile(stack string) string { return filepath.Join(e.Dir(stack), "selfhost.tfplan") }

// Plan plans one stack into planfile ("" for none) and reports whether it
// has changes.
func (e *Env) Plan(ctx context.Context, stack, planfile string) (bool, error) {
	r, err := e.Runner(ctx, stack)
	if err != nil {
		return false, err
	}
	changes, err := r.Plan(ctx, planfile)
	if err != nil {
		return false, fmt.Errorf("%s: %w", stack, err)
	}
	return changes, nil
}

// PlanJSON plans one stack and returns the plan as terraform-json.
func (e *Env) PlanJSON(ctx context.Context, stack string) (*tfjson.Plan, error) {
	planfile := e.planFile(stack)
	if _, err := e.Plan(ctx, stack, planfile); err != nil {
		return nil, err
	}
	r, _ := e.Runner(ctx, stack)
	return r.ShowPlan(ctx, planfile)
}

// Drift re-plans every applied stack (side by side, as PlanAll) and
// returns those that would change, in the order given.
func (e *Env) Drift(ctx context.Context, stacks ...string) ([]string, error) {
	if len(stacks) == 0 {
		stacks = e.Stacks()
	}
	changes := make([]bool, len(stacks))
	jobs := make([]Job, len(stacks))
	for i, s := range stacks {
		jobs[i] = Job{Env: e, Stack: s, run: func(ctx context.Context) (err error) {
			changes[i], err = e.Plan(ctx, s, "")
			return err
		}}
	}
	var changed []string
	for i, err := range run(ctx, jobs) {
		if err != nil {
			return nil, err
		}
		if changes[i] {
			changed = append(changed, stacks[i])
		}
	}
	return changed, nil
}

// Destroy destroys the given stacks (default: all but <env>-state, which
// Terraform refuses to destroy: prevent_destroy) in reverse order.
func (e *Env) Destroy(ctx context.Context, stacks ...string) error {
	if len(stacks) == 0 {
		for _, s := range e.Stacks() {
			if s != e.Cfg.StackName(config.PartState) {
				stacks = append(stacks, s)
			}
		}
	}
	for i := len(stacks) - 1; i >= 0; i-- {
		r, err := e.Runner(ctx, stacks[i])
		if err != nil {
			return err
		}
		if err := r.Destroy(ctx); err != nil {
			return fmt.Errorf("%s: %w", stacks[i], err)
		}
	}
	return nil
}

// Outputs returns a stack's outputs as raw JSON values.
func (e *Env) Outputs(ctx context.Context, stack string) (map[string]string, error) {
	r, err := e.Runner(ctx, stack)
	if err != nil {
		return nil, err
	}
	outs, err := r.Output(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", stack, err)
	}
	m := map[string]string{}
	for k, v := range outs {
		if v.Sensitive {
			m[k] = "(sensitive)"
		} else {
			m[k] = string(v.Value)
		}
	}
	return m, nil
}
