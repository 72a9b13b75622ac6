package e2e

import (
	"context"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	tfjson "github.com/hashicorp/terraform-json"

	"selfhost/config"
	"selfhost/ops/localenv"
)

// checkNetwork reads the deployed network tier back through the EC2 API:
// one subnet per tier per AZ, one NAT per AZ in its public subnet, private
// route tables through their own AZ's NAT, database ones with no route out,
// the S3 gateway endpoint on every private and database route table, the
// interface endpoints, the network ACLs.
func checkNetwork(t *testing.T, ctx context.Context, s *localenv.Session, vpcID string) {
	ec := ec2.NewFromConfig(s.AWS())
	byVPC := []ec2types.Filter{{Name: aws.String("vpc-id"), Values: []string{vpcID}}}
	azs := s.Cfg.AZNames()

	// Subnets: one per tier per AZ.
	subs, err := ec.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{Filters: byVPC})
	if err != nil {
		t.Fatal(err)
	}
	tierOf := map[string]string{} // subnet id -> tier
	azOf := map[string]string{}
	grid := map[string]int{}
	for _, sn := range subs.Subnets {
		tier := tag(sn.Tags, "tier")
		tierOf[*sn.SubnetId], azOf[*sn.SubnetId] = tier, *sn.AvailabilityZone
		grid[tier+"/"+*sn.AvailabilityZone]++
		if aws.ToBool(sn.MapPublicIpOnLaunch) {
			t.Errorf("subnet %s (%s) maps public IPs", *sn.SubnetId, tier)
		}
	}
	for _, tier := range []string{"public", "private", "database"} {
		for _, az := range azs {
			if grid[tier+"/"+az] != 1 {
				t.Errorf("%d %s subnets in %s, want 1", grid[tier+"/"+az], tier, az)
			}
		}
	}
	if len(subs.Subnets) != 3*len(azs) {
		t.Errorf("%d subnets, want %d", len(subs.Subnets), 3*len(azs))
	}

	// One NAT per AZ, each in that AZ's public subnet.
	nats, err := ec.DescribeNatGateways(ctx, &ec2.DescribeNatGatewaysInput{Filter: byVPC})
	if err != nil {
		t.Fatal(err)
	}
	natAZ := map[string]string{}
	for _, n := range nats.NatGateways {
		if n.State == ec2types.NatGatewayStateDeleted {
			continue
		}
		if tierOf[*n.SubnetId] != "public" {
			t.Errorf("NAT %s is in a %s subnet", *n.NatGatewayId, tierOf[*n.SubnetId])
		}
		natAZ[*n.NatGatewayId] = azOf[*n.SubnetId]
	}
	if got := sortedValues(natAZ); strings.Join(got, ",") != strings.Join(azs, ",") {
		t.Errorf("NATs in AZs %v, want one in each of %v", got, azs)
	}

	// Route tables: private -> own AZ's NAT; database: no route out.
	rts, err := ec.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{Filters: byVPC})
	if err != nil {
		t.Fatal(err)
	}
	rtTier := map[string]string{}
	for _, rt := range rts.RouteTables {
		for _, a := range rt.Associations {
			if a.SubnetId == nil {
				continue
			}
			tier, az := tierOf[*a.SubnetId], azOf[*a.SubnetId]
			rtTier[*rt.RouteTableId] = tier
			for _, r := range rt.Routes {
				if aws.ToString(r.DestinationCidrBlock) != "0.0.0.0/0" {
					continue
				}
				switch tier {
				case "database":
					t.Errorf("database route table %s has a default route", *rt.RouteTableId)
				case "private":
					if r.NatGatewayId == nil || natAZ[*r.NatGatewayId] != az {
						t.Errorf("private route table in %s routes 0.0.0.0/0 to %v, want its own AZ's NAT", az, aws.ToString(r.NatGatewayId))
					}
				}
			}
		}
	}

	// S3 gateway endpoint on every private and database route table.
	eps, err := ec.DescribeVpcEndpoints(ctx, &ec2.DescribeVpcEndpointsInput{Filters: byVPC})
	if err != nil {
		t.Fatal(err)
	}
	var s3Tables []string
	interfaces := 0
	for _, e := range eps.VpcEndpoints {
		switch {
		case strings.HasSuffix(*e.ServiceName, ".s3") && e.VpcEndpointType == ec2types.VpcEndpointTypeGateway:
			for _, id := range e.RouteTableIds {
				s3Tables = append(s3Tables, rtTier[id])
			}
		case e.VpcEndpointType == ec2types.VpcEndpointTypeInterface:
			interfaces++
		}
	}
	sort.Strings(s3Tables)
	want := strings.Repeat("database,", len(azs)) + strings.TrimSuffix(strings.Repeat("private,", len(azs)), ",")
	if strings.Join(s3Tables, ",") != want {
		t.Errorf("S3 endpoint route tables by tier %v, want %s", s3Tables, want)
	}
	if interfaces != len(s.Cfg.Network.InterfaceEndpoints) {
		t.Errorf("%d interface endpoints, want %d", interfaces, len(s.Cfg.Network.InterfaceEndpoints))
	}

	// Network ACLs: every subnet in the managed allow-all ACL; the default
	// ACL used by none and with no rule of its own (only the implicit deny).
	acls, err := ec.DescribeNetworkAcls(ctx, &ec2.DescribeNetworkAclsInput{Filters: byVPC})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range acls.NetworkAcls {
		if aws.ToBool(a.IsDefault) {
			for _, e := range a.Entries {
				if aws.ToInt32(e.RuleNumber) != 32767 {
					t.Errorf("default network ACL has rule %d (%s), want none", aws.ToInt32(e.RuleNumber), e.RuleAction)
				}
			}
			if len(a.Associations) != 0 {
				t.Errorf("default network ACL is used by %d subnets, want none", len(a.Associations))
			}
		} else if len(a.Associations) != len(subs.Subnets) {
			t.Errorf("managed network ACL %s has %d subnets, want all %d", aws.ToString(a.NetworkAclId), len(a.Associations), len(subs.Subnets))
		}
	}
	if len(acls.NetworkAcls) != 2 {
		t.Errorf("%d network ACLs, want the default and the managed one", len(acls.NetworkAcls))
	}
}

// checkAddAZ: adding an AZ only adds to the network (plan only).
func checkAddAZ(t *testing.T, ctx context.Context, s *localenv.Session) {
	azs := s.Cfg.AZNames()
	grown, err := s.Synth(func(c *config.Config) {
		n := len(azs) + 1
		c.AvailabilityZones.Count = &n
	})
	if err != nil {
		t.Fatal(err)
	}
	plan, err := grown.PlanJSON(ctx, s.Cfg.StackName("network"))
	if err != nil {
		t.Fatal(err)
	}
	// Updated in place (a new subnet joins their list); nothing else may change.
	inPlace := map[string]bool{"aws_vpc_endpoint": true, "aws_db_subnet_group": true}
	creates := 0
	for _, rc := range plan.ResourceChanges {
		a := rc.Change.Actions
		switch {
		case a.Create():
			creates++
		case a.NoOp() || a.Read():
		case a.Update() && inPlace[rc.Type]:
		default:
			t.Errorf("adding an AZ would %v %s", a, rc.Address)
		}
	}
	if creates < 10 { // 3 subnets, 3 route tables, NAT + EIP, routes, associations...
		t.Errorf("adding an AZ creates only %d resources", creates)
	}
	assertNoDelete(t, plan)
}

// checkNetworkGone: after the teardown nothing of the network is left.
func checkNetworkGone(t *testing.T, ctx context.Context, s *localenv.Session, vpcID string) {
	ec := ec2.NewFromConfig(s.AWS())
	vpcs, err := ec.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{Filters: []ec2types.Filter{{Name: aws.String("tag:environment"), Values: []string{s.Cfg.Name}}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(vpcs.Vpcs) != 0 {
		t.Errorf("%d VPCs left after destroy", len(vpcs.Vpcs))
	}
	byVPC := []ec2types.Filter{{Name: aws.String("vpc-id"), Values: []string{vpcID}}}
	left, _ := ec.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{Filters: byVPC})
	addrs, _ := ec.DescribeAddresses(ctx, &ec2.DescribeAddressesInput{})
	if left == nil || addrs == nil || len(left.Subnets) != 0 || len(addrs.Addresses) != 0 {
		t.Errorf("left after destroy: subnets %v, elastic IPs %v", left, addrs)
	}
}

func assertNoDelete(t *testing.T, plan *tfjson.Plan) {
	t.Helper()
	for _, rc := range plan.ResourceChanges {
		if rc.Change.Actions.Delete() || rc.Change.Actions.Replace() {
			t.Errorf("plan would %v %s", rc.Change.Actions, rc.Address)
		}
	}
}

func tag(tags []ec2types.Tag, key string) string {
	for _, t := range tags {
		if aws.ToString(t.Key) == key {
			return aws.ToString(t.Value)
		}
	}
	return ""
}

func sortedValues(m map[string]string) []string {
	var out []string
	for _, v := range m {
		out = append(out, v)
	}
	sort.Strings(out)
	return out
}
