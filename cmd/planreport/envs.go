package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"path"
	"slices"
	"strings"

	"selfhost/config"
)

// notShared are the paths that change no environment's Terraform nor how it
// is planned or applied: documentation, tests and their data, and the trees
// that only the emulator and the benchmarks use. Every other file outside
// the environments folder is shared code: its change touches every
// environment.
func notShared(p string) bool {
	switch {
	case strings.HasSuffix(p, ".md"),
		strings.HasSuffix(p, "_test.go"),
		slices.Contains(strings.Split(p, "/"), "testdata"):
		return true
	}
	top, _, _ := strings.Cut(p, "/")
	return slices.Contains([]string{"e2e", "bench", "emulator", ".ci"}, top)
}

// isEmulator reports whether an environment runs against an emulator
// (aws.endpoint set): it is never planned against AWS.
func isEmulator(c *config.Config) bool { return c.AWS.Endpoint != "" }

// touchedEnvironments returns the environments a change touches, by name in
// the order of cfgs, and notes on what it decided. changed are the changed
// paths (slash-separated, relative to the module root), envDir the
// environments folder, cfgs its environments as they are after the change.
//
// An environment is touched when its file changed (added or edited), and
// every environment is touched when shared code changed (see [notShared]).
// Emulator environments are never touched: they are not planned against
// AWS. A removed environment file touches nothing: the workflow plans and
// applies the environments that exist, it does not destroy one.
func touchedEnvironments(changed []string, envDir string, cfgs []*config.Config) (names, notes []string) {
	byName := map[string]*config.Config{}
	for _, c := range cfgs {
		byName[c.Name] = c
	}
	want := map[string]bool{}
	var shared []string
	for _, p := range changed {
		dir, file := path.Split(p)
		if strings.TrimSuffix(dir, "/") == path.Clean(envDir) && slices.Contains(config.Extensions, path.Ext(file)) {
			name := strings.TrimSuffix(file, path.Ext(file))
			switch c := byName[name]; {
			case c == nil:
				notes = append(notes, fmt.Sprintf("%s was removed: its stacks are not planned, nor destroyed (see the README, Tearing an environment down)", p))
			case isEmulator(c):
				notes = append(notes, fmt.Sprintf("%s is an emulator environment (aws.endpoint): never planned against AWS", p))
			default:
				want[name] = true
			}
			continue
		}
		if strings.HasPrefix(p, path.Clean(envDir)+"/") || notShared(p) {
			continue
		}
		shared = append(shared, p)
	}
	if len(shared) > 0 {
		more := ""
		if len(shared) > 3 {
			more = fmt.Sprintf(" and %d more", len(shared)-3)
		}
		notes = append(notes, fmt.Sprintf("shared code changed (%s%s): every environment but the emulator's", strings.Join(shared[:min(3, len(shared))], ", "), more))
	}
	for _, c := range cfgs {
		if !isEmulator(c) && (want[c.Name] || len(shared) > 0) {
			names = append(names, c.Name)
		}
	}
	return names, notes
}

// allEnvironments is every environment but the emulator's.
func allEnvironments(cfgs []*config.Config) []string {
	var names []string
	for _, c := range cfgs {
		if !isEmulator(c) {
			names = append(names, c.Name)
		}
	}
	return names
}

// changedFiles lists the paths that differ between two commits of the git
// repository in the current directory (renames as a removal and an
// addition). ok is false when base is no commit of this clone (a zero or
// empty SHA, as on the first push of a branch, or history not fetched).
func changedFiles(ctx context.Context, base, head string) (paths []string, ok bool, err error) {
	if strings.Trim(base, "0") == "" {
		return nil, false, nil
	}
	if err := exec.CommandContext(ctx, "git", "cat-file", "-e", base+"^{commit}").Run(); err != nil {
		return nil, false, nil
	}
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, "git", "diff", "--name-only", "--no-renames", "-z", base, head, "--")
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return nil, false, fmt.Errorf("git diff %s %s: %s", base, head, strings.TrimSpace(stderr.String()))
		}
		return nil, false, fmt.Errorf("git diff: %w", err)
	}
	for _, p := range strings.Split(string(out), "\x00") {
		if p != "" {
			paths = append(paths, p)
		}
	}
	return paths, true, nil
}
