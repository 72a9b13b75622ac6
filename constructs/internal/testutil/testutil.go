// Package testutil synthesizes a construct in a bare stack for unit tests and
// gives typed access to the resulting Terraform JSON.
package testutil

import (
	"encoding/json"
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
