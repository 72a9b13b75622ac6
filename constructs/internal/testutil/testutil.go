// Package testutil synthesizes a construct in a bare stack for unit tests and
// gives typed access to the resulting Terraform JSON.
package testutil

import (
	"encoding/json"
	"sort"
	"strings"
	"testing"

	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/provider"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
)

// Synth builds a stack with an AWS provider, lets add populate it, and
// returns the synthesized JSON (as cdktf's Testing matchers take it) and the
// decoded document.
func Synth(t testing.TB, add func(stack cdktf.TerraformStack)) (string, Doc) {
	t.Helper()
	app := cdktf.Testing_App(nil)
	stack := cdktf.NewTerraformStack(app, jsii.String("test"))
	provider.NewAwsProvider(stack, jsii.String("aws"), &provider.AwsProviderConfig{Region: jsii.String("us-east-1")})
	add(stack)
	out := *cdktf.Testing_Synth(stack, jsii.Bool(false))
	var doc Doc
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("synth output is not JSON: %v", err)
	}
	return out, doc
}

// Doc is a synthesized stack.
type Doc struct {
	Resource map[string]map[string]map[string]any `json:"resource"`
	Data     map[string]map[string]map[string]any `json:"data"`
	Output   map[string]map[string]any            `json:"output"`
}

// Of returns the resources of one type, by logical id.
func (d Doc) Of(typ string) map[string]map[string]any { return d.Resource[typ] }

// Count is the number of resources of one type.
func (d Doc) Count(typ string) int { return len(d.Resource[typ]) }

// Has reports whether cdktf's matcher finds a resource of typ with props.
func Has(synthesized, typ string, props map[string]any) bool {
	return *cdktf.Testing_ToHaveResourceWithProperties(jsii.String(synthesized), jsii.String(typ), &props)
}

// Find returns the single resource of typ whose logical id contains key
// (logical ids are <construct path>_<id>_<hash>); the test fails unless
// exactly one matches.
func Find(t testing.TB, d Doc, typ, key string) map[string]any {
	t.Helper()
	var hit map[string]any
	for id, r := range d.Of(typ) {
		if strings.Contains(id, key) {
			if hit != nil {
				t.Fatalf("%s: more than one id contains %q", typ, key)
			}
			hit = r
		}
	}
	if hit == nil {
		t.Fatalf("%s: no id contains %q (have %v)", typ, key, ids(d.Of(typ)))
	}
	return hit
}

// One returns the only resource of typ; the test fails unless there is exactly one.
func One(t testing.TB, d Doc, typ string) map[string]any {
	t.Helper()
	rs := d.Of(typ)
	if len(rs) != 1 {
		t.Fatalf("%d resources of %s, want 1 (%v)", len(rs), typ, ids(rs))
	}
	for _, r := range rs {
		return r
	}
	return nil
}

// JSON decodes a JSON string attribute (a policy, container definitions).
func JSON(t testing.TB, attr any) any {
	t.Helper()
	s, ok := attr.(string)
	if !ok {
		t.Fatalf("attribute is %T, not a JSON string", attr)
	}
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("attribute is not JSON: %v\n%s", err, s)
	}
	return v
}

func ids(rs map[string]map[string]any) []string {
	out := make([]string, 0, len(rs))
	for id := range rs {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}
