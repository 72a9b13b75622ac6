// Package registry is the service's private ECR repository: images are
// scanned on push, encrypted at rest, tags immutable by default, and a
// lifecycle policy expires untagged images, and nothing else
// (LifecyclePolicy says why that is safe).
package registry

import (
	"encoding/json"
	"fmt"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/ecrlifecyclepolicy"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/ecrrepository"

	"selfhost/awsrules"
	"selfhost/constructs/created"
)

// Tag mutability settings.
const (
	Immutable = "IMMUTABLE"
	Mutable   = "MUTABLE"
)

// Encryption types.
const (
	EncryptionAES256 = "AES256"
	EncryptionKMS    = "KMS"
)

// MaxUntaggedExpiryDays is the largest UntaggedExpiryDays.
const MaxUntaggedExpiryDays = 3650

// reKMSARN is a KMS key or alias ARN.
var reKMSARN = awsrules.KMSKeyOrAliasARN

// Props configures the repository. Every field except KMSKeyARN is required;
// the environment defaults live in config/defaults.go.
type Props struct {
	// ScanOnPush scans every pushed image for vulnerabilities (basic
	// scanning); off only where the registry scans by other means.
	ScanOnPush bool
	// Name is the repository name, e.g. "selfhost-production/app": 2-256
	// lowercase characters, segments of a-z, 0-9, '.', '_', '-' separated by '/'.
	Name string
	// TagMutability is IMMUTABLE (a pushed tag can never point to another
	// image; the recommended setting) or MUTABLE.
	TagMutability string
	// Encryption is AES256 (SSE with an AWS owned key) or KMS.
	Encryption string
	// KMSKeyARN is the customer managed key for Encryption KMS; empty means the
	// AWS managed aws/ecr key. Not allowed with AES256.
	KMSKeyARN string
	// UntaggedExpiryDays expires untagged images this many days after their
	// push (1-3650).
	UntaggedExpiryDays int
}

// Outputs of the repository.
type Outputs struct {
	// Name is the repository name.
	Name *string
	// URL is <account>.dkr.ecr.<region>.amazonaws.com/<name>.
	URL *string
	// ARN is the repository ARN, for IAM policies (pull permissions).
	ARN *string
	// Resources are the resources it created (paths below its id).
	Resources created.List
}

// lifecycleRule is one rule of an ECR lifecycle policy.
type lifecycleRule struct {
	RulePriority int    `json:"rulePriority"`
	Description  string `json:"description"`
	Selection    struct {
		TagStatus      string   `json:"tagStatus"`
		TagPatternList []string `json:"tagPatternList,omitempty"`
		CountType      string   `json:"countType"`
		CountUnit      string   `json:"countUnit,omitempty"`
		CountNumber    int      `json:"countNumber"`
	} `json:"selection"`
	Action struct {
		Type string `json:"type"`
	} `json:"action"`
}

// LifecyclePolicy renders the policy: one rule, expire untagged images
// untaggedDays after their push. No rule selects tagged images (tagStatus
// tagged or any), by count or by age, because none can know which images
// are still needed: the service's task definitions are kept when replaced
// (skip_destroy, for circuit-breaker and manual rollbacks), every revision
// pins an image of this repository, and ECS pulls it again on every
// scale-out, task replacement and rollback. A "keep the last N tagged"
// rule expires the image a retained revision (or the running one) pins
// after N newer pushes, and no N bounds the revisions.
//
// Why no image a task definition references is expired:
//   - the only rule selects untagged images, and an image is untagged only
//     when no tag names it;
//   - every image cmd/publish pushes gets, besides its own tag, the pin tag
//     sha256-<hex of its digest> (imagebuild.PinTag), which names only that
//     image and which nothing moves: with IMMUTABLE tags (the default) no tag
//     can move at all, and with MUTABLE ones a moved tag leaves the pin tag
//     in place;
//   - so every published image stays tagged for as long as the repository
//     exists. Untagged images are pushes by digest from other tools, or
//     images whose tags were deleted by hand: deliberate removal.
//
// ECR evaluates rules in rulePriority order, and tagStatus untagged takes no
// tag patterns ("Lifecycle policy properties in Amazon ECR",
// https://docs.aws.amazon.com/AmazonECR/latest/userguide/lifecycle_policy_parameters.html).
// The guardrail ecr-lifecycle-tagged refuses a policy that expires tagged
// images, whatever builds it.
func LifecyclePolicy(untaggedDays int) string {
	var untagged lifecycleRule
	untagged.RulePriority = 1
	untagged.Description = fmt.Sprintf("Expire untagged images %d days after push; tagged images are never expired", untaggedDays)
	untagged.Selection.TagStatus = "untagged"
	untagged.Selection.CountType = "sinceImagePushed"
	untagged.Selection.CountUnit = "days"
	untagged.Selection.CountNumber = untaggedDays
	untagged.Action.Type = "expire"

	b, err := json.Marshal(struct {
		Rules []lifecycleRule `json:"rules"`
	}{[]lifecycleRule{untagged}})
	if err != nil { // plain data only: cannot happen
		panic(err)
	}
	return string(b)
}

// Validate checks the props and names the first bad field.
func (p Props) Validate() error {
	switch {
	case awsrules.ECRRepositoryName(p.Name) != nil:
		return fmt.Errorf("registry: Name %v", awsrules.ECRRepositoryName(p.Name))
	case p.TagMutability != Immutable && p.TagMutability != Mutable:
		return fmt.Errorf("registry: TagMutability %q is not allowed; want %s or %s", p.TagMutability, Immutable, Mutable)
	case p.Encryption != EncryptionAES256 && p.Encryption != EncryptionKMS:
		return fmt.Errorf("registry: Encryption %q is not allowed; want %s or %s", p.Encryption, EncryptionAES256, EncryptionKMS)
	case p.Encryption == EncryptionAES256 && p.KMSKeyARN != "":
		return fmt.Errorf("registry: KMSKeyARN is set but Encryption is %s; set Encryption %s or remove the key", EncryptionAES256, EncryptionKMS)
	case p.KMSKeyARN != "" && !reKMSARN.MatchString(p.KMSKeyARN):
		return fmt.Errorf("registry: KMSKeyARN %q is not a KMS key or alias ARN", p.KMSKeyARN)
	case p.UntaggedExpiryDays < 1 || p.UntaggedExpiryDays > MaxUntaggedExpiryDays:
		return fmt.Errorf("registry: UntaggedExpiryDays %d is out of range; want 1 to %d", p.UntaggedExpiryDays, MaxUntaggedExpiryDays)
	}
	return nil
}

// New builds the repository in scope.
func New(scope constructs.Construct, id string, p Props) (*Outputs, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	c := constructs.NewConstruct(scope, jsii.String(id))

	enc := &ecrrepository.EcrRepositoryEncryptionConfiguration{EncryptionType: jsii.String(p.Encryption)}
	if p.KMSKeyARN != "" {
		enc.KmsKey = jsii.String(p.KMSKeyARN)
	}
	var rs created.List
	repo := created.Add(&rs, "repository", ecrrepository.NewEcrRepository(c, jsii.String("repository"), &ecrrepository.EcrRepositoryConfig{
		Name:                       jsii.String(p.Name),
		ImageTagMutability:         jsii.String(p.TagMutability),
		ImageScanningConfiguration: &ecrrepository.EcrRepositoryImageScanningConfiguration{ScanOnPush: jsii.Bool(p.ScanOnPush)},
		EncryptionConfiguration:    &[]*ecrrepository.EcrRepositoryEncryptionConfiguration{enc},
		ForceDelete:                jsii.Bool(false), // a repository holding images is never deleted by Terraform
		Tags:                       &map[string]*string{"Name": jsii.String(p.Name)},
	}))
	repoName := repo.Name() // read once: each read is a jsii round trip
	created.Add(&rs, "lifecycle", ecrlifecyclepolicy.NewEcrLifecyclePolicy(c, jsii.String("lifecycle"), &ecrlifecyclepolicy.EcrLifecyclePolicyConfig{
		Repository: repoName,
		Policy:     jsii.String(LifecyclePolicy(p.UntaggedExpiryDays)),
	}))
	return &Outputs{Name: repoName, URL: repo.RepositoryUrl(), ARN: repo.Arn(), Resources: rs}, nil
}
