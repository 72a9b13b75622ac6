package stacks

import (
	"reflect"
	"testing"

	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/provider"

	"selfhost/config"
)

// An emulator environment names its endpoint in the provider block, so a
// hand-run terraform in cdktf.out stays on the emulator; what ops/localenv
// synthesizes for itself (EndpointFromEnvironment) leaves the block out and
// the provider reads AWS_ENDPOINT_URL. Either way nothing else changes.
func TestProviderEndpoints(t *testing.T) {
	cfg := &config.Config{Region: "us-east-1"}
	cfg.AWS.Endpoint = "https://127.0.0.1:5001"
	cfg.AWS.SkipChecks = true

	pc := providerConfig(cfg)
	blocks, _ := pc.Endpoints.(*[]*provider.AwsProviderEndpoints)
	if blocks == nil || len(*blocks) != 1 {
		t.Fatalf("endpoints %v, want one block", pc.Endpoints)
	}
	if e := (*blocks)[0]; e.Ec2 == nil || *e.Ec2 != cfg.AWS.Endpoint || e.Sts == nil || *e.Sts != cfg.AWS.Endpoint {
		t.Errorf("endpoints block %+v, want every service at %s", e, cfg.AWS.Endpoint)
	}

	cfg.AWS.EndpointFromEnvironment = true
	env := providerConfig(cfg)
	if env.Endpoints != nil {
		t.Errorf("with EndpointFromEnvironment the provider block has endpoints %v, want none", env.Endpoints)
	}
	env.Endpoints = pc.Endpoints
	if !reflect.DeepEqual(env, pc) {
		t.Errorf("EndpointFromEnvironment changed more than the endpoints: %+v, was %+v", env, pc)
	}
}
