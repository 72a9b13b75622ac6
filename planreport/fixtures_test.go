package planreport

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-exec/tfexec"
)

// -update regenerates testdata/plans/*.json with the real Terraform CLI (when
// terraform and the provider mirror are present) and rewrites the golden
// files (testdata/golden/*.md, RULES.md) from the code.
//
// Each directory testdata/cases/NAME holds a Terraform JSON configuration
// (*.tf.json), optionally a prior state (prior-state.json, used as
// terraform.tfstate; made once from the planned values of a create plan of
// the previous configuration, with ids and computed values filled in), and
// versions.tf.json when it needs other provider requirements than
// defaultVersions. It is planned
// with -refresh=false against the AWS provider from the offline mirror, so no
// AWS API is called, and `terraform show -json` of that plan is stored as
// testdata/plans/NAME.json.
var (
	update     = flag.Bool("update", false, "regenerate plan fixtures with terraform and rewrite golden files")
	updateCase = flag.String("update-case", "", "with -update, regenerate only the cases whose name matches this regexp")
)

// providerMirror is the filesystem mirror that holds hashicorp/aws.
const providerMirror = "/opt/tf-plugins"

const providerConfig = `{
  "provider": {
    "aws": [{
      "region": "us-east-1",
      "access_key": "test",
      "secret_key": "test",
      "skip_credentials_validation": true,
      "skip_requesting_account_id": true,
      "skip_metadata_api_check": true
    }]
  }
}
`

const priorState = "prior-state.json"

const defaultVersions = `{"terraform": {"required_providers": {"aws": {"source": "hashicorp/aws", "version": "5.100.0"}}}}
`

func TestMain(m *testing.M) {
	flag.Parse()
	if *update {
		if err := regenerateFixtures(); err != nil {
			os.Stderr.WriteString("regenerating plan fixtures: " + err.Error() + "\n")
			os.Exit(2)
		}
	}
	os.Exit(m.Run())
}

func regenerateFixtures() error {
	execPath, err := exec.LookPath("terraform")
	if err != nil {
		os.Stderr.WriteString("terraform is not on PATH: keeping the plan fixtures, rewriting only golden files\n")
		return nil
	}
	if _, err := os.Stat(providerMirror); err != nil {
		os.Stderr.WriteString("no provider mirror at " + providerMirror + ": keeping the plan fixtures, rewriting only golden files\n")
		return nil
	}
	work, err := os.MkdirTemp("", "planreport-fixtures-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	cliConfig := filepath.Join(work, "terraform.rc")
	rc := `provider_installation {
  filesystem_mirror {
    path    = "` + providerMirror + `"
    include = ["registry.terraform.io/hashicorp/aws"]
  }
}
`
	if err := os.WriteFile(cliConfig, []byte(rc), 0o644); err != nil {
		return err
	}
	cases, err := filepath.Glob("testdata/cases/*")
	if err != nil {
		return err
	}
	if err := os.MkdirAll("testdata/plans", 0o755); err != nil {
		return err
	}
	only, err := regexp.Compile(*updateCase)
	if err != nil {
		return err
	}
	for _, dir := range cases {
		name := filepath.Base(dir)
		if !only.MatchString(name) {
			continue
		}
		out, err := planCase(execPath, cliConfig, dir, filepath.Join(work, name))
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join("testdata/plans", name+".json"), []byte(out), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// planCase plans one case directory in a scratch copy and returns the plan JSON.
func planCase(execPath, cliConfig, caseDir, work string) (string, error) {
	if err := os.MkdirAll(work, 0o755); err != nil {
		return "", err
	}
	entries, err := os.ReadDir(caseDir)
	if err != nil {
		return "", err
	}
	files := map[string]string{"provider.tf.json": providerConfig, "versions.tf.json": defaultVersions}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(caseDir, e.Name()))
		if err != nil {
			return "", err
		}
		name := e.Name()
		if name == priorState {
			name = "terraform.tfstate" // a name .gitignore would hide in the case directory
		}
		files[name] = string(data)
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(work, name), []byte(data), 0o644); err != nil {
			return "", err
		}
	}
	tf, err := tfexec.NewTerraform(work, execPath)
	if err != nil {
		return "", err
	}
	env := map[string]string{"TF_CLI_CONFIG_FILE": cliConfig}
	for _, kv := range os.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok && !strings.HasPrefix(k, "TF_") {
			env[k] = v
		}
	}
	if err := tf.SetEnv(env); err != nil {
		return "", err
	}
	ctx := context.Background()
	if err := tf.Init(ctx, tfexec.Upgrade(false)); err != nil {
		return "", err
	}
	planFile := filepath.Join(work, "plan.tfplan")
	if _, err := tf.Plan(ctx, tfexec.Out(planFile), tfexec.Refresh(false), tfexec.Lock(false)); err != nil {
		return "", err
	}
	// tfexec's ShowPlanFile decodes the JSON; the fixture keeps Terraform's
	// own bytes, only indented for readable diffs.
	show := exec.CommandContext(ctx, execPath, "show", "-json", planFile)
	show.Dir = work
	show.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+cliConfig)
	show.Stderr = os.Stderr
	raw, err := show.Output()
	if err != nil {
		return "", fmt.Errorf("terraform show -json: %w", err)
	}
	var buf bytes.Buffer
	if err := json.Indent(&buf, raw, "", "  "); err != nil {
		return "", err
	}
	buf.WriteByte('\n')
	return buf.String(), nil
}
