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
	cmd := exec.Command(os.Args[0], "-test.run=^TestTokenStackTraces$")
	cmd.Env = append(os.Environ(), synth.TraceVar+"=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("with %s=1: %v\n%s", synth.TraceVar, err, out)
	}
}
