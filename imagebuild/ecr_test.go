package imagebuild

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/google/go-containerregistry/pkg/authn"

	"selfhost/emulator"
)

// useEmulator points the AWS SDK at a fresh moto server.
func useEmulator(t *testing.T, region string) *emulator.Server {
	t.Helper()
	srv := emulator.StartT(t)
	for k, v := range srv.Env(region) {
		t.Setenv(k, v)
	}
	return srv
}

func TestECRLoginAndRepositoryAgainstEmulator(t *testing.T) {
	useEmulator(t, "eu-west-1")
	ctx := context.Background()
	client, err := NewECRClient(ctx, "", "") // region and endpoint from the environment
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ECRRepository(ctx, client, "selfhost-production"); err == nil || !strings.Contains(err.Error(), `"selfhost-production" does not exist`) {
		t.Fatalf("missing repository: %v", err)
	}
	if _, err := client.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String("selfhost-production")}); err != nil {
		t.Fatal(err)
	}
	repo, err := ECRRepository(ctx, client, "selfhost-production")
	if err != nil {
		t.Fatal(err)
	}
	wantHost := emulator.AccountID + ".dkr.ecr.eu-west-1.amazonaws.com"
	if repo.String() != wantHost+"/selfhost-production" {
		t.Errorf("repository %s, want %s/selfhost-production", repo, wantHost)
	}

	host, auth, err := ECRLogin(ctx, client)
	if err != nil {
		t.Fatal(err)
	}
	if host != repo.RegistryStr() {
		t.Errorf("login for %s, repository at %s", host, repo.RegistryStr())
	}
	cfg, err := auth.Authorization()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Username != "AWS" || cfg.Password == "" || *cfg == (authn.AuthConfig{Username: "AWS"}) {
		t.Errorf("credentials %+v, want user AWS and a password", cfg)
	}
}

func TestECRClientWithExplicitEndpoint(t *testing.T) {
	srv := useEmulator(t, "us-east-1")
	t.Setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1") // must lose to the explicit endpoint
	ctx := context.Background()
	client, err := NewECRClient(ctx, "ap-southeast-2", srv.Endpoint())
	if err != nil {
		t.Fatal(err)
	}
	host, _, err := ECRLogin(ctx, client)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(host, ".dkr.ecr.ap-southeast-2.amazonaws.com") {
		t.Errorf("registry %s, want one in ap-southeast-2", host)
	}
}
