package synth

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-cdk-go/cdktf"
)

// A Check inspects the synthesized output before Run moves it into place:
// an error fails the synth and leaves outdir as it was. Checks read what
// cdktf wrote (Output.StackJSON), so they see exactly what Terraform will,
// escape hatches included, without resolving the stacks a second time.
type Check func(out *Output) error

// The checks of the Run in progress (Run holds kernel while they are set).
var (
	runApp    cdktf.App
	runChecks []Check
)

// AddCheck registers a check of app's output. app must be the app Run
// handed to its build function: a check of any other app would never run,
// so that is an error.
func AddCheck(app cdktf.App, c Check) error {
	if runApp == nil || app != runApp {
		return errors.New("synth.AddCheck: the app was not created by synth.Run, so its output would not be checked; build it inside synth.Run")
	}
	runChecks = append(runChecks, c)
	return nil
}

// Output is a synthesized output folder being checked.
type Output struct {
	dir      string
	manifest map[string]any
	// warnings to record in manifest.json, by stack.
	warnings map[string][]map[string]any
}

// ManifestFile is the file in which cdktf lists the stacks of an output.
const ManifestFile = "manifest.json"

func readOutput(dir string) (*Output, error) {
	b, err := os.ReadFile(filepath.Join(dir, ManifestFile))
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("%s: %w", ManifestFile, err)
	}
	return &Output{dir: dir, manifest: m}, nil
}

func (o *Output) stack(name string) (map[string]any, error) {
	stacks, _ := o.manifest["stacks"].(map[string]any)
	st, _ := stacks[name].(map[string]any)
	if st == nil {
		return nil, fmt.Errorf("stack %s was not synthesized (not in %s)", name, ManifestFile)
	}
	return st, nil
}

// StackJSON is the cdk.tf.json cdktf wrote for a stack.
func (o *Output) StackJSON(stack string) ([]byte, error) {
	st, err := o.stack(stack)
	if err != nil {
		return nil, err
	}
	rel, _ := st["synthesizedStackPath"].(string)
	if rel == "" || filepath.IsAbs(rel) || strings.HasPrefix(filepath.Clean(rel), "..") {
		return nil, fmt.Errorf("stack %s: %s gives no synthesizedStackPath inside the output", stack, ManifestFile)
	}
	return os.ReadFile(filepath.Join(o.dir, rel))
}

// Warn records a warning on the construct at path in the stack's entry of
// manifest.json, as cdktf's Annotations.addWarning does (without the stack
// trace, which would hold machine paths): `cdktf synth` prints it.
func (o *Output) Warn(stack, path, message string) error {
	if _, err := o.stack(stack); err != nil {
		return err
	}
	if o.warnings == nil {
		o.warnings = map[string][]map[string]any{}
	}
	o.warnings[stack] = append(o.warnings[stack], map[string]any{
		"constructPath": path,
		"level":         "@cdktf/warn",
		"message":       message,
	})
	return nil
}

// writeWarnings adds the recorded warnings to manifest.json; without any,
// the file stays as cdktf wrote it.
func (o *Output) writeWarnings() error {
	if len(o.warnings) == 0 {
		return nil
	}
	for stack, ws := range o.warnings {
		st, _ := o.stack(stack)
		old, _ := st["annotations"].([]any)
		for _, w := range ws {
			old = append(old, w)
		}
		st["annotations"] = old
	}
	b, err := StableJSON(o.manifest)
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(o.dir, ManifestFile), b, 0o644)
}

// StableJSON encodes decoded JSON (json.Number for numbers) the way cdktf
// writes manifest.json (json-stable-stringify with space 2): keys sorted,
// two-space indentation, an empty array or object still on two lines, no
// final newline.
func StableJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	if err := stable(&buf, v, 0); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func stable(buf *bytes.Buffer, v any, level int) error {
	indent := "\n" + strings.Repeat("  ", level)
	switch t := v.(type) {
	case map[string]any:
		buf.WriteByte('{')
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		slices.Sort(keys) // JavaScript's default sort: UTF-16 code units; the manifest's keys are ASCII
		for i, k := range keys {
			if i > 0 {
				buf.WriteByte(',')
			}
			buf.WriteString(indent + "  ")
			if err := scalar(buf, k); err != nil {
				return err
			}
			buf.WriteString(": ")
			if err := stable(buf, t[k], level+1); err != nil {
				return err
			}
		}
		buf.WriteString(indent + "}")
	case []any:
		buf.WriteByte('[')
		for i, e := range t {
			if i > 0 {
				buf.WriteByte(',')
			}
			buf.WriteString(indent + "  ")
			if err := stable(buf, e, level+1); err != nil {
				return err
			}
		}
		buf.WriteString(indent + "]")
	default:
		return scalar(buf, v)
	}
	return nil
}

func scalar(buf *bytes.Buffer, v any) error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // JSON.stringify does not escape <, > and &
	if err := enc.Encode(v); err != nil {
		return err
	}
	buf.Write(bytes.TrimSuffix(b.Bytes(), []byte("\n")))
	return nil
}
