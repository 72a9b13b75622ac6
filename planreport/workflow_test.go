package planreport

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rhysd/actionlint"
	"gopkg.in/yaml.v3"

	"selfhost/config"
)

// TestWorkflowsPassActionlint lints .github/workflows with actionlint's Go
// API, the run: scripts with shellcheck when it is installed (apt install
// shellcheck); pyflakes is switched off (no Python steps).
func TestWorkflowsPassActionlint(t *testing.T) {
	shellcheck, err := exec.LookPath("shellcheck")
	if err != nil {
		t.Log("shellcheck is not installed: the run: scripts are not checked")
		shellcheck = ""
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob(filepath.Join(root, ".github", "workflows", "*.y*ml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no workflow files under .github/workflows")
	}
	var out bytes.Buffer
	linter, err := actionlint.NewLinter(&out, &actionlint.LinterOptions{
		Shellcheck: shellcheck,
		Pyflakes:   "",
		WorkingDir: root,
		Oneline:    true,
	})
	if err != nil {
		t.Fatal(err)
	}
	errs, err := linter.LintFiles(files, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range errs {
		t.Errorf("%s:%d:%d: %s [%s]", e.Filepath, e.Line, e.Column, e.Message, e.Kind)
	}
}

// TestActionlintCatchesErrors makes sure the lint test can fail.
func TestActionlintCatchesErrors(t *testing.T) {
	bad := []byte("on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.nope }}\n")
	linter, err := actionlint.NewLinter(&bytes.Buffer{}, &actionlint.LinterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	errs, err := linter.Lint("bad.yml", bad, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(errs) == 0 {
		t.Error("actionlint found nothing wrong in a broken workflow")
	}
}

// The workflow plans and applies the stacks of config.Parts, in its order
// (the workflow cannot import Go: its STACKS must be kept equal).
func TestWorkflowStacksAreTheTopology(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", ".github", "workflows", "plan.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var wf struct {
		Env map[string]string `yaml:"env"`
	}
	if err := yaml.Unmarshal(b, &wf); err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Fields(wf.Env["STACKS"]), config.Parts; !slices.Equal(got, want) {
		t.Errorf("plan.yml env.STACKS is %q, want config.Parts %q in that order", got, want)
	}
}
