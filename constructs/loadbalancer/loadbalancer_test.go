package loadbalancer

import (
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"selfhost/constructs/internal/testutil"
	_ "selfhost/internal/golden"
	"selfhost/internal/synth"
)

func TestMain(m *testing.M) { synth.TestMain(m) }

const certARN = "arn:aws:acm:us-east-1:123456789012:certificate/0123"

func props() Props {
	return Props{
		Name: "selfhost-test", VPCID: jsii.String("vpc-1"), PublicSubnetIDs: []*string{jsii.String("subnet-a"), jsii.String("subnet-b")},
		IngressIPv4CIDRs: []string{"0.0.0.0/0"}, IngressIPv6CIDRs: []string{"::/0"},
		DeletionProtection: true, IdleTimeoutSeconds: 60,
		SSLPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06", CertificateARN: jsii.String(certARN),
		Targets: []Target{target("api", 100, "api.example.com")},
	}
}

// target is a target with the defaults, serving hosts.
func target(name string, prio int, hosts ...string) Target {
	return Target{
		Name: name, Priority: prio, Hosts: hosts, Port: 8080,
		HealthCheck:                HealthCheck{Path: "/api/status", IntervalSeconds: 15, TimeoutSeconds: 5, HealthyThreshold: 2, UnhealthyThreshold: 3, Matcher: "200"},
		DeregistrationDelaySeconds: 120,
		NamePrefix:                 name + "-",
	}
}

// refersTo reports whether a value is a reference "${<typ>.<construct>_<name>_<hash>.<attr>}".
func refersTo(v any, typ, construct, name, attr string) bool {
	return regexp.MustCompile(`^\$\{` + regexp.QuoteMeta(typ) + `\.` + construct + `_` + name + `_[A-F0-9]+\.` + attr + `\}$`).MatchString(strings.TrimSpace(toString(v)))
}

func toString(v any) string {
	s, _ := v.(string)
	return s
}

// One synth: "lb" has the defaults (stickiness off, no access logs, IPv4
// only, no slow start); "alt" turns every option on.
func TestLoadBalancer(t *testing.T) {
	alt := props()
	alt.Name = "alt"
	alt.IngressIPv4CIDRs = []string{"203.0.113.0/24", "198.51.100.0/24"}
	alt.IngressIPv6CIDRs = nil
	alt.DualStack, alt.DeletionProtection = true, false
	alt.AccessLogsBucket, alt.AccessLogsPrefix = "my-logs", "alb/alt"
	alt.ZonalShift = true
	admin := target("admin", 7, "admin.example.com", "ops.example.com")
	admin.Port, admin.HealthCheck.Path = 9090, "/healthz"
	admin.Stickiness = Stickiness{Enabled: true, DurationSeconds: 3600}
	admin.SlowStartSeconds = 60
	alt.Targets = append(alt.Targets, admin)
	var out *Outputs
	_, d := testutil.Synth(t, func(st cdktf.TerraformStack) {
		var err error
		if out, err = New(st, "lb", props()); err != nil {
			t.Fatal(err)
		}
		if _, err := New(st, "alt", alt); err != nil {
			t.Fatal(err)
		}
		cdktf.NewTerraformOutput(st, jsii.String("label"), &cdktf.TerraformOutputConfig{Value: out.Targets["api"].RequestCountResourceLabel})
	})

	// Security groups: the ALB's only, in 80/443 from each CIDR; its egress
	// to each service is the service construct's.
	for _, sg := range d.Of("aws_security_group") {
		for _, inline := range []string{"ingress", "egress"} {
			if _, ok := sg[inline]; ok {
				t.Errorf("security group %v has inline %s rules", sg["name"], inline)
			}
		}
	}
	rules := func(typ, construct string) []string {
		var got []string
		for id, r := range d.Of(typ) {
			if !strings.HasPrefix(id, construct+"_") {
				continue
			}
			peer := toString(r["cidr_ipv4"]) + toString(r["cidr_ipv6"])
			if p := toString(r["referenced_security_group_id"]); p != "" {
				peer = regexp.MustCompile(`_[A-F0-9]+\.id\}$`).ReplaceAllString(strings.TrimPrefix(p, "${aws_security_group."+construct+"_"), "")
			}
			sg := regexp.MustCompile(`_[A-F0-9]+\.id\}$`).ReplaceAllString(strings.TrimPrefix(toString(r["security_group_id"]), "${aws_security_group."+construct+"_"), "")
			got = append(got, sg+" "+toString(r["ip_protocol"])+" "+fmt.Sprint(r["from_port"])+"-"+fmt.Sprint(r["to_port"])+" "+peer)
		}
		sort.Strings(got)
		return got
	}
	wantIn := []string{"alb-sg tcp 443-443 0.0.0.0/0", "alb-sg tcp 443-443 ::/0", "alb-sg tcp 80-80 0.0.0.0/0", "alb-sg tcp 80-80 ::/0"}
	if got := rules("aws_vpc_security_group_ingress_rule", "lb"); !reflect.DeepEqual(got, wantIn) {
		t.Errorf("ingress rules\n got %q\nwant %q", got, wantIn)
	}
	if n := len(d.Of("aws_security_group")); n != 2 {
		t.Errorf("%d security groups, want the two ALBs'", n)
	}
	if got := rules("aws_vpc_security_group_egress_rule", "lb"); len(got) != 0 {
		t.Errorf("egress rules %q, want none here", got)
	}
	// Rule ids are keyed by port and CIDR.
	testutil.Find(t, d, "aws_vpc_security_group_ingress_rule", "alt_alb-in-https-203-0-113-0_24_")
	testutil.Find(t, d, "aws_vpc_security_group_ingress_rule", "lb_alb-in-http-0-0-0-0_0_")
	testutil.Find(t, d, "aws_vpc_security_group_ingress_rule", "lb_alb-in-https---_0_")
	if got := rules("aws_vpc_security_group_ingress_rule", "alt"); len(got) != 4 {
		t.Errorf("alt ingress rules %q", got)
	}

	// ALB.
	alb := testutil.Find(t, d, "aws_lb", "lb_alb_")
	for k, v := range map[string]any{
		"name": "selfhost-test", "load_balancer_type": "application", "internal": false, "ip_address_type": "ipv4",
		"enable_deletion_protection": true, "drop_invalid_header_fields": true, "idle_timeout": 60.0,
		"subnets": []any{"subnet-a", "subnet-b"},
	} {
		if !reflect.DeepEqual(alb[k], v) {
			t.Errorf("ALB %s = %v, want %v", k, alb[k], v)
		}
	}
	if _, ok := alb["access_logs"]; ok {
		t.Error("access logs without a bucket")
	}
	if sgs := alb["security_groups"].([]any); len(sgs) != 1 || !refersTo(sgs[0], "aws_security_group", "lb", "alb-sg", "id") {
		t.Errorf("ALB security groups %v", sgs)
	}
	altALB := testutil.Find(t, d, "aws_lb", "alt_alb_")
	if altALB["ip_address_type"] != "dualstack" || altALB["enable_deletion_protection"] != false ||
		!reflect.DeepEqual(altALB["access_logs"], map[string]any{"bucket": "my-logs", "prefix": "alb/alt", "enabled": true}) {
		t.Errorf("alt ALB %v", altALB)
	}

	// Target groups: one per target, keyed by its name: ip/HTTP on its
	// port, its own health check and name prefix, create before destroy.
	tg := testutil.Find(t, d, "aws_lb_target_group", "lb_target-group-api_")
	for k, v := range map[string]any{
		"name_prefix": "api-", "target_type": "ip", "protocol": "HTTP", "port": 8080.0, "vpc_id": "vpc-1",
		"deregistration_delay": "120", "slow_start": 0.0,
		"lifecycle": map[string]any{"create_before_destroy": true},
		"health_check": map[string]any{
			"enabled": true, "protocol": "HTTP", "port": "traffic-port", "path": "/api/status", "interval": 15.0, "timeout": 5.0,
			"healthy_threshold": 2.0, "unhealthy_threshold": 3.0, "matcher": "200",
		},
		"stickiness": map[string]any{"type": "lb_cookie", "enabled": false},
	} {
		if !reflect.DeepEqual(tg[k], v) {
			t.Errorf("target group %s = %v, want %v", k, tg[k], v)
		}
	}
	if _, ok := tg["name"]; ok {
		t.Error("target group has a fixed name")
	}
	adminTG := testutil.Find(t, d, "aws_lb_target_group", "alt_target-group-admin_")
	if !reflect.DeepEqual(adminTG["stickiness"], map[string]any{"type": "lb_cookie", "enabled": true, "cookie_duration": 3600.0}) || adminTG["slow_start"] != 60.0 ||
		adminTG["port"] != 9090.0 || adminTG["name_prefix"] != "admin-" || adminTG["health_check"].(map[string]any)["path"] != "/healthz" {
		t.Errorf("alt's admin target group %v", adminTG)
	}
	if n := len(d.Of("aws_lb_target_group")); n != 3 {
		t.Errorf("%d target groups, want lb's one and alt's two", n)
	}

	// Listeners: 80 redirects to HTTPS with 301; 443 forwards with the TLS policy and certificate.
	http := testutil.Find(t, d, "aws_lb_listener", "lb_http_")
	if http["port"] != 80.0 || http["protocol"] != "HTTP" || !reflect.DeepEqual(http["default_action"], []any{map[string]any{
		"type": "redirect", "redirect": map[string]any{"protocol": "HTTPS", "port": "443", "status_code": "HTTP_301"},
	}}) {
		t.Errorf("HTTP listener %v", http)
	}
	https := testutil.Find(t, d, "aws_lb_listener", "lb_https_")
	if https["port"] != 443.0 || https["protocol"] != "HTTPS" || https["ssl_policy"] != "ELBSecurityPolicy-TLS13-1-2-2021-06" || https["certificate_arn"] != certARN {
		t.Errorf("HTTPS listener %v", https)
	}
	// Only the configured hosts are served: the default action is a 404,
	// so the raw ALB name (or any other Host) never reaches the service.
	if !reflect.DeepEqual(https["default_action"], []any{map[string]any{
		"type": "fixed-response", "fixed_response": map[string]any{"content_type": "text/plain", "message_body": "Not Found", "status_code": "404"},
	}}) {
		t.Errorf("HTTPS default action %v, want a fixed 404", https["default_action"])
	}
	// HSTS on every HTTPS response (a listener attribute of provider 5.99).
	if v := https["routing_http_response_strict_transport_security_header_value"]; v != "max-age=31536000; includeSubDomains" {
		t.Errorf("HSTS header %v", v)
	}
	// One host-header rule per target, keyed and prioritized by its name,
	// forwarding to its own target group.
	route := testutil.Find(t, d, "aws_lb_listener_rule", "lb_route-api_")
	if route["priority"] != 100.0 || !refersTo(route["listener_arn"], "aws_lb_listener", "lb", "https", "arn") ||
		!reflect.DeepEqual(route["condition"], []any{map[string]any{"host_header": map[string]any{"values": []any{"api.example.com"}}}}) {
		t.Errorf("api route %v", route)
	}
	act := route["action"].([]any)[0].(map[string]any)
	if act["type"] != "forward" || !refersTo(act["target_group_arn"], "aws_lb_target_group", "lb", "target-group-api", "arn") {
		t.Errorf("route action %v", act)
	}
	if n := len(d.Of("aws_lb_listener_rule")); n != 3 {
		t.Errorf("%d listener rules, want lb's one and alt's two", n)
	}
	adminRoute := testutil.Find(t, d, "aws_lb_listener_rule", "alt_route-admin_")
	adminAct := adminRoute["action"].([]any)[0].(map[string]any)
	if adminRoute["priority"] != 7.0 || !refersTo(adminAct["target_group_arn"], "aws_lb_target_group", "alt", "target-group-admin", "arn") ||
		!reflect.DeepEqual(adminRoute["condition"], []any{map[string]any{"host_header": map[string]any{"values": []any{"admin.example.com", "ops.example.com"}}}}) {
		t.Errorf("alt admin route %v", adminRoute)
	}
	if altAPI := testutil.Find(t, d, "aws_lb_listener_rule", "alt_route-api_"); !refersTo(altAPI["action"].([]any)[0].(map[string]any)["target_group_arn"], "aws_lb_target_group", "alt", "target-group-api", "arn") {
		t.Errorf("alt's api route forwards elsewhere: %v", altAPI)
	}
	if out.Targets["api"].Rule == nil || out.Targets["api"].TargetGroupARN == nil {
		t.Error("no Targets output for the api target")
	}
	// Zonal shift follows the prop.
	if lb, alt := testutil.Find(t, d, "aws_lb", "lb_alb_"), testutil.Find(t, d, "aws_lb", "alt_alb_"); lb["enable_zonal_shift"] != false || alt["enable_zonal_shift"] != true {
		t.Errorf("enable_zonal_shift: lb %v, alt %v", lb["enable_zonal_shift"], alt["enable_zonal_shift"])
	}
	for _, l := range []map[string]any{http, https} {
		if !refersTo(l["load_balancer_arn"], "aws_lb", "lb", "alb", "arn") {
			t.Errorf("listener on %v", l["load_balancer_arn"])
		}
	}

	// The request-count label joins the two arn_suffixes.
	label := toString(d.Output["label"]["value"])
	if !regexp.MustCompile(`^\$\{aws_lb\.lb_alb_[A-F0-9]+\.arn_suffix\}/\$\{aws_lb_target_group\.lb_target-group-api_[A-F0-9]+\.arn_suffix\}$`).MatchString(label) {
		t.Errorf("request count resource label %q", label)
	}
}

func TestRejectsBadProps(t *testing.T) {
	for _, tc := range []struct {
		edit func(*Props)
		want string
	}{
		{func(p *Props) { p.Name = "internal-x" }, `loadbalancer: Name "internal-x" is not allowed; load balancer names`},
		{func(p *Props) { p.Name = strings.Repeat("a", 33) }, `loadbalancer: Name "aaaa`},
		{func(p *Props) { p.PublicSubnetIDs = p.PublicSubnetIDs[:1] }, "loadbalancer: PublicSubnetIDs has 1 subnets; an ALB needs at least 2"},
		{func(p *Props) { p.Targets[0].Port = 0 }, "loadbalancer: Targets[0].Port 0 is out of range; want 1 to 65535"},
		{func(p *Props) { p.IngressIPv4CIDRs, p.IngressIPv6CIDRs = nil, nil }, "loadbalancer: IngressIPv4CIDRs and IngressIPv6CIDRs are both empty"},
		{func(p *Props) { p.IngressIPv4CIDRs = []string{"10.0.0.1/8"} }, `loadbalancer: IngressIPv4CIDRs[0] "10.0.0.1/8" has host bits set`},
		{func(p *Props) { p.IngressIPv4CIDRs = []string{"::/0"} }, `loadbalancer: IngressIPv4CIDRs[0] "::/0" is not an IPv4 CIDR`},
		{func(p *Props) { p.IngressIPv6CIDRs = []string{"::/0", "::/0"} }, `loadbalancer: IngressIPv6CIDRs[1] "::/0" is listed twice`},
		{func(p *Props) { p.IdleTimeoutSeconds = 0 }, "loadbalancer: IdleTimeoutSeconds 0 is out of range; want 1 to 4000"},
		{func(p *Props) { p.AccessLogsPrefix = "x" }, "loadbalancer: AccessLogsPrefix is set without AccessLogsBucket"},
		{func(p *Props) { p.SSLPolicy = "TLS13" }, `loadbalancer: SSLPolicy "TLS13" is not an ELB security policy`},
		{func(p *Props) { p.CertificateARN = nil }, "loadbalancer: CertificateARN is required"},
		{func(p *Props) { p.CertificateARN = jsii.String("cert") }, `loadbalancer: CertificateARN "cert" is not an ACM certificate ARN`},
		{func(p *Props) { p.Targets[0].DeregistrationDelaySeconds = 3601 }, "loadbalancer: Targets[0].DeregistrationDelaySeconds 3601 is out of range; want 0 to 3600"},
		{func(p *Props) { p.Targets[0].SlowStartSeconds = 10 }, "loadbalancer: Targets[0].SlowStartSeconds 10 is out of range; want 0 (off) or 30 to 900"},
		{func(p *Props) { p.Targets[0].Stickiness.Enabled = true }, "loadbalancer: Targets[0].Stickiness.DurationSeconds 0 is out of range; want 1 to 604800 when stickiness is enabled"},
		{func(p *Props) { p.Targets[0].NamePrefix = "selfhost" }, `loadbalancer: Targets[0].NamePrefix "selfhost" is not allowed; target group name prefixes are 1-6 of`},
		{func(p *Props) { p.Targets[0].NamePrefix = "" }, `loadbalancer: Targets[0].NamePrefix "" is not allowed`},
		{func(p *Props) { p.Targets[0].HealthCheck.Path = "api/status" }, `loadbalancer: Targets[0].HealthCheck.Path "api/status" must start with /`},
		{func(p *Props) { p.Targets[0].HealthCheck.TimeoutSeconds = 15 }, "loadbalancer: Targets[0].HealthCheck.TimeoutSeconds 15 is out of range; want 2 to 120 and less than IntervalSeconds (15)"},
		{func(p *Props) { p.Targets[0].HealthCheck.HealthyThreshold = 1 }, "loadbalancer: Targets[0].HealthCheck.HealthyThreshold 1 is out of range; want 2 to 10"},
		{func(p *Props) { p.Targets[0].HealthCheck.Matcher = "ok" }, `loadbalancer: Targets[0].HealthCheck.Matcher "ok" is not an HTTP code list`},
		{func(p *Props) { p.Targets = append(p.Targets, target("b", 100, "b.example.com")) }, "loadbalancer: Targets[1].Priority 100 is out of range or used twice"},
		{func(p *Props) { p.Targets = append(p.Targets, target("api", 101, "b.example.com")) }, `loadbalancer: Targets[1].Name "api" is not a unique DNS label`},
		{func(p *Props) { p.Targets = append(p.Targets, target("b", 101, "api.example.com")) }, `loadbalancer: Targets[1].Hosts: "api.example.com" is empty, longer than 128 characters or served twice`},
		{func(p *Props) { p.Targets[0].Name = "Svc" }, `loadbalancer: Targets[0].Name "Svc" is not a unique DNS label`},
		{func(p *Props) { p.Targets[0].Priority = 50001 }, "loadbalancer: Targets[0].Priority 50001 is out of range"},
		{func(p *Props) { p.Targets[0].Hosts = []string{"a", "b", "c", "d", "e", "f"} }, "loadbalancer: Targets[0].Hosts has 6 hosts; a rule matches 1 to 5"},
		{func(p *Props) { p.Targets[0].Hosts = []string{strings.Repeat("a", 129)} }, `loadbalancer: Targets[0].Hosts: "aaaa`},
	} {
		p := props()
		tc.edit(&p)
		if err := p.Validate(); err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("got %v, want %q", err, tc.want)
		}
		if _, err := New(nil, "lb", p); err == nil {
			t.Errorf("New accepted %+v", p)
		}
	}
	if err := props().Validate(); err != nil {
		t.Error(err)
	}
}
