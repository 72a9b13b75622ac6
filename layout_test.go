package main

// The shape of the tree: layers that run one way, and a README that lists
// what is there.

import (
	"fmt"
	"maps"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "selfhost"

// folder is the top-level folder of a package path of this module ("." for
// the root package).
func folder(pkg string) string {
	rest, ok := strings.CutPrefix(pkg, module+"/")
	if !ok {
		return "."
	}
	top, _, _ := strings.Cut(rest, "/")
	return top
}

// folderGraph folds the module's imports, test imports included, to
// top-level folders: from -> set of folders it imports.
func folderGraph(t *testing.T) map[string]map[string]bool {
	t.Helper()
	cmd := exec.Command("go", "list", "-f",
		`{{.ImportPath}}{{range .Imports}} {{.}}{{end}}{{range .TestImports}} {{.}}{{end}}{{range .XTestImports}} {{.}}{{end}}`, "./...")
	out, err := cmd.Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			t.Fatalf("go list: %v\n%s", err, ee.Stderr)
		}
		t.Fatalf("go list: %v", err)
	}
	g := map[string]map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		from := folder(f[0])
		if from == "node_modules" { // a Go file shipped in an npm package
			continue
		}
		if g[from] == nil {
			g[from] = map[string]bool{}
		}
		for _, imp := range f[1:] {
			if imp != module && !strings.HasPrefix(imp, module+"/") {
				continue
			}
			if to := folder(imp); to != from {
				g[from][to] = true
			}
		}
	}
	return g
}

// findCycle returns one cycle of g (its nodes, the first repeated at the
// end), or nil.
func findCycle(g map[string]map[string]bool) []string {
	const (
		unseen = iota
		onPath
		done
	)
	state := map[string]int{}
	var path []string
	var visit func(n string) []string
	visit = func(n string) []string {
		state[n] = onPath
		path = append(path, n)
		for _, m := range slices.Sorted(maps.Keys(g[n])) {
			switch state[m] {
			case onPath:
				return append(slices.Clone(path[slices.Index(path, m):]), m)
			case unseen:
				if c := visit(m); c != nil {
					return c
				}
			}
		}
		path = path[:len(path)-1]
		state[n] = done
		return nil
	}
	for _, n := range slices.Sorted(maps.Keys(g)) {
		if state[n] == unseen {
			if c := visit(n); c != nil {
				return c
			}
		}
	}
	return nil
}

// The import graph folded to top-level folders has no cycle: each folder
// is a layer, and layers run one way (awsrules and internal at the bottom,
// config, constructs, guardrails, stacks, ops and cmd above).
func TestNoFolderLevelImportCycle(t *testing.T) {
	g := folderGraph(t)
	if len(g) < 10 {
		t.Fatalf("go list found only %d folders: %v", len(g), g)
	}
	if c := findCycle(g); c != nil {
		t.Errorf("folder-level import cycle: %s; move the code so the layers run one way", strings.Join(c, " -> "))
	}
}

// findCycle finds a cycle when there is one, and only then.
func TestFindCycle(t *testing.T) {
	g := map[string]map[string]bool{
		"stacks":     {"config": true, "guardrails": true},
		"guardrails": {"config": true},
		"config":     {"awsrules": true},
	}
	if c := findCycle(g); c != nil {
		t.Errorf("cycle %v in an acyclic graph", c)
	}
	g["guardrails"]["stacks"] = true
	if c := fmt.Sprint(findCycle(g)); c != "[guardrails stacks guardrails]" {
		t.Errorf("cycle %s, want [guardrails stacks guardrails]", c)
	}
}
