package localenv

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"selfhost/ops/deploy"
)

// Deploy is the deploy half of `go run ./cmd/local`, and what the
// end-to-end test of the whole environment starts from: synthesize the
// environment as configured, apply every stack in dependency order, require
// a re-plan without changes, and read every stack's outputs (cdktf's
// cross-stack plumbing left out). step, if not nil, reports progress.
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
	for _, st := range stacks {
		step("apply %s", st)
		if err := env.Apply(ctx, st); err != nil {
			return nil, nil, err
		}
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

// Teardown is the other half: destroy every stack of env (the environment
// as deployed now) but <env>-state, then delete the state bucket
// deliberately (DeleteStateBucket).
func (s *Session) Teardown(ctx context.Context, env *deploy.Env) error {
	if err := env.Destroy(ctx); err != nil {
		return err
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
