package guardrails

import (
	"fmt"
	"strings"
)

// Markdown renders the rule table; RULES.md is this text, kept in sync by
// a test (go test ./guardrails -update rewrites it).
func Markdown() string {
	var b strings.Builder
	b.WriteString(`# Guardrails

<!-- Generated from guardrails/rules.go by ` + "`go test ./guardrails -update`" + `; do not edit. -->

Every synth checks the resolved Terraform JSON of every stack (what
cdk.tf.json will hold, escape-hatch overrides included) against these rules.
In a production environment (` + "`production: true`" + `, the default) a finding
fails the synth: ` + "`go run .`" + ` prints each one and exits 1, and nothing is
written to cdktf.out. Outside production each rule has its own level
(last column): **error** fails the synth, **warning** prints
` + "`warning: [rule] ...`" + ` on stderr and the synth goes on, **off** is not checked.

An environment may exempt itself from a rule with a written reason; the
rule's findings then print as warnings (with the reason) on every synth:

` + "```yaml" + `
policy:
  exemptions:
    - rule: svc-min-tasks
      reason: "staging runs one task to save cost; no users depend on it"
` + "```" + `

An unknown rule id, a repeated rule or a missing reason (under 10
characters) is a configuration error.

| Rule | Finds | Fix | Outside production |
|------|-------|-----|--------------------|
`)
	for _, r := range Rules {
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s: %s |\n", r.ID, esc(r.Checks), esc(upper(r.Fix))+".", r.NonProduction, esc(r.Why))
	}
	return b.String()
}

func esc(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

func upper(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
