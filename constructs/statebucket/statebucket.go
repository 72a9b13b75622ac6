// Package statebucket is the Terraform remote-state store: a versioned,
// encrypted, private S3 bucket that refuses non-TLS access and cannot be
// destroyed by Terraform, plus an optional DynamoDB lock table.
package statebucket

import (
	"fmt"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/dynamodbtable"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucket"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucketlifecycleconfiguration"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucketownershipcontrols"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucketpolicy"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucketpublicaccessblock"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucketserversideencryptionconfiguration"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucketversioning"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"selfhost/constructs/iampolicy"
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
const MinTLSVersion = 1.2

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

	b := s3bucket.NewS3Bucket(c, jsii.String("bucket"), &s3bucket.S3BucketConfig{
		Bucket:       jsii.String(p.Bucket),
		ForceDestroy: jsii.Bool(false),
		Lifecycle:    keep,
	})
	ver := s3bucketversioning.NewS3BucketVersioningA(c, jsii.String("versioning"), &s3bucketversioning.S3BucketVersioningAConfig{
		Bucket:                  b.Id(),
		VersioningConfiguration: &s3bucketversioning.S3BucketVersioningVersioningConfiguration{Status: jsii.String("Enabled")},
	})
	sse := &s3bucketserversideencryptionconfiguration.S3BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultA{
		SseAlgorithm: jsii.String("AES256"),
	}
	if p.KMSKeyARN != "" {
		sse = &s3bucketserversideencryptionconfiguration.S3BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultA{
			SseAlgorithm: jsii.String("aws:kms"), KmsMasterKeyId: jsii.String(p.KMSKeyARN),
		}
	}
	s3bucketserversideencryptionconfiguration.NewS3BucketServerSideEncryptionConfigurationA(c, jsii.String("encryption"),
		&s3bucketserversideencryptionconfiguration.S3BucketServerSideEncryptionConfigurationAConfig{
			Bucket: b.Id(),
			Rule: []*s3bucketserversideencryptionconfiguration.S3BucketServerSideEncryptionConfigurationRuleA{{
				ApplyServerSideEncryptionByDefault: sse,
				BucketKeyEnabled:                   jsii.Bool(p.KMSKeyARN != ""),
			}},
		})
	pab := s3bucketpublicaccessblock.NewS3BucketPublicAccessBlock(c, jsii.String("public-access-block"), &s3bucketpublicaccessblock.S3BucketPublicAccessBlockConfig{
		Bucket:                b.Id(),
		BlockPublicAcls:       jsii.Bool(true),
		BlockPublicPolicy:     jsii.Bool(true),
		IgnorePublicAcls:      jsii.Bool(true),
		RestrictPublicBuckets: jsii.Bool(true),
	})
	s3bucketownershipcontrols.NewS3BucketOwnershipControls(c, jsii.String("ownership"), &s3bucketownershipcontrols.S3BucketOwnershipControlsConfig{
		Bucket: b.Id(),
		Rule:   &s3bucketownershipcontrols.S3BucketOwnershipControlsRule{ObjectOwnership: jsii.String("BucketOwnerEnforced")},
	})
	// TLS only, and TLS 1.2 or later (AWS: "Enforcing a minimum version of
	// TLS" for S3, condition key s3:TlsVersion).
	s3bucketpolicy.NewS3BucketPolicy(c, jsii.String("tls-only"), &s3bucketpolicy.S3BucketPolicyConfig{
		Bucket: b.Id(),
		Policy: iampolicy.Document(iampolicy.Statement{
			Sid:       "DenyInsecureTransport",
			Effect:    "Deny",
			Principal: "*",
			Action:    []string{"s3:*"},
			Resource:  []string{*b.Arn(), *b.Arn() + "/*"},
			Condition: map[string]any{"Bool": map[string]string{"aws:SecureTransport": "false"}},
		}, iampolicy.Statement{
			Sid:       "DenyOldTLS",
			Effect:    "Deny",
			Principal: "*",
			Action:    []string{"s3:*"},
			Resource:  []string{*b.Arn(), *b.Arn() + "/*"},
			Condition: map[string]any{"NumericLessThan": map[string]float64{"s3:TlsVersion": MinTLSVersion}},
		}),
		// The public access block must exist first so the policy is never evaluated without it.
		DependsOn: &[]cdktf.ITerraformDependable{pab},
	})
	// Every write of a state file, and every lock file (S3-native locking
	// writes <key>.tflock and deletes it), leaves a noncurrent version and,
	// for the lock, a delete marker. Noncurrent versions go after the
	// retention, delete markers once no version is left behind them. No
	// rule expires a current version: the state itself stays. The rule
	// waits for versioning (AWS applies noncurrent rules to a versioned
	// bucket).
	// https://docs.aws.amazon.com/AmazonS3/latest/userguide/lifecycle-configuration-examples.html
	s3bucketlifecycleconfiguration.NewS3BucketLifecycleConfiguration(c, jsii.String("lifecycle"), &s3bucketlifecycleconfiguration.S3BucketLifecycleConfigurationConfig{
		Bucket: b.Id(),
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
	out := &Outputs{BucketName: b.Bucket(), BucketARN: b.Arn()}

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
