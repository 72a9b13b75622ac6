package e2e

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"

	"selfhost/config"
	"selfhost/ops/deploy"
	"selfhost/ops/localenv"
)

// workerYAML is the third service: a worker (no hosts) running the
// reference app from its own repository.
const workerYAML = "  worker:\n    image: {tag: local}\n"

// withWorker is the worker service as the loader reads it from a copy of
// the environment file with it added (every default applied).
func withWorker(t *testing.T, cfg *config.Config) *config.Service {
	t.Helper()
	data, err := os.ReadFile(cfg.File)
	if err != nil {
		t.Fatal(err)
	}
	file := strings.Replace(string(data), "\nservices:\n", "\nservices:\n"+workerYAML, 1)
	c, err := config.Parse(cfg.File, []byte(file))
	if err != nil {
		t.Fatal(err)
	}
	w := c.Services["worker"]
	if w == nil {
		t.Fatalf("no worker in\n%s", file)
	}
	return w
}

// checkAddService: a third service (a worker) added to the environment as
// deployed plans only creates in every stack (no existing rule, target
// group, service, database resource or anything else is updated, replaced
// or deleted), stack by stack in deployment order, applied the way a deploy
// applies it: the service stack reads the new repository from the registry
// stack's state, so the registry stack (its repository, the reference app
// published into it) is applied before the later stacks are planned; then
// the service and dns stacks. The worker runs beside the others without a
// target group or ingress, the listener rules are as they were, and the
// re-plan is clean. A change the environment as deployed already plans
// (drift) is not the worker's and is only logged. The session's config
// keeps the worker afterwards, so the teardown empties its repository too.
func checkAddService(t *testing.T, ctx context.Context, s *localenv.Session, deployed *deploy.Env) *deploy.Env {
	w := withWorker(t, deployed.Cfg)
	rulesBefore := listenerRules(t, ctx, s)
	before := map[string]bool{} // "stack address actions" the deployed environment plans already
	for _, st := range deployed.Stacks() {
		plan, err := deployed.PlanJSON(ctx, st)
		if err != nil {
			t.Fatal(err)
		}
		for _, rc := range plan.ResourceChanges {
			if a := rc.Change.Actions; !a.NoOp() && !a.Read() {
				before[fmt.Sprint(st, " ", rc.Address, " ", a)] = true
			}
		}
	}
	env, err := s.Synth(func(c *config.Config) {
		*c = *deployed.Cfg.Clone()
		c.Services["worker"] = w
	})
	if err != nil {
		t.Fatal(err)
	}
	cfgBefore := s.Cfg
	s.Cfg = env.Cfg.Clone() // what PublishService publishes into, and the teardown empties
	registry, service, dns := s.Cfg.StackName(config.PartRegistry), s.Cfg.StackName(config.PartService), s.Cfg.StackName(config.PartDNS)
	creates := 0
	for _, st := range env.Stacks() {
		plan, err := env.PlanJSON(ctx, st)
		if err != nil {
			t.Fatal(err)
		}
		for _, rc := range plan.ResourceChanges {
			a := rc.Change.Actions
			switch key := fmt.Sprint(st, " ", rc.Address, " ", a); {
			case a.NoOp() || a.Read():
			case before[key]:
				t.Logf("%s: %v %s: planned without the worker too (drift of an earlier step)", st, a, rc.Address)
			case a.Create():
				creates++
				if !strings.Contains(rc.Address, "worker") {
					t.Errorf("%s: creates %s, not the worker's", st, rc.Address)
				}
			default:
				t.Errorf("%s: %v %s: adding a service may only create", st, a, rc.Address)
			}
		}
		if t.Failed() {
			s.Cfg = cfgBefore
			return deployed
		}
		if st == registry { // as a deploy: the repository and the image first
			if err := env.Apply(ctx, registry); err != nil {
				t.Fatal(err)
			}
			// Into the worker's repository only: a republished image of the
			// others would be a new digest of theirs (a new commit), not
			// the worker's change.
			if changed, err := s.PublishService(ctx, "worker"); err != nil || changed {
				t.Fatalf("publishing the worker's image: changed %v, %v (its tag is fixed: nothing to pin)", changed, err)
			}
		}
	}
	if creates < 10 {
		t.Errorf("adding the worker creates %d resources, want its repository, roles, log group, security group, task, service and scaling", creates)
	}
	if err := env.Apply(ctx, service, dns); err != nil {
		t.Fatal(err)
	}
	if changed, err := env.Drift(ctx, registry, service, dns); err != nil || len(changed) > 0 {
		t.Errorf("re-plan after adding the worker: changes in %v (%v)", changed, err)
	}
	outs, err := env.Outputs(ctx, service)
	if err != nil {
		t.Fatal(err)
	}
	cluster, workerService, _ := serviceNames(t, outs, "worker")
	ds, err := ecs.NewFromConfig(s.AWS()).DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: &cluster, Services: []string{workerService}})
	if err != nil || len(ds.Services) != 1 {
		t.Fatalf("worker service: %v %v", ds, err)
	}
	ws := ds.Services[0]
	if ws.DesiredCount != 2 || len(ws.LoadBalancers) != 0 || aws.ToInt32(ws.HealthCheckGracePeriodSeconds) != 0 || len(ws.NetworkConfiguration.AwsvpcConfiguration.SecurityGroups) != 1 {
		t.Errorf("worker: desired %d, load balancers %+v, grace %d, groups %v", ws.DesiredCount, ws.LoadBalancers, aws.ToInt32(ws.HealthCheckGracePeriodSeconds), ws.NetworkConfiguration.AwsvpcConfiguration.SecurityGroups)
	}
	sg := ws.NetworkConfiguration.AwsvpcConfiguration.SecurityGroups[0]
	rules, err := ec2.NewFromConfig(s.AWS()).DescribeSecurityGroupRules(ctx, &ec2.DescribeSecurityGroupRulesInput{Filters: []ec2types.Filter{{Name: aws.String("group-id"), Values: []string{sg}}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rules.SecurityGroupRules {
		if !aws.ToBool(r.IsEgress) {
			t.Errorf("the worker's group %s admits %+v", sg, r)
		}
	}
	lbs, err := elbv2.NewFromConfig(s.AWS()).DescribeLoadBalancers(ctx, &elbv2.DescribeLoadBalancersInput{})
	if err != nil || len(lbs.LoadBalancers) != 1 {
		t.Fatalf("load balancers %v %v", lbs, err)
	}
	tgs, err := elbv2.NewFromConfig(s.AWS()).DescribeTargetGroups(ctx, &elbv2.DescribeTargetGroupsInput{LoadBalancerArn: lbs.LoadBalancers[0].LoadBalancerArn})
	if hosted := len(s.Cfg.Hosts()); err != nil || len(tgs.TargetGroups) != 2 || hosted != 2 {
		t.Errorf("%d target groups (%v) with the worker, want the 2 of api and console", len(tgs.TargetGroups), err)
	}
	// The listener rules and their target groups are as they were.
	if after := listenerRules(t, ctx, s); !slices.Equal(after, rulesBefore) {
		t.Errorf("listener rules changed with the worker:\n%s\nwant\n%s", strings.Join(after, "\n"), strings.Join(rulesBefore, "\n"))
	}
	return env
}
