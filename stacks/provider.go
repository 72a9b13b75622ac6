package stacks

import (
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/provider"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"selfhost/config"
)

// ProviderVersion admits the 5.99.1 the bindings were generated for and any
// later 5.x, such as the 5.100.0 of an offline mirror.
const ProviderVersion = "~> 5.99"

// Stack is a cdktf stack. The stacks package names cdktf's core package in
// three files only (provider.go, backend.go, app.go), so moving to another
// distribution of it (see the README) touches few lines.
type Stack = cdktf.TerraformStack

// output adds a Terraform output to a stack.
func output(st Stack, id string, v any) {
	cdktf.NewTerraformOutput(st, jsii.String(id), &cdktf.TerraformOutputConfig{Value: v})
}

// newStack creates a stack named <env>-<part> with the AWS provider; with
// assumeRole set, the provider works in the account of that role.
func newStack(scope constructs.Construct, cfg *config.Config, part, assumeRole string) Stack {
	st := cdktf.NewTerraformStack(scope, jsii.String(cfg.StackName(part)))
	pc := providerConfig(cfg)
	if assumeRole != "" {
		pc.AssumeRole = assume(assumeRole, "selfhost-"+cfg.StackName(part))
	}
	provider.NewAwsProvider(st, jsii.String("aws"), pc)
	st.AddOverride(jsii.String("terraform.required_providers.aws.version"), jsii.String(ProviderVersion))
	return st
}

func assume(role, session string) *[]*provider.AwsProviderAssumeRole {
	return &[]*provider.AwsProviderAssumeRole{{RoleArn: jsii.String(role), SessionName: jsii.String(session)}}
}

// DNSProviderAlias is the alias of the provider that writes to the hosted
// zone from a stack other than <env>-dns.
const DNSProviderAlias = "dns"

// dnsProvider is the provider for the hosted zone in the stack of part
// (newStack), whose own provider works in the deployment's account: with dns.role_arn, an aliased
// provider assuming that role (the zone may be in another account, so every
// zone lookup and record goes through it); without, nil: the stack's own
// provider. <env>-dns needs none: its provider assumes the role already.
func dnsProvider(st Stack, cfg *config.Config, part string) cdktf.TerraformProvider {
	if cfg.DNS.RoleARN == "" {
		return nil
	}
	pc := providerConfig(cfg)
	pc.Alias = jsii.String(DNSProviderAlias)
	pc.AssumeRole = assume(cfg.DNS.RoleARN, "selfhost-"+cfg.StackName(part)+"-dns")
	return provider.NewAwsProvider(st, jsii.String("aws-"+DNSProviderAlias), pc)
}

func providerConfig(cfg *config.Config) *provider.AwsProviderConfig {
	tags := map[string]*string{}
	for k, v := range cfg.AllTags() {
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
	if e := cfg.AWS.Endpoint; e != "" && !cfg.AWS.EndpointFromEnvironment {
		s := jsii.String(e)
		pc.Endpoints = &[]*provider.AwsProviderEndpoints{{
			Acm: s, Applicationautoscaling: s, Cloudwatch: s, Cloudwatchlogs: s, Dynamodb: s, Ec2: s, Ecr: s, Ecs: s,
			Elbv2: s, Iam: s, Kms: s, Rds: s, Route53: s, S3: s, Secretsmanager: s, Ssm: s, Sts: s,
		}}
	}
	return pc
}
