package guardrails

import (
	"encoding/json"
	"strings"

	"selfhost/config"
	"selfhost/internal/tfdoc"
)

// stack is one stack's resources (read through tfdoc), with the lookups
// the checks share.
type stack struct {
	name string
	res  tfdoc.Resources
}

func newStack(name string, doc map[string]any) *stack {
	return &stack{name: name, res: tfdoc.FromDocument(doc)}
}

// path is the construct path of a resource, from cdktf's metadata.
func (s *stack) path(addr string) string {
	if addr == "" {
		return ""
	}
	return tfdoc.ConstructPath(s.res.Get(addr))
}

// tier of a subnet: its "tier" tag, else a tier word in its construct path.
func (s *stack) tier(addr string) string {
	a := s.res.Get(addr)
	if tags, ok := a["tags"].(map[string]any); ok {
		if t := tfdoc.Str(tags["tier"]); t != "" {
			return t
		}
	}
	p := s.path(addr)
	for _, t := range []string{"database", "private", "public"} {
		if strings.Contains(p, "/"+t) {
			return t
		}
	}
	return ""
}

// subnetAZs maps subnet addresses to their availability zone.
func (s *stack) subnetAZs() map[string]string {
	out := map[string]string{}
	s.res.Each(func(addr string, a map[string]any) {
		az := tfdoc.Str(a["availability_zone"])
		if az == "" {
			az = tfdoc.Str(a["availability_zone_id"])
		}
		out[addr] = az
	}, "aws_subnet")
	return out
}

// albs calls f for every application load balancer of the stack.
func (s *stack) albs(f func(addr string, a map[string]any)) {
	s.res.Each(func(addr string, a map[string]any) {
		if tfdoc.IsApplicationLoadBalancer(a) {
			f(addr, a)
		}
	}, tfdoc.LoadBalancerTypes...)
}

// containers decodes the container definitions of every task definition.
func (s *stack) containers(f func(addr string, c map[string]any)) {
	s.res.Each(func(addr string, a map[string]any) {
		var defs []map[string]any
		switch v := a["container_definitions"].(type) {
		case string:
			if err := json.Unmarshal([]byte(v), &defs); err != nil {
				f(addr, map[string]any{"name": "(unreadable container_definitions)"})
				return
			}
		case []any:
			defs = tfdoc.Blocks(v)
		}
		for _, c := range defs {
			f(addr, c)
		}
	}, "aws_ecs_task_definition")
}

// isStateStack: the state rules apply to the buckets of <env>-state.
func (s *stack) isStateStack() bool {
	part, _ := config.PartOf(s.name)
	return part == config.PartState
}

// refersTo reports whether a "bucket" attribute names the bucket at addr.
func (s *stack) refersTo(v any, addr string) bool {
	if tfdoc.Ref(v) == addr {
		return true
	}
	name := tfdoc.Str(s.res.Get(addr)["bucket"])
	return name != "" && tfdoc.Str(v) == name
}

// bucketConfig finds the resources of typ configuring the bucket at addr.
func (s *stack) bucketConfig(addr, typ string) []map[string]any {
	var out []map[string]any
	s.res.Each(func(_ string, a map[string]any) {
		if s.refersTo(a["bucket"], addr) {
			out = append(out, a)
		}
	}, typ)
	return out
}

func (s *stack) buckets(f func(addr string, a map[string]any) string) []hit {
	if !s.isStateStack() {
		return nil
	}
	var hits []hit
	s.res.Each(func(addr string, a map[string]any) {
		if msg := f(addr, a); msg != "" {
			hits = append(hits, hit{addr, msg})
		}
	}, "aws_s3_bucket")
	return hits
}
