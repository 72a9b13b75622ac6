package e2e

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"selfhost/config"
	"selfhost/ops/localenv"
)

// The whole local environment on one emulator, deployed once exactly the
// way `go run ./cmd/local` (the README's main job) deploys it
// (localenv.Deploy: every stack in order, a clean re-plan, the outputs) and
// torn down the way it tears it down (localenv.Teardown). Every check that
// needs a deployed environment runs in between, in an order where each
// starts from what the one before left:
//
//  1. Network, Service, Data: the facts read back through the AWS APIs
//     (each service's own target group, rule, security group, roles and
//     repository; the database admits only the service using it);
//  2. AddAZPlanOnlyAdds: a plan only;
//  3. PlanReport: deletion protection turned on (as in production), then
//     the reviewed plan reports of changed configurations, plans only;
//  4. NewImageKeepsDesiredCount: the desired count set outside Terraform,
//     then the reference app (which Deploy published into the repository
//     before the service stack) deployed pinned by digest, protection off
//     again; MissingImageFailsDeploy: a digest that is not in the
//     repository fails the apply (the rollout is rolled back), the
//     published one then deploys;
//  5. ChangesReplaceNothingCritical: a new tag, CPU target, stickiness and
//     one more AZ (the network applied);
//  6. SecurityGroupsReplacedInUse: every security group replaced while the
//     ALB, the tasks and the endpoints use them (the service now in 3 AZs);
//     RemoveAZInTwoSteps: the middle AZ retired, then removed;
//  7. AddServiceOnlyAdds: a third service (a worker) added to the
//     environment as deployed plans only creates; applied (its repository,
//     the image published into it, the service), the re-plan is clean;
//  8. the state stack refuses a plain destroy; the teardown; nothing left.
func TestLocalEnvironment(t *testing.T) {
	t.Parallel()
	s, ctx := start(t)

	env, outputs, err := s.Deploy(ctx, func(format string, a ...any) { t.Logf(format, a...) })
	if err != nil {
		t.Fatal(err)
	}
	if s.Published == "" {
		t.Fatal("Deploy published no image before the service stack")
	}
	state, network, service := s.Cfg.StackName("state"), s.Cfg.StackName("network"), s.Cfg.StackName("service")
	var vpcID string
	json.Unmarshal([]byte(outputs[network]["vpc_id"]), &vpcID)
	if !strings.HasPrefix(vpcID, "vpc-") {
		t.Fatalf("vpc_id output %q", outputs[network]["vpc_id"])
	}

	t.Run("Network", func(t *testing.T) { checkNetwork(t, ctx, s, vpcID) })
	t.Run("Service", func(t *testing.T) { checkService(t, ctx, s, outputs[service]) })
	t.Run("Data", func(t *testing.T) { checkData(t, ctx, s, outputs[service]) })
	t.Run("AddAZPlanOnlyAdds", func(t *testing.T) { checkAddAZ(t, ctx, s) })
	t.Run("PlanReport", func(t *testing.T) { checkPlanReport(t, ctx, s) })
	var digest string
	t.Run("NewImageKeepsDesiredCount", func(t *testing.T) {
		digest = s.Published
		checkNewImageKeepsDesiredCount(t, ctx, s, outputs[service], digest)
	})
	t.Run("MissingImageFailsDeploy", func(t *testing.T) { checkMissingImageFailsDeploy(t, ctx, s, outputs[service], s.Published) })
	deployed := env
	var deployedEdit func(cdktf.App, *config.Config) error // the app edit deployed was synthesized with
	t.Run("ChangesReplaceNothingCritical", func(t *testing.T) { deployed = checkChanges(t, ctx, s) })
	t.Run("SecurityGroupsReplacedInUse", func(t *testing.T) {
		if digest == "" {
			t.Skip("needs the published image")
		}
		deployed = checkReplaceSecurityGroups(t, ctx, s, outputs[service], vpcID, digest)
		deployedEdit = newSGDescriptions
	})
	t.Run("RemoveAZInTwoSteps", func(t *testing.T) {
		if digest == "" || len(deployed.Cfg.AZNames()) != 3 {
			t.Skip("needs the published image and the three AZs of the steps before")
		}
		deployed = checkRemoveAZ(t, ctx, s, outputs[service], vpcID, digest, deployed)
	})
	t.Run("AddServiceOnlyAdds", func(t *testing.T) {
		deployed = checkAddService(t, ctx, s, deployed, deployedEdit)
	})

	// The state bucket refuses a plain destroy (Terraform stops at the plan,
	// so nothing changes); the teardown removes it deliberately.
	if err := deployed.Destroy(ctx, state); err == nil || !strings.Contains(err.Error(), "prevent_destroy") {
		t.Errorf("destroying %s: %v, want Terraform's prevent_destroy refusal", state, err)
	}
	if err := s.Teardown(ctx, deployed); err != nil {
		t.Fatal(err)
	}
	checkNetworkGone(t, ctx, s, vpcID)
	checkServiceGone(t, ctx, s, outputs[service])
	checkDataGone(t, s)
	checkBucketsGone(t, ctx, s)
}

// checkBucketsGone: no bucket is left on the emulator.
func checkBucketsGone(t *testing.T, ctx context.Context, s *localenv.Session) {
	buckets, err := s3.NewFromConfig(s.AWS()).ListBuckets(ctx, &s3.ListBucketsInput{})
	if err != nil || len(buckets.Buckets) != 0 {
		t.Errorf("buckets left: %v (err %v)", buckets, err)
	}
}
