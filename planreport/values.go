package planreport

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	tfjson "github.com/hashicorp/terraform-json"
)

const (
	sensitiveText = "(sensitive value)"
	unknownText   = "(known after apply)"
	// maxValueLen bounds one printed attribute value, in bytes.
	maxValueLen = 400
)

func newDecoder(data []byte) *json.Decoder {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	return dec
}

// isTrue reports whether a sensitivity or unknown mark is the JSON true.
func isTrue(mark any) bool {
	b, ok := mark.(bool)
	return ok && b
}

// sub returns the mark for a map key (string) or list index (int).
func sub(mark any, step any) any {
	switch m := mark.(type) {
	case map[string]any:
		if k, ok := step.(string); ok {
			return m[k]
		}
	case []any:
		if i, ok := step.(int); ok && i < len(m) {
			return m[i]
		}
	}
	return nil
}

// redact returns a copy of v in which every value marked sensitive is
// replaced by the text "(sensitive value)".
func redact(v, marks any) any {
	if isTrue(marks) {
		return sensitiveText
	}
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			out[k] = redact(e, sub(marks, k))
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = redact(e, sub(marks, i))
		}
		return out
	}
	return v
}

// secrets are the string values a plan marks sensitive anywhere. Providers
// sometimes copy a sensitive value into an attribute they do not mark (the
// AWS provider's tags_all does), so the report hides every occurrence.
type secrets map[string]bool

// minSecretSubstring is the shortest secret also hidden inside longer
// strings; shorter ones are hidden only where they are the whole value.
const minSecretSubstring = 6

// collectSecrets gathers the sensitive strings of a plan: marked values of
// resource and output changes, and the values of sensitive root variables.
func collectSecrets(p *tfjson.Plan) secrets {
	sec := secrets{}
	for _, rc := range p.ResourceChanges {
		sec.collect(rc.Change.Before, rc.Change.BeforeSensitive)
		sec.collect(rc.Change.After, rc.Change.AfterSensitive)
	}
	for name, oc := range p.OutputChanges {
		if oc != nil && !crossStackCopy(p, name) {
			sec.collect(oc.Before, oc.BeforeSensitive)
			sec.collect(oc.After, oc.AfterSensitive)
		}
	}
	if p.Config != nil && p.Config.RootModule != nil {
		for name, v := range p.Config.RootModule.Variables {
			if v != nil && v.Sensitive && p.Variables[name] != nil {
				sec.collect(p.Variables[name].Value, true)
			}
		}
	}
	return sec
}

// CrossStackOutputPrefix starts the name of every output cdktf writes for a
// value another stack reads. cdktf marks each of them sensitive, whatever
// the value (a subnet id, an AZ name), so the mark says nothing about it.
const CrossStackOutputPrefix = "cross-stack-output-"

// crossStackCopy reports whether output name is a cdktf cross-stack output
// that only copies attributes of managed resources this plan changes: their
// own sensitive marks, collected from the resource changes, decide what is
// secret. Without the exception every AZ name or id another stack reads
// would be hidden wherever it appears in the report. An output that reads
// anything else (a variable, a data source, a local) keeps its mark.
func crossStackCopy(p *tfjson.Plan, name string) bool {
	if !strings.HasPrefix(name, CrossStackOutputPrefix) || p.Config == nil || p.Config.RootModule == nil {
		return false
	}
	o := p.Config.RootModule.Outputs[name]
	if o == nil || o.Expression == nil || len(o.Expression.References) == 0 {
		return false
	}
	managed := map[string]bool{}
	for _, rc := range p.ResourceChanges {
		if rc.Mode == tfjson.ManagedResourceMode && rc.ModuleAddress == "" {
			managed[rc.Type+"."+rc.Name] = true
		}
	}
	for _, ref := range o.Expression.References {
		parts := strings.SplitN(ref, ".", 3)
		if len(parts) < 2 || !managed[parts[0]+"."+parts[1]] {
			return false
		}
	}
	return true
}

func (sec secrets) collect(v, marks any) {
	switch t := v.(type) {
	case string:
		if isTrue(marks) && t != "" {
			sec[t] = true
		}
	case json.Number:
		if isTrue(marks) {
			sec[t.String()] = true
		}
	case map[string]any:
		for k, e := range t {
			sec.collect(e, markOrSub(marks, k))
		}
	case []any:
		for i, e := range t {
			sec.collect(e, markOrSub(marks, i))
		}
	}
}

func markOrSub(marks any, step any) any {
	if isTrue(marks) {
		return true
	}
	return sub(marks, step)
}

// hides reports whether s is or contains a secret.
func (sec secrets) hides(s string) bool {
	if sec[s] {
		return true
	}
	for secret := range sec {
		if len(secret) >= minSecretSubstring && strings.Contains(s, secret) {
			return true
		}
	}
	return false
}

// scrub replaces every string or number leaf of v that hides a secret.
func (sec secrets) scrub(v any) any {
	if len(sec) == 0 {
		return v
	}
	switch t := v.(type) {
	case string:
		if sec.hides(t) {
			return sensitiveText
		}
	case json.Number:
		if sec[t.String()] {
			return sensitiveText
		}
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			out[k] = sec.scrub(e)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = sec.scrub(e)
		}
		return out
	}
	return v
}

// attrDiff is one changed attribute of an update or replacement.
type attrDiff struct {
	path   []any // map keys (string) and list indexes (int)
	before string
	after  string
	// kind is '+' (attribute set), '-' (attribute removed) or '~' (changed).
	kind              byte
	forcesReplacement bool
}

// diffChange lists the changed leaf attributes of a change. Values marked
// sensitive are compared but printed as "(sensitive value)".
func diffChange(c *tfjson.Change, sec secrets) []attrDiff {
	var out []attrDiff
	walkDiff(nil, c.Before, c.After, c.BeforeSensitive, c.AfterSensitive, c.AfterUnknown, sec, &out)
	for i := range out {
		for _, rp := range c.ReplacePaths {
			if steps, ok := rp.([]any); ok && hasPrefix(out[i].path, steps) {
				out[i].forcesReplacement = true
				break
			}
		}
	}
	return out
}

func walkDiff(path []any, b, a, bs, as, au any, sec secrets, out *[]attrDiff) {
	emit := func(after string) {
		kind := byte('~')
		switch {
		case b == nil:
			kind = '+'
		case a == nil && !isTrue(au):
			kind = '-'
		}
		*out = append(*out, attrDiff{
			path:   append([]any(nil), path...),
			before: showValue(b, bs, sec),
			after:  after,
			kind:   kind,
		})
	}
	if isTrue(au) {
		emit(unknownText)
		return
	}
	if isTrue(bs) || isTrue(as) {
		if !reflect.DeepEqual(b, a) {
			emit(showValue(a, as, sec))
		}
		return
	}
	if bj, aj, ok := jsonDocuments(b, a); ok {
		// Policies and other JSON documents in string attributes: diff the
		// documents, so one changed statement is one line.
		walkDiff(append(path, jsonStep{}), bj, aj, nil, nil, nil, sec, out)
		return
	}
	bm, bIsMap := b.(map[string]any)
	am, aIsMap := a.(map[string]any)
	if (bIsMap || aIsMap) && (bIsMap || b == nil) && (aIsMap || a == nil) {
		keys := map[string]bool{}
		for k := range bm {
			keys[k] = true
		}
		for k := range am {
			keys[k] = true
		}
		if um, ok := au.(map[string]any); ok {
			for k := range um {
				keys[k] = true
			}
		}
		sorted := make([]string, 0, len(keys))
		for k := range keys {
			sorted = append(sorted, k)
		}
		sort.Strings(sorted)
		for _, k := range sorted {
			walkDiff(append(path, k), bm[k], am[k], sub(bs, k), sub(as, k), sub(au, k), sec, out)
		}
		return
	}
	bl, bIsList := b.([]any)
	al, aIsList := a.([]any)
	if (bIsList || aIsList) && (bIsList || b == nil) && (aIsList || a == nil) {
		n := max(len(bl), len(al))
		if ul, ok := au.([]any); ok {
			n = max(n, len(ul))
		}
		for i := 0; i < n; i++ {
			walkDiff(append(path, i), index(bl, i), index(al, i), sub(bs, i), sub(as, i), sub(au, i), sec, out)
		}
		return
	}
	if !reflect.DeepEqual(b, a) {
		emit(showValue(a, as, sec))
	}
}

// jsonStep marks a path step into a JSON document held in a string.
type jsonStep struct{}

// jsonDocuments decodes b and a when both are different strings holding
// JSON objects or arrays.
func jsonDocuments(b, a any) (bj, aj any, ok bool) {
	bs, ok1 := b.(string)
	as, ok2 := a.(string)
	if !ok1 || !ok2 || bs == as {
		return nil, nil, false
	}
	decode := func(s string) (any, bool) {
		t := strings.TrimSpace(s)
		if t == "" || (t[0] != '{' && t[0] != '[') {
			return nil, false
		}
		var v any
		if err := newDecoder([]byte(t)).Decode(&v); err != nil {
			return nil, false
		}
		return v, true
	}
	bj, ok1 = decode(bs)
	aj, ok2 = decode(as)
	return bj, aj, ok1 && ok2
}

func index(l []any, i int) any {
	if i < len(l) {
		return l[i]
	}
	return nil
}

// hasPrefix reports whether the replace path prefix (from plan JSON, indexes
// as json.Number or float64) is a prefix of path.
func hasPrefix(path, prefix []any) bool {
	if len(prefix) > len(path) {
		return false
	}
	for i, step := range prefix {
		if stepString(step) != stepString(path[i]) {
			return false
		}
	}
	return true
}

func stepString(step any) string {
	switch s := step.(type) {
	case string:
		return "k:" + s
	case int:
		return "i:" + strconv.Itoa(s)
	case json.Number:
		return "i:" + s.String()
	case float64:
		return "i:" + strconv.FormatFloat(s, 'f', -1, 64)
	case jsonStep:
		return "json"
	}
	return fmt.Sprintf("?:%v", step)
}

var identifier = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]*$`)

// formatPath renders a path the way Terraform writes attribute references:
// tags["kubernetes.io/role"], ingress[0].cidr_blocks[1].
func formatPath(path []any) string {
	var sb strings.Builder
	first := true // no dot before the first key (or the first after " (JSON)")
	for _, step := range path {
		switch s := step.(type) {
		case string:
			if identifier.MatchString(s) {
				if !first {
					sb.WriteByte('.')
				} else if sb.Len() > 0 {
					sb.WriteByte(' ')
				}
				sb.WriteString(s)
			} else {
				sb.WriteString("[" + strconv.Quote(s) + "]")
			}
		case int:
			sb.WriteString("[" + strconv.Itoa(s) + "]")
		case jsonStep:
			sb.WriteString(" (JSON)")
			first = true
			continue
		}
		first = false
	}
	return sb.String()
}

// showValue renders a value for the report, hiding what marks say is
// sensitive and shortening long values.
func showValue(v, marks any, sec secrets) string {
	if isTrue(marks) {
		return sensitiveText
	}
	clean := sec.scrub(redact(v, marks))
	if clean == sensitiveText {
		return sensitiveText
	}
	data, err := json.Marshal(clean)
	if err != nil {
		return "(unprintable value)"
	}
	return shorten(string(data), maxValueLen)
}

// shorten cuts s to at most n bytes on a rune boundary, marking the cut.
func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + fmt.Sprintf("…(%d more bytes)", len(s)-cut)
}
