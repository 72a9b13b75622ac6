package main

import (
	"strings"
	"testing"

	"selfhost/internal/golden"
	"selfhost/internal/synth"
	"selfhost/planreport"
)

// The -local mode synthesizes in this process (jsii).
func TestMain(m *testing.M) { synth.TestMain(m) }

// TestLocalReview runs the README's one command on the emulator for the
// state and network stacks: deploy, change the flow log retention, report.
func TestLocalReview(t *testing.T) {
	if testing.Short() {
		t.Skip("deploys on the emulator (about 2 minutes); skipped with -short")
	}
	code, stdout, stderr := runCLI(t, "-local", "-env", localEnv, "-parts", "state,network",
		"-set", "network.flow_log_retention_days=30")
	if code != exitOK {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
	if !strings.Contains(stderr, "planreport: planning local-network with network.flow_log_retention_days=30") {
		t.Errorf("progress not reported:\n%s", stderr)
	}
	golden.Check(t, "testdata/local_retention.md", []byte(planreport.Normalize(stdout)))
}

func TestLocalUsage(t *testing.T) {
	for _, tc := range []struct {
		args   []string
		errHas string
	}{
		{[]string{"-local", "plans"}, "-local makes the plans itself"},
		{[]string{"-local", "-plan-env", "production"}, "-local makes the plans itself"},
		{[]string{"-set", "a=1", "plans"}, "-set and -parts belong to -local"},
		{[]string{"-parts", "network", "plans"}, "-set and -parts belong to -local"},
		{[]string{"-local", "-env", localEnv, "-set", "network.nat=sometimes"}, "network.nat"},
		{[]string{"-local", "-env", localEnv, "-parts", "network,db"}, `unknown part "db"`},
		{[]string{"-local", "-env", "nope.yaml"}, "nope.yaml"},
		{[]string{"-local", "-set", "novalue"}, "want KEY=VALUE"},
	} {
		code, _, stderr := runCLI(t, tc.args...)
		if code != exitError || !strings.Contains(stderr, tc.errHas) {
			t.Errorf("%q: exit %d, stderr %q; want 2 and %q", tc.args, code, stderr, tc.errHas)
		}
	}
}
