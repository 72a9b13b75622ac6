package guardrails

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"selfhost/config"
)

// Output receives the warnings printed at synth; nil means os.Stderr (read
// when printing, so a redirected os.Stderr is honoured).
var Output io.Writer

var outputMu sync.Mutex

func warnf(format string, a ...any) {
	outputMu.Lock()
	defer outputMu.Unlock()
	w := Output
	if w == nil {
		w = os.Stderr
	}
	fmt.Fprintf(w, format, a...)
}

// Check evaluates the rules on the synthesized Terraform JSON of every
// stack of cfgs, as synth wrote it (stackJSON reads a stack's cdk.tf.json),
// so the check sees exactly what Terraform will, escape hatches included.
// A warning is printed on Output and passed to warn with the construct it
// is about (to record it as a cdktf warning annotation). The error findings
// of all stacks come back as one error, a line "[construct path] finding"
// each, in the form cdktf gives failed validations, so the synth fails with
// every message at once.
func Check(cfgs []*config.Config, stackJSON func(stack string) ([]byte, error), warn func(stack, path, message string) error) error {
	var errs []string
	for _, cfg := range cfgs {
		opts := OptionsOf(cfg)
		for _, name := range cfg.StackNames() {
			b, err := stackJSON(name)
			if err != nil {
				return fmt.Errorf("guardrails: %w", err)
			}
			var doc map[string]any
			if err := json.Unmarshal(b, &doc); err != nil {
				return fmt.Errorf("guardrails: %s: %w", name, err)
			}
			for _, f := range Evaluate(name, doc, opts) {
				switch f.Level {
				case Error:
					errs = append(errs, "["+f.construct()+"] "+f.String())
				case Warn:
					warnf("warning: %s\n", f.String())
					if warn != nil {
						if err := warn(name, f.construct(), f.String()); err != nil {
							return fmt.Errorf("guardrails: %w", err)
						}
					}
				}
			}
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("Validation failed with the following errors:\n  %s", strings.Join(errs, "\n  "))
	}
	return nil
}

// construct is the path of the construct a finding is about: the
// resource's construct path, or the stack's for a finding on the whole
// stack (or a resource without cdktf's metadata).
func (f Finding) construct() string {
	if strings.HasPrefix(f.Path, f.Stack+"/") {
		return f.Path
	}
	return f.Stack
}
