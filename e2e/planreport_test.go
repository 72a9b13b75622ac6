package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/securitygroup"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/vpcsecuritygroupingressrule"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"selfhost/config"
	"selfhost/internal/golden"
	"selfhost/ops/deploy"
	"selfhost/ops/localenv"
	"selfhost/planreport"
)

// keepPlansEnv names a folder the test writes every plan JSON to, for
// looking at what the emulator produced when a golden file differs.
const keepPlansEnv = "SELFHOST_KEEP_PLANS"

// deployed is the configuration the scenarios start from: the local
// environment with the load balancer's deletion protection on, as in
// production, so that turning it off is a change to review.
func deployed(c *config.Config) { c.LoadBalancer.DeletionProtection = true }

// checkPlanReport: the plan report on real plans. The deployed local
// environment gets the load balancer's deletion protection turned on (the
// one difference of deployed), then changed configurations are planned
// against it and the normalised Markdown report is compared with the
// reviewed files in testdata/planreport. Each scenario names the rules that
// must fire; every other rule must stay silent. The plans of the unchanged
// configuration are the baseline (the base branch's plans in CI), so the
// version rules are evaluated everywhere.
func checkPlanReport(t *testing.T, ctx context.Context, s *localenv.Session) {
	base, err := s.Synth(deployed)
	if err != nil {
		t.Fatal(err)
	}
	// The apply runs while the scenarios are synthesized (Terraform beside
	// jsii); every plan waits for it.
	applied := make(chan error, 1)
	go func() { applied <- base.Apply(ctx, s.Cfg.StackName("service")) }()
	all := base.Stacks()

	name := func(part string) string { return s.Cfg.StackName(part) }
	scenarios := []struct {
		name string
		// mutate changes the configuration (after deployed).
		mutate func(*config.Config)
		// edit changes the synthesized app the way an escape hatch in
		// stacks/ would; nil synthesizes through localenv.
		edit  func(cdktf.App, *config.Config) error
		parts []string
		fire  []string
	}{
		{
			name: "replace_subnets",
			// Private subnets from /20 to /21: every private subnet is
			// replaced, with its route table association.
			mutate: func(c *config.Config) { c.Network.Subnets.PrivateNewBits++ },
			parts:  []string{"network"},
			fire:   []string{planreport.RuleDestroyCritical},
		},
		{
			name: "benign",
			// A tag on everything, a longer flow log retention and a
			// higher CPU target: updates in place, nothing to flag.
			mutate: func(c *config.Config) {
				c.Tags = map[string]string{"team": "platform"}
				c.Network.FlowLogRetentionDays = 30
				c.Services["api"].Autoscaling.CPUTarget = 65
			},
			parts: config.Parts,
		},
		{
			name: "open_ingress",
			// SSH from anywhere on the endpoints' security group through a
			// raw resource (the configuration cannot express it; the
			// guardrail that refuses it at synth is waived by an exemption,
			// so only the review stands in the way), and ::/0 on the load
			// balancer's 80/443 (the configuration allows it; not flagged).
			mutate: func(c *config.Config) {
				c.LoadBalancer.IngressIPv6CIDRs = []string{"::/0"}
				c.Guardrails.Exemptions = []config.Exemption{{Rule: "sg-open-ingress", Reason: "test: the plan review must still flag it"}}
			},
			edit:  openSSH,
			parts: []string{"network", "service"},
			fire:  []string{planreport.RuleOpenIngress},
		},
		{
			name: "iam",
			// A managed policy attached to the task role.
			mutate: func(c *config.Config) {
				c.Services["api"].TaskRolePolicyARNs = []string{"arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"}
			},
			parts: []string{"service"},
			fire:  []string{planreport.RuleIAMChange},
		},
		{
			name:   "protection_off",
			mutate: func(c *config.Config) { c.LoadBalancer.DeletionProtection = false },
			parts:  []string{"service"},
			fire:   []string{planreport.RuleProtectionOff},
		},
		{
			name: "provider_constraint",
			// The AWS provider's version constraint changes in one stack;
			// the mirror's provider still satisfies it.
			edit:  providerConstraint,
			parts: []string{"network"},
			fire:  []string{planreport.RuleProviderVersion},
		},
	}

	// Every scenario is synthesized first (jsii, one at a time), then all
	// their plans and the baseline's run at once (Terraform processes only,
	// deploy.PlanAll), then each scenario is checked in its subtest.
	jobs := make([]deploy.Job, 0, len(all))
	for _, st := range all {
		jobs = append(jobs, deploy.Job{Env: base, Stack: st})
	}
	synthErr := make([]error, len(scenarios))
	first := make([]int, len(scenarios)) // index in jobs of each scenario's first plan
	for i, sc := range scenarios {
		mutate := func(c *config.Config) {
			deployed(c)
			if sc.mutate != nil {
				sc.mutate(c)
			}
		}
		first[i] = len(jobs)
		env, err := s.SynthEdit(mutate, sc.edit)
		if synthErr[i] = err; err != nil {
			continue
		}
		for _, part := range sc.parts {
			jobs = append(jobs, deploy.Job{Env: env, Stack: name(part)})
		}
	}
	if err := <-applied; err != nil {
		t.Fatal(err)
	}
	planned := deploy.PlanAll(ctx, jobs)

	baseline := map[string]*planreport.Plan{}
	for i, st := range all {
		p, err := planned[i].Plan, planned[i].Err
		if err != nil {
			t.Fatal(err)
		}
		if d := describeChanges(p); d != "" {
			t.Fatalf("%s is not as deployed:%s", st, d)
		}
		keepPlan(t, "baseline", st, p)
		baseline[st] = p
	}

	for i, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			if synthErr[i] != nil {
				t.Fatal(synthErr[i])
			}
			var plans []planreport.Stack
			for k, part := range sc.parts {
				p, err := planned[first[i]+k].Plan, planned[first[i]+k].Err
				if err != nil {
					t.Fatal(err)
				}
				keepPlan(t, sc.name, name(part), p)
				plans = append(plans, planreport.Stack{Name: name(part), Plan: p})
			}
			report := planreport.Analyze(plans, planreport.Options{Baseline: baseline})
			fired := map[string]bool{}
			for _, f := range report.Findings {
				fired[f.RuleID] = true
			}
			for _, r := range planreport.Rules() {
				if want := slices.Contains(sc.fire, r.ID); fired[r.ID] != want {
					t.Errorf("rule %s fired: %t, want %t", r.ID, fired[r.ID], want)
				}
			}
			md := planreport.Normalize(planreport.Render(report, 0))
			golden.Check(t, filepath.Join("testdata", "planreport", sc.name+".md"), []byte(md))
		})
	}
}

// findStack returns one of the environment's stacks in the app.
func findStack(app cdktf.App, cfg *config.Config, part string) (cdktf.TerraformStack, error) {
	st, ok := app.Node().TryFindChild(jsii.String(cfg.StackName(part))).(cdktf.TerraformStack)
	if !ok {
		return nil, fmt.Errorf("no stack %s in the app", cfg.StackName(part))
	}
	return st, nil
}

// openSSH adds TCP 22 from 0.0.0.0/0 to the interface endpoints' security
// group (construct network/endpoints-sg of <env>-network).
func openSSH(app cdktf.App, cfg *config.Config) error {
	st, err := findStack(app, cfg, config.PartNetwork)
	if err != nil {
		return err
	}
	net := st.Node().TryFindChild(jsii.String("network"))
	if net == nil {
		return fmt.Errorf("no construct network in %s", cfg.StackName(config.PartNetwork))
	}
	sg, ok := net.Node().TryFindChild(jsii.String("endpoints-sg")).(securitygroup.SecurityGroup)
	if !ok {
		return fmt.Errorf("no security group network/endpoints-sg in %s", cfg.StackName(config.PartNetwork))
	}
	vpcsecuritygroupingressrule.NewVpcSecurityGroupIngressRule(st, jsii.String("ssh-from-anywhere"), &vpcsecuritygroupingressrule.VpcSecurityGroupIngressRuleConfig{
		SecurityGroupId: sg.Id(),
		Description:     jsii.String("SSH from anywhere (test-only escape hatch)"),
		IpProtocol:      jsii.String("tcp"),
		FromPort:        jsii.Number(22),
		ToPort:          jsii.Number(22),
		CidrIpv4:        jsii.String("0.0.0.0/0"),
	})
	return nil
}

// providerConstraint narrows the AWS provider constraint of <env>-network
// from stacks.ProviderVersion to ~> 5.100 (the mirror's 5.100.0 fits both).
func providerConstraint(app cdktf.App, cfg *config.Config) error {
	st, err := findStack(app, cfg, config.PartNetwork)
	if err != nil {
		return err
	}
	st.AddOverride(jsii.String("terraform.required_providers.aws.version"), jsii.String("~> 5.100"))
	return nil
}

// keepPlan writes a plan's JSON to $SELFHOST_KEEP_PLANS/<scenario>/<stack>.json.
func keepPlan(t *testing.T, scenario, stack string, p *planreport.Plan) {
	dir := os.Getenv(keepPlansEnv)
	if dir == "" {
		return
	}
	dir = filepath.Join(dir, scenario)
	data, err := json.MarshalIndent(p, "", "  ")
	if err == nil {
		err = os.MkdirAll(dir, 0o755)
	}
	if err == nil {
		err = os.WriteFile(filepath.Join(dir, stack+".json"), data, 0o644)
	}
	if err != nil {
		t.Logf("keeping the plan of %s: %v", stack, err)
	}
}
