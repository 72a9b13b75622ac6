// Package statebucket is the Terraform remote-state store: a versioned,
// encrypted, private S3 bucket that refuses non-TLS access and cannot be
// destroyed by Terraform, plus an optional DynamoDB lock table.
package statebucket

import (
	"fmt"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/dynamodbtable"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucketlifecycleconfiguration"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"selfhost/constructs/bucket"
)

// Props configures the state store. Defaults live in config/defaults.go.
type Props struct {
	// Bucket is the S3 bucket name (required).
	Bucket string
	// KMSKeyARN selects SSE-KMS with that key; empty means SSE-S3 (AES256).
	KMSKeyARN string
	// LockTable, when set, creates a DynamoDB lock table of that name.
	LockTable string
	// NoncurrentVersionRetentionDays (at least 1): noncurrent versions are
	// deleted this many days after they were replaced, expired delete
	// markers removed; current versions are never expired.
	NoncurrentVersionRetentionDays int
}

// MinTLSVersion is the lowest TLS version the bucket policy admits.
const MinTLSVersion = bucket.MinTLSVersion

// AbortIncompleteUploadDays: parts of an upload not completed by then are
// deleted (state files are small; an interrupted upload leaves only parts).
const AbortIncompleteUploadDays = 7

// Outputs of the state store.
type Outputs struct {
	BucketName *string
	BucketARN  *string
	LockTable  *string // nil without a lock table
}

// New builds the state store in scope.
func New(scope constructs.Construct, id string, p Props) (*Outputs, error) {
	if p.Bucket == "" {
		return nil, fmt.Errorf("statebucket: Bucket is required")
	}
	if p.NoncurrentVersionRetentionDays < 1 {
		return nil, fmt.Errorf("statebucket: NoncurrentVersionRetentionDays %d is out of range; want at least 1", p.NoncurrentVersionRetentionDays)
	}
	c := constructs.NewConstruct(scope, jsii.String(id))
	keep := &cdktf.TerraformResourceLifecycle{PreventDestroy: jsii.Bool(true)}

	// The bucket itself, with the same construct ids (and so addresses)
	// it had before constructs/bucket existed.
	b := bucket.Build(c, bucket.Props{Name: p.Bucket, KMSKeyARN: p.KMSKeyARN, PreventDestroy: true})
	ver := b.Versioning
	// Every write of a state file, and every lock file (S3-native locking
	// writes <key>.tflock and deletes it), leaves a noncurrent version and,
	// for the lock, a delete marker. Noncurrent versions go after the
	// retention, delete markers once no version is left behind them. No
	// rule expires a current version: the state itself stays. The rule
	// waits for versioning (AWS applies noncurrent rules to a versioned
	// bucket).
	// https://docs.aws.amazon.com/AmazonS3/latest/userguide/lifecycle-configuration-examples.html
	s3bucketlifecycleconfiguration.NewS3BucketLifecycleConfiguration(c, jsii.String("lifecycle"), &s3bucketlifecycleconfiguration.S3BucketLifecycleConfigurationConfig{
		Bucket: b.ID,
		Rule: []*s3bucketlifecycleconfiguration.S3BucketLifecycleConfigurationRule{{
			Id:     jsii.String("state-history"),
			Status: jsii.String("Enabled"),
			Filter: []*s3bucketlifecycleconfiguration.S3BucketLifecycleConfigurationRuleFilter{{Prefix: jsii.String("")}},
			NoncurrentVersionExpiration: []*s3bucketlifecycleconfiguration.S3BucketLifecycleConfigurationRuleNoncurrentVersionExpiration{{
				NoncurrentDays: jsii.Number(float64(p.NoncurrentVersionRetentionDays)),
			}},
			Expiration: []*s3bucketlifecycleconfiguration.S3BucketLifecycleConfigurationRuleExpiration{{
				ExpiredObjectDeleteMarker: jsii.Bool(true),
			}},
			AbortIncompleteMultipartUpload: []*s3bucketlifecycleconfiguration.S3BucketLifecycleConfigurationRuleAbortIncompleteMultipartUpload{{
				DaysAfterInitiation: jsii.Number(AbortIncompleteUploadDays),
			}},
		}},
		DependsOn: &[]cdktf.ITerraformDependable{ver},
	})
	out := &Outputs{BucketName: b.Name, BucketARN: b.ARN}

	if p.LockTable != "" {
		t := dynamodbtable.NewDynamodbTable(c, jsii.String("lock-table"), &dynamodbtable.DynamodbTableConfig{
			Name:                      jsii.String(p.LockTable),
			BillingMode:               jsii.String("PAY_PER_REQUEST"),
			HashKey:                   jsii.String("LockID"),
			Attribute:                 []*dynamodbtable.DynamodbTableAttribute{{Name: jsii.String("LockID"), Type: jsii.String("S")}},
			ServerSideEncryption:      &dynamodbtable.DynamodbTableServerSideEncryption{Enabled: jsii.Bool(true)},
			PointInTimeRecovery:       &dynamodbtable.DynamodbTablePointInTimeRecovery{Enabled: jsii.Bool(true)},
			DeletionProtectionEnabled: jsii.Bool(true),
			Lifecycle:                 keep,
		})
		out.LockTable = t.Name()
	}
	return out, nil
}
