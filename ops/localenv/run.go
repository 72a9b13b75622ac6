package localenv

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"selfhost/config"
	"selfhost/ops/deploy"
)

// Deploy is the deploy half of `go run ./cmd/local`, and what the
// end-to-end test of the whole environment starts from: synthesize the
// environment as configured, apply every stack in dependency order with the
// reference app published into the repository before the service exists
// (ApplyStacks: the README's first-deploy sequence), require a re-plan
// without changes, and read every stack's outputs (cdktf's cross-stack
// plumbing left out). step, if not nil, reports progress.
func (s *Session) Deploy(ctx context.Context, step func(format string, a ...any)) (*deploy.Env, map[string]map[string]string, error) {
	if step == nil {
		step = func(string, ...any) {}
	}
	env, err := s.Synth(nil)
	if err != nil {
		return nil, nil, err
	}
	stacks := env.Stacks()
	step("synthesized %v", stacks)
	t := time.Now()
	if env, err = s.ApplyStacks(ctx, env, stacks, step); err != nil {
		return nil, nil, err
	}
	step("applied in %s; re-planning", time.Since(t).Round(time.Second))
	changed, err := env.Drift(ctx)
	if err != nil {
		return nil, nil, err
	}
	if len(changed) > 0 {
		return nil, nil, fmt.Errorf("re-plan after apply shows changes in %v", changed)
	}
	step("re-plan: no changes")
	outputs := map[string]map[string]string{}
	for _, st := range stacks {
		outs, err := env.Outputs(ctx, st)
		if err != nil {
			return nil, nil, err
		}
		for k := range outs {
			if strings.HasPrefix(k, "cross-stack-output-") {
				delete(outs, k)
			}
		}
		outputs[st] = outs
	}
	return env, outputs, nil
}

// ApplyStacks applies stacks of env in order, the first deploy of an empty
// account: when it has applied <env>-registry it publishes the reference
// app into every service's repository (built meanwhile), so the service stack, whose
// apply waits for its tasks to run the image, finds it there. When the
// publish pins a new digest into the session's config, the stacks after
// it are synthesized again. It returns the environment as applied.
func (s *Session) ApplyStacks(ctx context.Context, env *deploy.Env, stacks []string, step func(format string, a ...any)) (*deploy.Env, error) {
	registry := env.Cfg.StackName(config.PartRegistry)
	var b builds
	if needsPublish(env.Cfg) && slices.Contains(stacks, registry) {
		b = s.startBuild(ctx)
		defer b.wait() // never leave a build running
	}
	for _, st := range stacks {
		step("apply %s", st)
		if err := env.Apply(ctx, st); err != nil {
			return nil, err
		}
		if st != registry || b == nil {
			continue
		}
		changed, err := s.publish(ctx, b)
		if err != nil {
			return nil, err
		}
		var repos []string
		for _, svc := range publishing(s.Cfg) {
			repos = append(repos, svc.Image.Repository)
		}
		step("published the reference app into %s: %s", strings.Join(repos, ", "), s.Published)
		if changed {
			if env, err = s.Synth(nil); err != nil {
				return nil, err
			}
		}
	}
	return env, nil
}

// Teardown is the other half: destroy every stack of env (the environment
// as deployed now) but <env>-state, in reverse order, emptying the
// repository before <env>-registry is destroyed (force_delete is off), then
// delete the state bucket deliberately (DeleteStateBucket).
func (s *Session) Teardown(ctx context.Context, env *deploy.Env) error {
	var above, below []string
	seen := false
	for _, st := range env.Stacks() {
		switch {
		case st == env.Cfg.StackName(config.PartState):
		case seen:
			above = append(above, st)
		default:
			below = append(below, st)
		}
		if st == env.Cfg.StackName(config.PartRegistry) {
			seen = true
		}
	}
	if len(above) > 0 {
		if err := env.Destroy(ctx, above...); err != nil {
			return err
		}
	}
	if seen {
		if err := s.EmptyRepositories(ctx); err != nil {
			return err
		}
	}
	if len(below) > 0 {
		if err := env.Destroy(ctx, below...); err != nil {
			return err
		}
	}
	return s.DeleteStateBucket(ctx)
}

// OutputLines are the outputs as sorted `stack.name = value` lines, in stack order.
func OutputLines(env *deploy.Env, outputs map[string]map[string]string) []string {
	var lines []string
	for _, st := range env.Stacks() {
		keys := make([]string, 0, len(outputs[st]))
		for k := range outputs[st] {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			lines = append(lines, fmt.Sprintf("%s.%s = %s", st, k, outputs[st][k]))
		}
	}
	return lines
}
