package planreport

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The fixtures in testdata/compare are `terraform show -json` plans of one
// downstream stack, written by hand in Terraform 1.11's format (reviewed.json:
// an ECS service update, a rule whose source group is known only after
// apply, a target group update, a sensitive parameter, a no-op and a data
// source read) and variants of it as a re-plan after the upstream stacks
// applied could come out.
func loadCompare(t *testing.T, name string) *Plan {
	t.Helper()
	s, err := LoadFile(filepath.Join("testdata", "compare", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	return s.Plan
}

func TestCompare(t *testing.T) {
	reviewed := loadCompare(t, "reviewed")
	for _, tc := range []struct {
		name string
		// want are substrings of the differences, one per expected
		// difference, in order; none means the plans match.
		want []string
	}{
		{"reviewed", nil},
		// Before values, no-op resources and data sources do not count.
		{"match", nil},
		// The reviewer accepted "known after apply": any value is fine.
		{"unknown_became_known", nil},
		{"differs_in_action", []string{"aws_lb_target_group.app: reviewed: update; new plan: replace"}},
		{"differs_in_value", []string{`aws_ecs_service.app: network_configuration[0].subnets[1]: reviewed "subnet-0b2"; new plan: "subnet-0c3"`}},
		{"known_became_unknown", []string{`aws_ecs_service.app: network_configuration[0].subnets: reviewed ["subnet-0a1","subnet-0b2"]; new plan: known only after apply`}},
		{"differs_in_resources", []string{
			"aws_lb_target_group.app: reviewed: update; new plan: no change",
			"aws_security_group.tasks: not in the reviewed plan; new plan: replace (create first)",
		}},
		{"differs_in_sensitive", []string{"aws_ssm_parameter.token: value: reviewed (sensitive value); new plan: (sensitive value)"}},
		{"incomplete", []string{"the new plan is incomplete"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			diffs := Compare(reviewed, loadCompare(t, tc.name))
			if len(diffs) != len(tc.want) {
				t.Fatalf("got %d differences %q, want %d %q", len(diffs), diffs, len(tc.want), tc.want)
			}
			for i, d := range diffs {
				if !strings.Contains(d.String(), tc.want[i]) {
					t.Errorf("difference %d is %q, want it to contain %q", i, d, tc.want[i])
				}
			}
			text := CompareText("production-service", diffs, ChangeCount(reviewed))
			for _, secret := range []string{"reviewed-secret-value", "other-secret-value", "old-secret-value"} {
				if strings.Contains(text, secret) {
					t.Errorf("the message shows the sensitive value %q:\n%s", secret, text)
				}
			}
		})
	}
}

// Comparing is not symmetric: an unknown in the reviewed plan accepts a
// known value, a known reviewed value does not accept an unknown.
func TestCompareUnknownIsOneWay(t *testing.T) {
	if d := Compare(loadCompare(t, "unknown_became_known"), loadCompare(t, "reviewed")); len(d) != 1 ||
		!strings.Contains(d[0].String(), "aws_security_group_rule.tasks_from_alb: source_security_group_id: reviewed \"sg-0alb\"; new plan: known only after apply") {
		t.Errorf("known reviewed value, unknown now: got %q", d)
	}
}

// Every real plan fixture (made by Terraform) matches itself.
func TestCompareRealPlansMatchThemselves(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "plans", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no plan fixtures: %v", err)
	}
	for _, f := range files {
		a, err := LoadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := LoadFile(f)
		if d := Compare(a.Plan, b.Plan); len(d) > 0 {
			t.Errorf("%s differs from itself: %q", f, d)
		}
	}
}

func TestCompareText(t *testing.T) {
	if got := CompareText("production-dns", nil, 2); got != "production-dns: the new plan matches the reviewed plan (2 resource change(s))\n" {
		t.Errorf("match text: %q", got)
	}
	got := CompareText("production-dns", []Difference{{"aws_route53_record.api", "x"}, {"", "y"}}, 2)
	want := "production-dns: the new plan differs from the reviewed plan (2 difference(s)):\n  aws_route53_record.api: x\n  y\n"
	if got != want {
		t.Errorf("differences text:\n%s\nwant:\n%s", got, want)
	}
}

// The real-plan pair: testdata/compare/cases/NAME is a downstream stack
// that reads an upstream stack's outputs through terraform_remote_state
// (a local state file standing in for the S3 backend), planned by the real
// Terraform CLI like the report fixtures (-update, see fixtures_test.go)
// into testdata/compare/real_NAME.json. downstream_reviewed is the plan made
// for review; downstream_replanned the plan made after the upstream stack
// applied a change of its vpc_cidr output.
func TestCompareRealRemoteStatePlans(t *testing.T) {
	if *update {
		regenerateCompareFixtures(t)
	}
	reviewed, replanned := loadCompare(t, "real_downstream_reviewed"), loadCompare(t, "real_downstream_replanned")
	if d := Compare(reviewed, reviewed); len(d) != 0 {
		t.Errorf("a real plan differs from itself: %q", d)
	}
	d := Compare(reviewed, replanned)
	want := `aws_vpc_security_group_ingress_rule.from_vpc: cidr_ipv4: reviewed "10.0.0.0/16"; new plan: "10.1.0.0/16"`
	if len(d) != 1 || d[0].String() != want {
		t.Errorf("got %q, want only %q (ids known after apply in both are no difference)", d, want)
	}
}

func regenerateCompareFixtures(t *testing.T) {
	t.Helper()
	execPath, err := exec.LookPath("terraform")
	if err != nil {
		t.Log("terraform is not on PATH: keeping the compare fixtures")
		return
	}
	if _, err := os.Stat(providerMirror); err != nil {
		t.Log("no provider mirror: keeping the compare fixtures")
		return
	}
	work := t.TempDir()
	cliConfig := filepath.Join(work, "terraform.rc")
	rc := "provider_installation {\n  filesystem_mirror {\n    path    = \"" + providerMirror + "\"\n    include = [\"registry.terraform.io/hashicorp/aws\"]\n  }\n}\n"
	if err := os.WriteFile(cliConfig, []byte(rc), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"downstream_reviewed", "downstream_replanned"} {
		out, err := planCase(execPath, cliConfig, filepath.Join("testdata", "compare", "cases", name), filepath.Join(work, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join("testdata", "compare", "real_"+name+".json"), []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
