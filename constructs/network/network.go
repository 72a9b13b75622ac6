// Package network is the tiered multi-AZ VPC: public, private (app) and
// database subnets in every AZ, one NAT gateway per AZ, an S3 gateway
// endpoint, interface endpoints for AWS APIs (HTTPS from the private subnets
// only), flow logs, a default security group with no rules, and network
// ACLs: every subnet in one managed allow-all ACL, the default ACL empty.
//
// Every per-AZ resource is keyed by AZ name, and subnet CIDRs come from
// internal/netplan keyed by AZ letter, so adding an AZ only adds resources.
package network

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cloudwatchloggroup"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/dataawsavailabilityzones"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/dbsubnetgroup"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/defaultnetworkacl"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/defaultsecuritygroup"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/eip"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/flowlog"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/iamrole"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/iamrolepolicy"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/internetgateway"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/natgateway"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/networkacl"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/networkaclassociation"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/networkaclrule"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/route"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/routetable"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/routetableassociation"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/securitygroup"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/subnet"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/vpc"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/vpcendpoint"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/vpcendpointroutetableassociation"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/vpcsecuritygroupingressrule"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"selfhost/awsrules"
	"selfhost/awsrules/netplan"
	"selfhost/constructs/iampolicy"
)

// FlowLogGroupActions are what the flow log role may do on its log group
// (and its streams).
var FlowLogGroupActions = []string{"logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"}

// DefaultNACLRuleNumber is the number of the allow-all rules AWS puts in a
// default network ACL (and selfhost in its managed one).
const DefaultNACLRuleNumber = 100

// NAT strategies (see config: network.nat).
const (
	NATOnePerAZ = "one_per_az"
	NATSingle   = "single"
	NATNone     = "none"
)

// Props configures the network. Every field is required; the environment
// defaults for them live in config/defaults.go.
type Props struct {
	// Name prefixes resource names and Name tags, e.g. "selfhost-production".
	Name string
	// Region is the AWS region; interface endpoint service names use it.
	Region string
	// VPCCIDR is the VPC's IPv4 CIDR.
	VPCCIDR string
	// AZs are the availability zone names (us-east-1a) or AZ IDs (use1-az1).
	AZs []string
	// RetiringAZs (optional) are some of AZs on their way out: their subnets,
	// NAT gateway, routes and database subnet group membership stay, but the
	// interface endpoints leave them, and Outputs do not list them, so later
	// stacks place nothing there (the database's instances included). At least one AZ must not retire.
	RetiringAZs []string
	// Layout sizes the subnet tiers (see internal/netplan).
	Layout netplan.Layout
	// NAT is one_per_az, single or none.
	NAT string
	// InterfaceEndpoints are service names such as "ecr.api".
	InterfaceEndpoints []string
	// FlowLogRetentionDays is the flow log group's retention.
	FlowLogRetentionDays int
}

// Outputs are the network's identifiers for later stacks. AZs and the
// per-tier subnet lists are those of the serving (not retiring) AZs, in AZ
// order.
type Outputs struct {
	VPCID             *string
	VPCCIDR           *string
	AZs               []string
	PublicSubnetIDs   []*string
	PrivateSubnetIDs  []*string
	DatabaseSubnetIDs []*string
	// DatabaseSubnetAZs are the AZ names of the database subnets (tokens:
	// with AZ IDs configured, AWS resolves the names), in AZ order.
	DatabaseSubnetAZs       []*string
	PublicRouteTableID      *string
	PrivateRouteTableIDs    []*string
	DatabaseRouteTableIDs   []*string
	EndpointSecurityGroupID *string
	DBSubnetGroupName       *string
}

// New builds the network in scope.
func New(scope constructs.Construct, id string, p Props) (*Outputs, error) {
	if p.Name == "" || p.Region == "" || len(p.AZs) == 0 {
		return nil, fmt.Errorf("network: Name, Region and AZs are required")
	}
	if err := awsrules.SecurityGroupNamePrefix(p.Name + "-endpoints-"); err != nil {
		return nil, fmt.Errorf("network: Name %w", err)
	}
	if p.NAT != NATOnePerAZ && p.NAT != NATSingle && p.NAT != NATNone {
		return nil, fmt.Errorf("network: NAT %q is not one of %s, %s, %s", p.NAT, NATOnePerAZ, NATSingle, NATNone)
	}
	azs := append([]string(nil), p.AZs...)
	sort.Strings(azs)
	idx := make([]int, len(azs))
	for i, az := range azs {
		n, err := netplan.AZIndex(p.Region, az)
		if err != nil {
			return nil, fmt.Errorf("network: %w", err)
		}
		idx[i] = n
	}
	plan, err := netplan.Compute(p.VPCCIDR, p.Layout, idx)
	if err != nil {
		return nil, fmt.Errorf("network: %w", err)
	}
	serving := map[string]bool{}
	for _, az := range azs {
		serving[az] = !slices.Contains(p.RetiringAZs, az)
	}
	for _, az := range p.RetiringAZs {
		if _, ok := serving[az]; !ok {
			return nil, fmt.Errorf("network: RetiringAZs: %q is not one of AZs (%s)", az, strings.Join(azs, ", "))
		}
	}
	if len(p.RetiringAZs) >= len(azs) {
		return nil, fmt.Errorf("network: RetiringAZs: every AZ retires; at least one must serve")
	}

	c := constructs.NewConstruct(scope, jsii.String(id))
	name := func(parts ...string) *map[string]*string {
		n := p.Name
		for _, s := range parts {
			n += "-" + s
		}
		return &map[string]*string{"Name": jsii.String(n)}
	}
	out := &Outputs{}
	for _, az := range azs {
		if serving[az] {
			out.AZs = append(out.AZs, az)
		}
	}

	// The AZs the account can use: a zone given by name or ID that it cannot
	// (an AZ letter the account lacks, an opt-in zone) stops the plan with a
	// clear message instead of failing the subnet at apply.
	avail := dataawsavailabilityzones.NewDataAwsAvailabilityZones(c, jsii.String("available"), &dataawsavailabilityzones.DataAwsAvailabilityZonesConfig{
		State: jsii.String("available"),
	})
	var pre []*cdktf.Precondition
	var names, zoneIDs *[]*string // each read at most once: a read is a jsii round trip
	for _, az := range azs {
		list, kind, read := &names, "names", avail.Names
		if awsrules.IsAZID(az) {
			list, kind, read = &zoneIDs, "zone IDs", avail.ZoneIds
		}
		if *list == nil {
			*list = read()
		}
		pre = append(pre, &cdktf.Precondition{
			Condition:    cdktf.Fn_Contains(*list, jsii.String(az)),
			ErrorMessage: jsii.String(fmt.Sprintf("availability_zones: %s is not an available AZ of %s for this account (see the %s of data.aws_availability_zones); choose zones the account has", az, p.Region, kind)),
		})
	}
	v := vpc.NewVpc(c, jsii.String("vpc"), &vpc.VpcConfig{
		CidrBlock:          jsii.String(p.VPCCIDR),
		EnableDnsSupport:   jsii.Bool(true),
		EnableDnsHostnames: jsii.Bool(true),
		Tags:               name("vpc"),
		Lifecycle:          &cdktf.TerraformResourceLifecycle{Precondition: &pre},
	})
	// Each attribute is read once and the string reused (a read is a jsii
	// round trip that mints a new token for the same reference).
	vpcID := v.Id()
	out.VPCID, out.VPCCIDR = vpcID, v.CidrBlock()

	// The default security group is managed with no rules: nothing can use it.
	defaultsecuritygroup.NewDefaultSecurityGroup(c, jsii.String("default-sg"), &defaultsecuritygroup.DefaultSecurityGroupConfig{
		VpcId: vpcID,
		Tags:  name("default-deny-all"),
	})

	igw := internetgateway.NewInternetGateway(c, jsii.String("igw"), &internetgateway.InternetGatewayConfig{
		VpcId: vpcID, Tags: name("igw"),
	})
	publicRT := routetable.NewRouteTable(c, jsii.String("public-rt"), &routetable.RouteTableConfig{
		VpcId: vpcID, Tags: name("public"),
	})
	publicRTID := publicRT.Id()
	route.NewRoute(c, jsii.String("public-default"), &route.RouteConfig{
		RouteTableId: publicRTID, DestinationCidrBlock: jsii.String("0.0.0.0/0"), GatewayId: igw.Id(),
	})
	out.PublicRouteTableID = publicRTID

	// Every subnet by tier and AZ, retiring AZs included (the per-tier
	// outputs hold only the serving ones).
	subnetIDs := map[netplan.Tier]map[string]*string{}
	newSubnet := func(tier netplan.Tier, az string, i int) (subnet.Subnet, *string) {
		cfg := &subnet.SubnetConfig{
			VpcId:               vpcID,
			AvailabilityZone:    jsii.String(az),
			CidrBlock:           jsii.String(plan[tier][i]),
			MapPublicIpOnLaunch: jsii.Bool(false), // nothing gets a public IP by accident; NAT and ALB use their own
			Tags:                &map[string]*string{"Name": jsii.String(fmt.Sprintf("%s-%s-%s", p.Name, tier, az)), "tier": jsii.String(string(tier))},
		}
		if awsrules.IsAZID(az) {
			cfg.AvailabilityZone, cfg.AvailabilityZoneId = nil, jsii.String(az)
		}
		sn := subnet.NewSubnet(c, jsii.String(fmt.Sprintf("%s-%s", tier, az)), cfg)
		if subnetIDs[tier] == nil {
			subnetIDs[tier] = map[string]*string{}
		}
		id := sn.Id()
		subnetIDs[tier][az] = id
		return sn, id
	}

	// Public subnets and one NAT gateway per AZ (or one in the first AZ for "single").
	nats := map[string]natgateway.NatGateway{}
	for i, az := range azs {
		_, pubID := newSubnet(netplan.Public, az, idx[i])
		if serving[az] {
			out.PublicSubnetIDs = append(out.PublicSubnetIDs, pubID)
		}
		routetableassociation.NewRouteTableAssociation(c, jsii.String("public-rta-"+az), &routetableassociation.RouteTableAssociationConfig{
			SubnetId: pubID, RouteTableId: publicRTID,
		})
		if p.NAT == NATOnePerAZ || (p.NAT == NATSingle && i == 0) {
			ip := eip.NewEip(c, jsii.String("nat-eip-"+az), &eip.EipConfig{Domain: jsii.String("vpc"), Tags: name("nat", az)})
			nats[az] = natgateway.NewNatGateway(c, jsii.String("nat-"+az), &natgateway.NatGatewayConfig{
				AllocationId: ip.AllocationId(), SubnetId: pubID, Tags: name("nat", az),
				DependsOn: &[]cdktf.ITerraformDependable{igw},
			})
		}
	}

	// Private (app) subnets: one route table per AZ to that AZ's NAT. The
	// route tables of every AZ, retiring ones included, in AZ order.
	var privateRTs, databaseRTs []*string
	for i, az := range azs {
		_, privID := newSubnet(netplan.Private, az, idx[i])
		if serving[az] {
			out.PrivateSubnetIDs = append(out.PrivateSubnetIDs, privID)
		}
		rt := routetable.NewRouteTable(c, jsii.String("private-rt-"+az), &routetable.RouteTableConfig{
			VpcId: vpcID, Tags: name("private", az),
		})
		rtID := rt.Id()
		privateRTs = append(privateRTs, rtID)
		routetableassociation.NewRouteTableAssociation(c, jsii.String("private-rta-"+az), &routetableassociation.RouteTableAssociationConfig{
			SubnetId: privID, RouteTableId: rtID,
		})
		nat, ok := nats[az]
		if p.NAT == NATSingle {
			nat, ok = nats[azs[0]], true
		}
		if ok {
			route.NewRoute(c, jsii.String("private-default-"+az), &route.RouteConfig{
				RouteTableId: rtID, DestinationCidrBlock: jsii.String("0.0.0.0/0"), NatGatewayId: nat.Id(),
			})
		}
	}

	// Database subnets: route tables with only the local route (and S3 below).
	// The DB subnet group holds every AZ's, a retiring one's too: RDS
	// refuses to drop a subnet from the group while a DB instance is in it,
	// so step 1 of removing an AZ moves the instances out (DatabaseSubnetAZs
	// lists the serving AZs only: <env>-data places instances there) and
	// step 2 drops the subnet, then deletes it.
	var dbGroupSubnets []*string
	for i, az := range azs {
		db, dbID := newSubnet(netplan.Database, az, idx[i])
		dbGroupSubnets = append(dbGroupSubnets, dbID)
		if serving[az] {
			out.DatabaseSubnetIDs = append(out.DatabaseSubnetIDs, dbID)
			out.DatabaseSubnetAZs = append(out.DatabaseSubnetAZs, db.AvailabilityZone())
		}
		rt := routetable.NewRouteTable(c, jsii.String("database-rt-"+az), &routetable.RouteTableConfig{
			VpcId: vpcID, Tags: name("database", az),
		})
		rtID := rt.Id()
		databaseRTs = append(databaseRTs, rtID)
		routetableassociation.NewRouteTableAssociation(c, jsii.String("database-rta-"+az), &routetableassociation.RouteTableAssociationConfig{
			SubnetId: dbID, RouteTableId: rtID,
		})
	}
	// Network ACLs. Every subnet is in one managed ACL with the rules AWS
	// gives a default ACL (all traffic in and out, rule 100): security groups
	// do the filtering, and the ACL is in Terraform so a rule added by hand
	// shows in the plan. The VPC's default ACL is then used by no subnet and
	// is managed with no rules (deny all, like the default security group),
	// so a subnet created outside Terraform gets no traffic. Adopting the
	// default ACL removes its rules at once (provider: aws_default_network_acl),
	// so it waits for every subnet to be moved (ReplaceNetworkAclAssociation,
	// atomic) to the managed ACL: no moment without an allow rule.
	// https://docs.aws.amazon.com/vpc/latest/userguide/default-network-acl.html
	nacl := networkacl.NewNetworkAcl(c, jsii.String("subnets-nacl"), &networkacl.NetworkAclConfig{
		VpcId: vpcID,
		Tags:  name("subnets"),
	})
	naclID := nacl.Id()
	naclDeps := []cdktf.ITerraformDependable{}
	for _, dir := range []struct {
		key    string
		egress bool
	}{{"in", false}, {"out", true}} {
		naclDeps = append(naclDeps, networkaclrule.NewNetworkAclRule(c, jsii.String("subnets-nacl-all-"+dir.key), &networkaclrule.NetworkAclRuleConfig{
			NetworkAclId: naclID,
			RuleNumber:   jsii.Number(DefaultNACLRuleNumber),
			Egress:       jsii.Bool(dir.egress),
			Protocol:     jsii.String("-1"),
			RuleAction:   jsii.String("allow"),
			CidrBlock:    jsii.String("0.0.0.0/0"),
		}))
	}
	for _, tier := range []netplan.Tier{netplan.Public, netplan.Private, netplan.Database} {
		for _, az := range azs {
			naclDeps = append(naclDeps, networkaclassociation.NewNetworkAclAssociation(c, jsii.String(fmt.Sprintf("nacl-%s-%s", tier, az)), &networkaclassociation.NetworkAclAssociationConfig{
				NetworkAclId: naclID, SubnetId: subnetIDs[tier][az],
			}))
		}
	}
	defaultnetworkacl.NewDefaultNetworkAcl(c, jsii.String("default-nacl"), &defaultnetworkacl.DefaultNetworkAclConfig{
		DefaultNetworkAclId: v.DefaultNetworkAclId(),
		Tags:                name("default-deny-all"),
		DependsOn:           &naclDeps,
	})

	sg := dbsubnetgroup.NewDbSubnetGroup(c, jsii.String("db-subnets"), &dbsubnetgroup.DbSubnetGroupConfig{
		Name:        jsii.String(p.Name + "-database"),
		Description: jsii.String("Database subnets of " + p.Name + " (no route to the internet)"),
		SubnetIds:   &dbGroupSubnets,
		Tags:        name("database"),
	})
	out.DBSubnetGroupName = sg.Name()
	for i, az := range azs {
		if serving[az] {
			out.PrivateRouteTableIDs = append(out.PrivateRouteTableIDs, privateRTs[i])
			out.DatabaseRouteTableIDs = append(out.DatabaseRouteTableIDs, databaseRTs[i])
		}
	}

	// S3 gateway endpoint on every private and database route table; one
	// association per table so a new AZ only adds an association.
	s3 := vpcendpoint.NewVpcEndpoint(c, jsii.String("s3-endpoint"), &vpcendpoint.VpcEndpointConfig{
		VpcId:           vpcID,
		ServiceName:     jsii.String(fmt.Sprintf("com.amazonaws.%s.s3", p.Region)),
		VpcEndpointType: jsii.String("Gateway"),
		Tags:            name("s3"),
	})
	s3ID := s3.Id()
	for i, az := range azs {
		for _, t := range []struct {
			tier string
			rt   *string
		}{{"private", privateRTs[i]}, {"database", databaseRTs[i]}} {
			vpcendpointroutetableassociation.NewVpcEndpointRouteTableAssociation(c, jsii.String(fmt.Sprintf("s3-%s-%s", t.tier, az)),
				&vpcendpointroutetableassociation.VpcEndpointRouteTableAssociationConfig{VpcEndpointId: s3ID, RouteTableId: t.rt})
		}
	}

	// Interface endpoints in the private subnets of the serving AZs, reachable
	// on 443 from the VPC only.
	// A generated name and create_before_destroy, so a replacement moves the
	// endpoints to the new group before the old one is deleted (AWS refuses
	// to delete a group in use).
	esg := securitygroup.NewSecurityGroup(c, jsii.String("endpoints-sg"), &securitygroup.SecurityGroupConfig{
		NamePrefix:  jsii.String(p.Name + "-endpoints-"),
		Description: jsii.String("Interface endpoints: HTTPS from inside the VPC only"),
		VpcId:       vpcID,
		Tags:        name("endpoints"),
		Lifecycle:   &cdktf.TerraformResourceLifecycle{CreateBeforeDestroy: jsii.Bool(true)},
	})
	esgID := esg.Id()
	// Only the tier that calls AWS APIs reaches them: HTTPS from each
	// private (task) subnet, one rule per AZ keyed by it. The database tier
	// and the public tier (ALB, NAT) have no business with the endpoints.
	for i, az := range azs {
		vpcsecuritygroupingressrule.NewVpcSecurityGroupIngressRule(c, jsii.String("endpoints-https-"+az), &vpcsecuritygroupingressrule.VpcSecurityGroupIngressRuleConfig{
			SecurityGroupId: esgID,
			Description:     jsii.String("HTTPS from the private subnet of " + az),
			IpProtocol:      jsii.String("tcp"),
			FromPort:        jsii.Number(443),
			ToPort:          jsii.Number(443),
			CidrIpv4:        jsii.String(plan[netplan.Private][idx[i]]),
		})
	}
	out.EndpointSecurityGroupID = esgID
	for _, svc := range p.InterfaceEndpoints {
		vpcendpoint.NewVpcEndpoint(c, jsii.String("endpoint-"+strings.ReplaceAll(svc, ".", "-")), &vpcendpoint.VpcEndpointConfig{
			VpcId:             vpcID,
			ServiceName:       jsii.String(fmt.Sprintf("com.amazonaws.%s.%s", p.Region, svc)),
			VpcEndpointType:   jsii.String("Interface"),
			PrivateDnsEnabled: jsii.Bool(true),
			SubnetIds:         &out.PrivateSubnetIDs,
			SecurityGroupIds:  &[]*string{esgID},
			Tags:              name(svc),
		})
	}

	// Flow logs of all traffic to CloudWatch, through a role that may write
	// only to this log group. The actions are those of AWS's "IAM role for
	// publishing flow logs to CloudWatch Logs" but logs:CreateLogGroup (the
	// group is created here, with its retention): the log group's own, and
	// logs:DescribeLogGroups, which lists the account's groups and so is
	// granted on every group of the account and region.
	acct := iampolicy.Here(c, "account")
	lg := cloudwatchloggroup.NewCloudwatchLogGroup(c, jsii.String("flow-logs"), &cloudwatchloggroup.CloudwatchLogGroupConfig{
		Name:            jsii.String("/" + p.Name + "/vpc-flow-logs"),
		RetentionInDays: jsii.Number(float64(p.FlowLogRetentionDays)),
	})
	lgARN := lg.Arn()
	role := iamrole.NewIamRole(c, jsii.String("flow-logs-role"), &iamrole.IamRoleConfig{
		Name:             jsii.String(p.Name + "-vpc-flow-logs"),
		AssumeRolePolicy: acct.AssumeRole(awsrules.VPCFlowLogs),
	})
	policy := iamrolepolicy.NewIamRolePolicy(c, jsii.String("flow-logs-policy"), &iamrolepolicy.IamRolePolicyConfig{
		Name: jsii.String("write-flow-logs"),
		Role: role.Id(),
		Policy: iampolicy.Document(
			iampolicy.Allow(FlowLogGroupActions, *lgARN, *lgARN+":*"),
			iampolicy.Allow([]string{"logs:DescribeLogGroups"}, acct.LogGroupARN("*")),
		),
	})
	flowlog.NewFlowLog(c, jsii.String("flow-log"), &flowlog.FlowLogConfig{
		// Created before its role may write, the flow log stays in "access
		// error" (AWS checks the role once, at creation): wait for the policy.
		DependsOn:              &[]cdktf.ITerraformDependable{policy},
		VpcId:                  vpcID,
		TrafficType:            jsii.String("ALL"),
		LogDestinationType:     jsii.String("cloud-watch-logs"),
		LogDestination:         lgARN,
		IamRoleArn:             role.Arn(),
		MaxAggregationInterval: jsii.Number(60),
		Tags:                   name("flow-log"),
	})
	return out, nil
}
