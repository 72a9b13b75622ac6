package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const plans = "../../planreport/testdata/plans"

func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestExitStatus(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "production-network.json")
	if err := os.WriteFile(bad, []byte(`{"format_version": "1.2", "resource_changes": [`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name      string
		args      []string
		code      int
		stderrHas string
	}{
		{"risky plans", []string{plans}, 0, "risky change(s) flagged"},
		{"risky plans, -fail-on-risk", []string{"-fail-on-risk", plans}, 1, "risky change(s) flagged"},
		{"quiet plan, -fail-on-risk", []string{"-fail-on-risk", plans + "/empty.json"}, 0, ""},
		{"malformed JSON", []string{bad}, 2, "production-network.json: invalid plan JSON"},
		{"missing file", []string{"nope.json"}, 2, "nope.json"},
		{"no arguments", nil, 2, "usage:"},
		{"bad flag", []string{"-nope"}, 2, "flag provided but not defined"},
		{"plan-env with files", []string{"-plan-env", "production", plans}, 2, "give no plan files"},
		{"baseline", []string{"-fail-on-risk", "-baseline", plans, plans + "/empty.json"}, 0, ""},
		// The gate before an apply: the replaced target group of replace.json
		// is a refused downtime risk until accepted; other risks do not stop it.
		{"downtime risk, -enforce", []string{"-enforce", plans + "/replace.json"}, 1, "refused: replace aws_lb_target_group."},
		{"downtime risk, -enforce, accepted", []string{"-enforce", "-accept", "iam-change, downtime-risk", plans + "/replace.json"}, 0, "risky change(s) flagged"},
		{"no refused rule, -enforce", []string{"-enforce", plans + "/iam.json"}, 0, "risky change(s) flagged"},
		{"other rule accepted, -enforce", []string{"-enforce", "-accept", "destroy-critical", plans + "/replace.json"}, 1, "-accept downtime-risk"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, tc.args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tc.code, stderr)
			}
			if tc.stderrHas == "" && stderr != "" || !strings.Contains(stderr, tc.stderrHas) {
				t.Errorf("stderr %q, want it to contain %q", stderr, tc.stderrHas)
			}
		})
	}
}

func TestReportToFile(t *testing.T) {
	out := filepath.Join(t.TempDir(), "report.md")
	code, stdout, _ := runCLI(t, "-o", out, "-max-bytes", "3000", plans)
	if code != 0 || stdout != "" {
		t.Fatalf("exit %d, stdout %q", code, stdout)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(data) > 3000 || !strings.Contains(string(data), "**Truncated:**") {
		t.Errorf("report of %d bytes, truncated note present: %v", len(data), strings.Contains(string(data), "**Truncated:**"))
	}
}

// TestBaselineEnablesVersionRules: the provider_constraint plan against a
// baseline directory where that stack is the empty plan (constraint 5.100.0).
func TestBaselineEnablesVersionRules(t *testing.T) {
	base := t.TempDir()
	data, err := os.ReadFile(plans + "/empty.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(base, "provider_constraint.json"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, _ := runCLI(t, "-fail-on-risk", "-baseline", base, plans+"/provider_constraint.json")
	if code != 1 || !strings.Contains(stdout, "`provider-version`") {
		t.Errorf("exit %d, report:\n%s", code, stdout)
	}
}
