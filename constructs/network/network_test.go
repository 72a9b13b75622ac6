package network

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"selfhost/awsrules/netplan"
	"selfhost/constructs/internal/testutil"
	"selfhost/internal/synth"
)

func TestMain(m *testing.M) { synth.TestMain(m) }

func props(nat string) Props {
	return Props{
		Name: "selfhost-test", Region: "us-east-1", VPCCIDR: "10.0.0.0/16",
		AZs:                  []string{"us-east-1c", "us-east-1a", "us-east-1b"},
		Layout:               netplan.Layout{Slots: 8, NewBits: map[netplan.Tier]int{netplan.Private: 4, netplan.Public: 5, netplan.Database: 5}},
		NAT:                  nat,
		InterfaceEndpoints:   []string{"ecr.api", "ecr.dkr", "logs", "sts", "secretsmanager"},
		FlowLogRetentionDays: 90,
	}
}

func synthNetwork(t *testing.T, p Props) (string, testutil.Doc) {
	t.Helper()
	return testutil.Synth(t, func(st cdktf.TerraformStack) {
		if _, err := New(st, "network", p); err != nil {
			t.Fatal(err)
		}
	})
}

// find returns the single resource of typ whose logical id contains key.
func find(t *testing.T, d testutil.Doc, typ, key string) map[string]any {
	t.Helper()
	var hit map[string]any
	for id, r := range d.Of(typ) {
		if strings.Contains(id, key) {
			if hit != nil {
				t.Fatalf("%s: more than one id contains %q", typ, key)
			}
			hit = r
		}
	}
	if hit == nil {
		t.Fatalf("%s: no id contains %q", typ, key)
	}
	return hit
}

func TestTieredNetworkWithNATPerAZ(t *testing.T) {
	out, d := synthNetwork(t, props(NATOnePerAZ))

	if !testutil.Has(out, "aws_vpc", map[string]any{"cidr_block": "10.0.0.0/16", "enable_dns_support": true, "enable_dns_hostnames": true}) {
		t.Error("VPC without DNS support and hostnames")
	}
	if n := d.Count("aws_subnet"); n != 9 {
		t.Errorf("%d subnets, want 9 (3 tiers x 3 AZs)", n)
	}
	wantCIDR := map[string]string{
		"private-us-east-1a": "10.0.0.0/20", "private-us-east-1c": "10.0.32.0/20",
		"public-us-east-1b": "10.0.136.0/21", "database-us-east-1c": "10.0.208.0/21",
	}
	for key, cidr := range wantCIDR {
		s := find(t, d, "aws_subnet", key)
		if s["cidr_block"] != cidr {
			t.Errorf("%s cidr %v, want %s", key, s["cidr_block"], cidr)
		}
	}
	for id, s := range d.Of("aws_subnet") {
		if s["map_public_ip_on_launch"] != false {
			t.Errorf("subnet %s maps public IPs", id)
		}
	}

	// One EIP + NAT per AZ, each in that AZ's public subnet; each private
	// route table routes to its own AZ's NAT.
	if d.Count("aws_nat_gateway") != 3 || d.Count("aws_eip") != 3 {
		t.Errorf("%d NATs, %d EIPs; want 3 each", d.Count("aws_nat_gateway"), d.Count("aws_eip"))
	}
	for _, az := range []string{"us-east-1a", "us-east-1b", "us-east-1c"} {
		nat := find(t, d, "aws_nat_gateway", "nat-"+az)
		if !strings.Contains(fmt.Sprint(nat["subnet_id"]), "public-"+az) {
			t.Errorf("NAT of %s is in %v", az, nat["subnet_id"])
		}
		r := find(t, d, "aws_route", "private-default-"+az)
		if r["destination_cidr_block"] != "0.0.0.0/0" || !strings.Contains(fmt.Sprint(r["nat_gateway_id"]), "nat-"+az) {
			t.Errorf("private route of %s: %v", az, r)
		}
	}

	// Database route tables have no route at all besides local: no aws_route
	// and no inline route references them.
	for id, r := range d.Of("aws_route") {
		if strings.Contains(fmt.Sprint(r["route_table_id"]), "database-rt") {
			t.Errorf("route %s targets a database route table", id)
		}
	}
	for id, rt := range d.Of("aws_route_table") {
		if _, inline := rt["route"]; inline {
			t.Errorf("route table %s has inline routes", id)
		}
	}

	// S3 gateway endpoint associated with all 3 private and 3 database route tables.
	assoc := d.Of("aws_vpc_endpoint_route_table_association")
	var tables []string
	for _, a := range assoc {
		tables = append(tables, fmt.Sprint(a["route_table_id"]))
	}
	joined := strings.Join(tables, " ")
	if len(assoc) != 6 || strings.Count(joined, "private-rt") != 3 || strings.Count(joined, "database-rt") != 3 {
		t.Errorf("S3 endpoint associations: %v", tables)
	}
	if !testutil.Has(out, "aws_vpc_endpoint", map[string]any{"service_name": "com.amazonaws.us-east-1.s3", "vpc_endpoint_type": "Gateway"}) {
		t.Error("no S3 gateway endpoint")
	}

	// Interface endpoints: private subnets, private DNS, SG with 443 from the VPC only.
	for _, svc := range props(NATOnePerAZ).InterfaceEndpoints {
		e := find(t, d, "aws_vpc_endpoint", "endpoint-"+strings.ReplaceAll(svc, ".", "-")+"_")
		if e["service_name"] != "com.amazonaws.us-east-1."+svc || e["vpc_endpoint_type"] != "Interface" || e["private_dns_enabled"] != true {
			t.Errorf("endpoint %s: %v", svc, e)
		}
		if subs := fmt.Sprint(e["subnet_ids"]); strings.Count(subs, "private-us-east-1") != 3 {
			t.Errorf("endpoint %s subnets %s", svc, subs)
		}
	}
	// Endpoint ingress: 443 from each private subnet only (not the VPC, so
	// not the database or public tier), one rule per AZ.
	ingress := d.Of("aws_vpc_security_group_ingress_rule")
	if len(ingress) != 3 {
		t.Fatalf("%d ingress rules, want 3 (one per private subnet)", len(ingress))
	}
	for _, az := range []string{"us-east-1a", "us-east-1b", "us-east-1c"} {
		r := find(t, d, "aws_vpc_security_group_ingress_rule", "endpoints-https-"+az)
		sub := find(t, d, "aws_subnet", "private-"+az)
		if r["cidr_ipv4"] != sub["cidr_block"] || r["from_port"] != 443.0 || r["to_port"] != 443.0 || r["ip_protocol"] != "tcp" {
			t.Errorf("endpoint ingress of %s: %v, want 443 from %v", az, r, sub["cidr_block"])
		}
	}
	if d.Count("aws_vpc_security_group_egress_rule") != 0 {
		t.Error("endpoint SG has egress rules")
	}

	// Default SG managed with no rules.
	for _, sg := range d.Of("aws_default_security_group") {
		if _, ok := sg["ingress"]; ok {
			t.Error("default SG has ingress")
		}
		if _, ok := sg["egress"]; ok {
			t.Error("default SG has egress")
		}
	}
	if d.Count("aws_default_security_group") != 1 {
		t.Error("default SG not managed")
	}

	// Flow logs of all traffic to a log group with retention.
	if !testutil.Has(out, "aws_flow_log", map[string]any{"traffic_type": "ALL", "log_destination_type": "cloud-watch-logs"}) ||
		!testutil.Has(out, "aws_cloudwatch_log_group", map[string]any{"retention_in_days": 90}) {
		t.Error("flow logs or their retention missing")
	}
	for _, p := range d.Of("aws_iam_role_policy") {
		if pol := fmt.Sprint(p["policy"]); strings.Contains(pol, `"*"`) || !strings.Contains(pol, "aws_cloudwatch_log_group") {
			t.Errorf("flow log policy is not scoped to its log group: %s", pol)
		}
	}
	if d.Count("aws_db_subnet_group") != 1 {
		t.Error("no DB subnet group")
	}
}

func TestSingleAndNoNAT(t *testing.T) {
	_, d := synthNetwork(t, props(NATSingle))
	if d.Count("aws_nat_gateway") != 1 {
		t.Errorf("single: %d NATs", d.Count("aws_nat_gateway"))
	}
	for _, az := range []string{"us-east-1a", "us-east-1b", "us-east-1c"} {
		r := find(t, d, "aws_route", "private-default-"+az)
		if !strings.Contains(fmt.Sprint(r["nat_gateway_id"]), "nat-us-east-1a") {
			t.Errorf("single: %s routes to %v", az, r["nat_gateway_id"])
		}
	}

	_, d = synthNetwork(t, props(NATNone))
	if d.Count("aws_nat_gateway") != 0 || d.Count("aws_eip") != 0 {
		t.Error("none: NAT resources exist")
	}
	if d.Count("aws_route") != 1 { // only the public default route
		t.Errorf("none: %d routes, want only the public one", d.Count("aws_route"))
	}
}

// Logical ids are keyed by AZ: adding an AZ keeps every existing id and value.
func TestAddingAnAZOnlyAdds(t *testing.T) {
	p := props(NATOnePerAZ)
	p.AZs = []string{"us-east-1a", "us-east-1c"}
	_, before := synthNetwork(t, p)
	p.AZs = []string{"us-east-1a", "us-east-1b", "us-east-1c"}
	_, after := synthNetwork(t, p)
	for _, typ := range []string{"aws_subnet", "aws_route_table", "aws_nat_gateway", "aws_eip", "aws_route", "aws_route_table_association"} {
		for id, r := range before.Of(typ) {
			a, ok := after.Of(typ)[id]
			if !ok {
				t.Errorf("%s.%s disappeared", typ, id)
				continue
			}
			if fmt.Sprint(a) != fmt.Sprint(r) {
				t.Errorf("%s.%s changed:\n%v\n%v", typ, id, r, a)
			}
		}
		if len(after.Of(typ)) <= len(before.Of(typ)) {
			t.Errorf("%s: nothing added", typ)
		}
	}
}

func TestRejectsBadProps(t *testing.T) {
	for _, p := range []Props{
		func() Props { p := props("two"); return p }(),
		func() Props { p := props(NATOnePerAZ); p.AZs = []string{"eu-west-1a"}; return p }(),
		func() Props { p := props(NATOnePerAZ); p.VPCCIDR = "10.0.0.0/24"; return p }(),
	} {
		testutil.Synth(t, func(st cdktf.TerraformStack) {
			if _, err := New(st, "network", p); err == nil {
				t.Errorf("accepted %+v", p)
			}
		})
	}
}

// The flow log's role has every permission AWS documents for delivery to
// CloudWatch Logs (the group exists, so not CreateLogGroup), and the flow
// log waits for the policy: created first, AWS leaves it in "access error".
func TestFlowLogDeliveryRole(t *testing.T) {
	_, d := synthNetwork(t, props(NATOnePerAZ))
	pol := testutil.One(t, d, "aws_iam_role_policy")
	var doc struct {
		Statement []struct {
			Action   []string
			Resource []string
		}
	}
	if err := json.Unmarshal([]byte(fmt.Sprint(pol["policy"])), &doc); err != nil {
		t.Fatal(err)
	}
	granted := map[string][]string{}
	for _, st := range doc.Statement {
		for _, a := range st.Action {
			granted[a] = append(granted[a], st.Resource...)
		}
	}
	for _, a := range []string{"logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogGroups", "logs:DescribeLogStreams"} {
		if len(granted[a]) == 0 {
			t.Errorf("flow log role lacks %s (AWS: IAM role for publishing flow logs to CloudWatch Logs)", a)
		}
	}
	if r := strings.Join(granted["logs:DescribeLogGroups"], " "); !strings.Contains(r, ":logs:${data.aws_region.") || !strings.HasSuffix(r, ":log-group:*") {
		t.Errorf("DescribeLogGroups on %q, want the account's log groups from data sources", r)
	}
	fl := testutil.One(t, d, "aws_flow_log")
	var policyID string
	for id := range d.Of("aws_iam_role_policy") {
		policyID = "aws_iam_role_policy." + id
	}
	if deps := fmt.Sprint(fl["depends_on"]); !strings.Contains(deps, policyID) {
		t.Errorf("flow log depends_on %s, want %s", deps, policyID)
	}
}

// Confused deputy: only flow logs of this account and region may have the
// service assume the delivery role (AWS: IAM role for publishing flow logs).
func TestFlowLogTrust(t *testing.T) {
	_, d := synthNetwork(t, props(NATOnePerAZ))
	role := testutil.One(t, d, "aws_iam_role")
	var trust struct {
		Statement []struct {
			Principal map[string]string
			Condition map[string]map[string]string
		}
	}
	if err := json.Unmarshal([]byte(fmt.Sprint(role["assume_role_policy"])), &trust); err != nil || len(trust.Statement) != 1 {
		t.Fatalf("trust policy %v: %v", role["assume_role_policy"], err)
	}
	st := trust.Statement[0]
	acct := st.Condition["StringEquals"]["aws:SourceAccount"]
	if st.Principal["Service"] != "vpc-flow-logs.amazonaws.com" || !strings.HasPrefix(acct, "${data.aws_caller_identity.") {
		t.Errorf("trust %+v: want vpc-flow-logs with aws:SourceAccount from data.aws_caller_identity", st)
	}
	if arn := st.Condition["ArnLike"]["aws:SourceArn"]; !strings.HasPrefix(arn, "arn:${data.aws_partition.") || !strings.HasSuffix(arn, ":"+acct+":vpc-flow-log/*") {
		t.Errorf("aws:SourceArn %q, want the account's flow logs", arn)
	}
}

// Every subnet is in the managed allow-all ACL (AWS's default rules), and the
// VPC's default ACL is managed with no rules, adopted only once every subnet
// has moved (adopting it removes its rules at once).
func TestNetworkACLs(t *testing.T) {
	_, d := synthNetwork(t, props(NATOnePerAZ))
	nacl := testutil.One(t, d, "aws_network_acl")
	if _, inline := nacl["ingress"]; inline {
		t.Error("managed ACL has inline rules (they fight the aws_network_acl_rule resources)")
	}
	rules := d.Of("aws_network_acl_rule")
	if len(rules) != 2 {
		t.Fatalf("%d ACL rules, want 2", len(rules))
	}
	egress := map[bool]bool{}
	for id, r := range rules {
		if r["rule_number"] != 100.0 || r["protocol"] != "-1" || r["rule_action"] != "allow" || r["cidr_block"] != "0.0.0.0/0" {
			t.Errorf("ACL rule %s: %v", id, r)
		}
		egress[r["egress"] == true] = true
	}
	if !egress[true] || !egress[false] {
		t.Errorf("want one ingress and one egress allow-all rule: %v", rules)
	}
	assoc := d.Of("aws_network_acl_association")
	subnets := d.Of("aws_subnet")
	if len(assoc) != len(subnets) {
		t.Errorf("%d associations for %d subnets", len(assoc), len(subnets))
	}
	var deps []string
	for id, a := range assoc {
		deps = append(deps, "aws_network_acl_association."+id)
		if !strings.Contains(fmt.Sprint(a["network_acl_id"]), "aws_network_acl.") {
			t.Errorf("association %s: %v", id, a)
		}
	}
	for id := range subnets {
		found := false
		for _, a := range assoc {
			found = found || a["subnet_id"] == "${aws_subnet."+id+".id}"
		}
		if !found {
			t.Errorf("subnet %s is not in the managed ACL (it would be in the deny-all default)", id)
		}
	}
	def := testutil.One(t, d, "aws_default_network_acl")
	for _, k := range []string{"ingress", "egress", "subnet_ids"} {
		if _, ok := def[k]; ok {
			t.Errorf("default ACL has %s: want no rules and no subnets", k)
		}
	}
	if !strings.Contains(fmt.Sprint(def["default_network_acl_id"]), ".default_network_acl_id}") {
		t.Errorf("default ACL id %v", def["default_network_acl_id"])
	}
	dependsOn := fmt.Sprint(def["depends_on"])
	for _, dep := range deps {
		if !strings.Contains(dependsOn, dep) {
			t.Errorf("default ACL adopted before %s", dep)
		}
	}
}

// A retiring AZ keeps its subnets, NAT, routes and its place in the
// database subnet group (RDS refuses to drop a subnet an instance is in),
// but the interface endpoints and the outputs for later stacks (the load
// balancer's, the tasks' subnets, the database instances' AZs) leave it.
func TestRetiringAZServesNothing(t *testing.T) {
	p := props(NATOnePerAZ)
	p.RetiringAZs = []string{"us-east-1b"}
	_, d := testutil.Synth(t, func(st cdktf.TerraformStack) {
		out, err := New(st, "network", p)
		if err != nil {
			t.Fatal(err)
		}
		cdktf.NewTerraformOutput(st, jsii.String("public"), &cdktf.TerraformOutputConfig{Value: out.PublicSubnetIDs})
		cdktf.NewTerraformOutput(st, jsii.String("private"), &cdktf.TerraformOutputConfig{Value: out.PrivateSubnetIDs})
		cdktf.NewTerraformOutput(st, jsii.String("azs"), &cdktf.TerraformOutputConfig{Value: out.AZs})
		cdktf.NewTerraformOutput(st, jsii.String("db-azs"), &cdktf.TerraformOutputConfig{Value: out.DatabaseSubnetAZs})
	})
	if n, nats := d.Count("aws_subnet"), d.Count("aws_nat_gateway"); n != 9 || nats != 3 {
		t.Errorf("%d subnets and %d NATs, want 9 and 3: a retiring AZ keeps its network", n, nats)
	}
	for id, a := range d.Of("aws_network_acl_association") {
		if sn := fmt.Sprint(a["subnet_id"]); !strings.HasPrefix(sn, "${aws_subnet.") {
			t.Errorf("ACL association %s has no subnet", id)
		}
	}
	if n := d.Count("aws_network_acl_association"); n != 9 {
		t.Errorf("%d ACL associations, want one per subnet (9): a retiring AZ's subnets stay in the managed ACL", n)
	}
	refs := func(v any) string { return fmt.Sprint(v) }
	for id, e := range d.Of("aws_vpc_endpoint") {
		if sn := refs(e["subnet_ids"]); e["vpc_endpoint_type"] == "Interface" && (strings.Contains(sn, "us-east-1b") || !strings.Contains(sn, "private-us-east-1a") || !strings.Contains(sn, "private-us-east-1c")) {
			t.Errorf("endpoint %s in subnets %s, want the private subnets of a and c only", id, sn)
		}
	}
	if sn := refs(find(t, d, "aws_db_subnet_group", "db-subnets")["subnet_ids"]); strings.Count(sn, "database-us-east-1") != 3 {
		t.Errorf("database subnet group in %s, want the database subnets of a, b and c", sn)
	}
	for _, o := range []string{"public", "private", "azs", "db-azs"} {
		if v := refs(d.Output[o]["value"]); strings.Contains(v, "us-east-1b") || !strings.Contains(v, "us-east-1a") || !strings.Contains(v, "us-east-1c") {
			t.Errorf("output %s = %s, want a and c only", o, v)
		}
	}

	p.RetiringAZs = []string{"us-east-1a", "us-east-1b", "us-east-1c"}
	testutil.Synth(t, func(st cdktf.TerraformStack) {
		if _, err := New(st, "network", p); err == nil || !strings.Contains(err.Error(), "at least one must serve") {
			t.Errorf("every AZ retiring: %v", err)
		}
	})
}
