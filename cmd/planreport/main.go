// Command planreport writes the Markdown review of Terraform plans for a
// pull-request comment.
//
// Usage:
//
//	planreport [flags] PLAN.json|DIR ...
//	planreport -plan-env ENV [flags]
//	planreport -local [-env FILE] [-set KEY=VALUE ...] [-parts LIST] [flags]
//
// In the first form it reads plan JSON files (`terraform show -json PLANFILE`),
// or every *.json file of a directory; the stack name is the file name without
// .json. In the second form it first synthesizes the app (`go run .` with
// SELFHOST_ENV=ENV), runs terraform init, plan and show -json for every stack
// of ENV in dependency order, writes the plan JSON to -plans-dir, and then
// reports on them. It needs credentials for the environment's AWS account.
//
// The third form reviews a configuration change on the local emulator, with
// no AWS account: it starts moto, deploys the emulator environment (-env,
// default environments/local.yaml) as the file says, applies the -set
// overrides to a copy of the file (KEY is a dotted YAML path such as
// network.vpc_cidr or tags.team, VALUE is YAML; the result is validated like
// any environment file), plans every deployed stack against the deployment
// and reports on those plans. -parts limits it to some stacks, e.g.
// -parts state,network. The emulator is stopped afterwards.
//
// The plan workflow also runs -envs-changed (which environments a change
// touches), -sections (one report with a section per environment) and
// -compare (does a re-plan match the reviewed plan); see flow.go.
//
// Exit status: 0 on success; 1 with -fail-on-risk when a risk rule fires, or
// with -enforce when a refused rule fires that -accept does not accept;
// 2 on unreadable or malformed plan JSON, a failed Terraform run or bad usage.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"

	"selfhost/config"
	"selfhost/internal/synth"
	"selfhost/planreport"
)

const (
	exitOK    = 0
	exitRisk  = 1
	exitError = 2
)

func main() {
	synth.Prepare() // -local synthesizes in this process
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	synth.Close()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if code, handled := runFlow(ctx, args, stdout, stderr); handled {
		return code // -envs-changed, -sections, -compare (flow.go)
	}
	fs := flag.NewFlagSet("planreport", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		out        = fs.String("o", "", "write the report to `FILE` instead of standard output")
		failOnRisk = fs.Bool("fail-on-risk", false, "exit 1 when any risk rule fires")
		enforce    = fs.Bool("enforce", false, "exit 1 when a refused rule (RULES.md: downtime-risk) fires and -accept does not accept it: the gate before an apply")
		accept     = fs.String("accept", "", "with -enforce: comma-separated `RULES` accepted for this change (the workflow reads them from the commit's Accept-Risk trailer)")
		maxBytes   = fs.Int("max-bytes", planreport.GitHubCommentLimit, "cut the report to at most `N` bytes")
		baseline   = fs.String("baseline", "", "`DIR` of plan JSON of the base branch (<stack>.json), for the version rules")
		planEnv    = fs.String("plan-env", "", "synthesize and plan every stack of `ENV` first (needs AWS credentials)")
		plansDir   = fs.String("plans-dir", "plans", "with -plan-env: `DIR` for the plan files and their JSON")
		local      = fs.Bool("local", false, "deploy the emulator environment on a local emulator, apply the -set overrides and review the plans")
		envFile    = fs.String("env", "environments/local.yaml", "with -local: the emulator environment `FILE`")
		parts      = fs.String("parts", "", "with -local: only these stacks, comma-separated `LIST` of "+strings.Join(config.Parts, ",")+" (default all)")
		verbose    = fs.Bool("v", false, "with -local: stream Terraform's output to standard error")
		sets       setFlags
	)
	fs.Var(&sets, "set", "with -local: change `KEY=VALUE` in the environment (dotted YAML key, YAML value; repeatable)")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: planreport [flags] PLAN.json|DIR ...\n       planreport -plan-env ENV [flags]\n"+
			"       planreport -local [-env FILE] [-set KEY=VALUE ...] [-parts LIST] [flags]\n\nflags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitError
	}
	paths := fs.Args()
	var stacks []planreport.Stack
	switch {
	case *local && (*planEnv != "" || len(paths) > 0):
		fmt.Fprintln(stderr, "planreport: -local makes the plans itself; give neither -plan-env nor plan files")
		return exitError
	case !*local && (len(sets) > 0 || *parts != ""):
		fmt.Fprintln(stderr, "planreport: -set and -parts belong to -local")
		return exitError
	case *local:
		var tfLog io.Writer
		if *verbose {
			tfLog = stderr
		}
		var partList []string
		if *parts != "" {
			partList = strings.Split(*parts, ",")
		}
		var err error
		if stacks, err = localReview(ctx, *envFile, sets, partList, stderr, tfLog); err != nil {
			fmt.Fprintln(stderr, "planreport:", err)
			return exitError
		}
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

	if stacks == nil {
		var err error
		if stacks, err = planreport.LoadPaths(paths); err != nil {
			fmt.Fprintln(stderr, "planreport:", err)
			return exitError
		}
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
	var err error
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
	}
	if *enforce {
		if refused := planreport.Refusals(report, splitList(*accept)); len(refused) > 0 {
			ids := map[string]bool{}
			for _, f := range refused {
				fmt.Fprintf(stderr, "planreport: refused: %s %s (%s): %s\n", f.Stack, f.Address, f.RuleID, f.Reason)
				ids[f.RuleID] = true
			}
			fmt.Fprintf(stderr, "planreport: not applied. Roll the change out in steps or in a maintenance window (README: Changes that interrupt traffic); "+
				"to apply it as planned, accept it with -accept %[1]s (in the workflow: the trailer \"Accept-Risk: %[1]s\" in the merged commit's message)\n",
				strings.Join(slices.Sorted(maps.Keys(ids)), ","))
			return exitRisk
		}
	}
	if *failOnRisk && len(report.Findings) > 0 {
		return exitRisk
	}
	return exitOK
}

// splitList splits a comma-separated list, dropping blanks.
func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}
