package awsrules

import (
	"regexp"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
)

// ImageReference checks a container image reference
// (registry/repository[:tag][@digest]) with the reference grammar of the
// OCI distribution spec, as ECS passes it to the container runtime.
// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDefinition.html
func ImageReference(s string) error {
	const allowed = "want registry/repository:tag or registry/repository@sha256:<digest>, e.g. public.ecr.aws/nginx/nginx@sha256:..."
	repo, _, _ := strings.Cut(s, "@")
	if i := strings.LastIndex(repo, ":"); i > strings.LastIndex(repo, "/") {
		repo = repo[:i]
	}
	switch {
	case len(s) > 255:
		return errf("is %d characters; ECS allows image references of at most 255; %s", len(s), allowed)
	case strings.ContainsAny(s, " \t\r\n"):
		return errf("%q has white space; %s", s, allowed)
	case !strings.Contains(repo, "/"):
		return errf("%q names no registry; %s", s, allowed)
	case repo == s:
		return errf("%q has no tag or digest; %s", s, allowed)
	case strings.ToLower(repo[strings.Index(repo, "/"):]) != repo[strings.Index(repo, "/"):]:
		return errf("%q has upper case in the repository path, which registries refuse; %s", s, allowed)
	}
	// The OCI reference grammar, as go-containerregistry parses it.
	if _, err := name.ParseReference(s, name.StrictValidation); err != nil {
		return errf("%q is not an image reference; %s", s, allowed)
	}
	return nil
}

// ECRImage reports whether an image reference is in an ECR private registry
// (reached through the ecr.api and ecr.dkr endpoints, layers from S3).
var reECRHost = regexp.MustCompile(`^[0-9]{12}\.dkr\.ecr(-fips)?\.[a-z0-9-]+\.amazonaws\.com(\.cn)?/`)

// IsECRImage reports whether s is in a private ECR registry.
func IsECRImage(s string) bool { return reECRHost.MatchString(s) }

// ContainerEnvReserved are variable names the ECS agent sets in every task;
// a user value would break the task's credentials or metadata.
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-metadata-endpoint-v4.html
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html
var ContainerEnvReservedPrefixes = []string{"ECS_", "AWS_CONTAINER_", "AWS_EXECUTION_ENV"}

// VPC interface endpoints: the services whose short names selfhost accepts
// (com.amazonaws.<region>.<name>), those a Fargate task may use.
// https://docs.aws.amazon.com/vpc/latest/privatelink/aws-services-privatelink-support.html
var InterfaceEndpointServices = []string{
	"apigateway", "application-autoscaling", "appmesh-envoy-management", "athena", "autoscaling",
	"cloudformation", "cloudtrail", "codeartifact.api", "codeartifact.repositories", "codebuild",
	"codecommit", "codedeploy", "codepipeline", "comprehend", "config", "ebs", "ec2",
	"ec2messages", "ecr.api", "ecr.dkr", "ecs", "ecs-agent", "ecs-telemetry", "elasticache",
	"elasticfilesystem", "elasticloadbalancing", "email-smtp", "events", "execute-api", "firehose",
	"glue", "kinesis-streams", "kms", "lambda", "logs", "monitoring", "rds", "rds-data", "redshift",
	"sagemaker.api", "sagemaker.runtime", "secretsmanager", "servicediscovery", "sns", "sqs",
	"ssm", "ssmmessages", "states", "sts", "textract", "transcribe", "translate", "xray",
}

// NATFreeEndpoints are the interface endpoints a Fargate task in a subnet
// with no route out needs: pull from ECR (ecr.api, ecr.dkr; layers come
// through the S3 gateway endpoint) and ship logs (logs).
// https://docs.aws.amazon.com/AmazonECR/latest/userguide/vpc-endpoints.html
var NATFreeEndpoints = []string{"ecr.api", "ecr.dkr", "logs"}

// MaxTaskDefinitionSize is the largest task definition ECS accepts (64 KiB).
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-quotas.html
const MaxTaskDefinitionSize = 64 << 10
