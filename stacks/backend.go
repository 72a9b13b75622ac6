package stacks

import (
	"path"

	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"selfhost/config"
)

// useS3Backend stores the state of the stack of part (newStack) in the
// environment's state bucket, with S3-native locking (use_lockfile) or a
// DynamoDB table.
func useS3Backend(st Stack, cfg *config.Config, part string) {
	s := cfg.State
	bc := &cdktf.S3BackendConfig{
		Bucket:  jsii.String(s.Bucket),
		Key:     jsii.String(cfg.StateKey(cfg.StackName(part))),
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

// useLocalBackend keeps the state of <env>-state in a local file until it is
// migrated into its own bucket (state.bootstrap_backend: s3).
func useLocalBackend(st Stack, cfg *config.Config) {
	cdktf.NewLocalBackend(st, &cdktf.LocalBackendConfig{Path: jsii.String(bootstrapStatePath(cfg))})
}

// bootstrapStatePath is the local state file of <env>-state, relative to the
// stack's folder cdktf.out/stacks/<stack>/, so no machine path is written.
func bootstrapStatePath(cfg *config.Config) string {
	return path.Join("..", "..", "..", cfg.State.BootstrapStateDir, cfg.StackName(config.PartState)+".tfstate")
}
