// Package guardrails checks the synthesized Terraform of every stack against
// the production policy (RULES.md) on every synth. The rules read the
// resolved Terraform JSON of a stack, escape-hatch overrides included, not
// the environment's configuration: whatever reaches cdk.tf.json is what is
// checked.
//
// A finding is an error (the synth fails), a warning (printed on stderr and
// recorded as a cdktf warning annotation) or nothing, depending on the rule,
// on whether the environment is a production one and on the environment's
// exemptions (policy.exemptions in its file).
package guardrails

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"selfhost/config"
)

// Level is what a finding does to the synth.
type Level int

// Levels, from harmless to fatal.
const (
	Off Level = iota
	Warn
	Error
)

func (l Level) String() string {
	switch l {
	case Warn:
		return "warning"
	case Error:
		return "error"
	}
	return "off"
}

// Rule is one policy rule.
type Rule struct {
	// ID names the rule in messages and in policy.exemptions.
	ID string
	// Checks says what the rule looks for, for RULES.md.
	Checks string
	// Fix says what to change.
	Fix string
	// NonProduction is the level of a finding in a non-production
	// environment (production: always Error).
	NonProduction Level
	// Why explains the non-production level, for RULES.md.
	Why   string
	check func(s *stack) []hit
}

// hit is one violation of a rule by one resource ("" for the whole stack).
type hit struct {
	addr   string // type.name
	detail string
}

// Finding is a rule violation in a stack.
type Finding struct {
	Rule  string
	Level Level
	Stack string
	// Address is the Terraform address (type.name), "" for the stack.
	Address string
	// Path is the construct path of the resource (from its metadata).
	Path string
	// Message says what is wrong and what to change.
	Message string
}

func (f Finding) String() string {
	where := f.Stack
	if f.Address != "" {
		where += " " + f.Address
	}
	return fmt.Sprintf("[%s] %s: %s", f.Rule, where, f.Message)
}

// Options are the environment's facts the rules depend on.
type Options struct {
	Production bool
	// Exemptions maps rule ids to the written reason.
	Exemptions map[string]string
}

// OptionsOf takes the options from an environment.
func OptionsOf(c *config.Config) Options {
	o := Options{Production: c.Production, Exemptions: map[string]string{}}
	for _, e := range c.Guardrails.Exemptions {
		o.Exemptions[e.Rule] = e.Reason
	}
	return o
}

// Rules is the rule table, in the order of RULES.md and config.GuardrailRules.
var Rules = []Rule{
	{
		ID: "net-min-azs", Checks: "The VPC's subnets span fewer than 2 availability zones.",
		Fix: "use at least 2 AZs (availability_zones.count: 2 or more)", NonProduction: Warn,
		Why: "one AZ is a cheap test setup; it has no HA", check: minAZs,
	},
	{
		ID: "net-nat-per-az", Checks: "Not exactly one NAT gateway in each AZ that has private subnets.",
		Fix: "use network.nat: one_per_az, so an AZ outage cuts egress only in that AZ", NonProduction: Warn,
		Why: "a single NAT is a documented cost saving outside production", check: natPerAZ,
	},
	{
		ID: "net-database-egress", Checks: "A route table of a database subnet routes to an internet, egress-only or NAT gateway.",
		Fix: "remove the route: database subnets have no way out (S3 via the gateway endpoint only)", NonProduction: Error,
		Why: "isolation of the data tier does not depend on the environment", check: databaseEgress,
	},
	{
		ID: "net-private-public-ip", Checks: "A private or database subnet maps public IPs on launch.",
		Fix: "set map_public_ip_on_launch to false on private and database subnets", NonProduction: Error,
		Why: "a public address on a private tier is never intended", check: privatePublicIP,
	},
	{
		ID: "alb-deletion-protection", Checks: "An application load balancer without deletion protection.",
		Fix: "set load_balancer.deletion_protection: true (turn it off only for a deliberate teardown)", NonProduction: Off,
		Why: "non-production environments are torn down routinely (local.yaml turns it off); no finding", check: albDeletionProtection,
	},
	{
		ID: "alb-drop-invalid-headers", Checks: "An application load balancer that forwards invalid HTTP header fields.",
		Fix: "set drop_invalid_header_fields to true on the load balancer (request smuggling)", NonProduction: Error,
		Why: "costs nothing anywhere", check: albDropInvalidHeaders,
	},
	{
		ID: "alb-http-redirect", Checks: "An HTTP listener whose default action is not a redirect to HTTPS.",
		Fix: "make the port 80 listener redirect to HTTPS (HTTP_301), never forward", NonProduction: Error,
		Why: "plain HTTP to the service is never intended", check: httpRedirect,
	},
	{
		ID: "alb-tls-policy", Checks: "An HTTPS/TLS listener whose SSL policy admits TLS older than 1.2 (or has none: the AWS default admits TLS 1.0).",
		Fix: "use a TLS 1.2+ policy in load_balancer.ssl_policy, e.g. " + config.SSLPolicies[0], NonProduction: Error,
		Why: "costs nothing anywhere", check: tlsPolicy,
	},
	{
		ID: "sg-open-ingress", Checks: "Security group ingress from 0.0.0.0/0 or ::/0 on anything but TCP 80 and 443 of a load balancer's security group.",
		Fix: "open only the ALB's ports 80 and 443 to the internet; reach everything else from security groups or VPC CIDRs", NonProduction: Error,
		Why: "an emulator or test account is still on the internet", check: openIngress,
	},
	{
		ID: "svc-min-tasks", Checks: "An ECS service with desired_count below 2, or its autoscaling min_capacity below 2.",
		Fix: "run at least 2 tasks (service.desired_count and service.autoscaling.min >= 2)", NonProduction: Warn,
		Why: "one task is a cheap test setup; it has no HA", check: minTasks,
	},
	{
		ID: "svc-stop-timeout", Checks: "A container whose stopTimeout is below 120 s (missing: Fargate's 30 s).",
		Fix: "set service.stop_timeout_seconds: 120 so in-flight requests finish on deploys and scale-in", NonProduction: Warn,
		Why: "cut-off requests matter where there are users", check: stopTimeout,
	},
	{
		ID: "svc-deregistration-delay", Checks: "A target group whose deregistration delay (missing: 300 s) is above the containers' stopTimeout.",
		Fix: "keep service.deregistration_delay_seconds at or below service.stop_timeout_seconds", NonProduction: Warn,
		Why: "cut-off requests matter where there are users", check: deregistrationDelay,
	},
	{
		ID: "state-versioning", Checks: "A bucket of the `<env>-state` stack without versioning enabled.",
		Fix: "enable versioning on the state bucket: every state write stays recoverable", NonProduction: Error,
		Why: "state safety does not depend on the environment", check: stateVersioning,
	},
	{
		ID: "state-encryption", Checks: "A bucket of the `<env>-state` stack without default server-side encryption.",
		Fix: "add server-side encryption (AES256 or aws:kms) to the state bucket: state holds secrets", NonProduction: Error,
		Why: "state safety does not depend on the environment", check: stateEncryption,
	},
	{
		ID: "state-public-access", Checks: "A bucket of the `<env>-state` stack without all four public access blocks, or with a public ACL.",
		Fix: "block all public access to the state bucket (public access block with all four settings true, no public ACL)", NonProduction: Error,
		Why: "state safety does not depend on the environment", check: statePublic,
	},
	{
		ID: "task-plaintext-secret", Checks: "A container environment variable whose name looks like a secret (password, secret, token, key, credential).",
		Fix: "move the value to Secrets Manager or SSM and reference it under service.secrets", NonProduction: Error,
		Why: "task definitions are readable by anyone with ecs:Describe*", check: plaintextSecret,
	},
}

// RuleByID returns the rule with the given id.
func RuleByID(id string) (Rule, bool) {
	for _, r := range Rules {
		if r.ID == id {
			return r, true
		}
	}
	return Rule{}, false
}

// Evaluate checks one stack's resolved Terraform JSON (a cdk.tf.json
// document) and returns the findings that are not Off, errors first.
func Evaluate(stackName string, doc map[string]any, opts Options) []Finding {
	s := newStack(stackName, doc)
	var out []Finding
	for _, r := range Rules {
		level := Error
		if !opts.Production {
			level = r.NonProduction
		}
		if level == Off {
			continue
		}
		hits := r.check(s)
		for _, h := range hits {
			msg := h.detail + "; " + r.Fix
			if reason, ok := opts.Exemptions[r.ID]; ok {
				level = Warn
				msg += fmt.Sprintf(" (exempted in this environment: %s)", strings.TrimSpace(reason))
			} else if level == Warn {
				msg += " (a warning outside production)"
			}
			out = append(out, Finding{Rule: r.ID, Level: level, Stack: stackName, Address: h.addr, Path: s.path(h.addr), Message: msg})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Level > out[j].Level })
	return out
}

// stack is one stack's document with lookups.
type stack struct {
	name string
	res  map[string]map[string]map[string]any // type -> name -> attributes
}

func newStack(name string, doc map[string]any) *stack {
	s := &stack{name: name, res: map[string]map[string]map[string]any{}}
	rs, _ := doc["resource"].(map[string]any)
	for typ, byName := range rs {
		m, _ := byName.(map[string]any)
		for n, attrs := range m {
			a, _ := attrs.(map[string]any)
			if a == nil {
				continue
			}
			if s.res[typ] == nil {
				s.res[typ] = map[string]map[string]any{}
			}
			s.res[typ][n] = a
		}
	}
	return s
}

// each calls f for every resource of the given types, in name order.
func (s *stack) each(f func(addr string, a map[string]any), types ...string) {
	for _, typ := range types {
		names := make([]string, 0, len(s.res[typ]))
		for n := range s.res[typ] {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			f(typ+"."+n, s.res[typ][n])
		}
	}
}

func (s *stack) get(addr string) map[string]any {
	typ, n, _ := strings.Cut(addr, ".")
	return s.res[typ][n]
}

// path is the construct path of a resource, from cdktf's metadata.
func (s *stack) path(addr string) string {
	if addr == "" {
		return ""
	}
	a := s.get(addr)
	if md, ok := a["//"].(map[string]any); ok {
		if m, ok := md["metadata"].(map[string]any); ok {
			p, _ := m["path"].(string)
			return p
		}
	}
	return ""
}

var reRef = regexp.MustCompile(`^\$\{([A-Za-z0-9_-]+)\.([^.}]+)\.[A-Za-z0-9_]+\}$`)

// ref returns the address a "${type.name.attr}" string refers to, or "".
func ref(v any) string {
	s, _ := v.(string)
	if m := reRef.FindStringSubmatch(s); m != nil {
		return m[1] + "." + m[2]
	}
	return ""
}

// refType reports whether v refers to a resource of one of the types.
func refType(v any, types ...string) bool {
	r := ref(v)
	for _, t := range types {
		if strings.HasPrefix(r, t+".") {
			return true
		}
	}
	return false
}

func truthy(v any) bool {
	switch x := v.(type) {
	case bool:
		return x
	case string:
		return x == "true"
	}
	return false
}

// num reads a number or numeric string; ok is false otherwise.
func num(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case int:
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

func str(v any) string {
	s, _ := v.(string)
	return s
}

// blocks reads a nested block that cdktf renders as an object or a list of objects.
func blocks(v any) []map[string]any {
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

func strs(v any) []string {
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

// tier of a subnet: its "tier" tag, else a tier word in its construct path.
func (s *stack) tier(addr string) string {
	a := s.get(addr)
	if tags, ok := a["tags"].(map[string]any); ok {
		if t := str(tags["tier"]); t != "" {
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
	s.each(func(addr string, a map[string]any) {
		az := str(a["availability_zone"])
		if az == "" {
			az = str(a["availability_zone_id"])
		}
		out[addr] = az
	}, "aws_subnet")
	return out
}

func minAZs(s *stack) []hit {
	azs := map[string]bool{}
	for _, az := range s.subnetAZs() {
		azs[az] = true
	}
	if len(s.res["aws_subnet"]) == 0 || len(azs) >= config.MinProdAZs {
		return nil
	}
	return []hit{{"", fmt.Sprintf("the subnets span %d availability zone(s), want at least %d", len(azs), config.MinProdAZs)}}
}

func natPerAZ(s *stack) []hit {
	subAZ := s.subnetAZs()
	want := map[string]bool{}
	for addr, az := range subAZ {
		if s.tier(addr) == "private" {
			want[az] = true
		}
	}
	if len(want) == 0 {
		return nil
	}
	have := map[string]int{}
	var hits []hit
	s.each(func(addr string, a map[string]any) {
		if str(a["connectivity_type"]) == "private" {
			return
		}
		az, ok := subAZ[ref(a["subnet_id"])]
		if !ok {
			hits = append(hits, hit{addr, "the NAT gateway is not in a subnet of this VPC's plan"})
			return
		}
		have[az]++
	}, "aws_nat_gateway")
	var azs []string
	for az := range want {
		azs = append(azs, az)
	}
	sort.Strings(azs)
	for _, az := range azs {
		if have[az] != 1 {
			hits = append(hits, hit{"", fmt.Sprintf("AZ %s has private subnets and %d NAT gateway(s), want exactly 1", az, have[az])})
		}
	}
	return hits
}

func databaseEgress(s *stack) []hit {
	dbTables := map[string]bool{}
	s.each(func(addr string, a map[string]any) {
		if sub := ref(a["subnet_id"]); sub != "" && s.tier(sub) == "database" {
			dbTables[ref(a["route_table_id"])] = true
		}
	}, "aws_route_table_association")
	out := func(r map[string]any) string {
		switch {
		case str(r["nat_gateway_id"]) != "":
			return "a NAT gateway"
		case str(r["egress_only_gateway_id"]) != "":
			return "an egress-only internet gateway"
		case refType(r["gateway_id"], "aws_internet_gateway", "aws_egress_only_internet_gateway"),
			strings.HasPrefix(str(r["gateway_id"]), "igw-"):
			return "an internet gateway"
		}
		return ""
	}
	var hits []hit
	s.each(func(addr string, a map[string]any) {
		if rt := ref(a["route_table_id"]); dbTables[rt] {
			if to := out(a); to != "" {
				hits = append(hits, hit{addr, fmt.Sprintf("database route table %s routes %s to %s", rt, str(a["destination_cidr_block"])+str(a["destination_ipv6_cidr_block"]), to)})
			}
		}
	}, "aws_route")
	s.each(func(addr string, a map[string]any) {
		if !dbTables[addr] {
			return
		}
		for _, r := range blocks(a["route"]) {
			if to := out(r); to != "" {
				hits = append(hits, hit{addr, fmt.Sprintf("database route table has an inline route to %s", to)})
			}
		}
	}, "aws_route_table")
	return hits
}

func privatePublicIP(s *stack) []hit {
	var hits []hit
	s.each(func(addr string, a map[string]any) {
		if t := s.tier(addr); (t == "private" || t == "database") && truthy(a["map_public_ip_on_launch"]) {
			hits = append(hits, hit{addr, fmt.Sprintf("the %s subnet maps public IPs on launch", t)})
		}
	}, "aws_subnet")
	return hits
}

func (s *stack) albs(f func(addr string, a map[string]any)) {
	s.each(func(addr string, a map[string]any) {
		if t := str(a["load_balancer_type"]); t == "" || t == "application" {
			f(addr, a)
		}
	}, "aws_lb", "aws_alb")
}

func albDeletionProtection(s *stack) []hit {
	var hits []hit
	s.albs(func(addr string, a map[string]any) {
		if !truthy(a["enable_deletion_protection"]) {
			hits = append(hits, hit{addr, "the load balancer has no deletion protection"})
		}
	})
	return hits
}

func albDropInvalidHeaders(s *stack) []hit {
	var hits []hit
	s.albs(func(addr string, a map[string]any) {
		if !truthy(a["drop_invalid_header_fields"]) {
			hits = append(hits, hit{addr, "the load balancer does not drop invalid header fields"})
		}
	})
	return hits
}

func httpRedirect(s *stack) []hit {
	var hits []hit
	s.each(func(addr string, a map[string]any) {
		if strings.ToUpper(str(a["protocol"])) != "HTTP" {
			return
		}
		acts := blocks(a["default_action"])
		if len(acts) == 0 {
			hits = append(hits, hit{addr, "the HTTP listener has no default action"})
		}
		for _, act := range acts {
			rd := blocks(act["redirect"])
			if str(act["type"]) != "redirect" || len(rd) == 0 || strings.ToUpper(str(rd[0]["protocol"])) != "HTTPS" {
				hits = append(hits, hit{addr, fmt.Sprintf("the HTTP listener's default action is %q, not a redirect to HTTPS", str(act["type"]))})
			}
		}
	}, "aws_lb_listener", "aws_alb_listener")
	return hits
}

func tlsPolicy(s *stack) []hit {
	var hits []hit
	s.each(func(addr string, a map[string]any) {
		if p := strings.ToUpper(str(a["protocol"])); p != "HTTPS" && p != "TLS" {
			return
		}
		pol := str(a["ssl_policy"])
		switch {
		case pol == "":
			hits = append(hits, hit{addr, "the listener has no ssl_policy (the AWS default admits TLS 1.0)"})
		case !containsStr(config.SSLPolicies, pol):
			hits = append(hits, hit{addr, fmt.Sprintf("ssl_policy %q is not a TLS 1.2+ policy", pol)})
		}
	}, "aws_lb_listener", "aws_alb_listener")
	return hits
}

func isAnywhere(cidr string) bool { return cidr == "0.0.0.0/0" || cidr == "::/0" }

func openIngress(s *stack) []hit {
	albSGs := map[string]bool{}
	s.albs(func(_ string, a map[string]any) {
		for _, sg := range strs(a["security_groups"]) {
			if r := ref(sg); r != "" {
				albSGs[r] = true
			}
		}
	})
	// webOnly: TCP exactly 80 or exactly 443.
	webOnly := func(proto any, from, to any) bool {
		p := strings.ToLower(str(proto))
		f, ok1 := num(from)
		t, ok2 := num(to)
		return (p == "tcp" || p == "6") && ok1 && ok2 && f == t && (f == 80 || f == 443)
	}
	var hits []hit
	report := func(addr string, sg any, cidr string, proto, from, to any) {
		if albSGs[ref(sg)] && webOnly(proto, from, to) {
			return
		}
		fp, _ := num(from)
		tp, _ := num(to)
		hits = append(hits, hit{addr, fmt.Sprintf("ingress from %s on %s %v-%v", cidr, str(proto), fp, tp)})
	}
	s.each(func(addr string, a map[string]any) {
		for _, c := range []string{str(a["cidr_ipv4"]), str(a["cidr_ipv6"])} {
			if isAnywhere(c) {
				report(addr, a["security_group_id"], c, a["ip_protocol"], a["from_port"], a["to_port"])
			}
		}
	}, "aws_vpc_security_group_ingress_rule")
	s.each(func(addr string, a map[string]any) {
		if str(a["type"]) != "ingress" {
			return
		}
		for _, c := range append(strs(a["cidr_blocks"]), strs(a["ipv6_cidr_blocks"])...) {
			if isAnywhere(c) {
				report(addr, a["security_group_id"], c, a["protocol"], a["from_port"], a["to_port"])
			}
		}
	}, "aws_security_group_rule")
	s.each(func(addr string, a map[string]any) {
		self := "${" + addr + ".id}"
		for _, in := range blocks(a["ingress"]) {
			for _, c := range append(strs(in["cidr_blocks"]), strs(in["ipv6_cidr_blocks"])...) {
				if isAnywhere(c) {
					report(addr, self, c, in["protocol"], in["from_port"], in["to_port"])
				}
			}
		}
	}, "aws_security_group", "aws_default_security_group")
	return hits
}

func minTasks(s *stack) []hit {
	var hits []hit
	s.each(func(addr string, a map[string]any) {
		if str(a["scheduling_strategy"]) == "DAEMON" {
			return
		}
		if n, _ := num(a["desired_count"]); n < 2 {
			hits = append(hits, hit{addr, fmt.Sprintf("desired_count is %v, want at least 2", n)})
		}
	}, "aws_ecs_service")
	s.each(func(addr string, a map[string]any) {
		if str(a["service_namespace"]) != "ecs" {
			return
		}
		if n, _ := num(a["min_capacity"]); n < 2 {
			hits = append(hits, hit{addr, fmt.Sprintf("autoscaling min_capacity is %v, want at least 2", n)})
		}
	}, "aws_appautoscaling_target")
	return hits
}

// containers decodes the container definitions of every task definition.
func (s *stack) containers(f func(addr string, c map[string]any)) {
	s.each(func(addr string, a map[string]any) {
		var defs []map[string]any
		switch v := a["container_definitions"].(type) {
		case string:
			if err := json.Unmarshal([]byte(v), &defs); err != nil {
				f(addr, map[string]any{"name": "(unreadable container_definitions)"})
				return
			}
		case []any:
			defs = blocks(v)
		}
		for _, c := range defs {
			f(addr, c)
		}
	}, "aws_ecs_task_definition")
}

// DefaultStopTimeout is Fargate's stopTimeout when a container sets none.
const DefaultStopTimeout = 30

// DefaultDeregistrationDelay is a target group's delay when it sets none.
const DefaultDeregistrationDelay = 300

func stopTimeout(s *stack) []hit {
	var hits []hit
	s.containers(func(addr string, c map[string]any) {
		st, ok := num(c["stopTimeout"])
		if !ok {
			st = DefaultStopTimeout
		}
		if st < config.ProdStopTimout {
			hits = append(hits, hit{addr, fmt.Sprintf("container %q stops after %v s, want at least %d", str(c["name"]), st, config.ProdStopTimout)})
		}
	})
	return hits
}

func deregistrationDelay(s *stack) []hit {
	limit := -1.0
	s.containers(func(_ string, c map[string]any) {
		st, ok := num(c["stopTimeout"])
		if !ok {
			st = DefaultStopTimeout
		}
		if limit < 0 || st < limit {
			limit = st
		}
	})
	if limit < 0 { // no task here to drain
		return nil
	}
	var hits []hit
	s.each(func(addr string, a map[string]any) {
		d, ok := num(a["deregistration_delay"])
		if !ok {
			d = DefaultDeregistrationDelay
		}
		if d > limit {
			hits = append(hits, hit{addr, fmt.Sprintf("deregistration delay %v s is above the containers' stop timeout %v s", d, limit)})
		}
	}, "aws_lb_target_group", "aws_alb_target_group")
	return hits
}

// isStateStack: the state rules apply to the buckets of <env>-state.
func (s *stack) isStateStack() bool {
	part, _ := config.PartOf(s.name)
	return part == config.PartState
}

// refersTo reports whether a "bucket" attribute names the bucket at addr.
func (s *stack) refersTo(v any, addr string) bool {
	if ref(v) == addr {
		return true
	}
	name := str(s.get(addr)["bucket"])
	return name != "" && str(v) == name
}

// bucketConfig finds the resources of typ configuring the bucket at addr.
func (s *stack) bucketConfig(addr, typ string) []map[string]any {
	var out []map[string]any
	s.each(func(_ string, a map[string]any) {
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
	s.each(func(addr string, a map[string]any) {
		if msg := f(addr, a); msg != "" {
			hits = append(hits, hit{addr, msg})
		}
	}, "aws_s3_bucket")
	return hits
}

func stateVersioning(s *stack) []hit {
	return s.buckets(func(addr string, a map[string]any) string {
		for _, v := range blocks(a["versioning"]) {
			if truthy(v["enabled"]) {
				return ""
			}
		}
		for _, v := range s.bucketConfig(addr, "aws_s3_bucket_versioning") {
			for _, vc := range blocks(v["versioning_configuration"]) {
				if str(vc["status"]) == "Enabled" {
					return ""
				}
			}
		}
		return "the state bucket is not versioned"
	})
}

func stateEncryption(s *stack) []hit {
	ok := func(rules []map[string]any) bool {
		for _, r := range rules {
			for _, d := range blocks(r["apply_server_side_encryption_by_default"]) {
				switch str(d["sse_algorithm"]) {
				case "AES256", "aws:kms", "aws:kms:dsse":
					return true
				}
			}
		}
		return false
	}
	return s.buckets(func(addr string, a map[string]any) string {
		for _, c := range blocks(a["server_side_encryption_configuration"]) {
			if ok(blocks(c["rule"])) {
				return ""
			}
		}
		for _, c := range s.bucketConfig(addr, "aws_s3_bucket_server_side_encryption_configuration") {
			if ok(blocks(c["rule"])) {
				return ""
			}
		}
		return "the state bucket has no default server-side encryption"
	})
}

var publicACLs = map[string]bool{"public-read": true, "public-read-write": true, "authenticated-read": true}

func statePublic(s *stack) []hit {
	return s.buckets(func(addr string, a map[string]any) string {
		if publicACLs[str(a["acl"])] {
			return fmt.Sprintf("the state bucket has the public ACL %q", str(a["acl"]))
		}
		for _, acl := range s.bucketConfig(addr, "aws_s3_bucket_acl") {
			if publicACLs[str(acl["acl"])] {
				return fmt.Sprintf("the state bucket has the public ACL %q", str(acl["acl"]))
			}
		}
		for _, b := range s.bucketConfig(addr, "aws_s3_bucket_public_access_block") {
			all := true
			for _, k := range []string{"block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"} {
				all = all && truthy(b[k])
			}
			if all {
				return ""
			}
		}
		return "the state bucket does not block all public access"
	})
}

var reSecretName = regexp.MustCompile(`(?i)(password|passwd|secret|token|api_?key|private_?key|access_?key|credential|(^|_)key$)`)

func plaintextSecret(s *stack) []hit {
	var hits []hit
	s.containers(func(addr string, c map[string]any) {
		for _, e := range blocks(c["environment"]) {
			if n := str(e["name"]); reSecretName.MatchString(n) {
				hits = append(hits, hit{addr, fmt.Sprintf("container %q has %s in plain text in its environment", str(c["name"]), n)})
			}
		}
	})
	return hits
}

func containsStr(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}
