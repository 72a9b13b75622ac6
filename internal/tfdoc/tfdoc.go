// Package tfdoc reads resolved Terraform JSON: the resources of a
// cdk.tf.json document or of a plan's values, the references between them,
// and their security-group rules. The guardrails (on every synth) and the
// plan report (on terraform show -json) both read resources through it, so a
// fact about a resource, such as which security group is the load
// balancer's, is written once.
//
// Values are decoded JSON: strings, float64 or json.Number, bool, []any and
// map[string]any. cdktf writes some numbers and booleans as strings and a
// nested block as an object or a list of objects; the accessors take both.
package tfdoc

import (
	"encoding/json"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Str is v if it is a string, else "".
func Str(v any) string {
	s, _ := v.(string)
	return s
}

// Num reads a number or a numeric string; ok is false otherwise.
func Num(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	case string:
		f, err := strconv.ParseFloat(x, 64)
		return f, err == nil
	}
	return 0, false
}

// Int reads a whole number (or numeric string); -1 when v is none.
func Int(v any) int64 {
	if f, ok := Num(v); ok && f == float64(int64(f)) {
		return int64(f)
	}
	return -1
}

// Truthy reports whether v is true or "true".
func Truthy(v any) bool {
	switch x := v.(type) {
	case bool:
		return x
	case string:
		return x == "true"
	}
	return false
}

// Blocks reads a nested block written as an object or a list of objects.
func Blocks(v any) []map[string]any {
	switch x := v.(type) {
	case map[string]any:
		return []map[string]any{x}
	case []any:
		var out []map[string]any
		for _, e := range x {
			if m, ok := e.(map[string]any); ok {
				out = append(out, m)
			}
		}
		return out
	}
	return nil
}

// Strs reads a string or a list of strings (other elements are skipped).
func Strs(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

var (
	reInterpolation = regexp.MustCompile(`^\$\{([A-Za-z0-9_-]+)\.([^.}\[]+)(\[[^\]]*\])?\.[A-Za-z0-9_]+\}$`)
	reInstanceKey   = regexp.MustCompile(`\[[^\]]*\]`)
)

// Ref returns the address (type.name) a "${type.name.attr}" string refers
// to, or "".
func Ref(v any) string {
	if m := reInterpolation.FindStringSubmatch(Str(v)); m != nil {
		return m[1] + "." + m[2]
	}
	return ""
}

// RefType reports whether v refers to a resource of one of the types.
func RefType(v any, types ...string) bool {
	typ, _, ok := strings.Cut(Ref(v), ".")
	return ok && slices.Contains(types, typ)
}

// ReferenceAddress is the resource address of one entry of a plan
// configuration's "references" list (type.name, type.name.attr or
// type.name[key]...), without instance keys; "" for a reference to anything
// but a managed resource (var., local., data., module., ...).
func ReferenceAddress(ref string) string {
	parts := strings.Split(reInstanceKey.ReplaceAllString(ref, ""), ".")
	if len(parts) < 2 || !strings.Contains(parts[0], "_") { // resource types are <provider>_<name>
		return ""
	}
	return parts[0] + "." + parts[1]
}

// Resources are the resources of one document: type -> name -> attributes.
type Resources map[string]map[string]map[string]any

// FromDocument indexes the "resource" block of a cdk.tf.json document.
func FromDocument(doc map[string]any) Resources {
	r := Resources{}
	rs, _ := doc["resource"].(map[string]any)
	for typ, byName := range rs {
		m, _ := byName.(map[string]any)
		for n, attrs := range m {
			if a, _ := attrs.(map[string]any); a != nil {
				r.Add(typ+"."+n, a)
			}
		}
	}
	return r
}

// Add records the attributes of the resource at addr (type.name).
func (r Resources) Add(addr string, a map[string]any) {
	typ, n, _ := strings.Cut(addr, ".")
	if r[typ] == nil {
		r[typ] = map[string]map[string]any{}
	}
	r[typ][n] = a
}

// Each calls f for every resource of the given types, type by type in the
// given order and by name within a type.
func (r Resources) Each(f func(addr string, a map[string]any), types ...string) {
	for _, typ := range types {
		for _, n := range slices.Sorted(maps.Keys(r[typ])) {
			f(typ+"."+n, r[typ][n])
		}
	}
}

// Get returns the attributes of the resource at addr, or nil.
func (r Resources) Get(addr string) map[string]any {
	typ, n, _ := strings.Cut(addr, ".")
	return r[typ][n]
}

// Count is the number of resources of a type.
func (r Resources) Count(typ string) int { return len(r[typ]) }

// ConstructPath is the construct path cdktf records in a resource's
// metadata ("//": {"metadata": {"path": ...}}), or "".
func ConstructPath(a map[string]any) string {
	md, _ := a["//"].(map[string]any)
	m, _ := md["metadata"].(map[string]any)
	return Str(m["path"])
}
