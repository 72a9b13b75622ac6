// Package registry is the service's private ECR repository: images are
// scanned on push, encrypted at rest, tags immutable by default, and a
// lifecycle policy expires untagged images and all but the newest tagged ones.
package registry

import (
	"encoding/json"
	"fmt"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/ecrlifecyclepolicy"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/ecrrepository"

	"selfhost/awsrules"
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

// Limits of the lifecycle policy props.
const (
	MaxUntaggedExpiryDays = 3650
	MaxKeepTaggedImages   = 10000
)

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
	// KeepTaggedImages is how many of the most recently pushed tagged images
	// are kept; older tagged images expire (1-10000).
	KeepTaggedImages int
}

// Outputs of the repository.
type Outputs struct {
	// Name is the repository name.
	Name *string
	// URL is <account>.dkr.ecr.<region>.amazonaws.com/<name>.
	URL *string
	// ARN is the repository ARN, for IAM policies (pull permissions).
	ARN *string
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

// LifecyclePolicy renders the policy. Rules are evaluated in priority order
// (lowest first) and an image expired by one rule is not considered by later
// ones: rule 1 expires untagged images older than untaggedDays; rule 2 keeps
// the newest keepTagged images carrying any tag ("*") and expires the rest.
// Rule 2 selects tagged images only, so untagged ones are governed by rule 1
// alone (a tagStatus "any" rule would also have to be the last rule, and
// would count untagged images against the kept ones).
func LifecyclePolicy(untaggedDays, keepTagged int) string {
	var untagged, tagged lifecycleRule
	untagged.RulePriority = 1
	untagged.Description = fmt.Sprintf("Expire untagged images %d days after push", untaggedDays)
	untagged.Selection.TagStatus = "untagged"
	untagged.Selection.CountType = "sinceImagePushed"
	untagged.Selection.CountUnit = "days"
	untagged.Selection.CountNumber = untaggedDays
	untagged.Action.Type = "expire"

	tagged.RulePriority = 2
	tagged.Description = fmt.Sprintf("Keep the last %d tagged images", keepTagged)
	tagged.Selection.TagStatus = "tagged"
	tagged.Selection.TagPatternList = []string{"*"}
	tagged.Selection.CountType = "imageCountMoreThan"
	tagged.Selection.CountNumber = keepTagged
	tagged.Action.Type = "expire"

	b, err := json.Marshal(struct {
		Rules []lifecycleRule `json:"rules"`
	}{[]lifecycleRule{untagged, tagged}})
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
	case p.KeepTaggedImages < 1 || p.KeepTaggedImages > MaxKeepTaggedImages:
		return fmt.Errorf("registry: KeepTaggedImages %d is out of range; want 1 to %d", p.KeepTaggedImages, MaxKeepTaggedImages)
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
	repo := ecrrepository.NewEcrRepository(c, jsii.String("repository"), &ecrrepository.EcrRepositoryConfig{
		Name:                       jsii.String(p.Name),
		ImageTagMutability:         jsii.String(p.TagMutability),
		ImageScanningConfiguration: &ecrrepository.EcrRepositoryImageScanningConfiguration{ScanOnPush: jsii.Bool(p.ScanOnPush)},
		EncryptionConfiguration:    &[]*ecrrepository.EcrRepositoryEncryptionConfiguration{enc},
		ForceDelete:                jsii.Bool(false), // a repository holding images is never deleted by Terraform
		Tags:                       &map[string]*string{"Name": jsii.String(p.Name)},
	})
	ecrlifecyclepolicy.NewEcrLifecyclePolicy(c, jsii.String("lifecycle"), &ecrlifecyclepolicy.EcrLifecyclePolicyConfig{
		Repository: repo.Name(),
		Policy:     jsii.String(LifecyclePolicy(p.UntaggedExpiryDays, p.KeepTaggedImages)),
	})
	return &Outputs{Name: repo.Name(), URL: repo.RepositoryUrl(), ARN: repo.Arn()}, nil
}
