package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"selfhost/config"
)

func TestTouchedEnvironments(t *testing.T) {
	cfgs := []*config.Config{
		{Name: "local", AWS: config.AWS{Endpoint: "http://127.0.0.1:5000"}},
		{Name: "production"},
		{Name: "staging"},
	}
	for _, tc := range []struct {
		name    string
		changed []string
		want    []string
		note    string
	}{
		{"one environment file", []string{"environments/staging.yaml"}, []string{"staging"}, ""},
		{"two environment files", []string{"environments/staging.yaml", "environments/production.yml"}, []string{"production", "staging"}, ""},
		{"the emulator's file", []string{"environments/local.yaml"}, nil, "emulator environment"},
		{"a removed environment", []string{"environments/qa.yaml"}, nil, "was removed"},
		{"shared code", []string{"constructs/service/service.go"}, []string{"production", "staging"}, "shared code changed (constructs/service/service.go)"},
		{"the workflow", []string{".github/workflows/plan.yml"}, []string{"production", "staging"}, "shared code"},
		{"dependencies", []string{"go.sum"}, []string{"production", "staging"}, "shared code"},
		{"documentation, tests, emulator", []string{"README.md", "config/config_test.go", "planreport/testdata/plans/x.json",
			"e2e/local_test.go", "emulator/launcher.py", "bench/run.go", "environments/README.md", "environments/notes.txt"}, nil, ""},
		{"nested environments folder is not one", []string{"environments/old/production.yaml"}, nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, notes := touchedEnvironments(tc.changed, "environments", cfgs)
			if !slices.Equal(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
			if all := strings.Join(notes, "\n"); tc.note != "" && !strings.Contains(all, tc.note) || tc.note == "" && all != "" {
				t.Errorf("notes %q, want one with %q", notes, tc.note)
			}
		})
	}
}

// The reference environments: local is the emulator's, production is not.
func TestReferenceEnvironmentsEmulator(t *testing.T) {
	cfgs, err := config.LoadDir(filepath.Join("..", "..", "environments"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := allEnvironments(cfgs); !slices.Equal(got, []string{"production"}) {
		t.Errorf("environments planned against AWS: %q, want [production] (local has aws.endpoint)", got)
	}
}

// TestEnvsChanged runs -envs-changed in a scratch git repository holding
// the reference environments.
func TestEnvsChanged(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	repo := t.TempDir()
	git := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"}, args...)...)
		cmd.Dir = repo
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	write := func(rel, text string) {
		t.Helper()
		p := filepath.Join(repo, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	read := func(rel string) string {
		t.Helper()
		b, err := os.ReadFile(filepath.Join("..", "..", rel))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	commit := func(msg string) string {
		git("add", "-A")
		git("commit", "-q", "-m", msg)
		return git("rev-parse", "HEAD")
	}
	git("init", "-q")
	write("go.mod", "module selfhost\n")
	write("environments/production.yaml", read("environments/production.yaml"))
	write("environments/local.yaml", read("environments/local.yaml"))
	c0 := commit("start")
	write("environments/local.yaml", read("environments/local.yaml")+"# emulator only\n")
	c1 := commit("local")
	write("environments/production.yaml", read("environments/production.yaml")+"# touched\n")
	c2 := commit("production")
	write("README.md", "docs\n")
	c3 := commit("docs")
	write("constructs/x.go", "package constructs\n")
	c4 := commit("code")

	t.Chdir(repo)
	for _, tc := range []struct {
		name, base, head, want, note string
	}{
		{"the emulator's file", c0, c1, "[]", "emulator environment"},
		{"production's file", c1, c2, `["production"]`, ""},
		{"two commits", c0, c2, `["production"]`, "emulator environment"},
		{"documentation", c2, c3, "[]", ""},
		{"shared code", c3, c4, `["production"]`, "shared code changed (constructs/x.go)"},
		{"no base (first push)", "0000000000000000000000000000000000000000", c4, `["production"]`, "not a commit of this clone"},
		{"base not fetched", "1234567890abcdef1234567890abcdef12345678", c4, `["production"]`, "not a commit of this clone"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, "-envs-changed", tc.base, tc.head)
			if code != 0 || strings.TrimSpace(stdout) != tc.want {
				t.Errorf("exit %d, stdout %q, want %s; stderr:\n%s", code, stdout, tc.want, stderr)
			}
			if !strings.Contains(stderr, tc.note) {
				t.Errorf("stderr %q, want it to contain %q", stderr, tc.note)
			}
		})
	}
	if code, _, stderr := runCLI(t, "-envs-changed", c0); code != 2 || !strings.Contains(stderr, "usage:") {
		t.Errorf("one commit: exit %d, stderr %q", code, stderr)
	}
	if code, _, stderr := runCLI(t, "-envs-changed", c0, "nope"); code != 2 || !strings.Contains(stderr, "git diff") {
		t.Errorf("bad head: exit %d, stderr %q", code, stderr)
	}
}

const compareFixtures = "../../planreport/testdata/compare"

func TestCompareCLI(t *testing.T) {
	reviewed := filepath.Join(compareFixtures, "reviewed.json")
	for _, tc := range []struct {
		name, file string
		code       int
		stdoutHas  string
	}{
		{"same changes", "match.json", 0, "match: the new plan matches the reviewed plan (4 resource change(s))"},
		{"unknown became known", "unknown_became_known.json", 0, "matches the reviewed plan"},
		{"differs", "differs_in_value.json", 1, "differs_in_value: the new plan differs from the reviewed plan (1 difference(s)):\n  aws_ecs_service.app: network_configuration[0].subnets[1]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, "-compare", reviewed, filepath.Join(compareFixtures, tc.file))
			if code != tc.code || !strings.Contains(stdout, tc.stdoutHas) {
				t.Errorf("exit %d (want %d), stdout:\n%s\nstderr:\n%s", code, tc.code, stdout, stderr)
			}
		})
	}
	if code, _, stderr := runCLI(t, "-compare", reviewed, "nope.json"); code != 2 || !strings.Contains(stderr, "nope.json") {
		t.Errorf("missing plan: exit %d, stderr %q", code, stderr)
	}
	if code, _, stderr := runCLI(t, "--compare", reviewed); code != 2 || !strings.Contains(stderr, "usage: planreport -compare") {
		t.Errorf("one plan: exit %d, stderr %q", code, stderr)
	}
}

func TestSectionsCLI(t *testing.T) {
	dir := t.TempDir()
	data, err := os.ReadFile(filepath.Join(plans, "iam.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "production-service.json"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "report.md")
	code, _, stderr := runCLI(t, "-sections", "-envs", `["production","staging"]`, "-o", out, "-fail-on-risk", dir, filepath.Join(dir, "missing"))
	if code != 1 || !strings.Contains(stderr, "risky change(s) flagged") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
	text, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"### Environment `production`", "`production-service`", "### Environment `staging`\n\nNo plans"} {
		if !strings.Contains(string(text), want) {
			t.Errorf("report lacks %q:\n%s", want, text)
		}
	}
	code, stdout, _ := runCLI(t, "-sections", "-envs", "[]")
	if code != 0 || !strings.Contains(stdout, "No environment is touched") {
		t.Errorf("no environments: exit %d, %q", code, stdout)
	}
	if code, _, stderr := runCLI(t, "-sections", "-envs", "production", dir); code != 2 || !strings.Contains(stderr, "JSON list") {
		t.Errorf("bad -envs: exit %d, %q", code, stderr)
	}
}
