package e2e

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"selfhost/ops/deploy"
	"selfhost/ops/localenv"
)

// The whole local environment, deployed once exactly the way
// `go run ./cmd/local` (the README's main job) deploys it (localenv.Deploy:
// every stack in order, a clean re-plan, the outputs). The checks that only
// read it run first; then the emulator is forked twice
// (localenv.Session.Fork: a copy of the deployment, state included, on an
// emulator of its own), and three independent sequences of steps run side
// by side (the test's own goroutines), each starting from the deployment
// as deployed, each step in a sequence from what the one before left:
//
//  1. Network, Service, Data: the facts read back through the AWS APIs
//     (each service's own target group, rule, security group, roles and
//     repository; the database admits only the service using it);
//     AddAZPlanOnlyAdds: a plan only.
//  2. PlanReport (first fork): deletion protection turned on (as in
//     production), then the reviewed plan reports of changed
//     configurations, plans only.
//  3. Day2 (the original emulator): NewImageKeepsDesiredCount: the desired
//     count set outside Terraform, then the reference app (which Deploy
//     published into the repository before the service stack) deployed
//     pinned by digest; MissingImageFailsDeploy: a digest that is not in
//     the repository fails the apply (the rollout is rolled back), the
//     published one then deploys; ChangesReplaceNothingCritical: a new tag,
//     CPU target, stickiness and one more AZ (the network applied);
//     SecurityGroupsReplacedInUse: every security group replaced while the
//     ALB, the tasks and the endpoints use them (the service now in 3 AZs);
//     RemoveAZInTwoSteps: the middle AZ retired, then removed.
//  4. AddServiceThenTeardown (second fork): AddServiceOnlyAdds: a third
//     service (a worker) added to the environment as deployed plans only
//     creates; applied (its repository, the image published into it, the
//     service), the re-plan is clean; then the state stack refuses a plain
//     destroy; the teardown (localenv.Teardown, as cmd/local's); nothing
//     left on that emulator.
func TestLocalEnvironment(t *testing.T) {
	t.Parallel()
	s, ctx := start(t)

	_, outputs, err := s.Deploy(ctx, func(format string, a ...any) { t.Logf(format, a...) })
	if err != nil {
		t.Fatal(err)
	}
	if s.Published == "" {
		t.Fatal("Deploy published no image before the service stack")
	}
	network, service := s.Cfg.StackName("network"), s.Cfg.StackName("service")
	var vpcID string
	json.Unmarshal([]byte(outputs[network]["vpc_id"]), &vpcID)
	if !strings.HasPrefix(vpcID, "vpc-") {
		t.Fatalf("vpc_id output %q", outputs[network]["vpc_id"])
	}

	t.Run("Network", func(t *testing.T) { checkNetwork(t, ctx, s, vpcID) })
	t.Run("Service", func(t *testing.T) { checkService(t, ctx, s, outputs[service]) })
	t.Run("Data", func(t *testing.T) { checkData(t, ctx, s, outputs[service]) })
	t.Run("AddAZPlanOnlyAdds", func(t *testing.T) { checkAddAZ(t, ctx, s) })

	report, added := fork(t, ctx, s), fork(t, ctx, s)
	// Each sequence in a goroutine of its own, not as parallel subtests:
	// those would wait for go test's -parallel slots (GOMAXPROCS, 2 here),
	// and these are mostly Terraform waiting on the provider's delays.
	sequences := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"PlanReport", func(t *testing.T) { checkPlanReport(t, ctx, report) }},
		{"Day2", func(t *testing.T) { checkDay2(t, ctx, s, outputs[service], vpcID) }},
		{"AddServiceThenTeardown", func(t *testing.T) { checkAddServiceThenTeardown(t, ctx, added, outputs[service], vpcID) }},
	}
	var wg sync.WaitGroup
	for _, seq := range sequences {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t.Run(seq.name, seq.run)
		}()
	}
	wg.Wait()
}

// fork is a copy of s's deployment on an emulator of its own, closed when
// the test ends.
func fork(t *testing.T, ctx context.Context, s *localenv.Session) *localenv.Session {
	t.Helper()
	f, err := s.Fork(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := f.Close(); err != nil {
			t.Errorf("stopping the fork's emulator: %v", err)
		}
	})
	return f
}

// checkDay2: the day-2 changes on s, in order (see TestLocalEnvironment).
func checkDay2(t *testing.T, ctx context.Context, s *localenv.Session, outs map[string]string, vpcID string) {
	var digest string
	t.Run("NewImageKeepsDesiredCount", func(t *testing.T) {
		digest = s.Published
		checkNewImageKeepsDesiredCount(t, ctx, s, outs, digest)
	})
	t.Run("MissingImageFailsDeploy", func(t *testing.T) { checkMissingImageFailsDeploy(t, ctx, s, outs, s.Published) })
	var deployed *deploy.Env
	t.Run("ChangesReplaceNothingCritical", func(t *testing.T) { deployed = checkChanges(t, ctx, s) })
	t.Run("SecurityGroupsReplacedInUse", func(t *testing.T) {
		if digest == "" {
			t.Skip("needs the published image")
		}
		deployed = checkReplaceSecurityGroups(t, ctx, s, outs, vpcID, digest)
	})
	t.Run("RemoveAZInTwoSteps", func(t *testing.T) {
		if digest == "" || deployed == nil || len(deployed.Cfg.AZNames()) != 3 {
			t.Skip("needs the published image and the three AZs of the steps before")
		}
		checkRemoveAZ(t, ctx, s, outs, vpcID, digest, deployed)
	})
}

// checkAddServiceThenTeardown: on f, a copy of the deployment as deployed,
// a worker is added; then the state bucket refuses a plain destroy
// (Terraform stops at the plan, so nothing changes), the teardown removes
// everything, and nothing is left.
func checkAddServiceThenTeardown(t *testing.T, ctx context.Context, f *localenv.Session, outs map[string]string, vpcID string) {
	deployed, err := f.Synth(nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("AddServiceOnlyAdds", func(t *testing.T) {
		deployed = checkAddService(t, ctx, f, deployed)
	})
	state := f.Cfg.StackName("state")
	if err := deployed.Destroy(ctx, state); err == nil || !strings.Contains(err.Error(), "prevent_destroy") {
		t.Errorf("destroying %s: %v, want Terraform's prevent_destroy refusal", state, err)
	}
	if err := f.Teardown(ctx, deployed); err != nil {
		t.Fatal(err)
	}
	checkNetworkGone(t, ctx, f, vpcID)
	checkServiceGone(t, ctx, f, outs)
	checkDataGone(t, f)
	checkBucketsGone(t, ctx, f)
}

// checkBucketsGone: no bucket is left on the emulator.
func checkBucketsGone(t *testing.T, ctx context.Context, s *localenv.Session) {
	buckets, err := s3.NewFromConfig(s.AWS()).ListBuckets(ctx, &s3.ListBucketsInput{})
	if err != nil || len(buckets.Buckets) != 0 {
		t.Errorf("buckets left: %v (err %v)", buckets, err)
	}
}
