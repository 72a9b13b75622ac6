package e2e

// Day-2 changes that AWS refuses unless they are done in the right order:
// replacing security groups in use, and removing an AZ in two deploys. The
// emulator refuses like AWS (DependencyViolation, see emulator/launcher.py),
// so each step applying without error is the proof.

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/securitygroup"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
	tfjson "github.com/hashicorp/terraform-json"

	"selfhost/config"
	"selfhost/ops/deploy"
	"selfhost/ops/localenv"
	"selfhost/planreport"
)

// day2 is the environment as ChangesReplaceNothingCritical left the network
// (one more AZ) with the published image pinned, then change.
func day2(digest string, change func(c *config.Config)) func(c *config.Config) {
	return func(c *config.Config) {
		c.Services["api"].Image.Tag, c.Services["api"].Image.Digest = "", digest
		n := len(c.AZNames()) + 1
		c.AvailabilityZones.Count = &n
		if change != nil {
			change(c)
		}
	}
}

// newSGDescriptions changes the description of every security group
// selfhost creates (ALB, each service's, endpoints): AWS cannot change a
// description in place, so each group is replaced while in use.
func newSGDescriptions(app cdktf.App, cfg *config.Config) error {
	groups := []struct{ part, construct, id string }{
		{config.PartNetwork, "network", "endpoints-sg"},
		{config.PartService, "load-balancer", "alb-sg"},
	}
	for _, n := range cfg.ServiceNames() { // each service's tasks' group
		groups = append(groups, struct{ part, construct, id string }{config.PartService, "service-" + n, "sg"})
	}
	for _, g := range groups {
		st, err := findStack(app, cfg, g.part)
		if err != nil {
			return err
		}
		c := st.Node().TryFindChild(jsii.String(g.construct))
		if c == nil {
			return fmt.Errorf("no construct %s in %s", g.construct, cfg.StackName(g.part))
		}
		sg, ok := c.Node().TryFindChild(jsii.String(g.id)).(securitygroup.SecurityGroup)
		if !ok {
			return fmt.Errorf("no security group %s/%s in %s", g.construct, g.id, cfg.StackName(g.part))
		}
		sg.AddOverride(jsii.String("description"), jsii.String(*sg.DescriptionInput()+" (v2)"))
	}
	return nil
}

// inUse are the security groups and subnets the load balancer, the ECS
// services (all of them together) and the interface endpoints use, read
// through the AWS APIs.
type inUse struct {
	lbGroups, lbAZs, svcGroups, svcSubnets, epGroups, epSubnets []string
}

func readInUse(t *testing.T, ctx context.Context, s *localenv.Session, outs map[string]string, vpcID string) inUse {
	t.Helper()
	cfg := s.AWS()
	var u inUse
	lbs, err := elbv2.NewFromConfig(cfg).DescribeLoadBalancers(ctx, &elbv2.DescribeLoadBalancersInput{})
	if err != nil || len(lbs.LoadBalancers) != 1 {
		t.Fatalf("load balancers: %v %v", lbs, err)
	}
	u.lbGroups = sorted(lbs.LoadBalancers[0].SecurityGroups)
	for _, az := range lbs.LoadBalancers[0].AvailabilityZones {
		u.lbAZs = append(u.lbAZs, aws.ToString(az.ZoneName))
	}
	u.lbAZs = sorted(u.lbAZs)
	for _, n := range s.Cfg.ServiceNames() {
		cluster, service, _ := serviceNames(t, outs, n)
		ds, err := ecs.NewFromConfig(cfg).DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: &cluster, Services: []string{service}})
		if err != nil || len(ds.Services) != 1 || ds.Services[0].NetworkConfiguration == nil {
			t.Fatalf("service %s: %v %v", n, ds, err)
		}
		vpc := ds.Services[0].NetworkConfiguration.AwsvpcConfiguration
		u.svcGroups, u.svcSubnets = append(u.svcGroups, vpc.SecurityGroups...), append(u.svcSubnets, vpc.Subnets...)
	}
	u.svcGroups, u.svcSubnets = sorted(u.svcGroups), sorted(u.svcSubnets)
	eps, err := ec2.NewFromConfig(cfg).DescribeVpcEndpoints(ctx, &ec2.DescribeVpcEndpointsInput{Filters: []ec2types.Filter{
		{Name: aws.String("vpc-id"), Values: []string{vpcID}}, {Name: aws.String("vpc-endpoint-type"), Values: []string{"Interface"}}}})
	if err != nil || len(eps.VpcEndpoints) == 0 {
		t.Fatalf("interface endpoints: %v %v", eps, err)
	}
	for _, e := range eps.VpcEndpoints {
		for _, g := range e.Groups {
			u.epGroups = append(u.epGroups, aws.ToString(g.GroupId))
		}
		u.epSubnets = append(u.epSubnets, e.SubnetIds...)
	}
	u.epGroups, u.epSubnets = sorted(u.epGroups), sorted(u.epSubnets)
	return u
}

// sorted is s sorted, without repeats.
func sorted(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return slices.Compact(out)
}

// critical are the resource types a day-2 step must never replace or delete.
var critical = map[string]bool{"aws_lb": true, "aws_lb_target_group": true, "aws_lb_listener": true, "aws_ecs_service": true,
	"aws_ecs_cluster": true, "aws_vpc": true, "aws_route53_record": true, "aws_acm_certificate": true}

// checkReplaceSecurityGroups: a change that replaces every security group
// selfhost creates, while the load balancer, the tasks and the endpoints
// use them, applies: the new groups are created and take over before the
// old ones are deleted (which AWS refuses while they are in use), and
// nothing critical is replaced.
func checkReplaceSecurityGroups(t *testing.T, ctx context.Context, s *localenv.Session, outs map[string]string, vpcID, digest string) *deploy.Env {
	before := readInUse(t, ctx, s, outs, vpcID)
	env, err := s.SynthEdit(day2(digest, nil), newSGDescriptions)
	if err != nil {
		t.Fatal(err)
	}
	network, service := s.Cfg.StackName("network"), s.Cfg.StackName("service")
	replaced := 0
	stacks := []string{network, service}
	planned := deploy.PlanAll(ctx, []deploy.Job{{Env: env, Stack: network}, {Env: env, Stack: service}})
	for i, st := range stacks {
		plan, err := planned[i].Plan, planned[i].Err
		if err != nil {
			t.Fatal(err)
		}
		for _, rc := range plan.ResourceChanges {
			a := rc.Change.Actions
			switch {
			case rc.Type == "aws_security_group" && a.Replace():
				if !a.CreateBeforeDestroy() {
					t.Errorf("%s: %s is replaced %v, want create before destroy", st, rc.Address, a)
				}
				replaced++
			case critical[rc.Type] && (a.Delete() || a.Replace()):
				t.Errorf("%s: %v %s", st, a, rc.Address)
			}
		}
	}
	if want := 2 + len(s.Cfg.Services); replaced != want {
		t.Errorf("%d security groups replaced, want %d (ALB, endpoints, each service's)", replaced, want)
	}
	// The network's plan just checked; the service is planned again on it.
	if err := env.ApplyPlanned(ctx, network); err != nil {
		t.Fatal(err)
	}
	if err := env.Apply(ctx, service); err != nil {
		t.Fatal(err)
	}
	after := readInUse(t, ctx, s, outs, vpcID)
	ec := ec2.NewFromConfig(s.AWS())
	for _, g := range []struct {
		what          string
		n             int
		before, after []string
	}{{"load balancer", 1, before.lbGroups, after.lbGroups}, {"services", len(s.Cfg.Services), before.svcGroups, after.svcGroups}, {"endpoints", 1, before.epGroups, after.epGroups}} {
		if len(g.after) != g.n || len(g.before) != g.n || len(sorted(append(slices.Clone(g.before), g.after...))) != 2*g.n {
			t.Errorf("%s security groups %v before, %v after: want %d new groups", g.what, g.before, g.after, g.n)
			continue
		}
		left, err := ec.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{Filters: []ec2types.Filter{{Name: aws.String("group-id"), Values: g.before}}})
		if err != nil || len(left.SecurityGroups) != 0 {
			t.Errorf("the %s's old security group %v is still there (%v)", g.what, g.before, err)
		}
	}
	return env
}

// checkRemoveAZ: with three AZs deployed, the middle one is retired (the
// service stack leaves it; its network stays), then removed (only its
// network goes), each step deployed in dependency order without error,
// checked through the AWS APIs, with the plan report explaining the steps.
// Removing it directly is what the report refuses first.
func checkRemoveAZ(t *testing.T, ctx context.Context, s *localenv.Session, outs map[string]string, vpcID, digest string, deployed *deploy.Env) *deploy.Env {
	network, service := s.Cfg.StackName("network"), s.Cfg.StackName("service")
	azs := deployed.Cfg.AZNames()
	if len(azs) != 3 {
		t.Fatalf("deployed AZs %v, want 3", azs)
	}
	middle := azs[1]
	kept := []string{azs[0], azs[2]}
	subnetsIn := func(az string) []string {
		t.Helper()
		out, err := ec2.NewFromConfig(s.AWS()).DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{Filters: []ec2types.Filter{
			{Name: aws.String("vpc-id"), Values: []string{vpcID}}, {Name: aws.String("availability-zone"), Values: []string{az}}}})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, sn := range out.Subnets {
			ids = append(ids, aws.ToString(sn.SubnetId))
		}
		return sorted(ids)
	}
	privateIn := func(zones ...string) []string {
		var ids []string
		for id := range subnetsOfTier(t, s, "private") {
			ids = append(ids, id)
		}
		var out []string
		for _, az := range zones {
			for _, id := range subnetsIn(az) {
				if slices.Contains(ids, id) {
					out = append(out, id)
				}
			}
		}
		return sorted(out)
	}
	middleSubnets := subnetsIn(middle)
	if len(middleSubnets) != 3 {
		t.Fatalf("%d subnets in %s, want 3", len(middleSubnets), middle)
	}
	// report plans the stacks and returns the plans and the plan report's
	// az-removal findings, as "address: reason".
	report := func(env *deploy.Env) (map[string]*tfjson.Plan, []string) {
		t.Helper()
		plans := map[string]*tfjson.Plan{}
		var stacks []planreport.Stack
		planned := deploy.PlanAll(ctx, []deploy.Job{{Env: env, Stack: network}, {Env: env, Stack: service}})
		for i, st := range []string{network, service} {
			p, err := planned[i].Plan, planned[i].Err
			if err != nil {
				t.Fatal(err)
			}
			plans[st] = p
			stacks = append(stacks, planreport.Stack{Name: st, Plan: p})
		}
		var fs []string
		for _, f := range planreport.Analyze(stacks, planreport.Options{}).Findings {
			if f.RuleID == planreport.RuleAZRemoval {
				fs = append(fs, f.Stack+" "+f.Address+": "+f.Reason)
			}
		}
		return plans, fs
	}
	removed := func(c *config.Config) { c.AvailabilityZones.Count, c.AvailabilityZones.Names = nil, kept }

	// Removing the AZ at once: the report says the service still uses its
	// subnets and to retire it first (plans only: on AWS the network's
	// apply would stop at DependencyViolation).
	direct, err := s.SynthEdit(day2(digest, removed), newSGDescriptions)
	if err != nil {
		t.Fatal(err)
	}
	_, fs := report(direct)
	stillUsed := 0
	for _, f := range fs {
		if strings.Contains(f, "still use(s) it") && strings.Contains(f, "Retire it first") {
			stillUsed++
		}
	}
	if stillUsed != 2 { // the public subnet (load balancer) and the private one (tasks, endpoints)
		t.Errorf("removing %s at once: %d findings say its subnets are still used, want 2:\n%s", middle, stillUsed, strings.Join(fs, "\n"))
	}

	// Step 1: retire it. Nothing is deleted or replaced; the load balancer,
	// the tasks and the endpoints leave it; its subnets stay.
	retiring, err := s.SynthEdit(day2(digest, func(c *config.Config) { c.AvailabilityZones.Retiring = []string{middle} }), newSGDescriptions)
	if err != nil {
		t.Fatal(err)
	}
	plans, fs := report(retiring)
	for st, p := range plans {
		for _, rc := range p.ResourceChanges {
			if a := rc.Change.Actions; a.Delete() || a.Replace() {
				t.Errorf("retiring %s: %s would %v %s", middle, st, a, rc.Address)
			}
		}
	}
	if len(fs) == 0 || !strings.Contains(strings.Join(fs, "\n"), "step 1 of removing it") {
		t.Errorf("retiring %s: the plan report does not explain step 1:\n%s", middle, strings.Join(fs, "\n"))
	}
	// Every stack, as a deploy: <env>-data moves the database instance out
	// of the retiring AZ before step 2 drops its subnet from the group.
	if err := retiring.ApplyPlanned(ctx, network); err != nil { // the plan just checked
		t.Fatal(err)
	}
	if err := retiring.Apply(ctx, s.Cfg.StackName(config.PartData), service); err != nil {
		t.Fatal(err)
	}
	u := readInUse(t, ctx, s, outs, vpcID)
	if !slices.Equal(u.lbAZs, kept) {
		t.Errorf("after retiring %s the load balancer is in %v, want %v", middle, u.lbAZs, kept)
	}
	if want := privateIn(kept...); !slices.Equal(u.svcSubnets, want) || !slices.Equal(u.epSubnets, want) {
		t.Errorf("after retiring %s: tasks in %v, endpoints in %v, want the private subnets of %v: %v", middle, u.svcSubnets, u.epSubnets, kept, want)
	}
	if got := subnetsIn(middle); !slices.Equal(got, middleSubnets) {
		t.Errorf("retiring %s changed its subnets: %v, want %v", middle, got, middleSubnets)
	}

	// Step 2: remove it. Only its network is deleted, the service stack does
	// not change, and the report says this is step 2.
	final, err := s.SynthEdit(day2(digest, removed), newSGDescriptions)
	if err != nil {
		t.Fatal(err)
	}
	plans, fs = report(final)
	deletes, dbGroupDrops := 0, false
	for st, p := range plans {
		for _, rc := range p.ResourceChanges {
			a := rc.Change.Actions
			switch {
			case a.NoOp() || a.Read():
			case st == network && a.Delete() && strings.Contains(rc.Address, middle):
				deletes++
			case st == network && a.Update() && rc.Type == "aws_db_subnet_group":
				// The group kept the retiring AZ's subnet while the database
				// instances moved (RDS refuses to drop a subnet an instance
				// is in); now it drops it, before the subnet is deleted.
				dbGroupDrops = true
			default:
				t.Errorf("removing the retired %s: %s would %v %s", middle, st, a, rc.Address)
			}
		}
	}
	if !dbGroupDrops {
		t.Errorf("removing the retired %s: the DB subnet group does not drop its subnet", middle)
	}
	if deletes < 10 { // 3 subnets, NAT + EIP, route tables, routes, associations...
		t.Errorf("removing %s deletes only %d resources", middle, deletes)
	}
	if n := strings.Count(strings.Join(fs, "\n"), "no other stack of this report uses: step 2"); n != 3 {
		t.Errorf("removing the retired %s: %d subnet findings say step 2, want 3:\n%s", middle, n, strings.Join(fs, "\n"))
	}
	if err := final.ApplyPlanned(ctx, network); err != nil { // the plan just checked
		t.Fatal(err)
	}
	if err := final.Apply(ctx, service); err != nil {
		t.Fatal(err)
	}
	if got := subnetsIn(middle); len(got) != 0 {
		t.Errorf("subnets left in %s: %v", middle, got)
	}
	if u := readInUse(t, ctx, s, outs, vpcID); !slices.Equal(u.lbAZs, kept) {
		t.Errorf("after removing %s the load balancer is in %v, want %v", middle, u.lbAZs, kept)
	}
	return final
}
