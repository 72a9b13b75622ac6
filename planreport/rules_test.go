package planreport

import (
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
)

func loadFixture(t *testing.T, name string) Stack {
	t.Helper()
	s, err := LoadFile(filepath.Join("testdata", "plans", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// findings lists "rule address" for every finding, sorted.
func findings(r *Report) []string {
	var out []string
	for _, f := range r.Findings {
		out = append(out, f.RuleID+" "+f.Address)
	}
	sort.Strings(out)
	return out
}

// ruleCases holds, for every plan fixture, exactly the findings it must
// produce. Each fixture also holds resources that must not trip the rules
// (named in the comments), so every rule is shown to fire and to stay silent.
var ruleCases = map[string][]string{
	// Silent: 80/443 inline on the group the load balancer web is attached
	// to, 443 on its other group (a rule resource, resolved through the
	// configuration reference), IPv6 443 on the first, egress, and 5432 from
	// 10.0.0.0/8.
	"create_open_ingress": {
		"open-ingress aws_security_group.app",                             // 22 from the world
		"open-ingress aws_security_group.legacy",                          // 443 on a group named legacy-alb that no load balancer uses
		"open-ingress aws_security_group_rule.app_http",                   // 80 on a group that is not the ALB's
		"open-ingress aws_vpc_security_group_ingress_rule.alb_all",        // all traffic, even on the ALB group
		"open-ingress aws_vpc_security_group_ingress_rule.imported_https", // literal group ID: not known to be the ALB's
	},
	// Silent: the bastion group, whose 22 was already open and only gains a tag.
	"update_ingress": {
		"open-ingress aws_security_group.app",
		"open-ingress aws_security_group_rule.app_https",
	},
	// Silent: destroying a log group.
	"destroy_critical": {
		"destroy-critical aws_dynamodb_table.lock",
		"destroy-critical aws_route53_record.www",
		"destroy-critical aws_s3_bucket.state",
		"iam-change aws_iam_role.task",
	},
	// Silent: replacing a log group.
	"replace": {
		"destroy-critical aws_ecr_repository.app",
		"destroy-critical aws_lb_target_group.app",
		"downtime-risk aws_lb_target_group.app", // the listener would move to the new, empty group
	},
	// Silent: the internal load balancer keeps its protection and gains a tag.
	"protection": {
		"protection-off aws_dynamodb_table.lock",
		"protection-off aws_lb.main",
		"protection-off aws_s3_bucket.state",
	},
	// Silent: the task role gains a tag only.
	"iam": {
		"iam-change aws_ecr_repository_policy.app",
		"iam-change aws_iam_policy.deploy",
		"iam-change aws_iam_role.exec",
		"iam-change aws_iam_role_policy_attachment.deploy",
		"iam-change aws_s3_bucket_policy.state",
	},
	// Silent: the writer's instance class changes in place; the log group's
	// retention changes. The reader moves AZ (availability_zone forces a
	// new instance) and reader-2 leaves the configuration.
	"database": {
		"destroy-critical aws_rds_cluster_instance.old",
		"destroy-critical aws_rds_cluster_instance.reader",
	},
	"sensitive":           nil,
	"empty":               nil,
	"provider_constraint": nil, // no baseline: the version rules cannot fire
}

func TestRulesOnRealPlans(t *testing.T) {
	for name, want := range ruleCases {
		t.Run(name, func(t *testing.T) {
			got := findings(Analyze([]Stack{loadFixture(t, name)}, Options{}))
			if !slices.Equal(got, want) {
				t.Errorf("findings:\n got %q\nwant %q", got, want)
			}
		})
	}
}

func TestEveryRuleHasAFiringCase(t *testing.T) {
	fired := map[string]bool{RuleTerraformVersion: true, RuleProviderVersion: true, // TestVersionRules
		RuleDowntimeRisk: true, RuleAZRemoval: true} // TestDowntimeAndAZRemoval
	for _, want := range ruleCases {
		for _, f := range want {
			fired[strings.Fields(f)[0]] = true
		}
	}
	for _, r := range Rules() {
		if !fired[r.ID] {
			t.Errorf("rule %s fires in no test case", r.ID)
		}
	}
}

func TestEveryFixtureIsCovered(t *testing.T) {
	files, _ := filepath.Glob("testdata/plans/*.json")
	for _, f := range files {
		if _, ok := ruleCases[StackName(f)]; !ok {
			t.Errorf("%s has no entry in ruleCases", f)
		}
	}
	if len(files) != len(ruleCases) {
		t.Errorf("%d fixtures, %d cases", len(files), len(ruleCases))
	}
}

func TestVersionRules(t *testing.T) {
	current := loadFixture(t, "provider_constraint") // aws "~> 5.100"
	base := loadFixture(t, "empty")                  // aws "5.100.0"
	r := Analyze([]Stack{current}, Options{Baseline: map[string]*Plan{"provider_constraint": base.Plan}})
	want := []string{"provider-version provider registry.terraform.io/hashicorp/aws"}
	if got := findings(r); !slices.Equal(got, want) {
		t.Fatalf("findings %q, want %q", got, want)
	}
	if reason := r.Findings[0].Reason; !strings.Contains(reason, `"5.100.0"`) || !strings.Contains(reason, `"~> 5.100"`) {
		t.Errorf("reason %q does not name both constraints", reason)
	}

	// Same constraints and version: silent.
	r = Analyze([]Stack{current}, Options{Baseline: map[string]*Plan{"provider_constraint": current.Plan}})
	if got := findings(r); len(got) != 0 {
		t.Errorf("same baseline: findings %q", got)
	}

	// Only one Terraform binary makes the fixtures, so the older baseline
	// is the real plan with its version edited.
	older := *current.Plan
	older.TerraformVersion = "1.10.5"
	r = Analyze([]Stack{current}, Options{Baseline: map[string]*Plan{"provider_constraint": &older}})
	want = []string{"terraform-version terraform"}
	if got := findings(r); !slices.Equal(got, want) {
		t.Fatalf("findings %q, want %q", got, want)
	}
}

func TestSortStacks(t *testing.T) {
	stacks := []Stack{{Name: "zeta"}, {Name: "production-dns"}, {Name: "alpha"}, {Name: "production-service"}, {Name: "production-state"}, {Name: "production-network"}}
	SortStacks(stacks)
	var got []string
	for _, s := range stacks {
		got = append(got, s.Name)
	}
	want := []string{"production-state", "production-network", "production-service", "production-dns", "alpha", "zeta"}
	if !slices.Equal(got, want) {
		t.Errorf("order %q, want %q", got, want)
	}
}
