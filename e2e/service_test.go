package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/applicationautoscaling"
	aastypes "github.com/aws/aws-sdk-go-v2/service/applicationautoscaling/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"
	tfjson "github.com/hashicorp/terraform-json"

	"selfhost/config"
	"selfhost/ops/deploy"
	"selfhost/ops/localenv"
)

// describeChanges lists what a plan would change, for failure messages.
func describeChanges(plan *tfjson.Plan) string {
	var b strings.Builder
	for _, rc := range plan.ResourceChanges {
		if rc.Change.Actions.NoOp() || rc.Change.Actions.Read() {
			continue
		}
		fmt.Fprintf(&b, "\n  %v %s", rc.Change.Actions, rc.Address)
		before, _ := rc.Change.Before.(map[string]any)
		after, _ := rc.Change.After.(map[string]any)
		for k, a := range after {
			if fmt.Sprint(before[k]) != fmt.Sprint(a) {
				fmt.Fprintf(&b, "\n      %s: %v -> %v", k, before[k], a)
			}
		}
	}
	return b.String()
}

// serviceNames are the cluster, the ECS service of the named service and
// the load balancer DNS name from the service stack's outputs.
func serviceNames(t *testing.T, outs map[string]string, name string) (cluster, service, lbDNS string) {
	t.Helper()
	json.Unmarshal([]byte(outs["cluster_name"]), &cluster)
	json.Unmarshal([]byte(outs["service_name_"+name]), &service)
	json.Unmarshal([]byte(outs["load_balancer_dns_name"]), &lbDNS)
	if cluster == "" || service == "" || lbDNS == "" {
		t.Fatalf("service outputs of %s: %v", name, outs)
	}
	return
}

// checkService reads every deployed service, the load balancer, the
// autoscaling and DNS back through the AWS APIs: each service runs its
// configured image from its own repository, with its own target group,
// security group (the ALB's group only, on its port), roles and scaling;
// each hostname's rule forwards to its own service's target group; any
// other Host gets the 404.
func checkService(t *testing.T, ctx context.Context, s *localenv.Session, outs map[string]string) {
	cfg := s.Cfg
	awsCfg := s.AWS()
	ecsc := ecs.NewFromConfig(awsCfg)
	elb := elbv2.NewFromConfig(awsCfg)
	ec := ec2.NewFromConfig(awsCfg)
	aas := applicationautoscaling.NewFromConfig(awsCfg)
	ecrc := ecr.NewFromConfig(awsCfg)
	privateSubnets := subnetsOfTier(t, s, "private")

	lbs, err := elb.DescribeLoadBalancers(ctx, &elbv2.DescribeLoadBalancersInput{})
	if err != nil || len(lbs.LoadBalancers) != 1 {
		t.Fatalf("load balancers %v %v", lbs, err)
	}
	lb := lbs.LoadBalancers[0]
	if len(lb.SecurityGroups) != 1 {
		t.Fatalf("ALB security groups %v", lb.SecurityGroups)
	}
	albSG := lb.SecurityGroups[0]

	tgOf := map[string]string{} // target group ARN -> service
	seen := map[string]map[string]string{"security group": {}, "execution role": {}, "task role": {}, "repository": {}, "log group": {}}
	own := func(what, name, v string) {
		if v == "" {
			t.Errorf("%s: no %s", name, what)
		} else if prev, dup := seen[what][v]; dup {
			t.Errorf("%s and %s share the %s %s", prev, name, what, v)
		}
		seen[what][v] = name
	}
	for _, name := range cfg.ServiceNames() {
		sc := cfg.Services[name]
		cluster, service, lbDNS := serviceNames(t, outs, name)
		if aws.ToString(lb.DNSName) != lbDNS || lb.Scheme != elbtypes.LoadBalancerSchemeEnumInternetFacing {
			t.Errorf("ALB %s %s, output %s", aws.ToString(lb.DNSName), lb.Scheme, lbDNS)
		}
		var urls []string
		json.Unmarshal([]byte(outs["urls_"+name]), &urls)
		if want := cfg.ServiceHostnames(sc); len(urls) != len(want) || (len(want) > 0 && urls[0] != "https://"+want[0]) {
			t.Errorf("%s: url outputs %v, want https:// of %v", name, urls, want)
		}

		// ECS service: 2 tasks wanted, in the private subnets, circuit breaker, grace.
		ds, err := ecsc.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: &cluster, Services: []string{service}})
		if err != nil || len(ds.Services) != 1 {
			t.Fatalf("%s: describe service: %v %v", name, ds, err)
		}
		svc := ds.Services[0]
		if svc.DesiredCount != 2 {
			t.Errorf("%s: desired count %d, want 2", name, svc.DesiredCount)
		}
		if want := int32(120 * btoi(sc.HasTargetGroup())); aws.ToInt32(svc.HealthCheckGracePeriodSeconds) != want { // a worker has none
			t.Errorf("%s: health check grace %d, want %d", name, aws.ToInt32(svc.HealthCheckGracePeriodSeconds), want)
		}
		if dc := svc.DeploymentConfiguration; dc == nil || dc.DeploymentCircuitBreaker == nil || !dc.DeploymentCircuitBreaker.Enable || !dc.DeploymentCircuitBreaker.Rollback ||
			aws.ToInt32(dc.MinimumHealthyPercent) != 100 || aws.ToInt32(dc.MaximumPercent) != 200 {
			t.Errorf("%s: deployment configuration %+v", name, svc.DeploymentConfiguration)
		}
		nc := svc.NetworkConfiguration.AwsvpcConfiguration
		if nc.AssignPublicIp != ecstypes.AssignPublicIpDisabled || len(nc.Subnets) != len(cfg.AZNames()) || len(nc.SecurityGroups) != 1 {
			t.Fatalf("%s: network configuration %+v", name, nc)
		}
		for _, id := range nc.Subnets {
			if !privateSubnets[id] {
				t.Errorf("%s: service subnet %s is not a private subnet", name, id)
			}
		}
		sg := nc.SecurityGroups[0]
		own("security group", name, sg)

		// Its security group admits its port from the ALB's group only.
		rules, err := ec.DescribeSecurityGroupRules(ctx, &ec2.DescribeSecurityGroupRulesInput{Filters: []ec2types.Filter{{Name: aws.String("group-id"), Values: []string{sg}}}})
		if err != nil {
			t.Fatal(err)
		}
		var ingress []string
		for _, r := range rules.SecurityGroupRules {
			if aws.ToBool(r.IsEgress) {
				continue
			}
			from := aws.ToString(r.CidrIpv4) + aws.ToString(r.CidrIpv6)
			if r.ReferencedGroupInfo != nil {
				from = aws.ToString(r.ReferencedGroupInfo.GroupId)
			}
			ingress = append(ingress, fmt.Sprintf("%d-%d %s", aws.ToInt32(r.FromPort), aws.ToInt32(r.ToPort), from))
		}
		want := []string{fmt.Sprintf("%d-%d %s", sc.ContainerPort, sc.ContainerPort, albSG)}
		if !sc.HasTargetGroup() {
			want = nil // a worker admits nothing
		}
		if !slices.Equal(ingress, want) {
			t.Errorf("%s: security group %s ingress %v, want only %v", name, sg, ingress, want)
		}

		// Task definition: its repository at the configured tag, its roles
		// and log group, stopTimeout 120, health check, awslogs.
		td, err := ecsc.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: svc.TaskDefinition})
		if err != nil {
			t.Fatal(err)
		}
		c := td.TaskDefinition.ContainerDefinitions[0]
		if img := aws.ToString(c.Image); !strings.HasSuffix(img, "/"+sc.Image.Repository+":"+sc.Image.Tag) {
			t.Errorf("%s: task image %s, want its repository %s at the configured tag %s", name, img, sc.Image.Repository, sc.Image.Tag)
		}
		if aws.ToInt32(c.StopTimeout) != 120 || c.HealthCheck == nil || c.LogConfiguration == nil || c.LogConfiguration.LogDriver != ecstypes.LogDriverAwslogs {
			t.Fatalf("%s: container: stopTimeout %d, health check %v, logs %v", name, aws.ToInt32(c.StopTimeout), c.HealthCheck, c.LogConfiguration)
		}
		own("log group", name, c.LogConfiguration.Options["awslogs-group"])
		own("execution role", name, aws.ToString(td.TaskDefinition.ExecutionRoleArn))
		own("task role", name, aws.ToString(td.TaskDefinition.TaskRoleArn))
		if td.TaskDefinition.NetworkMode != ecstypes.NetworkModeAwsvpc || aws.ToString(td.TaskDefinition.Cpu) != "512" || aws.ToString(td.TaskDefinition.Memory) != "1024" {
			t.Errorf("%s: task definition %s %s/%s", name, td.TaskDefinition.NetworkMode, aws.ToString(td.TaskDefinition.Cpu), aws.ToString(td.TaskDefinition.Memory))
		}
		repos, err := ecrc.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: []string{sc.Image.Repository}})
		if err != nil || len(repos.Repositories) != 1 {
			t.Errorf("%s: repository %s: %v %v", name, sc.Image.Repository, repos, err)
		} else {
			own("repository", name, aws.ToString(repos.Repositories[0].RepositoryArn))
		}

		// Its own target group (a worker: none).
		if !sc.HasTargetGroup() {
			if len(svc.LoadBalancers) != 0 {
				t.Errorf("%s: a worker with load balancers %+v", name, svc.LoadBalancers)
			}
		} else if len(svc.LoadBalancers) != 1 {
			t.Fatalf("%s: load balancers %+v, want its target group", name, svc.LoadBalancers)
		}
		if len(svc.LoadBalancers) == 1 {
			tgARN := aws.ToString(svc.LoadBalancers[0].TargetGroupArn)
			if prev, dup := tgOf[tgARN]; dup {
				t.Errorf("%s and %s share the target group %s", prev, name, tgARN)
			}
			tgOf[tgARN] = name
		}

		// Autoscaling: 2..8 tasks, CPU target 55.
		resID := "service/" + cluster + "/" + service
		targets, err := aas.DescribeScalableTargets(ctx, &applicationautoscaling.DescribeScalableTargetsInput{ServiceNamespace: aastypes.ServiceNamespaceEcs, ResourceIds: []string{resID}})
		if err != nil || len(targets.ScalableTargets) != 1 {
			t.Fatalf("%s: scalable targets %v %v", name, targets, err)
		}
		if st := targets.ScalableTargets[0]; aws.ToInt32(st.MinCapacity) != 2 || aws.ToInt32(st.MaxCapacity) != 8 {
			t.Errorf("%s: scaling %d..%d, want 2..8", name, aws.ToInt32(st.MinCapacity), aws.ToInt32(st.MaxCapacity))
		}
		pols, err := aas.DescribeScalingPolicies(ctx, &applicationautoscaling.DescribeScalingPoliciesInput{ServiceNamespace: aastypes.ServiceNamespaceEcs, ResourceId: &resID})
		if err != nil || len(pols.ScalingPolicies) != 1 {
			t.Fatalf("%s: scaling policies %v %v", name, pols, err)
		}
		if p := pols.ScalingPolicies[0].TargetTrackingScalingPolicyConfiguration; p == nil || aws.ToFloat64(p.TargetValue) != 55 ||
			p.PredefinedMetricSpecification.PredefinedMetricType != aastypes.MetricTypeECSServiceAverageCPUUtilization {
			t.Errorf("%s: CPU policy %+v", name, p)
		}
	}

	// Target groups: the services', each /api/status, 120 s drain.
	tgs, err := elb.DescribeTargetGroups(ctx, &elbv2.DescribeTargetGroupsInput{LoadBalancerArn: lb.LoadBalancerArn})
	if err != nil || len(tgs.TargetGroups) != len(tgOf) {
		t.Fatalf("target groups %v %v, want one per service %v", tgs, err, tgOf)
	}
	for _, tg := range tgs.TargetGroups {
		name := tgOf[aws.ToString(tg.TargetGroupArn)]
		if name == "" {
			t.Errorf("target group %s belongs to no service", aws.ToString(tg.TargetGroupArn))
			continue
		}
		if aws.ToString(tg.HealthCheckPath) != cfg.Services[name].TargetHealthCheck.Path || tg.TargetType != elbtypes.TargetTypeEnumIp || aws.ToInt32(tg.Port) != int32(cfg.Services[name].ContainerPort) {
			t.Errorf("%s: target group path %s, type %s, port %d", name, aws.ToString(tg.HealthCheckPath), tg.TargetType, aws.ToInt32(tg.Port))
		}
		attrs, err := elb.DescribeTargetGroupAttributes(ctx, &elbv2.DescribeTargetGroupAttributesInput{TargetGroupArn: tg.TargetGroupArn})
		if err != nil {
			t.Fatal(err)
		}
		if v := attr(attrs.Attributes, "deregistration_delay.timeout_seconds"); v != "120" {
			t.Errorf("%s: deregistration delay %q, want 120", name, v)
		}
	}
	ls, err := elb.DescribeListeners(ctx, &elbv2.DescribeListenersInput{LoadBalancerArn: lb.LoadBalancerArn})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range ls.Listeners {
		a := l.DefaultActions[0]
		switch aws.ToInt32(l.Port) {
		case 80:
			if a.Type != elbtypes.ActionTypeEnumRedirect || a.RedirectConfig == nil || a.RedirectConfig.StatusCode != elbtypes.RedirectActionStatusCodeEnumHttp301 || aws.ToString(a.RedirectConfig.Protocol) != "HTTPS" {
				t.Errorf("listener 80: %+v", a)
			}
		case 443:
			if a.Type != elbtypes.ActionTypeEnumFixedResponse || a.FixedResponseConfig == nil || aws.ToString(a.FixedResponseConfig.StatusCode) != "404" ||
				aws.ToString(l.SslPolicy) != "ELBSecurityPolicy-TLS13-1-2-2021-06" || len(l.Certificates) != 1 {
				t.Errorf("listener 443: %s policy %s certs %d, want a fixed 404 for unknown hosts", a.Type, aws.ToString(l.SslPolicy), len(l.Certificates))
			}
			checkHTTPSRouting(t, ctx, elb, l.ListenerArn, cfg, tgOf)
		default:
			t.Errorf("unexpected listener on port %d", aws.ToInt32(l.Port))
		}
	}
	if len(ls.Listeners) != 2 {
		t.Errorf("%d listeners, want 80 and 443", len(ls.Listeners))
	}
	lbAttrs, err := elb.DescribeLoadBalancerAttributes(ctx, &elbv2.DescribeLoadBalancerAttributesInput{LoadBalancerArn: lb.LoadBalancerArn})
	if err != nil {
		t.Fatal(err)
	}
	if v := attr2(lbAttrs.Attributes, "routing.http.drop_invalid_header_fields.enabled"); v != "true" {
		t.Errorf("drop_invalid_header_fields %q", v)
	}
	if v := attr2(lbAttrs.Attributes, "zonal_shift.config.enabled"); v != "true" {
		t.Errorf("zonal_shift.config.enabled %q, want true (load_balancer.zonal_shift default)", v)
	}
	// The local environment turns deletion protection off to be torn down;
	// production's is on (snapshot and config validation). moto ignores it on
	// delete, so the attribute is what is checked.
	if v := attr2(lbAttrs.Attributes, "deletion_protection.enabled"); v != "false" {
		t.Errorf("local deletion protection %q, want false (load_balancer.deletion_protection: false)", v)
	}

	// DNS: every hostname aliases the ALB.
	r53 := route53.NewFromConfig(awsCfg)
	zones, err := r53.ListHostedZonesByName(ctx, &route53.ListHostedZonesByNameInput{DNSName: aws.String(cfg.DNS.ZoneName)})
	if err != nil || len(zones.HostedZones) == 0 {
		t.Fatalf("zones %v %v", zones, err)
	}
	rrs, err := r53.ListResourceRecordSets(ctx, &route53.ListResourceRecordSetsInput{HostedZoneId: zones.HostedZones[0].Id})
	if err != nil {
		t.Fatal(err)
	}
	aliases := map[string]string{}
	for _, r := range rrs.ResourceRecordSets {
		if r.Type == r53types.RRTypeA && r.AliasTarget != nil {
			aliases[strings.TrimSuffix(aws.ToString(r.Name), ".")] = strings.TrimSuffix(strings.ToLower(aws.ToString(r.AliasTarget.DNSName)), ".")
		}
	}
	for _, h := range cfg.Hostnames() {
		if got := aliases[h]; got != strings.ToLower(aws.ToString(lb.DNSName)) {
			t.Errorf("%s aliases %q, want the ALB %q", h, got, aws.ToString(lb.DNSName))
		}
	}

}

// checkNewImageKeepsDesiredCount: with the desired count changed outside
// Terraform (as autoscaling does), a deploy of a new image (the reference
// app, published and pinned by digest) keeps that count and runs the image
// at the digest.
func checkNewImageKeepsDesiredCount(t *testing.T, ctx context.Context, s *localenv.Session, outs map[string]string, digest string) {
	cluster, service, _ := serviceNames(t, outs, "api")
	ecsc := ecs.NewFromConfig(s.AWS())
	if _, err := ecsc.UpdateService(ctx, &ecs.UpdateServiceInput{Cluster: &cluster, Service: &service, DesiredCount: aws.Int32(3)}); err != nil {
		t.Fatal(err)
	}
	pinned, err := s.Synth(func(c *config.Config) { c.Services["api"].Image.Tag, c.Services["api"].Image.Digest = "", digest })
	if err != nil {
		t.Fatal(err)
	}
	if err := pinned.Apply(ctx, s.Cfg.StackName("service")); err != nil {
		t.Fatal(err)
	}
	ds, err := ecsc.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: &cluster, Services: []string{service}})
	if err != nil || len(ds.Services) != 1 {
		t.Fatalf("describe service: %v %v", ds, err)
	}
	if got := ds.Services[0].DesiredCount; got != 3 {
		t.Errorf("desired count after apply %d, want the 3 autoscaling set", got)
	}
	td, err := ecsc.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: ds.Services[0].TaskDefinition})
	if err != nil {
		t.Fatal(err)
	}
	if img := aws.ToString(td.TaskDefinition.ContainerDefinitions[0].Image); !strings.HasSuffix(img, "/"+s.Cfg.Services["api"].Image.Repository+"@"+digest) {
		t.Errorf("task image %s, want the repository pinned at the published digest %s", img, digest)
	}
}

// checkChanges: a new image tag, CPU target, stickiness, one more AZ, a
// larger database instance class and one more reader replace none of the
// traffic-bearing or stateful resources. The network change is applied (as
// a deploy would), then the data and service stacks are planned. It
// returns the changed environment, as deployed now.
func checkChanges(t *testing.T, ctx context.Context, s *localenv.Session) *deploy.Env {
	cfg := s.Cfg
	changed, err := s.Synth(func(c *config.Config) {
		c.Services["api"].Image.Tag, c.Services["api"].Image.Digest = "v2", ""
		c.Services["api"].Autoscaling.CPUTarget = 60
		c.Services["api"].Stickiness.Enabled = true
		n := len(c.AZNames()) + 1
		c.AvailabilityZones.Count = &n
		c.Database.InstanceClass = "db.r6g.xlarge"
		c.Database.Readers++
	})
	if err != nil {
		t.Fatal(err)
	}
	critical := map[string]bool{"aws_lb": true, "aws_lb_target_group": true, "aws_lb_listener": true, "aws_ecs_service": true,
		"aws_ecs_cluster": true, "aws_subnet": true, "aws_nat_gateway": true, "aws_eip": true, "aws_route_table": true, "aws_vpc": true,
		"aws_rds_cluster": true, "aws_rds_cluster_instance": true, "aws_s3_bucket": true, "aws_kms_key": true, "aws_security_group": true}
	// The network first (it is applied, and the others read its outputs),
	// then the data and service stacks side by side (deploy.PlanAll).
	network := cfg.StackName("network")
	stacks := []string{network, cfg.StackName("data"), cfg.StackName("service")}
	planned := deploy.PlanAll(ctx, []deploy.Job{{Env: changed, Stack: network}})
	for i, st := range stacks {
		if i == 1 {
			planned = append(planned, deploy.PlanAll(ctx, []deploy.Job{{Env: changed, Stack: stacks[1]}, {Env: changed, Stack: stacks[2]}})...)
		}
		plan, err := planned[i].Plan, planned[i].Err
		if err != nil {
			t.Fatal(err)
		}
		changes := 0
		for _, rc := range plan.ResourceChanges {
			a := rc.Change.Actions
			if !a.NoOp() && !a.Read() {
				changes++
			}
			if critical[rc.Type] && (a.Delete() || a.Replace()) {
				t.Errorf("%s: %v %s", st, a, rc.Address)
			}
		}
		if changes == 0 {
			t.Errorf("%s: the changes planned nothing", st)
		}
		if st == network { // the plan just checked
			if err := changed.ApplyPlanned(ctx, st); err != nil {
				t.Fatal(err)
			}
		}
	}
	return changed
}

// checkServiceGone: after the teardown no load balancer, active cluster or
// hosted zone is left.
func checkServiceGone(t *testing.T, ctx context.Context, s *localenv.Session, outs map[string]string) {
	cluster, _, _ := serviceNames(t, outs, "api")
	awsCfg := s.AWS()
	if lbs, err := elbv2.NewFromConfig(awsCfg).DescribeLoadBalancers(ctx, &elbv2.DescribeLoadBalancersInput{}); err != nil || len(lbs.LoadBalancers) != 0 {
		t.Errorf("load balancers left: %v %v", lbs, err)
	}
	if cs, err := ecs.NewFromConfig(awsCfg).DescribeClusters(ctx, &ecs.DescribeClustersInput{Clusters: []string{cluster}}); err != nil || (len(cs.Clusters) > 0 && aws.ToString(cs.Clusters[0].Status) == "ACTIVE") {
		t.Errorf("cluster left: %v %v", cs, err)
	}
	if zs, err := route53.NewFromConfig(awsCfg).ListHostedZones(ctx, &route53.ListHostedZonesInput{}); err != nil || len(zs.HostedZones) != 0 {
		t.Errorf("hosted zones left: %v %v", zs, err)
	}
}

func subnetsOfTier(t *testing.T, s *localenv.Session, tier string) map[string]bool {
	t.Helper()
	out, err := ec2.NewFromConfig(s.AWS()).DescribeSubnets(t.Context(), &ec2.DescribeSubnetsInput{
		Filters: []ec2types.Filter{{Name: aws.String("tag:tier"), Values: []string{tier}}, {Name: aws.String("tag:environment"), Values: []string{s.Cfg.Name}}}})
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, sn := range out.Subnets {
		ids[aws.ToString(sn.SubnetId)] = true
	}
	return ids
}

// checkHTTPSRouting: the HTTPS listener has one host-header rule per
// service with hosts, at the service's priority, forwarding exactly its
// hostnames to its own target group (tgOf: target group ARN -> service),
// and sends HSTS.
func checkHTTPSRouting(t *testing.T, ctx context.Context, elb *elbv2.Client, listener *string, cfg *config.Config, tgOf map[string]string) {
	t.Helper()
	rules, err := elb.DescribeRules(ctx, &elbv2.DescribeRulesInput{ListenerArn: listener})
	if err != nil {
		t.Fatal(err)
	}
	routed := map[string]bool{}
	for _, r := range rules.Rules {
		if aws.ToBool(r.IsDefault) {
			continue
		}
		if len(r.Actions) != 1 || r.Actions[0].Type != elbtypes.ActionTypeEnumForward {
			t.Errorf("rule %s: actions %+v, want a forward", aws.ToString(r.Priority), r.Actions)
			continue
		}
		name := tgOf[aws.ToString(r.Actions[0].TargetGroupArn)]
		if name == "" {
			t.Errorf("rule %s forwards to %s, no service's target group", aws.ToString(r.Priority), aws.ToString(r.Actions[0].TargetGroupArn))
			continue
		}
		routed[name] = true
		var hosts []string
		for _, c := range r.Conditions {
			if c.HostHeaderConfig != nil {
				hosts = append(hosts, c.HostHeaderConfig.Values...)
			}
		}
		want := cfg.ServiceHostnames(cfg.Services[name])
		if got, w := slices.Sorted(slices.Values(hosts)), slices.Sorted(slices.Values(want)); !slices.Equal(got, w) { // a set on AWS
			t.Errorf("%s's rule routes hosts %v, want %v", name, got, w)
		}
		if p := aws.ToString(r.Priority); p != fmt.Sprint(cfg.Services[name].Priority) {
			t.Errorf("%s's rule has priority %s, want %d", name, p, cfg.Services[name].Priority)
		}
	}
	for _, name := range cfg.ServiceNames() {
		if cfg.Services[name].HasTargetGroup() && !routed[name] {
			t.Errorf("no HTTPS rule forwards to %s", name)
		}
	}
	attrs, err := elb.DescribeListenerAttributes(ctx, &elbv2.DescribeListenerAttributesInput{ListenerArn: listener})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range attrs.Attributes {
		if aws.ToString(a.Key) == "routing.http.response.strict_transport_security.header_value" {
			if !strings.HasPrefix(aws.ToString(a.Value), "max-age=") {
				t.Errorf("HSTS %q", aws.ToString(a.Value))
			}
			return
		}
	}
	t.Errorf("HTTPS listener sends no HSTS header: %+v", attrs.Attributes)
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// listenerRules describes the HTTPS listener's rules: priority, hosts and
// target group of each, sorted.
func listenerRules(t *testing.T, ctx context.Context, s *localenv.Session) []string {
	t.Helper()
	elb := elbv2.NewFromConfig(s.AWS())
	lbs, err := elb.DescribeLoadBalancers(ctx, &elbv2.DescribeLoadBalancersInput{})
	if err != nil || len(lbs.LoadBalancers) != 1 {
		t.Fatalf("load balancers %v %v", lbs, err)
	}
	ls, err := elb.DescribeListeners(ctx, &elbv2.DescribeListenersInput{LoadBalancerArn: lbs.LoadBalancers[0].LoadBalancerArn})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, l := range ls.Listeners {
		rules, err := elb.DescribeRules(ctx, &elbv2.DescribeRulesInput{ListenerArn: l.ListenerArn})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rules.Rules {
			d := fmt.Sprintf("%d %s", aws.ToInt32(l.Port), aws.ToString(r.Priority))
			for _, c := range r.Conditions {
				if c.HostHeaderConfig != nil {
					d += " " + strings.Join(slices.Sorted(slices.Values(c.HostHeaderConfig.Values)), ",")
				}
			}
			for _, a := range r.Actions {
				d += " " + string(a.Type) + " " + aws.ToString(a.TargetGroupArn)
			}
			out = append(out, d)
		}
	}
	slices.Sort(out)
	return out
}

func attr(as []elbtypes.TargetGroupAttribute, key string) string {
	for _, a := range as {
		if aws.ToString(a.Key) == key {
			return aws.ToString(a.Value)
		}
	}
	return ""
}

func attr2(as []elbtypes.LoadBalancerAttribute, key string) string {
	for _, a := range as {
		if aws.ToString(a.Key) == key {
			return aws.ToString(a.Value)
		}
	}
	return ""
}

// checkMissingImageFailsDeploy: a deploy of a digest that is not in the
// repository fails the apply with the service construct's message (the
// emulator fails the rollout and the circuit breaker rolls it back, as ECS
// does), the service stays on the running revision, and a deploy of the
// published digest then succeeds.
func checkMissingImageFailsDeploy(t *testing.T, ctx context.Context, s *localenv.Session, outs map[string]string, published string) {
	cluster, service, _ := serviceNames(t, outs, "api")
	ecsc := ecs.NewFromConfig(s.AWS())
	running := func() string {
		t.Helper()
		ds, err := ecsc.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: &cluster, Services: []string{service}})
		if err != nil || len(ds.Services) != 1 {
			t.Fatalf("describe service: %v %v", ds, err)
		}
		return aws.ToString(ds.Services[0].TaskDefinition)
	}
	before := running()
	stack := s.Cfg.StackName("service")
	absent := "sha256:" + strings.Repeat("0", 64)
	missing, err := s.Synth(func(c *config.Config) { c.Services["api"].Image.Tag, c.Services["api"].Image.Digest = "", absent })
	if err != nil {
		t.Fatal(err)
	}
	err = missing.Apply(ctx, stack)
	if err == nil || !strings.Contains(strings.Join(strings.Fields(err.Error()), " "), "deployment circuit breaker rolled the service back to the previous revision") { // Terraform wraps the message
		t.Fatalf("deploying a digest not in the repository: %v, want the rollback refused", err)
	}
	if got := running(); got != before {
		t.Errorf("service runs %s after the failed deploy, want the previous revision %s", got, before)
	}

	pinned, err := s.Synth(func(c *config.Config) { c.Services["api"].Image.Tag, c.Services["api"].Image.Digest = "", published })
	if err != nil {
		t.Fatal(err)
	}
	if err := pinned.Apply(ctx, stack); err != nil {
		t.Fatalf("deploying the published digest after the failure: %v", err)
	}
	td, err := ecsc.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(running())})
	if err != nil {
		t.Fatal(err)
	}
	if img := aws.ToString(td.TaskDefinition.ContainerDefinitions[0].Image); !strings.HasSuffix(img, "@"+published) {
		t.Errorf("task image %s, want the published digest %s", img, published)
	}
}
