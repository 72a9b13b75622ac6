package tfdoc

import (
	"fmt"
	"slices"
	"strings"
)

// The resource types that hold security-group ingress, and the attributes
// naming the group a separate rule belongs to and the groups of a load
// balancer.
var (
	SecurityGroupTypes = []string{"aws_security_group", "aws_default_security_group"}
	IngressRuleTypes   = []string{"aws_vpc_security_group_ingress_rule", "aws_security_group_rule"}
	LoadBalancerTypes  = []string{"aws_lb", "aws_alb"}
)

const (
	// RuleGroupAttr is the attribute of a rule resource naming its group.
	RuleGroupAttr = "security_group_id"
	// LoadBalancerGroupsAttr lists a load balancer's security groups.
	LoadBalancerGroupsAttr = "security_groups"
)

// IsApplicationLoadBalancer reports whether the attributes of an aws_lb or
// aws_alb are an application load balancer's (load_balancer_type unset or
// "application").
func IsApplicationLoadBalancer(a map[string]any) bool {
	t := Str(a["load_balancer_type"])
	return t == "" || t == "application"
}

// IsWorld reports whether a CIDR is the whole internet.
func IsWorld(cidr string) bool { return cidr == "0.0.0.0/0" || cidr == "::/0" }

// Ingress is one world-open ingress opening of a security group or rule.
type Ingress struct {
	// Protocol is normalised: "all" (-1), "tcp" (6), "udp" (17), "icmp" (1), or as written.
	Protocol string
	// From and To are the port range; -1 when unknown or not applicable.
	From, To int64
	// CIDR is 0.0.0.0/0 or ::/0.
	CIDR string
}

// PublicWebPort reports whether the opening is TCP port 80 or 443 alone:
// the only ingress from the internet the load balancer's security group
// may have, and no other group.
func (i Ingress) PublicWebPort() bool {
	return i.Protocol == "tcp" && i.From == i.To && (i.From == 80 || i.From == 443)
}

// AllowedOn reports whether the opening is allowed on a group that is (or
// is not) the application load balancer's: the one definition of the
// open-ingress rule of the guardrails and the plan report.
func (i Ingress) AllowedOn(albGroup bool) bool { return albGroup && i.PublicWebPort() }

func (i Ingress) String() string {
	if i.Protocol == "all" {
		return "all traffic from " + i.CIDR
	}
	ports := fmt.Sprintf("ports %d-%d", i.From, i.To)
	if i.From == i.To {
		ports = fmt.Sprintf("port %d", i.From)
	}
	return fmt.Sprintf("%s %s from %s", strings.ToUpper(i.Protocol), ports, i.CIDR)
}

// NormalizeProtocol maps the numeric and "-1" forms of a protocol to its name.
func NormalizeProtocol(v any) string {
	p := strings.ToLower(fmt.Sprint(v))
	if f, ok := Num(v); ok {
		p = fmt.Sprint(int64(f))
	}
	switch p {
	case "-1", "all":
		return "all"
	case "6":
		return "tcp"
	case "17":
		return "udp"
	case "1":
		return "icmp"
	}
	return p
}

// WorldIngress lists the world-open ingress of one resource of type typ: the
// inline ingress blocks of a security group, or a separate rule resource
// (aws_security_group_rule of type ingress, aws_vpc_security_group_ingress_rule).
func WorldIngress(typ string, a map[string]any) []Ingress {
	if a == nil {
		return nil
	}
	var out []Ingress
	add := func(proto, from, to any, cidrs ...string) {
		for _, c := range cidrs {
			if IsWorld(c) {
				out = append(out, Ingress{NormalizeProtocol(proto), Int(from), Int(to), c})
			}
		}
	}
	switch {
	case slices.Contains(SecurityGroupTypes, typ):
		for _, in := range Blocks(a["ingress"]) {
			add(in["protocol"], in["from_port"], in["to_port"], append(Strs(in["cidr_blocks"]), Strs(in["ipv6_cidr_blocks"])...)...)
		}
	case typ == "aws_security_group_rule":
		if Str(a["type"]) == "ingress" {
			add(a["protocol"], a["from_port"], a["to_port"], append(Strs(a["cidr_blocks"]), Strs(a["ipv6_cidr_blocks"])...)...)
		}
	case typ == "aws_vpc_security_group_ingress_rule":
		add(a["ip_protocol"], a["from_port"], a["to_port"], Str(a["cidr_ipv4"]), Str(a["cidr_ipv6"]))
	}
	return out
}

// GroupOf is the address of the security group a resource's ingress belongs
// to: the group itself, or the group a rule resource's security_group_id
// refers to ("" when it is a literal id, not known to be any group here).
func GroupOf(typ, addr string, a map[string]any) string {
	if slices.Contains(SecurityGroupTypes, typ) {
		return addr
	}
	return Ref(a[RuleGroupAttr])
}

// ApplicationLoadBalancerGroups are the addresses of the security groups an
// application load balancer among r is attached to (references in its
// security_groups): the load balancer's groups, the only ones that may open
// TCP 80 and 443 to the internet.
func (r Resources) ApplicationLoadBalancerGroups() map[string]bool {
	out := map[string]bool{}
	r.Each(func(_ string, a map[string]any) {
		if !IsApplicationLoadBalancer(a) {
			return
		}
		for _, sg := range Strs(a[LoadBalancerGroupsAttr]) {
			if ref := Ref(sg); ref != "" {
				out[ref] = true
			}
		}
	}, LoadBalancerTypes...)
	return out
}

// WorldIngressOf calls f for every world-open ingress among r (rule
// resources first, then groups' inline rules; each type by name), with the
// address of the resource and of the group it opens.
func (r Resources) WorldIngressOf(f func(addr, group string, in Ingress)) {
	for _, typ := range append(slices.Clone(IngressRuleTypes), SecurityGroupTypes...) {
		r.Each(func(addr string, a map[string]any) {
			for _, in := range WorldIngress(typ, a) {
				f(addr, GroupOf(typ, addr, a), in)
			}
		}, typ)
	}
}
