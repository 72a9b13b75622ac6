package synth

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A check of an app that synth.Run did not create would never run.
func TestAddCheckOutsideRun(t *testing.T) {
	err := AddCheck(nil, func(*Output) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "not created by synth.Run") {
		t.Errorf("AddCheck outside Run: %v", err)
	}
}

func TestStableJSON(t *testing.T) {
	got, err := StableJSON(map[string]any{
		"b": []any{}, "a": map[string]any{}, "c": []any{"<x>", map[string]any{"z": 1, "y": true}},
	})
	want := "{\n  \"a\": {\n  },\n  \"b\": [\n  ],\n  \"c\": [\n    \"<x>\",\n    {\n      \"y\": true,\n      \"z\": 1\n    }\n  ]\n}"
	if err != nil || string(got) != want {
		t.Errorf("got (err %v):\n%s\nwant:\n%s", err, got, want)
	}
}

// A failing or panicking check is an error naming the synth; a folder
// without a manifest cannot be checked.
func TestCheckOutput(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, ManifestFile), []byte(`{"stacks": {"s": {"annotations": [], "synthesizedStackPath": "stacks/s/cdk.tf.json"}}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	defer func() { runChecks = nil }()
	for _, c := range []struct {
		name  string
		check Check
		want  string
	}{
		{"fails", func(*Output) error { return errors.New("rule broken") }, "synth failed: rule broken"},
		{"panics", func(*Output) error { panic("bug") }, "synth failed: checking the output: bug"},
		{"reads a missing stack", func(o *Output) error { _, err := o.StackJSON("s"); return err }, "synth failed: open "},
		{"warns on an unknown stack", func(o *Output) error { return o.Warn("nope", "nope", "x") }, "stack nope was not synthesized"},
	} {
		runChecks = []Check{c.check}
		if err := checkOutput(dir); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
	runChecks = []Check{func(*Output) error { return nil }}
	if err := checkOutput(t.TempDir()); err == nil || !strings.Contains(err.Error(), "reading the output") {
		t.Errorf("no manifest: %v", err)
	}
}
