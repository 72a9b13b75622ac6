package main

// The modes the plan workflow (.github/workflows/plan.yml) drives besides
// the report itself:
//
//	planreport -envs-changed [-environments DIR] BASE HEAD
//	planreport -sections [-envs JSON] [-o FILE] [-max-bytes N] [-fail-on-risk] [-baseline DIR] DIR|PLAN.json ...
//	planreport -compare REVIEWED.json NEW.json

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	"selfhost/config"
	"selfhost/planreport"
)

// exitDiffers is -compare's status when the plans differ.
const exitDiffers = 1

var flowModes = []string{"-envs-changed", "-sections", "-compare"}

// runFlow runs the mode named by the first argument, if it is one of
// flowModes; handled is false otherwise.
func runFlow(ctx context.Context, args []string, stdout, stderr io.Writer) (code int, handled bool) {
	if len(args) == 0 {
		return 0, false
	}
	mode := args[0]
	if len(mode) > 2 && mode[:2] == "--" {
		mode = mode[1:]
	}
	if !slices.Contains(flowModes, mode) {
		return 0, false
	}
	fs := flag.NewFlagSet("planreport "+mode, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fail := func(err error) (int, bool) {
		fmt.Fprintln(stderr, "planreport:", err)
		return exitError, true
	}
	switch mode {
	case "-envs-changed":
		envDir := fs.String("environments", "environments", "the environments `DIR`")
		fs.Usage = func() {
			fmt.Fprintf(stderr, "usage: planreport -envs-changed [-environments DIR] BASE HEAD\n\n"+
				"Prints the JSON list of the environments the change from commit BASE to HEAD touches.\n\nflags:\n")
			fs.PrintDefaults()
		}
		if code, ok := parse(fs, args[1:], 2); !ok {
			return code, true
		}
		names, notes, err := envsChanged(ctx, *envDir, fs.Arg(0), fs.Arg(1))
		if err != nil {
			return fail(err)
		}
		for _, n := range notes {
			fmt.Fprintln(stderr, "planreport:", n)
		}
		if names == nil {
			names = []string{}
		}
		b, _ := json.Marshal(names)
		fmt.Fprintln(stdout, string(b))
		return exitOK, true

	case "-sections":
		var (
			envsJSON   = fs.String("envs", "[]", "`JSON` list of environments that must each get a section (the output of -envs-changed)")
			out        = fs.String("o", "", "write the report to `FILE` instead of standard output")
			maxBytes   = fs.Int("max-bytes", planreport.GitHubCommentLimit, "cut the report to at most `N` bytes")
			failOnRisk = fs.Bool("fail-on-risk", false, "exit 1 when any risk rule fires")
			baseline   = fs.String("baseline", "", "`DIR` of plan JSON of the base branch (<stack>.json), for the version rules")
		)
		fs.Usage = func() {
			fmt.Fprintf(stderr, "usage: planreport -sections [flags] DIR|PLAN.json ...\n\n"+
				"One report with a section per environment (stacks <env>-<part>); a DIR may be missing or empty.\n\nflags:\n")
			fs.PrintDefaults()
		}
		if code, ok := parse(fs, args[1:], -1); !ok {
			return code, true
		}
		var want []string
		if err := json.Unmarshal([]byte(*envsJSON), &want); err != nil {
			return fail(fmt.Errorf("-envs: want a JSON list of environment names such as [\"production\"]: %v", err))
		}
		stacks, err := loadPlansLenient(fs.Args())
		if err != nil {
			return fail(err)
		}
		var opts planreport.Options
		if *baseline != "" {
			base, err := planreport.LoadPaths([]string{*baseline})
			if err != nil {
				return fail(fmt.Errorf("baseline: %w", err))
			}
			opts.Baseline = map[string]*planreport.Plan{}
			for _, s := range base {
				opts.Baseline[s.Name] = s.Plan
			}
		}
		text, findings := planreport.RenderEnvironments(planreport.GroupEnvironments(stacks, want), opts, *maxBytes)
		if *out == "" {
			_, err = io.WriteString(stdout, text)
		} else {
			err = os.WriteFile(*out, []byte(text), 0o644)
		}
		if err != nil {
			return fail(err)
		}
		if n := len(findings); n > 0 {
			fmt.Fprintf(stderr, "planreport: %d risky change(s) flagged\n", n)
			if *failOnRisk {
				return exitRisk, true
			}
		}
		return exitOK, true

	default: // -compare
		fs.Usage = func() {
			fmt.Fprintf(stderr, "usage: planreport -compare REVIEWED.json NEW.json\n\n"+
				"Exit 0 when the new plan makes the same resource changes as the reviewed one, 1 (and what differs) when not.\n")
		}
		if code, ok := parse(fs, args[1:], 2); !ok {
			return code, true
		}
		reviewed, err := planreport.LoadFile(fs.Arg(0))
		if err != nil {
			return fail(err)
		}
		current, err := planreport.LoadFile(fs.Arg(1))
		if err != nil {
			return fail(err)
		}
		diffs := planreport.Compare(reviewed.Plan, current.Plan)
		io.WriteString(stdout, planreport.CompareText(current.Name, diffs, planreport.ChangeCount(current.Plan)))
		if len(diffs) > 0 {
			return exitDiffers, true
		}
		return exitOK, true
	}
}

// parse parses the flags and checks the number of arguments (-1: one or
// more, but for -sections none is fine too: any).
func parse(fs *flag.FlagSet, args []string, want int) (int, bool) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK, false
		}
		return exitError, false
	}
	if want >= 0 && fs.NArg() != want {
		fs.Usage()
		return exitError, false
	}
	return 0, true
}

// envsChanged is -envs-changed: the environments of envDir the change from
// base to head touches. When base is not known (no commit, or not in this
// clone) every environment but the emulator's is touched.
func envsChanged(ctx context.Context, envDir, base, head string) (names, notes []string, err error) {
	if _, err := os.Stat("go.mod"); err != nil {
		return nil, nil, fmt.Errorf("-envs-changed runs from the module root (no go.mod here): %w", err)
	}
	cfgs, err := config.LoadDir(envDir, nil)
	if err != nil {
		return nil, nil, err
	}
	changed, ok, err := changedFiles(ctx, base, head)
	if err != nil {
		return nil, nil, err
	}
	if !ok {
		return allEnvironments(cfgs), []string{fmt.Sprintf("base %q is not a commit of this clone: every environment but the emulator's", base)}, nil
	}
	names, notes = touchedEnvironments(changed, filepath.ToSlash(envDir), cfgs)
	return names, notes, nil
}

// loadPlansLenient reads plan JSON files like [planreport.LoadPaths], but
// a directory that is missing or holds no *.json file adds no stack (an
// environment whose plan job failed uploaded none).
func loadPlansLenient(paths []string) ([]planreport.Stack, error) {
	var files []string
	for _, p := range paths {
		info, err := os.Stat(p)
		switch {
		case errors.Is(err, os.ErrNotExist):
			continue
		case err != nil:
			return nil, err
		case !info.IsDir():
			files = append(files, p)
			continue
		}
		m, err := filepath.Glob(filepath.Join(p, "*.json"))
		if err != nil {
			return nil, err
		}
		files = append(files, m...)
	}
	if len(files) == 0 {
		return nil, nil
	}
	return planreport.LoadPaths(files)
}
