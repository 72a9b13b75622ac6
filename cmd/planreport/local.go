package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"selfhost/config"
	"selfhost/ops/deploy"
	"selfhost/ops/localenv"
	"selfhost/planreport"
)

// localReview is the -local mode: it starts the emulator, deploys the
// emulator environment envFile as it is (the stacks of parts, in order),
// synthesizes it again with the -set overrides and plans those stacks
// against what was deployed. It returns the plans; the emulator and its work
// folder are gone when it returns.
func localReview(ctx context.Context, envFile string, sets, parts []string, log, tfLog io.Writer) ([]planreport.Stack, error) {
	data, err := os.ReadFile(envFile)
	if err != nil {
		return nil, err
	}
	changed, _, err := applyOverrides(envFile, data, sets)
	if err != nil {
		return nil, err
	}
	for _, p := range parts {
		if !slices.Contains(config.Parts, p) {
			return nil, fmt.Errorf("-parts: unknown part %q (have: %s)", p, strings.Join(config.Parts, ", "))
		}
	}
	s, err := localenv.Start(ctx, envFile, tfLog)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	fmt.Fprintf(log, "planreport: emulator (moto) on %s\n", s.Srv.Endpoint())

	base, err := s.Synth(nil)
	if err != nil {
		return nil, err
	}
	stacks, err := selectStacks(base, parts)
	if err != nil {
		return nil, err
	}
	// As a first deploy does: the reference app is published into the
	// repository before the service stack applies (localenv.ApplyStacks).
	step := func(format string, a ...any) {
		fmt.Fprintf(log, "planreport: "+format+" (as in %s)\n", append(a, envFile)...)
	}
	if base, err = s.ApplyStacks(ctx, base, stacks, step); err != nil {
		return nil, err
	}
	next, err := s.Synth(func(c *config.Config) {
		*c = *changed
		s.Emulate(c) // the emulator's port, not the file's
	})
	if err != nil {
		return nil, err
	}
	var out []planreport.Stack
	for _, st := range stacks {
		fmt.Fprintf(log, "planreport: planning %s with %s\n", st, describeSets(sets))
		plan, err := next.PlanJSON(ctx, st)
		if err != nil {
			return nil, err
		}
		out = append(out, planreport.Stack{Name: st, Plan: plan})
	}
	return out, nil
}

// selectStacks picks the environment's stacks of the given parts (all
// when parts is empty), in dependency order.
func selectStacks(env *deploy.Env, parts []string) ([]string, error) {
	all := env.Stacks()
	if len(parts) == 0 {
		return all, nil
	}
	var out []string
	for _, st := range all {
		for _, p := range parts {
			if st == env.Cfg.StackName(p) {
				out = append(out, st)
			}
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("-parts %s: no such stacks synthesized", strings.Join(parts, ","))
	}
	return out, nil
}

func describeSets(sets []string) string {
	if len(sets) == 0 {
		return "no changes"
	}
	return strings.Join(sets, ", ")
}
