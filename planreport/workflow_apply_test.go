package planreport

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// fakeTerraform stands in for terraform in the apply script: `plan -out=F`
// copies $FAKE_PLANS/<stack>.json to F (so a "plan file" holds its JSON),
// `show -json F` prints F, and every command is logged to $FAKE_LOG.
const fakeTerraform = `#!/usr/bin/env bash
set -euo pipefail
dir=${1#-chdir=}; shift
cmd=$1; shift
stack=$(basename "$dir")
case $cmd in
  init) ;;
  plan) for a in "$@"; do case $a in -out=*) cp "$FAKE_PLANS/$stack.json" "${a#-out=}";; esac; done ;;
  show) cat "${!#}" ;;
  apply) echo "apply $stack ${!#}" >> "$FAKE_LOG" ;;
  *) echo "fake terraform: unexpected $cmd" >&2; exit 9 ;;
esac
`

// applyScript is the run script of the apply job's step that applies the
// stacks, and the workflow's STACKS.
func applyScript(t *testing.T) (script, stacks string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", ".github", "workflows", "plan.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var wf struct {
		Env  map[string]string `yaml:"env"`
		Jobs map[string]struct {
			Steps []struct {
				Name string `yaml:"name"`
				Run  string `yaml:"run"`
			} `yaml:"steps"`
		} `yaml:"jobs"`
	}
	if err := yaml.Unmarshal(b, &wf); err != nil {
		t.Fatal(err)
	}
	for _, s := range wf.Jobs["apply"].Steps {
		if strings.HasPrefix(s.Name, "Apply in dependency order") {
			return s.Run, wf.Env["STACKS"]
		}
	}
	t.Fatal("plan.yml: no apply step named \"Apply in dependency order ...\" in job apply")
	return "", ""
}

// TestApplyScript runs the workflow's apply step with a fake terraform and
// the real planreport -compare: the first stack applies its reviewed plan,
// each later one its new plan if that matches the reviewed one, and the
// first that differs stops the job with what differs.
func TestApplyScript(t *testing.T) {
	if testing.Short() {
		t.Skip("builds cmd/planreport")
	}
	script, stacks := applyScript(t)
	bin := t.TempDir()
	build := exec.Command("go", "build", "-o", filepath.Join(bin, "planreport"), "../cmd/planreport")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	if err := os.WriteFile(filepath.Join(bin, "terraform"), []byte(fakeTerraform), 0o755); err != nil {
		t.Fatal(err)
	}
	fixture := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join("testdata", "compare", name+".json"))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	write := func(p string, b []byte) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// run makes a workspace where every stack's reviewed plan is
	// reviewed.json and its re-plan is replans[part] (default the same),
	// runs the script and returns its exit error, output, the terraform log
	// and the step summary.
	run := func(replans map[string]string) (error, string, string, string) {
		ws := t.TempDir()
		for _, part := range strings.Fields(stacks) {
			stack := "production-" + part
			write(filepath.Join(ws, "cdktf.out", "stacks", stack, "cdk.tf.json"), []byte("{}"))
			write(filepath.Join(ws, "reviewed", stack+".json"), fixture("reviewed"))
			write(filepath.Join(ws, "reviewed", stack+".tfplan"), fixture("reviewed"))
			replan := "reviewed"
			if r, ok := replans[part]; ok {
				replan = r
			}
			content := []byte(replan) // a replan starting with "{" is the JSON itself
			if !strings.HasPrefix(replan, "{") {
				content = fixture(replan)
			}
			write(filepath.Join(ws, "fake-plans", stack+".json"), content)
		}
		cmd := exec.Command("bash", "-c", script)
		cmd.Dir = ws
		cmd.Env = append(os.Environ(),
			"PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"),
			"STACKS="+stacks, "TARGET_ENV=production",
			"GITHUB_WORKSPACE="+ws, "RUNNER_TEMP="+bin,
			"GITHUB_STEP_SUMMARY="+filepath.Join(ws, "summary.md"),
			"FAKE_PLANS="+filepath.Join(ws, "fake-plans"), "FAKE_LOG="+filepath.Join(ws, "terraform.log"))
		out, err := cmd.CombinedOutput()
		log, _ := os.ReadFile(filepath.Join(ws, "terraform.log"))
		summary, _ := os.ReadFile(filepath.Join(ws, "summary.md"))
		return err, strings.ReplaceAll(string(out), ws, "$WS"), strings.ReplaceAll(string(log), ws, "$WS"), string(summary)
	}
	parts := strings.Fields(stacks)
	if len(parts) < 3 {
		t.Fatalf("STACKS %q: the test needs at least three stacks", stacks)
	}

	t.Run("every re-plan matches", func(t *testing.T) {
		err, out, log, _ := run(map[string]string{parts[1]: "unknown_became_known"})
		if err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		var want strings.Builder
		for i, p := range parts {
			if i == 0 {
				want.WriteString("apply production-" + p + " $WS/reviewed/production-" + p + ".tfplan\n")
			} else {
				want.WriteString("apply production-" + p + " $WS/replanned/production-" + p + ".tfplan\n")
			}
		}
		if log != want.String() {
			t.Errorf("terraform log:\n%s\nwant:\n%s", log, want.String())
		}
	})

	t.Run("a re-plan differs", func(t *testing.T) {
		err, out, log, summary := run(map[string]string{parts[2]: "differs_in_value"})
		if err == nil {
			t.Fatalf("the script went on:\n%s", out)
		}
		stopped := "production-" + parts[2]
		if strings.Contains(log, "apply "+stopped) || !strings.Contains(log, "apply production-"+parts[1]) {
			t.Errorf("want the stacks before %s applied and none from it on; terraform log:\n%s", stopped, log)
		}
		for _, want := range []string{
			"::error title=" + stopped + " changed since review::Applied: production-" + parts[0] + ", production-" + parts[1] + ". Not applied: " + stopped,
			`%0A` + stopped + `: the new plan differs from the reviewed plan (1 difference(s)):%0A  aws_ecs_service.app: network_configuration[0].subnets[1]: reviewed "subnet-0b2"; new plan: "subnet-0c3"`,
		} {
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		}
		if !strings.Contains(summary, "the plan changed since review") || !strings.Contains(summary, "subnets[1]") {
			t.Errorf("step summary:\n%s", summary)
		}
	})

	t.Run("an unreadable re-plan stops too", func(t *testing.T) {
		err, out, log, _ := run(map[string]string{parts[1]: `{"format_version": "1.2", "resource_changes": [`})
		if err == nil {
			t.Fatalf("the script went on:\n%s", out)
		}
		if strings.Contains(log, "apply production-"+parts[1]) || !strings.Contains(out, "invalid plan JSON") ||
			!strings.Contains(out, "::error title=production-"+parts[1]+" could not be compared::") {
			t.Errorf("want a stop before production-%s with the reason; output:\n%s\nterraform log:\n%s", parts[1], out, log)
		}
	})
}
