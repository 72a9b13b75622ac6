// Command planreport writes the Markdown review of Terraform plans for a
// pull-request comment.
//
// Usage:
//
//	planreport [flags] PLAN.json|DIR ...
//	planreport -plan-env ENV [flags]
//
// In the first form it reads plan JSON files (`terraform show -json PLANFILE`),
// or every *.json file of a directory; the stack name is the file name without
// .json. In the second form it first synthesizes the app (`go run .` with
// SELFHOST_ENV=ENV), runs terraform init, plan and show -json for every stack
// of ENV in dependency order, writes the plan JSON to -plans-dir, and then
// reports on them. It needs credentials for the environment's AWS account.
//
// Exit status: 0 on success; 1 with -fail-on-risk when a risk rule fires;
// 2 on unreadable or malformed plan JSON, a failed Terraform run or bad usage.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"selfhost/planreport"
)

const (
	exitOK    = 0
	exitRisk  = 1
	exitError = 2
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("planreport", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		out        = fs.String("o", "", "write the report to `FILE` instead of standard output")
		failOnRisk = fs.Bool("fail-on-risk", false, "exit 1 when any risk rule fires")
		maxBytes   = fs.Int("max-bytes", planreport.GitHubCommentLimit, "cut the report to at most `N` bytes")
		baseline   = fs.String("baseline", "", "`DIR` of plan JSON of the base branch (<stack>.json), for the version rules")
		planEnv    = fs.String("plan-env", "", "synthesize and plan every stack of `ENV` first (needs AWS credentials)")
		plansDir   = fs.String("plans-dir", "plans", "with -plan-env: `DIR` for the plan files and their JSON")
	)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: planreport [flags] PLAN.json|DIR ...\n       planreport -plan-env ENV [flags]\n\nflags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitError
	}
	paths := fs.Args()
	switch {
	case *planEnv != "" && len(paths) > 0:
		fmt.Fprintln(stderr, "planreport: -plan-env makes the plans itself; give no plan files")
		return exitError
	case *planEnv != "":
		if err := planEnvironment(ctx, *planEnv, *plansDir, nil, stderr); err != nil {
			fmt.Fprintln(stderr, "planreport:", err)
			return exitError
		}
		paths = []string{*plansDir}
	case len(paths) == 0:
		fs.Usage()
		return exitError
	}

	stacks, err := planreport.LoadPaths(paths)
	if err != nil {
		fmt.Fprintln(stderr, "planreport:", err)
		return exitError
	}
	var opts planreport.Options
	if *baseline != "" {
		base, err := planreport.LoadPaths([]string{*baseline})
		if err != nil {
			fmt.Fprintln(stderr, "planreport: baseline:", err)
			return exitError
		}
		opts.Baseline = map[string]*planreport.Plan{}
		for _, s := range base {
			opts.Baseline[s.Name] = s.Plan
		}
	}
	report := planreport.Analyze(stacks, opts)
	text := planreport.Render(report, *maxBytes)
	if *out == "" {
		_, err = io.WriteString(stdout, text)
	} else {
		err = os.WriteFile(*out, []byte(text), 0o644)
	}
	if err != nil {
		fmt.Fprintln(stderr, "planreport:", err)
		return exitError
	}
	if n := len(report.Findings); n > 0 {
		fmt.Fprintf(stderr, "planreport: %d risky change(s) flagged\n", n)
		if *failOnRisk {
			return exitRisk
		}
	}
	return exitOK
}
