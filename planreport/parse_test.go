package planreport

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestParsePlanRejects(t *testing.T) {
	state, err := os.ReadFile("testdata/cases/iam/prior-state.json")
	if err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct{ input, wantErr string }{
		"empty":            {"", "empty input"},
		"not an object":    {`[1, 2]`, "not a JSON object"},
		"human plan":       {"No changes. Your infrastructure matches the configuration.", "not a JSON object"},
		"truncated":        {`{"format_version": "1.2", "resource_changes": [`, "invalid plan JSON"},
		"no version":       {`{"resource_changes": []}`, "format version is missing"},
		"future version":   {`{"format_version": "2.0", "resource_changes": []}`, "unsupported plan format version"},
		"trailing data":    {`{"format_version": "1.2", "planned_values": {}} {}`, "unexpected data after"},
		"state JSON":       {`{"format_version": "1.0", "terraform_version": "1.11.4", "values": {}}`, "looks like state JSON"},
		"change missing":   {`{"format_version": "1.2", "resource_changes": [{"address": "a.b"}]}`, "has no change"},
		"wrong types":      {`{"format_version": "1.2", "resource_changes": "x"}`, "invalid plan JSON"},
		"raw tfstate file": {string(state), "format version is missing"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := ParsePlan([]byte(tc.input))
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("error %v, want one containing %q", err, tc.wantErr)
			}
		})
	}
}

func TestLoadPaths(t *testing.T) {
	data, err := os.ReadFile("testdata/plans/empty.json")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, n := range []string{"production-dns", "extra", "production-state", "production-service", "production-network"} {
		if err := os.WriteFile(filepath.Join(dir, n+".json"), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("ignored"), 0o644); err != nil {
		t.Fatal(err)
	}
	stacks, err := LoadPaths([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range stacks {
		names = append(names, s.Name)
	}
	want := []string{"production-state", "production-network", "production-service", "production-dns", "extra"}
	if !slices.Equal(names, want) {
		t.Errorf("stacks %q, want %q", names, want)
	}

	if _, err := LoadPaths([]string{dir, filepath.Join(dir, "extra.json")}); err == nil || !strings.Contains(err.Error(), `"extra" given twice`) {
		t.Errorf("duplicate stack: error %v", err)
	}
	if _, err := LoadPaths([]string{t.TempDir()}); err == nil || !strings.Contains(err.Error(), "no *.json plan files") {
		t.Errorf("empty directory: error %v", err)
	}
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`{"format_version": "1.2",`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadPaths([]string{dir}); err == nil || !strings.Contains(err.Error(), "bad.json") {
		t.Errorf("malformed file: error %v does not name the file", err)
	}
}
