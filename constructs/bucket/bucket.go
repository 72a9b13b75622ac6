// Package bucket is a private S3 bucket: versioned, encrypted by default
// (SSE-S3, or SSE-KMS with a key), all public access blocked, object
// ownership enforced (no ACLs), and a bucket policy refusing requests
// without TLS or with TLS older than 1.2. The state bucket
// (constructs/statebucket) and the application buckets of <env>-data are
// built with it.
package bucket

import (
	"fmt"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucket"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucketownershipcontrols"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucketpolicy"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucketpublicaccessblock"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucketserversideencryptionconfiguration"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucketversioning"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"selfhost/awsrules"
	"selfhost/constructs/iampolicy"
)

// MinTLSVersion is the lowest TLS version the bucket policy admits.
const MinTLSVersion = 1.2

// Props configures a bucket.
type Props struct {
	// Name is the S3 bucket name (required; S3's naming rules).
	Name string
	// KMSKeyARN selects SSE-KMS with that key (and an S3 Bucket Key);
	// empty means SSE-S3 (AES256).
	KMSKeyARN string
	// PreventDestroy makes Terraform refuse any plan destroying the bucket.
	// force_destroy is always false: a bucket holding objects is never
	// emptied by Terraform.
	PreventDestroy bool
	// Tags are added to the bucket (optional).
	Tags map[string]string
}

// Outputs of a bucket.
type Outputs struct {
	// ID is the bucket resource's id (its name, as a reference to the resource).
	ID   *string
	Name *string
	ARN  *string
	// Versioning, for resources that must wait for it (lifecycle rules).
	Versioning cdktf.ITerraformDependable
}

// New builds the bucket in a construct id of scope.
func New(scope constructs.Construct, id string, p Props) (*Outputs, error) {
	if err := awsrules.S3BucketName(p.Name); err != nil {
		return nil, fmt.Errorf("bucket: Name %v", err)
	}
	return Build(constructs.NewConstruct(scope, jsii.String(id)), p), nil
}

// Build puts the bucket's resources directly in c (ids bucket, versioning,
// encryption, public-access-block, ownership, tls-only): the state bucket
// keeps the addresses it had before this package existed. p.Name must be
// valid (New checks it).
func Build(c constructs.Construct, p Props) *Outputs {
	cfg := &s3bucket.S3BucketConfig{
		Bucket:       jsii.String(p.Name),
		ForceDestroy: jsii.Bool(false),
	}
	if p.PreventDestroy {
		cfg.Lifecycle = &cdktf.TerraformResourceLifecycle{PreventDestroy: jsii.Bool(true)}
	}
	if len(p.Tags) > 0 {
		tags := map[string]*string{}
		for k, v := range p.Tags {
			tags[k] = jsii.String(v)
		}
		cfg.Tags = &tags
	}
	b := s3bucket.NewS3Bucket(c, jsii.String("bucket"), cfg)
	// Each attribute is read once and the string reused (a read is a jsii
	// round trip that mints a new token for the same reference).
	id, arn := b.Id(), b.Arn()
	ver := s3bucketversioning.NewS3BucketVersioningA(c, jsii.String("versioning"), &s3bucketversioning.S3BucketVersioningAConfig{
		Bucket:                  id,
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
			Bucket: id,
			Rule: []*s3bucketserversideencryptionconfiguration.S3BucketServerSideEncryptionConfigurationRuleA{{
				ApplyServerSideEncryptionByDefault: sse,
				BucketKeyEnabled:                   jsii.Bool(p.KMSKeyARN != ""),
			}},
		})
	pab := s3bucketpublicaccessblock.NewS3BucketPublicAccessBlock(c, jsii.String("public-access-block"), &s3bucketpublicaccessblock.S3BucketPublicAccessBlockConfig{
		Bucket:                id,
		BlockPublicAcls:       jsii.Bool(true),
		BlockPublicPolicy:     jsii.Bool(true),
		IgnorePublicAcls:      jsii.Bool(true),
		RestrictPublicBuckets: jsii.Bool(true),
	})
	s3bucketownershipcontrols.NewS3BucketOwnershipControls(c, jsii.String("ownership"), &s3bucketownershipcontrols.S3BucketOwnershipControlsConfig{
		Bucket: id,
		Rule:   &s3bucketownershipcontrols.S3BucketOwnershipControlsRule{ObjectOwnership: jsii.String("BucketOwnerEnforced")},
	})
	s3bucketpolicy.NewS3BucketPolicy(c, jsii.String("tls-only"), &s3bucketpolicy.S3BucketPolicyConfig{
		Bucket: id,
		Policy: TLSOnlyPolicy(*arn),
		// The public access block must exist first so the policy is never evaluated without it.
		DependsOn: &[]cdktf.ITerraformDependable{pab},
	})
	return &Outputs{ID: id, Name: b.Bucket(), ARN: arn, Versioning: ver}
}

// TLSOnlyPolicy is the bucket policy denying every request without TLS
// (aws:SecureTransport false) and with TLS older than MinTLSVersion
// (s3:TlsVersion; AWS: "Enforcing a minimum version of TLS" for S3).
func TLSOnlyPolicy(bucketARN string) *string {
	res := []string{bucketARN, bucketARN + "/*"}
	return iampolicy.Document(iampolicy.Statement{
		Sid:       "DenyInsecureTransport",
		Effect:    "Deny",
		Principal: "*",
		Action:    []string{"s3:*"},
		Resource:  res,
		Condition: map[string]any{"Bool": map[string]string{"aws:SecureTransport": "false"}},
	}, iampolicy.Statement{
		Sid:       "DenyOldTLS",
		Effect:    "Deny",
		Principal: "*",
		Action:    []string{"s3:*"},
		Resource:  res,
		Condition: map[string]any{"NumericLessThan": map[string]float64{"s3:TlsVersion": MinTLSVersion}},
	})
}
