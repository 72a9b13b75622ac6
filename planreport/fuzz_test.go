package planreport

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse feeds arbitrary bytes to the parser and, when they parse, to
// the rules and the renderer: nothing may panic and the size limit holds.
// The seed corpus is testdata/fuzz/FuzzParse plus the real plan fixtures.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/plans/*.json")
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		plan, err := ParsePlan(data)
		if err != nil {
			if plan != nil {
				t.Fatal("plan returned with an error")
			}
			return
		}
		r := Analyze([]Stack{{Name: "fuzz", Plan: plan}}, Options{Baseline: map[string]*Plan{"fuzz": plan}})
		if out := Render(r, minLimit); len(out) > minLimit {
			t.Fatalf("report of %d bytes over the %d limit", len(out), minLimit)
		}
	})
}
