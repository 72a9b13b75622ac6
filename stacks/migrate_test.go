package stacks

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"selfhost/config"
	"selfhost/constructs/created"
	"selfhost/internal/synth"
)

func TestMain(m *testing.M) { synth.TestMain(m) }

// adoptSingleService moves exactly the listed resources under the moves'
// paths: every one gets one moved block (from the first move that holds
// it: x/ab is not under x/a, so it moves with x), and none outside: not a
// resource whose path only begins with the same letters (xy/d is not under
// x), not one beside the moves. The resources are cdktf's generic
// TerraformResource with three types: resourceType's per-class cache must
// not apply to them.
func TestAdoptMovesExactlyTheMovesPaths(t *testing.T) {
	app := cdktf.Testing_App(nil)
	st := cdktf.NewTerraformStack(app, jsii.String("s"))
	var rs created.List
	res := func(scope constructs.Construct, path, typ string) {
		id := path[strings.LastIndexByte(path, '/')+1:]
		created.Add(&rs, path, cdktf.NewTerraformResource(scope, jsii.String(id), &cdktf.TerraformResourceConfig{TerraformResourceType: jsii.String(typ)}))
	}
	group := func(scope constructs.Construct, id string) constructs.Construct {
		return constructs.NewConstruct(scope, jsii.String(id))
	}
	x := group(st, "x")
	res(x, "x/a", "t_a")
	res(x, "x/ab", "t_a")
	res(group(x, "b"), "x/b/c", "t_b")
	res(group(st, "xy"), "xy/d", "t_a")
	res(group(st, "z"), "z/leaf", "t_c")
	res(st, "other", "t_a")
	res(group(group(st, "n"), "m"), "n/m/r", "t_a")
	moves := func(string) []move {
		return []move{{"x/a", "old/a"}, {"x", "y"}, {"z/leaf", "w"}, {"n/m", "k"}, {"absent/q", "q"}}
	}
	adoptSingleService("", moves, rs)

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

// The resources the service and registry stacks give adoptSingleService
// are every Terraform resource of the constructs that the moves of any
// service name (the first part of each move's path) could apply to, each
// at its construct path, once: read back from the construct tree here, as
// the moves would have to without the lists. A resource a construct
// creates but does not list (or lists at another path) would keep its old
// address and be replaced. "production+" is production with the resources
// it leaves out: managed policies on the task roles, memory and request
// scaling, IPv6 ingress.
func TestCreatedListsEveryResourceAtItsPath(t *testing.T) {
	for _, env := range []string{"production", "local", "production+"} {
		cfg, err := config.LoadFile(filepath.Join("..", "environments", strings.TrimSuffix(env, "+")+".yaml"))
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(env, "+") {
			cfg.LoadBalancer.IngressIPv6CIDRs = []string{"2001:db8::/32"}
			cfg.Each(func(s *config.Service) {
				s.TaskRolePolicyARNs = []string{"arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"}
				s.Autoscaling.MemoryTarget = 70
				if s.HasTargetGroup() {
					s.Autoscaling.RequestsPerTarget = 100
				}
			})
		}
		app := cdktf.Testing_App(nil)
		var h handoff
		sts := map[string]Stack{}
		for _, part := range []string{config.PartNetwork, config.PartData, config.PartRegistry, config.PartService} {
			st, err := builders[part](app, cfg, &h)
			if err != nil {
				t.Fatalf("%s: %s: %v", env, part, err)
			}
			sts[part] = st
		}
		var tops []string
		for _, n := range cfg.ServiceNames() {
			for _, m := range append(singleServiceMoves(n), singleServiceRegistry(n)...) {
				tops = append(tops, strings.Split(m.to, "/")[0])
			}
		}
		for part, rs := range map[string]created.List{config.PartService: h.service.resources, config.PartRegistry: h.registry.resources} {
			st := sts[part]
			root := *st.ToString() + "/"
			var want, got []string
			for _, c := range *constructs.Node_Of(st).FindAll(constructs.ConstructOrder_PREORDER) {
				r, ok := c.(cdktf.TerraformResource)
				if !ok {
					continue
				}
				rel := strings.TrimPrefix(*r.ToString(), root)
				if slices.ContainsFunc(tops, func(top string) bool { return under(rel, top) }) {
					want = append(want, rel)
				}
			}
			for _, r := range rs {
				if p := *r.Resource.ToString(); p != root+r.Path {
					t.Errorf("%s %s: listed at %q, its construct path is %q", env, part, r.Path, p)
				}
				got = append(got, r.Path)
			}
			slices.Sort(want)
			slices.Sort(got)
			if len(want) == 0 || !slices.Equal(got, want) {
				t.Errorf("%s %s: listed resources\n%s\nwant (the construct tree's)\n%s", env, part, strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		}
	}
}
