package tfdoc

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"
)

func TestRefs(t *testing.T) {
	for in, want := range map[any]string{
		"${aws_security_group.alb.id}":    "aws_security_group.alb",
		"${aws_subnet.private[0].id}":     "aws_subnet.private",
		"${aws_lb.load-balancer_alb.arn}": "aws_lb.load-balancer_alb",
		"sg-0123456789abcdef0":            "",
		"${var.x}":                        "",
		42.0:                              "",
	} {
		if got := Ref(in); got != want {
			t.Errorf("Ref(%v) = %q, want %q", in, got, want)
		}
	}
	if !RefType("${aws_internet_gateway.igw.id}", "aws_nat_gateway", "aws_internet_gateway") || RefType("igw-1", "aws_internet_gateway") {
		t.Error("RefType")
	}
	for in, want := range map[string]string{
		"aws_security_group.alb.id":  "aws_security_group.alb",
		"aws_security_group.alb":     "aws_security_group.alb",
		`aws_subnet.private["a"].id`: "aws_subnet.private",
		"var.vpc_id":                 "",
		"local.tags":                 "",
		"data.aws_vpc.main.id":       "",
		"module.net.vpc_id":          "",
		"each.value":                 "",
		"aws_security_group":         "",
	} {
		if got := ReferenceAddress(in); got != want {
			t.Errorf("ReferenceAddress(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestValues(t *testing.T) {
	if n, ok := Num("120"); !ok || n != 120 {
		t.Errorf("Num(\"120\") = %v, %v", n, ok)
	}
	if n, ok := Num(json.Number("5")); !ok || n != 5 {
		t.Errorf("Num(json 5) = %v, %v", n, ok)
	}
	if _, ok := Num("x"); ok {
		t.Error("Num(\"x\") ok")
	}
	if Int(nil) != -1 || Int(80.0) != 80 || Int(1.5) != -1 {
		t.Error("Int")
	}
	if !Truthy("true") || !Truthy(true) || Truthy("yes") || Truthy(nil) {
		t.Error("Truthy")
	}
	if len(Blocks(map[string]any{"a": 1})) != 1 || len(Blocks([]any{map[string]any{}, "x", map[string]any{}})) != 2 || Blocks("x") != nil {
		t.Error("Blocks")
	}
	if got := Strs([]any{"a", 1.0, "b"}); !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("Strs = %v", got)
	}
}

func doc(t *testing.T, s string) Resources {
	t.Helper()
	var d map[string]any
	if err := json.Unmarshal([]byte(s), &d); err != nil {
		t.Fatal(err)
	}
	return FromDocument(d)
}

// The load balancer's groups are the ones an application load balancer is
// attached to, whatever they are called; a network load balancer's are not.
func TestApplicationLoadBalancerGroups(t *testing.T) {
	r := doc(t, `{"resource": {
		"aws_lb": {
			"web": {"security_groups": ["${aws_security_group.front.id}", "sg-literal"]},
			"nlb": {"load_balancer_type": "network", "security_groups": ["${aws_security_group.nlb.id}"]}
		},
		"aws_alb": {"old": {"load_balancer_type": "application", "security_groups": ["${aws_security_group.old.id}"]}}
	}}`)
	got := r.ApplicationLoadBalancerGroups()
	want := map[string]bool{"aws_security_group.front": true, "aws_security_group.old": true}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("groups %v, want %v", got, want)
	}
}

func TestWorldIngress(t *testing.T) {
	r := doc(t, `{"resource": {
		"aws_security_group": {"alb": {"ingress": [
			{"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_blocks": ["0.0.0.0/0"], "ipv6_cidr_blocks": ["::/0"]},
			{"protocol": "tcp", "from_port": 8080, "to_port": 8080, "cidr_blocks": ["10.0.0.0/16"]}
		]}},
		"aws_security_group_rule": {
			"in": {"type": "ingress", "protocol": "6", "from_port": 80, "to_port": 80, "cidr_blocks": ["0.0.0.0/0"], "security_group_id": "${aws_security_group.app.id}"},
			"out": {"type": "egress", "protocol": "-1", "from_port": 0, "to_port": 0, "cidr_blocks": ["0.0.0.0/0"], "security_group_id": "${aws_security_group.alb.id}"}
		},
		"aws_vpc_security_group_ingress_rule": {
			"all": {"ip_protocol": "-1", "cidr_ipv4": "0.0.0.0/0", "security_group_id": "${aws_security_group.alb.id}"},
			"ssh": {"ip_protocol": "tcp", "from_port": 22, "to_port": 22, "cidr_ipv6": "::/0", "security_group_id": "sg-1"}
		}
	}}`)
	var got []string
	r.WorldIngressOf(func(addr, group string, in Ingress) {
		got = append(got, fmt.Sprintf("%s on %q: %s web=%v", addr, group, in, in.PublicWebPort()))
	})
	want := []string{
		`aws_vpc_security_group_ingress_rule.all on "aws_security_group.alb": all traffic from 0.0.0.0/0 web=false`,
		`aws_vpc_security_group_ingress_rule.ssh on "": TCP port 22 from ::/0 web=false`,
		`aws_security_group_rule.in on "aws_security_group.app": TCP port 80 from 0.0.0.0/0 web=true`,
		`aws_security_group.alb on "aws_security_group.alb": TCP port 443 from 0.0.0.0/0 web=true`,
		`aws_security_group.alb on "aws_security_group.alb": TCP port 443 from ::/0 web=true`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("world ingress\n got %q\nwant %q", got, want)
	}
	web := Ingress{Protocol: "tcp", From: 443, To: 443, CIDR: "0.0.0.0/0"}
	if !web.AllowedOn(true) || web.AllowedOn(false) {
		t.Error("443 must be allowed on the load balancer's group only")
	}
	if (Ingress{Protocol: "tcp", From: 80, To: 443, CIDR: "0.0.0.0/0"}).AllowedOn(true) {
		t.Error("a range 80-443 is allowed")
	}
}
