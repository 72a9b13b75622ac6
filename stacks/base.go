// Package stacks composes the constructs into the stacks of one environment:
// <env>-state, <env>-network (and, later, <env>-service and <env>-dns). Each
// stack gets the AWS provider and its backend from the environment's config.
package stacks

import (
	"path"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/provider"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"selfhost/config"
)

// ProviderVersion admits the 5.99.1 the bindings were generated for and any
// later 5.x, such as the 5.100.0 of an offline mirror.
const ProviderVersion = "~> 5.99"

// Stack part names.
const (
	PartState   = "state"
	PartNetwork = "network"
	PartService = "service"
	PartDNS     = "dns"
)

// newStack creates a stack named <env>-<part> with the AWS provider; with
// assumeRole set, the provider works in the account of that role.
func newStack(scope constructs.Construct, cfg *config.Config, part, assumeRole string) cdktf.TerraformStack {
	st := cdktf.NewTerraformStack(scope, jsii.String(cfg.StackName(part)))
	pc := providerConfig(cfg)
	if assumeRole != "" {
		pc.AssumeRole = &[]*provider.AwsProviderAssumeRole{{
			RoleArn:     jsii.String(assumeRole),
			SessionName: jsii.String("selfhost-" + cfg.StackName(part)),
		}}
	}
	provider.NewAwsProvider(st, jsii.String("aws"), pc)
	st.AddOverride(jsii.String("terraform.required_providers.aws.version"), jsii.String(ProviderVersion))
	return st
}

func providerConfig(cfg *config.Config) *provider.AwsProviderConfig {
	tags := map[string]*string{
		"environment": jsii.String(cfg.Name),
		"project":     jsii.String(cfg.Project),
		"managed-by":  jsii.String("selfhost"),
	}
	for k, v := range cfg.Tags {
		tags[k] = jsii.String(v)
	}
	pc := &provider.AwsProviderConfig{
		Region:      jsii.String(cfg.Region),
		DefaultTags: &[]*provider.AwsProviderDefaultTags{{Tags: &tags}},
		MaxRetries:  jsii.Number(float64(cfg.AWS.MaxRetries)),
	}
	if len(cfg.AWS.AllowedAccountIDs) > 0 {
		pc.AllowedAccountIds = jsii.Strings(cfg.AWS.AllowedAccountIDs...)
	}
	if cfg.AWS.SkipChecks {
		// The account id is still requested (emulators answer STS): the
		// provider needs it to tell its own security groups from others'.
		pc.SkipCredentialsValidation = jsii.Bool(true)
		pc.SkipMetadataApiCheck = jsii.String("true")
		pc.SkipRegionValidation = jsii.Bool(true)
		pc.S3UsePathStyle = jsii.Bool(true)
	}
	if e := cfg.AWS.Endpoint; e != "" {
		s := jsii.String(e)
		pc.Endpoints = &[]*provider.AwsProviderEndpoints{{
			Acm: s, Applicationautoscaling: s, Cloudwatch: s, Cloudwatchlogs: s, Dynamodb: s, Ec2: s, Ecr: s, Ecs: s,
			Elbv2: s, Iam: s, Kms: s, Rds: s, Route53: s, S3: s, Secretsmanager: s, Ssm: s, Sts: s,
		}}
	}
	return pc
}

// useS3Backend stores the stack's state in the environment's state bucket,
// with S3-native locking (use_lockfile) or a DynamoDB table.
func useS3Backend(st cdktf.TerraformStack, cfg *config.Config) {
	s := cfg.State
	bc := &cdktf.S3BackendConfig{
		Bucket:  jsii.String(s.Bucket),
		Key:     jsii.String(cfg.StateKey(*st.Node().Id())),
		Region:  jsii.String(cfg.Region),
		Encrypt: jsii.Bool(true),
	}
	if s.KMSKeyARN != "" {
		bc.KmsKeyId = jsii.String(s.KMSKeyARN)
	}
	if s.Locking == config.LockDynamoDB {
		bc.DynamodbTable = jsii.String(s.DynamoDBTable)
	}
	if cfg.AWS.SkipChecks {
		bc.SkipCredentialsValidation = jsii.Bool(true)
		bc.SkipRequestingAccountId = jsii.Bool(true)
		bc.SkipMetadataApiCheck = jsii.Bool(true)
		bc.SkipRegionValidation = jsii.Bool(true)
		bc.UsePathStyle = jsii.Bool(true)
	}
	if e := cfg.AWS.Endpoint; e != "" {
		bc.Endpoints = &cdktf.S3BackendEndpointConfig{S3: jsii.String(e), Dynamodb: jsii.String(e), Sts: jsii.String(e), Iam: jsii.String(e)}
	}
	cdktf.NewS3Backend(st, bc)
	if s.Locking == config.LockFile {
		// S3BackendConfig has no field for use_lockfile (Terraform >= 1.10).
		st.AddOverride(jsii.String("terraform.backend.s3.use_lockfile"), jsii.Bool(true))
	}
}

// bootstrapStatePath is the local state file of <env>-state, relative to the
// stack's folder cdktf.out/stacks/<stack>/, so no machine path is written.
func bootstrapStatePath(cfg *config.Config) string {
	return path.Join("..", "..", "..", cfg.State.BootstrapStateDir, cfg.StackName(PartState)+".tfstate")
}
