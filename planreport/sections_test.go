package planreport

import (
	"strings"
	"testing"

	tfjson "github.com/hashicorp/terraform-json"
)

func TestEnvironmentOf(t *testing.T) {
	for stack, want := range map[string]string{
		"production-network": "production",
		"eu-prod-dns":        "eu-prod",
		"local-state":        "local",
		"network":            "network",
		"something":          "something",
	} {
		if got := EnvironmentOf(stack); got != want {
			t.Errorf("EnvironmentOf(%q) = %q, want %q", stack, got, want)
		}
	}
}

// sectionStacks are fixture plans renamed as stacks of two environments;
// the production network's plan changes an output.
func sectionStacks(t *testing.T) []Stack {
	t.Helper()
	named := func(fixture, name string) Stack {
		s := loadFixture(t, fixture)
		s.Name = name
		return s
	}
	net := named("replace", "production-network")
	net.Plan.OutputChanges = map[string]*tfjson.Change{
		"cross-stack-output-aws_subnetnetwork_private-us-east-1a_E1039AEFid": {Actions: tfjson.Actions{tfjson.ActionUpdate}},
	}
	return []Stack{
		named("iam", "production-service"),
		net,
		named("empty", "production-state"),
		named("create_open_ingress", "staging-network"),
	}
}

func TestRenderEnvironments(t *testing.T) {
	stacks := sectionStacks(t)
	envs := GroupEnvironments(stacks, []string{"qa", "production"})
	if len(envs) != 3 || envs[0].Name != "production" || envs[1].Name != "qa" || envs[2].Name != "staging" {
		t.Fatalf("environments: %+v", envs)
	}
	if got := envs[0].Stacks; len(got) != 3 || got[0].Name != "production-state" || got[2].Name != "production-service" {
		t.Errorf("production's stacks are not in dependency order: %v", got)
	}
	text, findings := RenderEnvironments(envs, Options{}, 0)

	// Exactly: the title, then per environment its heading, the note, and
	// the report Render writes for its stacks without the title, headings
	// one level down (no golden file, so new risk rules do not touch it).
	limit := (GitHubCommentLimit-len(reportHead+"Environments planned: `production`, `qa`, `staging` (one section each).\n"))/3 - 200
	want := reportHead + "Environments planned: `production`, `qa`, `staging` (one section each).\n" +
		"\n### Environment `production`\n\n" + replanNote(Analyze(envs[0].Stacks, Options{})) +
		demoteHeadings(strings.TrimPrefix(Render(Analyze(envs[0].Stacks, Options{}), limit), reportHead)) +
		"\n### Environment `qa`\n\nNo plans: the plan job of this environment did not finish (it failed, was cancelled, or was skipped after failed tests); see the workflow run.\n" +
		"\n### Environment `staging`\n\n" +
		demoteHeadings(strings.TrimPrefix(Render(Analyze(envs[2].Stacks, Options{}), limit), reportHead))
	if text != want {
		t.Errorf("report:\n%s\nwant:\n%s", text, want)
	}

	if !strings.HasPrefix(Render(Analyze(stacks, Options{}), 0), reportHead) {
		t.Fatal("Render no longer starts with reportHead: sections would repeat the title")
	}
	if strings.Count(text, Marker) != 1 || !strings.HasPrefix(text, Marker) {
		t.Error("the sticky-comment marker must start the report, once")
	}
	for _, want := range []string{
		"\n### Environment `production`\n", "\n### Environment `qa`\n", "\n### Environment `staging`\n",
		"#### ⚠️ Flagged changes", "#### Changes", "No plans: the plan job of this environment did not finish",
		"`production-network` changes outputs, which the stacks after it (`production-service`) may read",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the report lacks %q", want)
		}
	}
	if strings.Contains(text, "\n### Flagged") || strings.Contains(text, "\n### Changes") {
		t.Error("a section's own headings are not one level below its environment's")
	}
	wantFindings := len(Analyze(stacks, Options{}).Findings)
	if len(findings) != wantFindings || wantFindings == 0 {
		t.Errorf("got %d findings over all environments, want %d (and some)", len(findings), wantFindings)
	}
}

func TestRenderEnvironmentsLimit(t *testing.T) {
	text, _ := RenderEnvironments(GroupEnvironments(sectionStacks(t), nil), Options{}, 8000)
	if len(text) > 8000 {
		t.Errorf("report is %d bytes, limit 8000", len(text))
	}
	if !strings.Contains(text, "Truncated") {
		t.Error("a cut section does not say so")
	}
}

func TestRenderNoEnvironments(t *testing.T) {
	text, findings := RenderEnvironments(nil, Options{}, 0)
	if !strings.HasPrefix(text, Marker) || !strings.Contains(text, "No environment is touched") || findings != nil {
		t.Errorf("report without environments: %q", text)
	}
}

func TestDemoteHeadings(t *testing.T) {
	in := "### A\n\n````diff\n### in a fence\n```\n# still\n````\n## B\n#tag\n"
	want := "#### A\n\n````diff\n### in a fence\n```\n# still\n````\n### B\n#tag\n"
	if got := demoteHeadings(in); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}
