// Package synthrun holds the two synths the benchmark compares: the floor
// (one empty stack with the AWS provider, which loads the provider's jsii
// assembly) and the full app (every stack of every environment, through the
// same path as main: config.LoadDir, stacks.Build, synth.Run). It is kept
// apart from package bench so that the driver does not link the provider.
package synthrun

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/provider"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"selfhost/config"
	"selfhost/guardrails"
	"selfhost/internal/synth"
	"selfhost/stacks"
)

// Phases are the in-process times of one synth, in milliseconds.
type Phases struct {
	// App is synth.Run up to the build callback: the first jsii call
	// (kernel start when cold) and the cdktf assembly loads.
	App float64 `json:"app_ms"`
	// Build is the build callback: stacks and resources, and the AWS
	// assembly load on its first use.
	Build float64 `json:"build_ms"`
	// Synth is app.Synth and the atomic rename of the output.
	Synth float64 `json:"synth_ms"`
	// Total is the whole synth.Run.
	Total float64 `json:"total_ms"`
}

// Floor synthesizes one empty stack with the AWS provider into outdir.
func Floor(outdir string) (Phases, error) {
	return run(outdir, func(app cdktf.App) error {
		st := cdktf.NewTerraformStack(app, jsii.String("floor"))
		provider.NewAwsProvider(st, jsii.String("aws"), &provider.AwsProviderConfig{Region: jsii.String("us-east-1")})
		return nil
	})
}

// Full synthesizes every environment in envDir into outdir the way main
// does; guardrail warnings go to warnings.
func Full(envDir, outdir string, warnings io.Writer) (Phases, error) {
	cfgs, err := config.LoadDir(envDir, nil)
	if err != nil {
		return Phases{}, err
	}
	guardrails.Output = warnings
	defer func() { guardrails.Output = nil }()
	return run(outdir, func(app cdktf.App) error { return stacks.Build(app, cfgs) })
}

func run(outdir string, build func(cdktf.App) error) (Phases, error) {
	var p Phases
	start := time.Now()
	var built time.Time
	err := synth.Run(outdir, func(app cdktf.App) error {
		p.App = ms(time.Since(start))
		b := time.Now()
		err := build(app)
		built = time.Now()
		p.Build = ms(built.Sub(b))
		return err
	})
	end := time.Now()
	p.Total = ms(end.Sub(start))
	if !built.IsZero() {
		p.Synth = ms(end.Sub(built))
	}
	return p, err
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// Counts are what a synthesized outdir holds.
type Counts struct {
	Stacks      int `json:"stacks"`
	Resources   int `json:"resources"`
	DataSources int `json:"data_sources"`
	Outputs     int `json:"outputs"`
	Bytes       int `json:"json_bytes"`
}

// Count reads every stacks/<name>/cdk.tf.json under outdir.
func Count(outdir string) (Counts, error) {
	var c Counts
	files, err := filepath.Glob(filepath.Join(outdir, "stacks", "*", "cdk.tf.json"))
	if err != nil {
		return c, err
	}
	if len(files) == 0 {
		return c, fmt.Errorf("no stacks/*/cdk.tf.json under %s", outdir)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return c, err
		}
		var doc struct {
			Resource map[string]map[string]json.RawMessage `json:"resource"`
			Data     map[string]map[string]json.RawMessage `json:"data"`
			Output   map[string]json.RawMessage            `json:"output"`
		}
		if err := json.Unmarshal(b, &doc); err != nil {
			return c, fmt.Errorf("%s: %w", f, err)
		}
		c.Stacks++
		c.Bytes += len(b)
		for _, rs := range doc.Resource {
			c.Resources += len(rs)
		}
		for _, ds := range doc.Data {
			c.DataSources += len(ds)
		}
		c.Outputs += len(doc.Output)
	}
	return c, nil
}
