package e2e

import (
	"encoding/json"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	tfjson "github.com/hashicorp/terraform-json"

	"selfhost/config"
)

// The network tier on the emulator: apply state + network on the S3
// backend, re-plan clean, check the facts through the EC2 API, plan adding
// an AZ (only additions), destroy, nothing left.
func TestNetworkDeployReplanDestroy(t *testing.T) {
	s, ctx := start(t)
	env, err := s.Synth(nil)
	if err != nil {
		t.Fatal(err)
	}
	state, network := s.Cfg.StackName("state"), s.Cfg.StackName("network")
	if err := env.Apply(ctx, state, network); err != nil {
		t.Fatal(err)
	}
	if changed, err := env.Drift(ctx, state, network); err != nil || len(changed) > 0 {
		t.Fatalf("re-plan after apply: changes in %v (err %v)", changed, err)
	}

	outs, err := env.Outputs(ctx, network)
	if err != nil {
		t.Fatal(err)
	}
	var vpcID string
	json.Unmarshal([]byte(outs["vpc_id"]), &vpcID)
	if !strings.HasPrefix(vpcID, "vpc-") {
		t.Fatalf("vpc_id output %q", outs["vpc_id"])
	}
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

	// Change safety: adding an AZ only adds to the network.
	t.Run("AddAZPlanOnlyAdds", func(t *testing.T) {
		grown, err := s.Synth(func(c *config.Config) {
			n := len(azs) + 1
			c.AvailabilityZones.Count = &n
		})
		if err != nil {
			t.Fatal(err)
		}
		plan, err := grown.PlanJSON(ctx, network)
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
	})

	// Destroy the network; nothing of it is left.
	if err := env.Destroy(ctx, network); err != nil {
		t.Fatal(err)
	}
	vpcs, err := ec.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{Filters: []ec2types.Filter{{Name: aws.String("tag:environment"), Values: []string{s.Cfg.Name}}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(vpcs.Vpcs) != 0 {
		t.Errorf("%d VPCs left after destroy", len(vpcs.Vpcs))
	}
	left, _ := ec.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{Filters: byVPC})
	addrs, _ := ec.DescribeAddresses(ctx, &ec2.DescribeAddressesInput{})
	if left == nil || addrs == nil || len(left.Subnets) != 0 || len(addrs.Addresses) != 0 {
		t.Errorf("left after destroy: subnets %v, elastic IPs %v", left, addrs)
	}

	// The state bucket refuses a plain destroy; the deliberate path removes it.
	if err := env.Destroy(ctx, state); err == nil || !strings.Contains(err.Error(), "prevent_destroy") {
		t.Errorf("destroying %s: %v, want Terraform's prevent_destroy refusal", state, err)
	}
	if err := s.DeleteStateBucket(ctx); err != nil {
		t.Fatal(err)
	}
	buckets, err := s3.NewFromConfig(s.AWS()).ListBuckets(ctx, &s3.ListBucketsInput{})
	if err != nil || len(buckets.Buckets) != 0 {
		t.Errorf("buckets left: %v (err %v)", buckets, err)
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
