package planreport

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func loadAll(t *testing.T, names ...string) []Stack {
	t.Helper()
	var stacks []Stack
	for _, n := range names {
		stacks = append(stacks, loadFixture(t, n))
	}
	SortStacks(stacks)
	return stacks
}

func allFixtures(t *testing.T) []Stack {
	t.Helper()
	stacks, err := LoadPaths([]string{"testdata/plans"})
	if err != nil {
		t.Fatal(err)
	}
	return stacks
}

// checkGolden compares got with the golden file, or rewrites it with -update.
func checkGolden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./planreport -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the output (go test ./planreport -update rewrites it); got:\n%s", path, got)
	}
}

func TestGoldenReports(t *testing.T) {
	for _, tc := range []struct {
		golden string
		stacks []Stack
		limit  int
	}{
		{"report.md", allFixtures(t), 0},
		{"truncated.md", allFixtures(t), 6000},
		{"no_changes.md", loadAll(t, "empty", "provider_constraint"), 0},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			checkGolden(t, filepath.Join("testdata", "golden", tc.golden), Render(Analyze(tc.stacks, Options{}), tc.limit))
		})
	}
}

func TestRulesMarkdownInSync(t *testing.T) {
	checkGolden(t, "RULES.md", RulesMarkdown())
}

// TestRenderBounded renders the fixtures at many limits: the report never
// exceeds the limit, says when it was cut, and keeps its markup balanced.
func TestRenderBounded(t *testing.T) {
	report := Analyze(allFixtures(t), Options{})
	full := Render(report, 1<<30)
	if strings.Contains(full, "Truncated") {
		t.Fatal("untruncated report has a truncation note")
	}
	for limit := minLimit; limit < len(full)+1000; limit += 331 {
		got := Render(report, limit)
		if len(got) > limit {
			t.Fatalf("limit %d: report is %d bytes", limit, len(got))
		}
		truncated := strings.Contains(got, "**Truncated:**")
		if truncated != (limit < len(full)) {
			t.Errorf("limit %d (full %d): truncation note present = %v", limit, len(full), truncated)
		}
		if o, c := strings.Count(got, "<details>"), strings.Count(got, "</details>"); o != c {
			t.Errorf("limit %d: %d <details> but %d </details>", limit, o, c)
		}
		if n := strings.Count(got, "\n```"); n%2 != 0 {
			t.Errorf("limit %d: %d fence lines, unbalanced", limit, n)
		}
		if !strings.HasPrefix(got, Marker) {
			t.Errorf("limit %d: report does not start with the marker", limit)
		}
	}
	if got := Render(report, 0); got != Render(report, GitHubCommentLimit) {
		t.Error("limit 0 is not the GitHub comment limit")
	}
}

// TestSensitiveNeverPrinted: the sensitive fixture carries secrets in a
// sensitive variable, a sensitive attribute (SSM parameter value), a tag fed
// by the variable and tags_all, which the provider fills from tags without
// the sensitive mark. None of them may reach the report.
func TestSensitiveNeverPrinted(t *testing.T) {
	s := loadFixture(t, "sensitive")
	raw, err := os.ReadFile("testdata/plans/sensitive.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"tok-SECRET-123", "old-SECRET-pw", "new-SECRET-pw"} {
		if !strings.Contains(string(raw), secret) {
			t.Fatalf("fixture lacks %q: the test would prove nothing", secret)
		}
	}
	out := Render(Analyze([]Stack{s}, Options{}), 0)
	if strings.Contains(out, "SECRET") {
		t.Errorf("report prints a secret:\n%s", out)
	}
	for _, line := range []string{
		"~ value: (sensitive value) -> (sensitive value)",
		"+ tags.token: (sensitive value)",
		"+ tags_all.token: (sensitive value)",
		"~ retention_in_days: 0 -> 30",
	} {
		if !strings.Contains(out, line) {
			t.Errorf("report lacks %q", line)
		}
	}
}

func TestDiffMarksAndUnknowns(t *testing.T) {
	plan, err := ParsePlan([]byte(`{
	  "format_version": "1.2",
	  "resource_changes": [{
	    "address": "aws_x.a", "mode": "managed", "type": "aws_x", "name": "a",
	    "change": {
	      "actions": ["update"],
	      "before": {"name": "a", "nested": {"secret": "s3cr3t-old", "plain": 1}, "list": ["x"], "gone": "g", "tags": {"k.v/x": "1"}, "policy": "{\"Statement\": [{\"Action\": \"s3:GetObject\"}]}"},
	      "after":  {"name": "b", "nested": {"secret": "s3cr3t-new", "plain": 2}, "list": ["x", "y"], "tags": {"k.v/x": "2"}, "policy": "{\"Statement\": [{\"Action\": \"s3:*\"}]}"},
	      "after_unknown": {"id": true},
	      "before_sensitive": {"nested": {"secret": true}},
	      "after_sensitive": {"nested": {"secret": true}},
	      "replace_paths": [["name"]]
	    }
	  }]
	}`))
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, d := range diffChange(plan.ResourceChanges[0].Change, secrets{}) {
		lines = append(lines, diffLine(d))
	}
	want := []string{
		`- gone: "g"`,
		`+ id: (known after apply)`,
		`+ list[1]: "y"`,
		`~ name: "a" -> "b"  # forces replacement`,
		`~ nested.plain: 1 -> 2`,
		`~ nested.secret: (sensitive value) -> (sensitive value)`,
		`~ policy (JSON) Statement[0].Action: "s3:GetObject" -> "s3:*"`,
		`~ tags["k.v/x"]: "1" -> "2"`,
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("diff lines:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
}

func TestFenceOutlastsBackticks(t *testing.T) {
	if got := fenceFor("a ```` b"); got != "`````" {
		t.Errorf("fence %q", got)
	}
	if got := fenceFor("plain"); got != "```" {
		t.Errorf("fence %q", got)
	}
}

// TestCrossStackOutputsNotSecret: cdktf marks every cross-stack output
// sensitive. One that copies a managed resource's attribute is as secret as
// that attribute (the AZ name a subnet output copies is not), so a finding
// naming the AZ is shown; one that reads a variable keeps its mark, and so
// does an output a user marked.
func TestCrossStackOutputsNotSecret(t *testing.T) {
	plan, err := ParsePlan([]byte(`{
	  "format_version": "1.2",
	  "variables": {"pw": {"value": "var-SECRET-1"}},
	  "resource_changes": [{
	    "address": "aws_subnet.a", "mode": "managed", "type": "aws_subnet", "name": "a",
	    "change": {"actions": ["no-op"], "before": {"availability_zone": "us-east-1b"}, "after": {"availability_zone": "us-east-1b"},
	      "before_sensitive": {}, "after_sensitive": {}}
	  }],
	  "output_changes": {
	    "cross-stack-output-aws_subneta": {"actions": ["no-op"], "before": "us-east-1b", "after": "us-east-1b", "before_sensitive": true, "after_sensitive": true},
	    "cross-stack-output-varpw": {"actions": ["no-op"], "before": "var-SECRET-1", "after": "var-SECRET-1", "before_sensitive": true, "after_sensitive": true},
	    "token": {"actions": ["no-op"], "before": "usr-SECRET-2", "after": "usr-SECRET-2", "before_sensitive": true, "after_sensitive": true}
	  },
	  "configuration": {"root_module": {
	    "variables": {"pw": {"sensitive": true}},
	    "outputs": {
	      "cross-stack-output-aws_subneta": {"sensitive": true, "expression": {"references": ["aws_subnet.a.availability_zone", "aws_subnet.a"]}},
	      "cross-stack-output-varpw": {"sensitive": true, "expression": {"references": ["var.pw"]}},
	      "token": {"sensitive": true, "expression": {"references": ["aws_subnet.a.availability_zone", "aws_subnet.a"]}}
	    }
	  }}
	}`))
	if err != nil {
		t.Fatal(err)
	}
	sec := collectSecrets(plan)
	if sec.hides("deletes a subnet of AZ us-east-1b") {
		t.Error("an AZ name copied by a cross-stack output is treated as a secret")
	}
	for _, s := range []string{"var-SECRET-1", "usr-SECRET-2"} {
		if !sec.hides(s) {
			t.Errorf("%q is not treated as a secret", s)
		}
	}
}
