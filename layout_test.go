package main

// The shape of the tree: layers that run one way, and a README that lists
// what is there.

import (
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
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

// layoutEntry is one line of the README's Layout block: the paths it lists
// and its description (continuation lines included).
type layoutEntry struct {
	paths []string
	desc  string
}

var reColumns = regexp.MustCompile(`\s{3,}`)

func readmeLayout(t *testing.T) []layoutEntry {
	t.Helper()
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, sec, ok := strings.Cut(string(b), "\n## Layout\n")
	if !ok {
		t.Fatal("README has no Layout section")
	}
	_, block, ok := strings.Cut(sec, "\n```\n")
	block, _, ok2 := strings.Cut(block, "\n```")
	if !ok || !ok2 {
		t.Fatal("README's Layout section has no code block")
	}
	var out []layoutEntry
	for _, line := range strings.Split(block, "\n") {
		if strings.HasPrefix(line, " ") {
			if len(out) > 0 {
				out[len(out)-1].desc += " " + strings.TrimSpace(line)
			}
			continue
		}
		cols := reColumns.Split(line, 2)
		e := layoutEntry{paths: strings.Fields(cols[0])}
		if len(cols) == 2 {
			e.desc = cols[1]
		}
		out = append(out, e)
	}
	return out
}

// notInTree are folders of a working copy that are not the project's
// (.gitignore, the module cache of npm, the git directory).
var notInTree = map[string]bool{".git": true, "node_modules": true, "cdktf.out": true, ".state": true, "tmp": true, ".terraform": true, ".terraform.d": true}

// goPackageDirs are the sub-folders of dir holding Go files (testdata and
// internal helpers aside).
func goPackageDirs(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if !e.IsDir() || e.Name() == "testdata" || e.Name() == "internal" {
			continue
		}
		goFiles, _ := filepath.Glob(filepath.Join(dir, e.Name(), "*.go"))
		deeper, _ := filepath.Glob(filepath.Join(dir, e.Name(), "*", "*.go"))
		if len(goFiles)+len(deeper) > 0 {
			out = append(out, e.Name())
		}
	}
	return out
}

// The README's Layout lists the tree: every listed path exists; every
// top-level folder and Go file of the root is listed; a folder listed by
// its packages (internal/synth, cmd/local, ...) lists all of them; a
// folder listed whole names each of its packages in its description.
func TestREADMELayoutMatchesTree(t *testing.T) {
	entries := readmeLayout(t)
	listed := map[string]bool{}
	tops := map[string]bool{}
	for _, e := range entries {
		for _, p := range e.paths {
			if _, err := os.Stat(p); err != nil {
				t.Errorf("README Layout lists %s, which does not exist", p)
			}
			p = strings.TrimSuffix(p, "/")
			listed[p] = true
			top, _, _ := strings.Cut(p, "/")
			tops[top] = true
		}
	}
	root, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range root {
		n := e.Name()
		switch {
		case e.IsDir() && !notInTree[n] && !tops[n]:
			t.Errorf("README Layout does not list the folder %s/", n)
		case !e.IsDir() && strings.HasSuffix(n, ".go") && !listed[n]:
			t.Errorf("README Layout does not list %s", n)
		}
	}
	for top := range tops {
		if listed[top] || strings.Contains(top, ".") {
			continue
		}
		// Listed by its packages: every package is listed.
		for _, sub := range goPackageDirs(t, top) {
			if !listed[top+"/"+sub] {
				t.Errorf("README Layout lists packages of %s/ but not %s/%s", top, top, sub)
			}
		}
	}
	for _, e := range entries {
		if len(e.paths) != 1 || !strings.HasSuffix(e.paths[0], "/") {
			continue
		}
		dir := strings.TrimSuffix(e.paths[0], "/")
		for _, sub := range goPackageDirs(t, dir) {
			if !regexp.MustCompile(`\b` + regexp.QuoteMeta(sub) + `\b`).MatchString(e.desc) {
				t.Errorf("README Layout: %s/ does not name its package %s in %q", dir, sub, e.desc)
			}
		}
	}
}

// Every path the README's requirement table names exists.
func TestREADMERequirementPathsExist(t *testing.T) {
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, sec, ok := strings.Cut(string(b), "\n## Where each requirement lives\n")
	sec, _, _ = strings.Cut(sec, "\n## ")
	if !ok {
		t.Fatal("README has no 'Where each requirement lives' section")
	}
	n := 0
	for _, m := range regexp.MustCompile("`([a-z][a-z0-9_./-]*(?:/|\\.go|\\.mod|\\.json))`").FindAllStringSubmatch(sec, -1) {
		n++
		if _, err := os.Stat(m[1]); err != nil {
			t.Errorf("README requirement table names %s, which does not exist", m[1])
		}
	}
	if n < 20 {
		t.Errorf("found only %d paths in the requirement table", n)
	}
}
