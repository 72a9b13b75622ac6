package planreport

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"selfhost/config"
)

// Environment is the plans of one environment's stacks.
type Environment struct {
	Name   string
	Stacks []Stack
}

// EnvironmentOf is the environment a stack <env>-<part> belongs to: the
// name without its part of config.Parts; a stack of no known part is its own
// environment.
func EnvironmentOf(stack string) string {
	if part, ok := config.PartOf(stack); ok && stack != part {
		return strings.TrimSuffix(stack, "-"+part)
	}
	return stack
}

// GroupEnvironments groups stacks by [EnvironmentOf], each environment's
// stacks in [SortStacks] order, environments by name. Every name in want
// gets an environment, with no stacks when none of the plans is its.
func GroupEnvironments(stacks []Stack, want []string) []Environment {
	by := map[string][]Stack{}
	for _, n := range want {
		by[n] = nil
	}
	for _, s := range stacks {
		e := EnvironmentOf(s.Name)
		by[e] = append(by[e], s)
	}
	var out []Environment
	for _, n := range slices.Sorted(maps.Keys(by)) {
		SortStacks(by[n])
		out = append(out, Environment{Name: n, Stacks: by[n]})
	}
	return out
}

// reportHead is how [Render] starts a report; a section drops it.
const reportHead = Marker + "\n## Terraform plan review\n\n"

// RenderEnvironments writes one report of at most limit bytes (0 means
// GitHubCommentLimit) with one section per environment: the report
// [Render] writes for that environment's stacks, its headings one level
// down, each section cut to an equal share of the limit. It returns the
// findings of all environments too.
func RenderEnvironments(envs []Environment, opts Options, limit int) (string, []Finding) {
	if limit <= 0 {
		limit = GitHubCommentLimit
	}
	var head strings.Builder
	head.WriteString(reportHead)
	if len(envs) == 0 {
		head.WriteString("No environment is touched by this change (documentation, tests or the emulator only), so nothing was planned.\n")
		return head.String(), nil
	}
	type section struct {
		env    Environment
		report *Report
	}
	var secs []section
	var findings []Finding
	var names []string
	for _, e := range envs {
		r := Analyze(e.Stacks, opts)
		findings = append(findings, r.Findings...)
		secs = append(secs, section{e, r})
		names = append(names, "`"+e.Name+"`")
	}
	fmt.Fprintf(&head, "Environments planned: %s (one section each).\n", strings.Join(names, ", "))
	share := max((limit-head.Len())/len(secs)-200, minLimit)
	var sb strings.Builder
	sb.WriteString(head.String())
	for _, s := range secs {
		fmt.Fprintf(&sb, "\n### Environment `%s`\n\n", s.env.Name)
		if len(s.env.Stacks) == 0 {
			sb.WriteString("No plans: the plan job of this environment did not finish (it failed, was cancelled, or was skipped after failed tests); see the workflow run.\n")
			continue
		}
		if note := replanNote(s.report); note != "" {
			sb.WriteString(note)
		}
		// Render starts with reportHead (TestRenderEnvironments checks it).
		sb.WriteString(demoteHeadings(strings.TrimPrefix(Render(s.report, share), reportHead)))
	}
	return sb.String(), findings
}

// replanNote tells the reviewer when the shown plans of later stacks are
// made against outputs that are about to change.
func replanNote(r *Report) string {
	for i, s := range r.Stacks {
		if len(s.Outputs) == 0 || i == len(r.Stacks)-1 {
			continue
		}
		var later []string
		for _, t := range r.Stacks[i+1:] {
			later = append(later, "`"+t.Name+"`")
		}
		return fmt.Sprintf("> [!NOTE]\n> `%s` changes outputs, which the stacks after it (%s) may read: their plans below are made "+
			"against its current outputs. On merge they are re-planned after it applies, and each is applied only if its "+
			"new plan matches the one shown here; otherwise the apply stops and says what differs.\n\n",
			s.Name, strings.Join(later, ", "))
	}
	return ""
}

// demoteHeadings puts every Markdown heading outside code fences one level
// down.
func demoteHeadings(s string) string {
	lines := strings.SplitAfter(s, "\n")
	fence := ""
	for i, l := range lines {
		t := strings.TrimRight(l, "\n")
		switch {
		case fence != "":
			if strings.TrimSpace(t) == fence {
				fence = ""
			}
		case strings.HasPrefix(t, "```"):
			fence = strings.TrimRight(t, "abcdefghijklmnopqrstuvwxyz")
		case strings.HasPrefix(t, "#"):
			if n := len(t) - len(strings.TrimLeft(t, "#")); n < 6 && strings.HasPrefix(t[n:], " ") {
				lines[i] = "#" + l
			}
		}
	}
	return strings.Join(lines, "")
}
