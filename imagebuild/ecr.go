package imagebuild

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
)

// ECRAPI is the part of the ECR client used here.
type ECRAPI interface {
	GetAuthorizationToken(context.Context, *ecr.GetAuthorizationTokenInput, ...func(*ecr.Options)) (*ecr.GetAuthorizationTokenOutput, error)
	DescribeRepositories(context.Context, *ecr.DescribeRepositoriesInput, ...func(*ecr.Options)) (*ecr.DescribeRepositoriesOutput, error)
}

// NewECRClient makes an ECR client from the SDK's default configuration
// (environment, shared config, instance role). region and endpoint override
// it when set; the SDK also reads AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_ECR.
func NewECRClient(ctx context.Context, region, endpoint string) (*ecr.Client, error) {
	var opts []func(*awsconfig.LoadOptions) error
	if region != "" {
		opts = append(opts, awsconfig.WithRegion(region))
	}
	cfg, err := awsconfig.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		return nil, errors.New("no AWS region: pass --region or set AWS_REGION")
	}
	return ecr.NewFromConfig(cfg, func(o *ecr.Options) {
		if endpoint != "" {
			o.BaseEndpoint = aws.String(endpoint)
		}
	}), nil
}

// ECRRepository looks up an ECR repository by name and returns its URI as a
// repository reference (ACCOUNT.dkr.ecr.REGION.amazonaws.com/NAME).
func ECRRepository(ctx context.Context, client ECRAPI, repoName string) (name.Repository, error) {
	out, err := client.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: []string{repoName}})
	var notFound *ecrtypes.RepositoryNotFoundException
	if errors.As(err, &notFound) {
		return name.Repository{}, fmt.Errorf("ECR repository %q does not exist: apply the environment's <env>-registry stack first", repoName)
	}
	if err != nil {
		return name.Repository{}, fmt.Errorf("describing ECR repository %q: %w", repoName, err)
	}
	if len(out.Repositories) != 1 || aws.ToString(out.Repositories[0].RepositoryUri) == "" {
		return name.Repository{}, fmt.Errorf("describing ECR repository %q: no repository URI in the answer", repoName)
	}
	uri := aws.ToString(out.Repositories[0].RepositoryUri)
	repo, err := name.NewRepository(uri, name.StrictValidation)
	if err != nil {
		return name.Repository{}, fmt.Errorf("ECR repository URI %q: %w", uri, err)
	}
	return repo, nil
}

// ECRLogin exchanges the caller's AWS credentials for registry credentials
// with GetAuthorizationToken. It returns the registry host (from the token's
// proxy endpoint) and a basic authenticator; the token lasts 12 hours.
func ECRLogin(ctx context.Context, client ECRAPI) (string, authn.Authenticator, error) {
	out, err := client.GetAuthorizationToken(ctx, &ecr.GetAuthorizationTokenInput{})
	if err != nil {
		return "", nil, fmt.Errorf("ECR GetAuthorizationToken: %w", err)
	}
	if len(out.AuthorizationData) == 0 {
		return "", nil, errors.New("ECR GetAuthorizationToken: no authorization data in the answer")
	}
	data := out.AuthorizationData[0]
	raw, err := base64.StdEncoding.DecodeString(aws.ToString(data.AuthorizationToken))
	if err != nil {
		return "", nil, fmt.Errorf("ECR authorization token is not base64: %w", err)
	}
	user, pass, ok := strings.Cut(string(raw), ":")
	if !ok || user == "" || pass == "" {
		return "", nil, errors.New("ECR authorization token is not user:password")
	}
	endpoint := aws.ToString(data.ProxyEndpoint)
	u, err := url.Parse(endpoint)
	if err != nil || u.Host == "" {
		return "", nil, fmt.Errorf("ECR proxy endpoint %q is not a URL", endpoint)
	}
	return u.Host, &authn.Basic{Username: user, Password: pass}, nil
}
