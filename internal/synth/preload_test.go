package synth_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"selfhost/internal/synth"
)

func TestMain(m *testing.M) { synth.TestMain(m) }

// unknownToken makes a token that resolves to a token cdktf never made:
// its resolution fails in cdktf, whose error then quotes the creation stack
// of the token, if it has one.
type unknownToken struct{ _ int }

func (*unknownToken) Produce(cdktf.IResolveContext) *string {
	return jsii.String("${TfToken[TOKEN.999999]}")
}

// In this process's kernel (Prepare's preload) a token has no creation
// stack; with synth.TraceVar=1 (a child of this test) it has cdktf's full trace.
func TestTokenStackTraces(t *testing.T) {
	traced := os.Getenv(synth.TraceVar) == "1"
	err := synth.Run(filepath.Join(t.TempDir(), "cdktf.out"), func(app cdktf.App) error {
		stack := cdktf.NewTerraformStack(app, jsii.String("s"))
		cdktf.NewTerraformOutput(stack, jsii.String("o"), &cdktf.TerraformOutputConfig{
			Value: cdktf.Lazy_StringValue(&unknownToken{}, nil),
		})
		return nil
	})
	if err == nil || !strings.Contains(err.Error(), "Unrecognized Token Key") {
		t.Fatalf("synth of a failing token: %v; want its error", err)
	}
	if has := strings.Contains(err.Error(), "Object creation stack:"); has != traced {
		t.Errorf("with %s=%v the error quotes a creation stack: %v; want %v\n%v", synth.TraceVar, traced, has, traced, err)
	}
	if traced {
		return
	}
	if testing.Short() {
		t.Skip("the opt-out needs a second kernel, in a child process; skipped with -short")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestTokenStackTraces$")
	cmd.Env = append(os.Environ(), synth.TraceVar+"=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("with %s=1: %v\n%s", synth.TraceVar, err, out)
	}
}

// versionLogVar names the file the stand-in terraform (see
// TestVersionValidationOnce) appends a line to at every run.
const versionLogVar = "SELFHOST_TEST_TERRAFORM_LOG"

// cdktf validates the Terraform version (>= 1.5) of every stack with a
// moved block by running `terraform version`: with the preload once per
// kernel, and for a compiled terraform once per binary (the next kernel
// reads the answer the preload kept); without it (EagerVar=1) once per
// stack. The answer still counts: a Terraform too old fails the synth
// (kept or not: TestPreloadKeepsVersion). Each synth is a child of this
// test with a stand-in terraform first on its PATH: five more kernels,
// skipped with -short (CI runs them).
func TestVersionValidationOnce(t *testing.T) {
	if log := os.Getenv(versionLogVar); log != "" {
		err := synth.Run(filepath.Join(t.TempDir(), "cdktf.out"), func(app cdktf.App) error {
			for _, name := range []string{"a", "b", "c"} {
				stack := cdktf.NewTerraformStack(app, jsii.String(name))
				r := cdktf.NewTerraformResource(stack, jsii.String("new"), &cdktf.TerraformResourceConfig{
					TerraformResourceType: jsii.String("terraform_data"),
				})
				r.MoveFromId(jsii.String("terraform_data.old"))
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return
	}
	if testing.Short() {
		t.Skip("three synths in child processes; skipped with -short")
	}
	for _, c := range []struct {
		version   string
		eager     bool
		compiled  bool
		processes int
		runs      int
		wantErr   string
	}{
		{"1.11.4", false, false, 1, 1, ""},
		{"1.11.4", true, false, 1, 3, ""},
		{"1.4.0", false, false, 1, 1, "terraform version 1.4.0 is lower than the required version >=1.5"},
		{"1.11.4", false, true, 2, 1, ""},
	} {
		bin := t.TempDir()
		log := filepath.Join(bin, "runs")
		tf := filepath.Join(bin, "terraform")
		if c.compiled {
			synth.BuildTerraform(t, tf, c.version)
		} else {
			script := "#!/bin/sh\necho run >> \"$" + versionLogVar + "\"\necho 'Terraform v" + c.version + "'\n"
			if err := os.WriteFile(tf, []byte(script), 0o755); err != nil {
				t.Fatal(err)
			}
		}
		env := append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"), versionLogVar+"="+log)
		if c.compiled {
			// A preload of its own (Prepare writes it to the user's cache
			// folder), to keep the answer in.
			env = append(env, "XDG_CACHE_HOME="+t.TempDir(), "NODE_OPTIONS=")
		}
		if c.eager {
			env = append(env, synth.EagerVar+"=1")
		}
		for i := 0; i < c.processes; i++ {
			cmd := exec.Command(os.Args[0], "-test.run=^TestVersionValidationOnce$", "-test.v")
			cmd.Env = env
			out, err := cmd.CombinedOutput()
			if (err != nil) != (c.wantErr != "") || !strings.Contains(string(out), c.wantErr) {
				t.Errorf("terraform %s, eager %v, compiled %v, process %d: %v; want error %q\n%s", c.version, c.eager, c.compiled, i+1, err, c.wantErr, out)
			}
		}
		b, _ := os.ReadFile(log)
		if runs := strings.Count(string(b), "run\n"); runs != c.runs {
			t.Errorf("terraform %s, eager %v, compiled %v: terraform ran %d times in %d synths of 3 stacks with a moved block; want %d", c.version, c.eager, c.compiled, runs, c.processes, c.runs)
		}
	}
}
