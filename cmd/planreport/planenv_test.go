package main

import (
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"testing"

	"selfhost/internal/tfrun"
	"selfhost/planreport"
)

// TestPlanStack runs the wrapper's per-stack step (init, plan, show -json
// through tfrun) on a small real configuration and checks that the JSON it
// writes reads back and trips the same rules as the committed fixture. It
// needs terraform and the offline provider mirror; without them it skips.
func TestPlanStack(t *testing.T) {
	if testing.Short() {
		t.Skip("runs terraform (about 15 s)")
	}
	if _, err := exec.LookPath("terraform"); err != nil {
		t.Skip("terraform is not on PATH")
	}
	if mirror, err := tfrun.FindMirror(); err != nil || mirror == "" {
		t.Skip("no offline provider mirror")
	}
	dir := t.TempDir()
	config, err := os.ReadFile("../../planreport/testdata/cases/create_open_ingress/main.tf.json")
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"main.tf.json": string(config),
		"provider.tf.json": `{
  "terraform": {"required_providers": {"aws": {"source": "hashicorp/aws", "version": "5.100.0"}}},
  "provider": {"aws": [{"region": "us-east-1", "access_key": "test", "secret_key": "test",
    "skip_credentials_validation": true, "skip_requesting_account_id": true, "skip_metadata_api_check": true}]}
}`,
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	plans := t.TempDir()
	if err := planStack(context.Background(), dir, "test-network", plans, nil, io.Discard); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(plans, "test-network.tfplan")); err != nil {
		t.Errorf("saved plan missing: %v", err)
	}
	fresh, err := planreport.LoadFile(filepath.Join(plans, "test-network.json"))
	if err != nil {
		t.Fatal(err)
	}
	fixture, err := planreport.LoadFile("../../planreport/testdata/plans/create_open_ingress.json")
	if err != nil {
		t.Fatal(err)
	}
	got, want := findingAddrs(fresh), findingAddrs(fixture)
	if len(want) == 0 || !slices.Equal(got, want) {
		t.Errorf("findings of the fresh plan %q, of the fixture %q", got, want)
	}
}

func findingAddrs(s planreport.Stack) []string {
	var out []string
	for _, f := range planreport.Analyze([]planreport.Stack{s}, planreport.Options{}).Findings {
		out = append(out, f.RuleID+" "+f.Address)
	}
	sort.Strings(out)
	return out
}
