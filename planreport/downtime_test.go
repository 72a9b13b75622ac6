package planreport

import (
	"slices"
	"strings"
	"testing"

	tfjson "github.com/hashicorp/terraform-json"
)

// change is a resource change of a hand-made plan.
func change(typ, name string, actions tfjson.Actions, before, after map[string]any) *tfjson.ResourceChange {
	return &tfjson.ResourceChange{Address: typ + "." + name, Mode: tfjson.ManagedResourceMode, Type: typ, Name: name,
		Change: &tfjson.Change{Actions: actions, Before: before, After: after}}
}

// unknownAfter marks an attribute of a change unknown until apply.
func unknownAfter(rc *tfjson.ResourceChange, attr string) *tfjson.ResourceChange {
	rc.Change.AfterUnknown = map[string]any{attr: true}
	return rc
}

// plan is a hand-made plan of changes whose prior state holds deployed.
func plan(changes []*tfjson.ResourceChange, deployed ...*tfjson.StateResource) *tfjson.Plan {
	return &tfjson.Plan{ResourceChanges: changes, PriorState: &tfjson.State{Values: &tfjson.StateValues{RootModule: &tfjson.StateModule{Resources: deployed}}}}
}

func lbIn(subnets ...string) *tfjson.StateResource {
	var list []any
	for _, s := range subnets {
		list = append(list, s)
	}
	return &tfjson.StateResource{Address: "aws_lb.alb", Mode: tfjson.ManagedResourceMode, Type: "aws_lb", Name: "alb", AttributeValues: map[string]any{"subnets": list}}
}

var (
	actDelete = tfjson.Actions{tfjson.ActionDelete}
	actUpdate = tfjson.Actions{tfjson.ActionUpdate}
)

// Downtime risks beyond destroys, and the two deploys of removing an AZ,
// on hand-made plans (the fixtures are single-stack plans).
func TestDowntimeAndAZRemoval(t *testing.T) {
	forward := func(arn string) map[string]any {
		return map[string]any{"default_action": []any{map[string]any{"type": "forward", "target_group_arn": arn}}, "ssl_policy": "p1"}
	}
	moved := forward("arn:tg/new")
	tls := forward("arn:tg/old")
	tls["ssl_policy"] = "p2"
	rule := func(arn string) map[string]any {
		return map[string]any{"action": []any{map[string]any{"type": "forward", "target_group_arn": arn}}, "priority": 100}
	}
	lbBlock := func(tg string) map[string]any {
		return map[string]any{"load_balancer": []any{map[string]any{"target_group_arn": tg, "container_port": 8080}}}
	}
	service := Stack{Name: "env-service", Plan: plan([]*tfjson.ResourceChange{
		change("aws_lb_listener", "https", actUpdate, forward("arn:tg/old"), moved),
		change("aws_lb_listener", "tls", actUpdate, forward("arn:tg/old"), tls), // silent: same target
		change("aws_ecs_service", "svc", actUpdate, lbBlock("arn:tg/old"), lbBlock("arn:tg/new")),
		change("aws_ecs_service", "same", actUpdate, lbBlock("arn:tg/old"), lbBlock("arn:tg/old")), // silent
		change("aws_lb", "alb", tfjson.Actions{tfjson.ActionDelete, tfjson.ActionCreate}, map[string]any{}, map[string]any{}),
		change("aws_lb_listener_rule", "route", actUpdate, rule("arn:tg/old"), rule("arn:tg/new")),
		change("aws_lb_listener_rule", "kept", actUpdate, rule("arn:tg/old"), rule("arn:tg/old")), // silent: same target
		change("aws_lb_listener_rule", "renamed", tfjson.Actions{tfjson.ActionDelete, tfjson.ActionCreate}, rule("arn:tg/old"), rule("arn:tg/old")),
	})}
	got := findings(Analyze([]Stack{service}, Options{}))
	want := []string{"destroy-critical aws_lb.alb", "downtime-risk aws_ecs_service.svc", "downtime-risk aws_lb.alb", "downtime-risk aws_lb_listener.https",
		"downtime-risk aws_lb_listener_rule.renamed", "downtime-risk aws_lb_listener_rule.route"}
	if !slices.Equal(got, want) {
		t.Errorf("downtime: findings %q, want %q", got, want)
	}

	subnetB := map[string]any{"id": "subnet-b", "availability_zone": "us-east-1b"}
	network := Stack{Name: "env-network", Plan: plan([]*tfjson.ResourceChange{change("aws_subnet", "public-b", actDelete, subnetB, nil)})}
	reason := func(stacks ...Stack) string {
		t.Helper()
		for _, f := range Analyze(stacks, Options{}).Findings {
			if f.RuleID == RuleAZRemoval && f.Address == "aws_subnet.public-b" {
				return f.Reason
			}
		}
		t.Fatalf("no %s finding on the subnet", RuleAZRemoval)
		return ""
	}
	for _, c := range []struct {
		name   string
		stacks []Stack
		want   []string
	}{
		{"removed while the load balancer uses it", []Stack{network, {Name: "env-service", Plan: plan(nil, lbIn("subnet-a", "subnet-b"))}},
			[]string{"a subnet of AZ us-east-1b while env-service aws_lb.alb still use(s) it", "DependencyViolation", "Retire it first", "availability_zones.retiring"}},
		{"removed after retiring", []Stack{network, {Name: "env-service", Plan: plan(nil, lbIn("subnet-a", "subnet-c"))}},
			[]string{"which no other stack of this report uses: step 2 of removing an AZ"}},
		{"network alone", []Stack{network},
			[]string{"the stacks that use subnets are not in this report: make sure the AZ was retired first"}},
	} {
		r := reason(c.stacks...)
		for _, w := range c.want {
			if !strings.Contains(r, w) {
				t.Errorf("%s: reason %q lacks %q", c.name, r, w)
			}
		}
	}

	// Step 1: the load balancer and the service leave the retiring AZ's subnets.
	ids := func(s ...string) []any {
		var out []any
		for _, x := range s {
			out = append(out, x)
		}
		return out
	}
	retire := Stack{Name: "env-service", Plan: plan([]*tfjson.ResourceChange{
		change("aws_lb", "alb", actUpdate, map[string]any{"subnets": ids("subnet-a", "subnet-b", "subnet-c")}, map[string]any{"subnets": ids("subnet-a", "subnet-c")}),
		change("aws_ecs_service", "svc", actUpdate, map[string]any{"network_configuration": []any{map[string]any{"subnets": ids("p-a", "p-b")}}},
			map[string]any{"network_configuration": []any{map[string]any{"subnets": ids("p-a")}}}),
		change("aws_vpc_endpoint", "logs", actUpdate, map[string]any{"subnet_ids": ids("p-a")}, map[string]any{"subnet_ids": ids("p-a", "p-c")}),    // silent: only adds
		unknownAfter(change("aws_vpc_endpoint", "sts", actUpdate, map[string]any{"subnet_ids": ids("p-a", "p-b")}, map[string]any{}), "subnet_ids"), // silent: replaced subnets
	})}
	r := Analyze([]Stack{retire}, Options{})
	if got, want := findings(r), []string{"az-removal aws_ecs_service.svc", "az-removal aws_lb.alb"}; !slices.Equal(got, want) {
		t.Fatalf("retiring: findings %q, want %q", got, want)
	}
	for _, f := range r.Findings {
		if !strings.Contains(f.Reason, "step 1 of removing it") {
			t.Errorf("%s: reason %q does not say step 1", f.Address, f.Reason)
		}
	}
	for _, f := range r.Findings {
		if !strings.Contains(f.Reason, "leaves 1 subnet(s)") {
			t.Errorf("%s: reason %q does not count the one subnet it leaves", f.Address, f.Reason)
		}
	}
}
