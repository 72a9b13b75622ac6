package config

import (
	"fmt"
	"slices"
	"strings"
)

// Guardrails (YAML key policy) configures the guardrails, the production
// checks run on every synth (see guardrails/RULES.md).
type Guardrails struct {
	// Exemptions turn a rule's failures into warnings for this environment.
	Exemptions []Exemption `yaml:"exemptions"`
}

// Exemption waives one guardrail rule for one environment, with the written
// reason why (shown with the warning on every synth).
type Exemption struct {
	// Rule is the rule id, e.g. alb-deletion-protection.
	Rule string `yaml:"rule"`
	// Reason says why the environment may break the rule.
	Reason string `yaml:"reason"`
}

// GuardrailRules are the ids of the guardrail rules, in the order of
// guardrails/RULES.md. The guardrails package's tests keep this list and its
// rule table identical.
var GuardrailRules = []string{
	"net-min-azs",
	"net-nat-per-az",
	"net-database-egress",
	"net-private-public-ip",
	"alb-deletion-protection",
	"alb-drop-invalid-headers",
	"alb-http-redirect",
	"alb-tls-policy",
	"alb-unknown-host",
	"alb-hsts",
	"sg-open-ingress",
	"sg-replaceable",
	"svc-min-tasks",
	"svc-stop-timeout",
	"svc-deregistration-delay",
	"svc-wait-steady-state",
	"ecr-lifecycle-tagged",
	"state-versioning",
	"state-encryption",
	"state-public-access",
	"state-current-expiry",
	"db-public",
	"db-encrypted",
	"db-deletion-protection",
	"db-subnets",
	"bucket-public-access",
	"bucket-tls-only",
	"iam-trust-source-account",
	"task-plaintext-secret",
}

// MinExemptionReason is the shortest reason an exemption may give.
const MinExemptionReason = 10

// Exempted returns the reason rule is exempted in this environment, and
// whether it is.
func (c *Config) Exempted(rule string) (string, bool) {
	for _, e := range c.Guardrails.Exemptions {
		if e.Rule == rule {
			return e.Reason, true
		}
	}
	return "", false
}

func validateGuardrails(c *Config, bad func(field, format string, a ...any)) {
	seen := map[string]bool{}
	for i, e := range c.Guardrails.Exemptions {
		f := fmt.Sprintf("policy.exemptions[%d]", i)
		switch {
		case e.Rule == "":
			bad(f+".rule", "is required; want one of %s", strings.Join(GuardrailRules, ", "))
		case !slices.Contains(GuardrailRules, e.Rule):
			bad(f+".rule", "%q is not a guardrail rule; want one of %s", e.Rule, strings.Join(GuardrailRules, ", "))
		case seen[e.Rule]:
			bad(f+".rule", "%q is exempted twice; give each rule once", e.Rule)
		}
		seen[e.Rule] = true
		if r := strings.TrimSpace(e.Reason); len(r) < MinExemptionReason {
			bad(f+".reason", "is required: write why this environment may break %q (at least %d characters)", e.Rule, MinExemptionReason)
		} else if len(r) > 500 {
			bad(f+".reason", "is %d characters; at most 500", len(r))
		}
	}
}
