package planreport

import (
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"

	tfjson "github.com/hashicorp/terraform-json"
)

// A Difference is one way a new plan of a stack departs from the plan that
// was reviewed, found by [Compare].
type Difference struct {
	// Address is the resource address; "" for the plan as a whole.
	Address string
	// What says what differs, in the words of a review: the reviewed value
	// or action first, then the new one. Sensitive values are hidden.
	What string
}

func (d Difference) String() string {
	if d.Address == "" {
		return d.What
	}
	return d.Address + ": " + d.What
}

// Compare reports how the current plan of a stack differs from the reviewed
// plan of the same stack; none means the current plan may be applied in
// place of the reviewed one. The merge-to-main workflow re-plans each
// downstream stack after the stacks before it have applied and applies the
// new plan only when Compare finds nothing.
//
// The plans match when they make the same resource changes:
//
//   - The same managed resource instances change (every resource_changes
//     entry of mode "managed" whose actions are not ["no-op"], deposed
//     objects included), and nothing else.
//   - Each has the same actions (an update is not a replacement;
//     create-before-destroy is not destroy-before-create), the same
//     previous_address (a move) and the same import.
//   - Each has the same planned values (change.after), compared leaf by leaf:
//     a value the reviewed plan marked unknown (after_unknown: "known after
//     apply") matches any value, known or not, in the current plan, because
//     the reviewer accepted whatever it would become; a value the reviewed
//     plan knew must be equal in the current plan, and a value that became
//     unknown is a difference. Lists must have the same length unless the
//     reviewed list as a whole was unknown. Sensitive values are compared
//     like any other but never printed.
//
// Not compared, and why: before values (a re-plan refreshes them; the
// reviewed end state and actions are what counts), data sources (what they
// read reaches the managed resources, which are compared), output changes
// (outputs are derived from resources; the stacks that read them are
// re-planned and compared in their turn), and replace_paths / action_reason
// (explanations of the actions, which are compared). A current plan that is
// incomplete (complete: false: deferred changes or -target) never matches.
//
// Sets are lists in plan JSON, in an order Terraform derives from their
// values; when unknown values become known the order can change, and the
// comparison then reports a difference. That errs the safe way: the apply
// stops and the new plan is reviewed.
func Compare(reviewed, current *tfjson.Plan) []Difference {
	var out []Difference
	if current.Complete != nil && !*current.Complete {
		out = append(out, Difference{What: "the new plan is incomplete (deferred changes or -target): it cannot stand in for the reviewed plan"})
	}
	sec := collectSecrets(reviewed)
	maps.Copy(sec, collectSecrets(current))
	r, c := changesByInstance(reviewed), changesByInstance(current)
	keys := slices.Sorted(maps.Keys(r))
	for k := range c {
		if _, ok := r[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		rc, cc := r[k], c[k]
		switch {
		case cc == nil:
			out = append(out, Difference{k, "reviewed: " + actionName(rc) + "; new plan: no change"})
		case rc == nil:
			out = append(out, Difference{k, "not in the reviewed plan; new plan: " + actionName(cc)})
		case !slices.Equal(rc.Change.Actions, cc.Change.Actions) || rc.PreviousAddress != cc.PreviousAddress ||
			!sameImport(rc.Change.Importing, cc.Change.Importing):
			out = append(out, Difference{k, "reviewed: " + actionName(rc) + "; new plan: " + actionName(cc)})
		default:
			var diffs []string
			compareValues(nil, rc.Change.After, cc.Change.After, rc.Change.AfterUnknown, cc.Change.AfterUnknown,
				rc.Change.AfterSensitive, cc.Change.AfterSensitive, sec, &diffs)
			for _, d := range diffs {
				out = append(out, Difference{k, d})
			}
		}
	}
	return out
}

// changesByInstance indexes a plan's managed resource changes that are not
// no-ops by address (and deposed key).
func changesByInstance(p *tfjson.Plan) map[string]*tfjson.ResourceChange {
	m := map[string]*tfjson.ResourceChange{}
	for _, rc := range p.ResourceChanges {
		if rc == nil || rc.Change == nil || rc.Mode != tfjson.ManagedResourceMode {
			continue
		}
		a := rc.Change.Actions
		if (a.NoOp() || len(a) == 0) && rc.Change.Importing == nil && (rc.PreviousAddress == "" || rc.PreviousAddress == rc.Address) {
			continue
		}
		k := rc.Address
		if rc.DeposedKey != "" {
			k += " (deposed " + rc.DeposedKey + ")"
		}
		m[k] = rc
	}
	return m
}

func sameImport(a, b *tfjson.Importing) bool { return reflect.DeepEqual(a, b) }

// compareValues walks the reviewed (r) and current (c) planned values with
// their unknown (ru, cu) and sensitive (rs, cs) marks and appends one line
// per differing leaf.
func compareValues(path []any, r, c, ru, cu, rs, cs any, sec secrets, out *[]string) {
	if isTrue(ru) {
		return // unknown when reviewed: any value was accepted
	}
	at := formatPath(path)
	if at == "" {
		at = "(the whole object)"
	}
	show := func(v, marks any) string { return showValue(v, marks, sec) }
	if isTrue(cu) {
		*out = append(*out, fmt.Sprintf("%s: reviewed %s; new plan: known only after apply", at, show(r, rs)))
		return
	}
	rm, rIsMap := r.(map[string]any)
	cm, cIsMap := c.(map[string]any)
	if rIsMap && cIsMap {
		keys := map[string]bool{}
		for _, m := range []any{rm, cm, ru, cu} {
			if mm, ok := m.(map[string]any); ok {
				for k := range mm {
					keys[k] = true
				}
			}
		}
		for _, k := range slices.Sorted(maps.Keys(keys)) {
			compareValues(append(path, k), rm[k], cm[k], sub(ru, k), sub(cu, k), sub(rs, k), sub(cs, k), sec, out)
		}
		return
	}
	rl, rIsList := r.([]any)
	cl, cIsList := c.([]any)
	if rIsList && cIsList && len(rl) == len(cl) {
		for i := range rl {
			compareValues(append(path, i), rl[i], cl[i], sub(ru, i), sub(cu, i), sub(rs, i), sub(cs, i), sec, out)
		}
		return
	}
	if !sameValue(r, c) {
		*out = append(*out, fmt.Sprintf("%s: reviewed %s; new plan: %s", at, show(r, rs), show(c, cs)))
	}
}

// sameValue compares two decoded JSON leaves (or unequal containers);
// numbers are equal when they denote the same number.
func sameValue(a, b any) bool {
	an, aok := a.(json.Number)
	bn, bok := b.(json.Number)
	if aok && bok {
		if af, err1 := an.Float64(); err1 == nil {
			if bf, err2 := bn.Float64(); err2 == nil {
				return af == bf
			}
		}
		return an == bn
	}
	return reflect.DeepEqual(a, b)
}

// CompareText is the message for the differences between the reviewed and
// the current plan of a stack: a first line naming the stack, then one line
// per difference.
func CompareText(stack string, diffs []Difference, changes int) string {
	if len(diffs) == 0 {
		return fmt.Sprintf("%s: the new plan matches the reviewed plan (%d resource change(s))\n", stack, changes)
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "%s: the new plan differs from the reviewed plan (%d difference(s)):\n", stack, len(diffs))
	for _, d := range diffs {
		sb.WriteString("  " + d.String() + "\n")
	}
	return sb.String()
}

// ChangeCount is the number of managed resource changes of a plan that are
// not no-ops (what [Compare] compares).
func ChangeCount(p *tfjson.Plan) int { return len(changesByInstance(p)) }
