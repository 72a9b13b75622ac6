package stacks

import (
	"github.com/aws/constructs-go/constructs/v10"

	"selfhost/config"
	"selfhost/constructs/statebucket"
)

// NewState is <env>-state: the bucket (and optional lock table) that every
// other stack keeps its state in. Its own state is local until migrated
// (state.bootstrap_backend: s3).
func NewState(scope constructs.Construct, cfg *config.Config) (Stack, error) {
	st := newStack(scope, cfg, config.PartState, "")
	if cfg.State.BootstrapBackend == config.BootstrapS3 {
		useS3Backend(st, cfg, config.PartState)
	} else {
		useLocalBackend(st, cfg)
	}
	p := statebucket.Props{Bucket: cfg.State.Bucket, KMSKeyARN: cfg.State.KMSKeyARN, NoncurrentVersionRetentionDays: cfg.State.NoncurrentVersionRetentionDays}
	if cfg.State.Locking == config.LockDynamoDB {
		p.LockTable = cfg.State.DynamoDBTable
	}
	out, err := statebucket.New(st, "state", p)
	if err != nil {
		return nil, err
	}
	output(st, "bucket", out.BucketName)
	return st, nil
}
