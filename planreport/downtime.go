package planreport

// Downtime risks (changes that apply cleanly but interrupt traffic on AWS)
// and the removal of an availability zone, which must be done in two
// deploys: the second looks at every stack of the report.

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"sort"
	"strings"

	tfjson "github.com/hashicorp/terraform-json"
)

// Rule IDs of this file.
const (
	RuleDowntimeRisk = "downtime-risk"
	RuleAZRemoval    = "az-removal"
)

// downtimeReplace says what a replacement of these types does to traffic,
// whichever order Terraform replaces in.
var downtimeReplace = map[string]string{
	"aws_lb":               "a new load balancer has a new DNS name: clients fail until the alias records move and their DNS caches expire",
	"aws_alb":              "a new load balancer has a new DNS name: clients fail until the alias records move and their DNS caches expire",
	"aws_lb_target_group":  "the listener moves to the new, empty target group: 503s until the service's tasks are registered and healthy in it (create_before_destroy does not wait for that)",
	"aws_alb_target_group": "the listener moves to the new, empty target group: 503s until the service's tasks are registered and healthy in it (create_before_destroy does not wait for that)",
	"aws_lb_listener":      "the port refuses connections between the old listener's deletion and the new one's creation",
	"aws_alb_listener":     "the port refuses connections between the old listener's deletion and the new one's creation",
	"aws_ecs_service":      "the old service's tasks are drained and stopped before the new service's tasks are healthy: no target serves meanwhile",
	// A rule cannot be created before its old self is deleted: the
	// listener refuses a second rule with the same priority (PriorityInUse).
	"aws_lb_listener_rule":  "between the old rule's deletion and the new one's creation its hosts get the listener's default action (the fixed 404)",
	"aws_alb_listener_rule": "between the old rule's deletion and the new one's creation its hosts get the listener's default action (the fixed 404)",
}

// downtimeRiskChecks is RULES.md's description of checkDowntimeRisk.
func downtimeRiskChecks() string {
	return "replace (either order) of " + codeList(slices.Sorted(maps.Keys(downtimeReplace))) + "; an update of `aws_lb_listener` / `aws_alb_listener` " +
		"that changes a `default_action`'s `target_group_arn` or `forward` target groups, or of `aws_lb_listener_rule` / `aws_alb_listener_rule` " +
		"that changes an `action`'s; an update of `aws_ecs_service` that changes its `load_balancer`."
}

func checkDowntimeRisk(si *stackInfo) []Finding {
	var out []Finding
	for _, rc := range si.managedChanges() {
		a := rc.Change.Actions
		if what, ok := downtimeReplace[rc.Type]; ok && a.Replace() {
			out = append(out, si.finding(rc, RuleDowntimeRisk, what))
			continue
		}
		if !a.Update() {
			continue
		}
		before, after := values(rc.Change)
		switch rc.Type {
		case "aws_lb_listener", "aws_alb_listener":
			if !reflect.DeepEqual(targets(before["default_action"]), targets(after["default_action"])) || unknownAt(rc.Change.AfterUnknown, "default_action.target_group_arn") {
				out = append(out, si.finding(rc, RuleDowntimeRisk, "the listener forwards to another target group: 503s unless the service's tasks are registered and healthy there before the listener moves"))
			}
		case "aws_lb_listener_rule", "aws_alb_listener_rule":
			if !reflect.DeepEqual(targets(before["action"]), targets(after["action"])) || unknownAt(rc.Change.AfterUnknown, "action.target_group_arn") {
				out = append(out, si.finding(rc, RuleDowntimeRisk, "the rule forwards its hosts to another target group: 503s unless the service's tasks are registered and healthy there before the rule moves"))
			}
		case "aws_ecs_service":
			if !reflect.DeepEqual(before["load_balancer"], after["load_balancer"]) {
				out = append(out, si.finding(rc, RuleDowntimeRisk, "the service's tasks move to another target group or container port (a new deployment): traffic is served only where healthy targets are registered"))
			}
		}
	}
	return out
}

// targets are the target group ARNs a listener's default actions forward to.
func targets(actions any) []string {
	var out []string
	list, _ := actions.([]any)
	for _, a := range list {
		m, _ := a.(map[string]any)
		if arn, _ := m["target_group_arn"].(string); arn != "" {
			out = append(out, arn)
		}
		fwd, _ := m["forward"].([]any)
		for _, f := range fwd {
			fm, _ := f.(map[string]any)
			groups, _ := fm["target_group"].([]any)
			for _, g := range groups {
				gm, _ := g.(map[string]any)
				if arn, _ := gm["arn"].(string); arn != "" {
					out = append(out, arn)
				}
			}
		}
	}
	sort.Strings(out)
	return out
}

// retireHowTo is the safe way to remove an AZ, quoted in findings.
const retireHowTo = "remove an AZ in two deploys: first list it in `availability_zones.retiring` and deploy every stack " +
	"(the load balancer, the tasks and the endpoints leave it; its subnets stay), then remove it from `availability_zones` and deploy again"

// checkAZRemoval looks at every stack at once (reasons name no subnet id:
// cdktf's cross-stack outputs are sensitive, so the report would hide
// them): a subnet the plan of one
// stack deletes (not replaces) must not be used by what another stack has
// deployed now (its prior state), whatever that stack's own plan does
// later: the network stack applies first, and AWS refuses to delete a
// subnet in use (DependencyViolation). Subnets that leave the load
// balancer, a service or an endpoint are step 1 of the same path.
func checkAZRemoval(stacks []Stack) map[string][]Finding {
	out := map[string][]Finding{}
	type gone struct {
		stack string
		rc    *tfjson.ResourceChange
		id    string
		az    string
	}
	var deleted []gone
	for _, s := range stacks {
		for _, rc := range s.Plan.ResourceChanges {
			if rc.Mode != tfjson.ManagedResourceMode || rc.Type != "aws_subnet" || !rc.Change.Actions.Delete() {
				continue
			}
			before, _ := values(rc.Change)
			id, _ := before["id"].(string)
			az, _ := before["availability_zone"].(string)
			if az == "" {
				az, _ = before["availability_zone_id"].(string)
			}
			deleted = append(deleted, gone{s.Name, rc, id, az})
		}
	}
	for _, d := range deleted {
		var users []string
		others := 0
		for _, s := range stacks {
			if s.Name == d.stack {
				continue
			}
			others++
			for _, addr := range usersOf(s.Plan, d.id) {
				users = append(users, s.Name+" "+addr)
			}
		}
		si := &stackInfo{Stack: Stack{Name: d.stack}}
		var reason string
		switch {
		case d.id == "":
			continue
		case len(users) > 0:
			reason = fmt.Sprintf("deletes a subnet of AZ %s while %s still use(s) it (deployed now; the network applies first, whatever the later stacks' plans do): AWS refuses (DependencyViolation) and the deploy stops half-way. Retire it first: %s",
				orNone(d.az), strings.Join(users, ", "), retireHowTo)
		case others == 0:
			reason = fmt.Sprintf("deletes a subnet of AZ %s; the stacks that use subnets are not in this report: make sure the AZ was retired first (%s)", orNone(d.az), retireHowTo)
		default:
			reason = fmt.Sprintf("deletes a subnet of AZ %s, which no other stack of this report uses: step 2 of removing an AZ (%s)", orNone(d.az), retireHowTo)
		}
		out[d.stack] = append(out[d.stack], si.finding(d.rc, RuleAZRemoval, reason))
	}
	for _, s := range stacks {
		si := &stackInfo{Stack: s}
		for _, rc := range si.managedChanges() {
			if !rc.Change.Actions.Update() {
				continue
			}
			before, after := values(rc.Change)
			var left []string
			for _, attr := range subnetAttrs[rc.Type] {
				if unknownAt(rc.Change.AfterUnknown, attr) {
					continue // new subnets (replaced ones): not a removal
				}
				left = append(left, minus(subnetIDs(before, attr), subnetIDs(after, attr))...)
			}
			if len(left) > 0 {
				out[s.Name] = append(out[s.Name], si.finding(rc, RuleAZRemoval, fmt.Sprintf(
					"leaves %d subnet(s): if their AZ is retiring this is step 1 of removing it; %s", len(left), retireHowTo)))
			}
		}
	}
	return out
}

// subnetAttrs are where the resources AWS places network interfaces for
// list their subnets.
var subnetAttrs = map[string][]string{
	"aws_lb":           {"subnets"},
	"aws_alb":          {"subnets"},
	"aws_vpc_endpoint": {"subnet_ids"},
	"aws_ecs_service":  {"network_configuration.subnets"},
}

// unknownAt reports whether the value at path (one nested block level) is
// unknown until apply, in whole or in part.
func unknownAt(afterUnknown any, path string) bool {
	m, _ := afterUnknown.(map[string]any)
	head, rest, nested := strings.Cut(path, ".")
	switch v := m[head].(type) {
	case bool:
		return v
	case []any:
		for _, e := range v {
			if nested && unknownAt(e, rest) || !nested && e == true {
				return true
			}
		}
	}
	return false
}

// subnetIDs reads a list of subnet ids at a path (one nested block level).
func subnetIDs(v map[string]any, path string) []string {
	head, rest, nested := strings.Cut(path, ".")
	var out []string
	if nested {
		blocks, _ := v[head].([]any)
		for _, b := range blocks {
			bm, _ := b.(map[string]any)
			out = append(out, subnetIDs(bm, rest)...)
		}
		return out
	}
	list, _ := v[head].([]any)
	for _, x := range list {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func minus(a, b []string) []string {
	var out []string
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	sort.Strings(out)
	return out
}

// usersOf are the addresses of resources in the plan's prior state (what
// is deployed when the plan is made) that hold the string id anywhere in
// their values.
func usersOf(p *tfjson.Plan, id string) []string {
	seen := map[string]bool{}
	var out []string
	var visit func(m *tfjson.StateModule)
	visit = func(m *tfjson.StateModule) {
		if m == nil {
			return
		}
		for _, r := range m.Resources {
			if r == nil || r.Mode != tfjson.ManagedResourceMode || seen[r.Address] {
				continue
			}
			if holds(r.AttributeValues, id) {
				seen[r.Address] = true
				out = append(out, r.Address)
			}
		}
		for _, c := range m.ChildModules {
			visit(c)
		}
	}
	if p.PriorState != nil && p.PriorState.Values != nil {
		visit(p.PriorState.Values.RootModule)
	}
	sort.Strings(out)
	return out
}

func holds(v any, id string) bool {
	switch x := v.(type) {
	case string:
		return x == id
	case []any:
		for _, e := range x {
			if holds(e, id) {
				return true
			}
		}
	case map[string]any:
		for _, e := range x {
			if holds(e, id) {
				return true
			}
		}
	}
	return false
}
