package guardrails

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

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

// Attach adds the guardrails aspect to a stack of the environment cfg. On
// synth it evaluates the rules against the stack's resolved Terraform JSON:
// an error finding becomes an error annotation and a failing validation of
// the offending construct, so cdktf fails the synth with every message
// (a validation, unlike an error annotation, is not ignored when
// CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS is set); a warning becomes a
// warning annotation and a line on stderr.
func Attach(st cdktf.TerraformStack, cfg *config.Config) {
	cdktf.Aspects_Of(st).Add(&aspect{stack: st, name: *st.Node().Id(), opts: OptionsOf(cfg)})
}

type aspect struct {
	stack cdktf.TerraformStack
	name  string
	opts  Options
	done  bool
}

// Visit runs once per synth, on the stack itself (the first node visited):
// aspects run after every construct and escape hatch is in place and the
// cross-stack references are prepared, so ToTerraform is the document that
// will be written.
func (a *aspect) Visit(node constructs.IConstruct) {
	if a.done {
		return
	}
	a.done = true
	doc, err := Document(a.stack)
	if err != nil {
		cdktf.Annotations_Of(a.stack).AddError(jsii.String("guardrails: " + err.Error()))
		return
	}
	for _, f := range Evaluate(a.name, doc, a.opts) {
		target := a.find(f.Path)
		switch f.Level {
		case Error:
			cdktf.Annotations_Of(target).AddError(jsii.String(f.String()))
			target.Node().AddValidation(&validation{f.String()})
		case Warn:
			cdktf.Annotations_Of(target).AddWarning(jsii.String(f.String()))
			warnf("warning: %s\n", f.String())
		}
	}
}

// find returns the construct at a path below the stack, or the stack.
func (a *aspect) find(path string) constructs.IConstruct {
	rest, ok := strings.CutPrefix(path, a.name+"/")
	if !ok {
		return a.stack
	}
	var n constructs.IConstruct = a.stack
	for _, id := range strings.Split(rest, "/") {
		c := n.Node().TryFindChild(jsii.String(id))
		if c == nil {
			return a.stack
		}
		n = c
	}
	return n
}

// validation fails with one message (a Go implementation of constructs.IValidation).
type validation struct{ msg string }

func (v *validation) Validate() *[]*string { return jsii.Strings(v.msg) }

// Document is a stack's resolved Terraform JSON, as cdk.tf.json will hold it.
func Document(st cdktf.TerraformStack) (map[string]any, error) {
	b, err := json.Marshal(st.ToTerraform())
	if err != nil {
		return nil, err
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, err
	}
	return doc, nil
}
