package deploy

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"selfhost/config"
)

// writeStack writes a stack of terraform_data resources (built into
// Terraform: no provider, no network) with the given inputs.
func writeStack(t *testing.T, e *Env, stack string, inputs map[string]string) {
	t.Helper()
	res := map[string]any{}
	for name, in := range inputs {
		res[name] = map[string]any{"input": in}
	}
	data, err := json.Marshal(map[string]any{"resource": map[string]any{"terraform_data": res}})
	if err != nil {
		t.Fatal(err)
	}
	dir := e.Dir(stack)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "cdk.tf.json"), data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// PlanAll, Drift and ApplyPlanned on real Terraform: plans of two stacks
// side by side, a saved plan applied as planned, a stale one refused.
func TestPlanAllApplyPlanned(t *testing.T) {
	if testing.Short() {
		t.Skip("runs terraform; skipped with -short")
	}
	ctx := context.Background()
	cfg := &config.Config{Name: "t"}
	e := &Env{Cfg: cfg, Outdir: t.TempDir()}
	a, b := cfg.StackName(config.PartNetwork), cfg.StackName(config.PartService)
	writeStack(t, e, a, map[string]string{"x": "1"})
	writeStack(t, e, b, map[string]string{"y": "1"})

	planned := PlanAll(ctx, []Job{{Env: e, Stack: a}, {Env: e, Stack: b}})
	for i, st := range []string{a, b} {
		if planned[i].Err != nil {
			t.Fatalf("%s: %v", st, planned[i].Err)
		}
		if got := len(planned[i].Plan.ResourceChanges); got != 1 || !planned[i].Plan.ResourceChanges[0].Change.Actions.Create() {
			t.Errorf("%s: plan %+v, want one create", st, planned[i].Plan.ResourceChanges)
		}
	}
	if err := e.ApplyPlanned(ctx, a); err != nil {
		t.Fatal(err)
	}
	if changed, err := e.Drift(ctx, a, b); err != nil || strings.Join(changed, ",") != b {
		t.Errorf("drift after applying %s: %v (%v), want only %s", a, changed, err, b)
	}

	// A plan saved before the state changed is refused, not applied.
	writeStack(t, e, a, map[string]string{"x": "2"})
	if _, err := e.PlanJSON(ctx, a); err != nil {
		t.Fatal(err)
	}
	stale, err := os.ReadFile(e.planFile(a))
	if err != nil {
		t.Fatal(err)
	}
	if err := e.ApplyPlanned(ctx, a); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(e.planFile(a), stale, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := e.ApplyPlanned(ctx, a); err == nil || !strings.Contains(err.Error(), "stale") {
		t.Errorf("applying a stale saved plan: %v, want Terraform's refusal", err)
	}
	if changed, err := e.Drift(ctx, a); err != nil || len(changed) != 0 {
		t.Errorf("drift after the planned apply: %v (%v)", changed, err)
	}
}
