package stacks

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"selfhost/internal/synth"
)

func TestMain(m *testing.M) { synth.TestMain(m) }

// adoptSingleService walks only the moves' subtrees: every resource under
// a move's path gets one moved block (from the first move that holds it:
// x/ab is not under x/a, so it moves with x), and none outside: not a
// resource whose path only begins with the same letters (xy/d is not under
// x), not one beside the moves. The resources are cdktf's generic
// TerraformResource with three types: resourceType's per-class cache must
// not apply to them.
func TestAdoptMovesExactlyTheMovesPaths(t *testing.T) {
	app := cdktf.Testing_App(nil)
	st := cdktf.NewTerraformStack(app, jsii.String("s"))
	res := func(scope constructs.Construct, id, typ string) cdktf.TerraformResource {
		return cdktf.NewTerraformResource(scope, jsii.String(id), &cdktf.TerraformResourceConfig{TerraformResourceType: jsii.String(typ)})
	}
	group := func(scope constructs.Construct, id string) constructs.Construct {
		return constructs.NewConstruct(scope, jsii.String(id))
	}
	x := group(st, "x")
	res(x, "a", "t_a")
	res(x, "ab", "t_a")
	res(group(x, "b"), "c", "t_b")
	res(group(st, "xy"), "d", "t_a")
	res(group(st, "z"), "leaf", "t_c")
	res(st, "other", "t_a")
	nested := res(group(group(st, "n"), "m"), "r", "t_a")
	moves := func(string) []move {
		return []move{{"x/a", "old/a"}, {"x", "y"}, {"z/leaf", "w"}, {"n/m", "k"}, {"absent/q", "q"}}
	}
	adoptSingleService(st, "", moves)

	if got, want := pathOf(nested), *constructs.Node_Of(nested).Path(); got != want {
		t.Errorf("pathOf = %q, Node path %q: adoptSingleService needs Construct.toString to be the path", got, want)
	}
	var doc struct {
		Moved []struct{ From, To string } `json:"moved"`
	}
	if err := json.Unmarshal([]byte(*cdktf.Testing_Synth(st, jsii.Bool(false))), &doc); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range doc.Moved {
		got = append(got, m.From+" -> "+m.To)
	}
	addr := func(typ, path string) string { return typ + "." + logicalID(strings.Split(path, "/")) }
	want := []string{
		addr("t_a", "old/a") + " -> " + addr("t_a", "x/a"),
		addr("t_a", "y/ab") + " -> " + addr("t_a", "x/ab"),
		addr("t_b", "y/b/c") + " -> " + addr("t_b", "x/b/c"),
		addr("t_c", "w") + " -> " + addr("t_c", "z/leaf"),
		addr("t_a", "k/r") + " -> " + addr("t_a", "n/m/r"),
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("moved blocks:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// The subtrees to walk are the moves' paths not inside another's.
func TestOutermost(t *testing.T) {
	ms := []move{{"s/sg", "a"}, {"s", "b"}, {"c/c", "d"}, {"lb/tg-x", "e"}, {"lb/tg-xy", "f"}, {"s", "g"}}
	if got, want := outermost(ms), []string{"s", "c/c", "lb/tg-x", "lb/tg-xy"}; !slices.Equal(got, want) {
		t.Errorf("outermost = %v, want %v", got, want)
	}
}
