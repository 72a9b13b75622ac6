package planreport

import (
	"fmt"
	"html"
	"maps"
	"math"
	"slices"
	"strings"
	"unicode/utf8"

	tfjson "github.com/hashicorp/terraform-json"
)

// Marker starts every report; the pull-request workflow finds its own
// comment by it and updates that comment instead of adding another.
const Marker = "<!-- planreport -->"

// GitHubCommentLimit is the largest comment body GitHub accepts, in
// characters. Render counts bytes, which is never less.
const GitHubCommentLimit = 65536

// minLimit is the smallest size limit Render honours: enough for the title,
// a summary table of a few stacks and the truncation note.
const minLimit = 2048

// maxAttrLines bounds the attribute diff lines shown for one resource.
const maxAttrLines = 60

// Options tune [Analyze].
type Options struct {
	// Baseline maps stack names to an earlier plan of the same stack (for
	// example the plan of the base branch); it enables the version rules.
	Baseline map[string]*tfjson.Plan
}

// Report is the analysed plans of all stacks.
type Report struct {
	Stacks   []StackReport
	Findings []Finding
}

// StackReport is the analysis of one stack.
type StackReport struct {
	Name     string
	Counts   Counts
	Changes  []Change
	Outputs  []string // names of outputs that change
	Findings []Finding
}

// Counts are the resource actions of a stack.
type Counts struct {
	Add, Change, Replace, Destroy int
	// Other counts imports, moves and forgets that do not otherwise change
	// the resource.
	Other int
}

// Total is the number of resource changes of any kind.
func (c Counts) Total() int { return c.Add + c.Change + c.Replace + c.Destroy + c.Other }

// Change is one resource change in the change list.
type Change struct {
	Address string
	Action  string
	symbol  string
	diffs   []attrDiff
	rules   []string
}

// HasChanges reports whether the stack has anything to show.
func (s StackReport) HasChanges() bool {
	return s.Counts.Total() > 0 || len(s.Outputs) > 0 || len(s.Findings) > 0
}

// Analyze evaluates every rule on every stack.
func Analyze(stacks []Stack, opts Options) *Report {
	r := &Report{}
	across := map[string]map[string][]Finding{} // rule id -> stack -> findings
	for _, rule := range Rules() {
		if rule.across != nil {
			across[rule.ID] = rule.across(stacks)
		}
	}
	for _, s := range stacks {
		si := newStackInfo(s, opts.Baseline[s.Name])
		sec := collectSecrets(s.Plan)
		sr := StackReport{Name: s.Name}
		for _, rule := range Rules() {
			if rule.check != nil {
				sr.Findings = append(sr.Findings, rule.check(si)...)
			}
			sr.Findings = append(sr.Findings, across[rule.ID][s.Name]...)
		}
		flagged := map[string][]string{}
		for _, f := range sr.Findings {
			flagged[f.Address] = append(flagged[f.Address], f.RuleID)
		}
		for _, rc := range s.Plan.ResourceChanges {
			if rc.Mode != tfjson.ManagedResourceMode {
				continue
			}
			a := rc.Change.Actions
			switch {
			case a.Replace():
				sr.Counts.Replace++
			case a.Create():
				sr.Counts.Add++
			case a.Update():
				sr.Counts.Change++
			case a.Delete():
				sr.Counts.Destroy++
			case a.Forget() || rc.Change.Importing != nil || rc.PreviousAddress != "":
				sr.Counts.Other++
			default:
				continue // no-op
			}
			c := Change{Address: rc.Address, Action: actionName(rc), symbol: actionSymbol(rc), rules: dedupe(flagged[rc.Address])}
			if a.Update() || a.Replace() {
				c.diffs = diffChange(rc.Change, sec)
			}
			sr.Changes = append(sr.Changes, c)
		}
		for _, name := range slices.Sorted(maps.Keys(s.Plan.OutputChanges)) {
			oc := s.Plan.OutputChanges[name]
			if oc != nil && !oc.Actions.NoOp() {
				sr.Outputs = append(sr.Outputs, name)
			}
		}
		for i := range sr.Findings {
			if sec.hides(sr.Findings[i].Reason) {
				sr.Findings[i].Reason = "(reason hidden: it contains a sensitive value)"
			}
		}
		r.Findings = append(r.Findings, sr.Findings...)
		r.Stacks = append(r.Stacks, sr)
	}
	return r
}

func actionName(rc *tfjson.ResourceChange) string {
	a := rc.Change.Actions
	var name string
	switch {
	case a.DestroyBeforeCreate():
		name = "replace"
	case a.CreateBeforeDestroy():
		name = "replace (create first)"
	case a.Create():
		name = "create"
	case a.Update():
		name = "update"
	case a.Delete():
		name = "destroy"
	case a.Forget():
		name = "forget (remove from state, keep the object)"
	case a.Read():
		name = "read"
	case rc.Change.Importing != nil:
		name = "import"
	case rc.PreviousAddress != "":
		name = "move"
	default:
		name = "no-op"
	}
	if rc.Change.Importing != nil && name != "import" {
		name += ", import"
	}
	if rc.PreviousAddress != "" && rc.PreviousAddress != rc.Address {
		name += ", moved from " + rc.PreviousAddress
	}
	return name
}

func actionSymbol(rc *tfjson.ResourceChange) string {
	a := rc.Change.Actions
	switch {
	case a.DestroyBeforeCreate():
		return "-/+"
	case a.CreateBeforeDestroy():
		return "+/-"
	case a.Create():
		return "+"
	case a.Update():
		return "~"
	case a.Delete():
		return "-"
	}
	return "."
}

// Render writes the report as Markdown of at most limit bytes (0 means
// GitHubCommentLimit). What does not fit is left out, summary and flagged
// changes last, and a note says so.
func Render(r *Report, limit int) string {
	if limit <= 0 {
		limit = GitHubCommentLimit
	}
	if full := render(r, math.MaxInt); len(full) <= limit {
		return full
	}
	return render(r, max(limit, minLimit))
}

func render(r *Report, limit int) string {
	w := &budget{limit: limit}
	if limit < math.MaxInt {
		w.reserve = 600 // the truncation note
	}

	var head strings.Builder
	head.WriteString(Marker + "\n## Terraform plan review\n\n")
	var quiet []string
	rows := 0
	for _, s := range r.Stacks {
		if !s.HasChanges() {
			quiet = append(quiet, "`"+s.Name+"`")
			continue
		}
		if rows == 0 {
			head.WriteString("| Stack | Add | Change | Replace | Destroy | Flagged |\n|---|--:|--:|--:|--:|--:|\n")
		}
		rows++
		flags := "0"
		if n := len(s.Findings); n > 0 {
			flags = fmt.Sprintf("⚠️ %d", n)
		}
		fmt.Fprintf(&head, "| `%s` | %d | %d | %d | %d | %s |\n", cell(s.Name), s.Counts.Add, s.Counts.Change, s.Counts.Replace, s.Counts.Destroy, flags)
	}
	switch {
	case len(r.Stacks) == 0:
		head.WriteString("No plans given.\n")
	case rows == 0:
		head.WriteString("No changes in any stack: " + strings.Join(quiet, ", ") + ".\n")
	case len(quiet) > 0:
		head.WriteString("\nNo changes: " + strings.Join(quiet, ", ") + ".\n")
	}
	w.write(head.String())

	// Flagged changes.
	flaggedLeft := len(r.Findings)
	if len(r.Findings) == 0 {
		w.write("\n### Flagged changes\n\nNo change trips a risk rule.\n")
	} else if w.write(fmt.Sprintf("\n### ⚠️ Flagged changes (%d)\n\n| Stack | Resource | Action | Rule | Why |\n|---|---|---|---|---|\n", len(r.Findings))) {
		for _, f := range r.Findings {
			row := fmt.Sprintf("| `%s` | `%s` | %s | `%s` | %s |\n", cell(f.Stack), cell(f.Address), cell(f.Action), f.RuleID, cell(f.Reason))
			if !w.write(row) {
				break
			}
			flaggedLeft--
		}
	}

	// Change lists.
	total, shown := 0, 0
	for _, s := range r.Stacks {
		total += len(s.Changes)
	}
	if rows > 0 {
		w.write("\n### Changes\n")
	}
	for _, s := range r.Stacks {
		if !s.HasChanges() || w.full {
			continue
		}
		open := fmt.Sprintf("\n<details><summary><code>%s</code>: %s</summary>\n\n", html.EscapeString(s.Name), countsText(s.Counts))
		var entries []string
		for _, c := range s.Changes {
			entries = append(entries, changeEntry(c))
		}
		fence := fenceFor(strings.Join(entries, ""))
		var outputs string
		if len(s.Outputs) > 0 {
			outputs = "Outputs that change: " + codeList(s.Outputs) + "\n\n"
		}
		closing := "</details>\n"
		if len(entries) > 0 {
			open += fence + "diff\n"
			closing = fence + "\n\n" + outputs + closing
		} else {
			closing = outputs + closing
		}
		more := fmt.Sprintf("# … %d more changes of this stack not shown (size limit)\n", len(entries))
		w.reserve += len(closing) + len(more)
		if !w.write(open) {
			w.reserve -= len(closing) + len(more)
			break
		}
		listed := 0
		for _, e := range entries {
			if !w.write(e) {
				break
			}
			listed++
		}
		shown += listed
		w.reserve -= len(closing) + len(more)
		if listed < len(entries) {
			closing = fmt.Sprintf("# … %d more changes of this stack not shown (size limit)\n", len(entries)-listed) + closing
		}
		w.sb.WriteString(closing) // reserved above
	}

	if w.truncated {
		w.full, w.reserve = false, 0
		w.write(fmt.Sprintf("\n> [!WARNING]\n> **Truncated:** this report was cut to %d bytes to fit in a pull-request comment "+
			"(GitHub takes at most %d characters). %d of %d resource changes and %d of %d flagged changes are not listed. "+
			"Run `go run ./cmd/planreport` on the plan artifacts of this run for the full report.\n",
			limit, GitHubCommentLimit, total-shown, total, flaggedLeft, len(r.Findings)))
	}
	return w.String()
}

func countsText(c Counts) string {
	if c.Total() == 0 {
		return "no resource changes"
	}
	s := fmt.Sprintf("%d to add, %d to change, %d to replace, %d to destroy", c.Add, c.Change, c.Replace, c.Destroy)
	if c.Other > 0 {
		s += fmt.Sprintf(", %d to import, move or forget", c.Other)
	}
	return s
}

func changeEntry(c Change) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "%s %s (%s)", c.symbol, c.Address, c.Action)
	if len(c.rules) > 0 {
		sb.WriteString("  # ⚠️ " + strings.Join(c.rules, ", "))
	}
	sb.WriteByte('\n')
	for i, d := range c.diffs {
		if i == maxAttrLines {
			fmt.Fprintf(&sb, "      … %d more attribute changes\n", len(c.diffs)-i)
			break
		}
		sb.WriteString("    " + diffLine(d) + "\n")
	}
	return sb.String()
}

// diffLine renders one attribute change: "~ name: \"a\" -> \"b\"".
func diffLine(d attrDiff) string {
	line := fmt.Sprintf("%c %s: ", d.kind, formatPath(d.path))
	switch d.kind {
	case '+':
		line += d.after
	case '-':
		line += d.before
	default:
		line += d.before + " -> " + d.after
	}
	if d.forcesReplacement {
		line += "  # forces replacement"
	}
	return line
}

// fenceFor returns a code fence longer than any backtick run in s, so no
// value can end the code block early.
func fenceFor(s string) string {
	longest, run := 0, 0
	for _, ch := range s {
		if ch == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	return strings.Repeat("`", max(3, longest+1))
}

// cell escapes text for a Markdown table cell.
func cell(s string) string {
	s = strings.ReplaceAll(s, "|", `\|`)
	return strings.Join(strings.Fields(s), " ")
}

// budget is a string builder that refuses writes beyond a size limit,
// keeping reserve bytes free for closing markup and the truncation note.
type budget struct {
	sb        strings.Builder
	limit     int
	reserve   int
	full      bool // a write was refused
	truncated bool
}

func (b *budget) write(s string) bool {
	if b.full || b.sb.Len()+len(s)+b.reserve > b.limit {
		if b.reserve == 0 && !b.full {
			// Last resort (a note that does not fit): cut on a rune boundary.
			room := b.limit - b.sb.Len()
			for room > 0 && room < len(s) && !utf8.RuneStart(s[room]) {
				room--
			}
			b.sb.WriteString(s[:max(0, min(room, len(s)))])
		}
		b.full, b.truncated = true, true
		return false
	}
	b.sb.WriteString(s)
	return true
}

func (b *budget) String() string { return b.sb.String() }
