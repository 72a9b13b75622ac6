package awsrules

import (
	"regexp"

	"golang.org/x/net/idna"
)

// ARN shapes of the resources selfhost references, and other value shapes
// AWS defines; each is used by config validation and the constructs alike.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html
var (
	// KMSKeyOrAliasARN: arn:<partition>:kms:<region>:<account>:key/<id> or alias/<name>.
	KMSKeyOrAliasARN = regexp.MustCompile(`^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:(key|alias)/.+$`)
	// KMSKeyARN: a key, not an alias (key policies and grants need the key).
	KMSKeyARN = regexp.MustCompile(`^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$`)
	// SecretsManagerARN is the full secret ARN (name and the 6-character
	// suffix Secrets Manager adds), optionally :json-key:version-stage:version-id
	// as ECS accepts; submatch 1 is the secret itself.
	// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-secrets-manager.html
	SecretsManagerARN = regexp.MustCompile(`^(arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:[A-Za-z0-9/_+=.@-]+-[A-Za-z0-9]{6})(:[^:]*:[^:]*:[^:]*)?$`)
	// SSMParameterARN: arn:<partition>:ssm:<region>:<account>:parameter/<name>.
	SSMParameterARN = regexp.MustCompile(`^arn:aws[a-z-]*:ssm:[a-z0-9-]+:[0-9]{12}:parameter/[A-Za-z0-9/_.-]+$`)
	// IAMPolicyARN: a managed policy, AWS's (account "aws") or a customer's.
	IAMPolicyARN = regexp.MustCompile(`^arn:aws[a-z-]*:iam::([0-9]{12}|aws):policy/[A-Za-z0-9+=,.@_/-]+$`)
	// IAMRoleARN: arn:<partition>:iam::<account>:role/<path and name>.
	IAMRoleARN = regexp.MustCompile(`^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]+$`)
	// ACMCertificateARN: arn:<partition>:acm:<region>:<account>:certificate/<id>.
	ACMCertificateARN = regexp.MustCompile(`^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/[A-Za-z0-9-]+$`)
	// ListenerCertificateARN: what an HTTPS listener accepts, an ACM or IAM
	// server certificate.
	ListenerCertificateARN = regexp.MustCompile(`^arn:aws[a-z-]*:(acm|iam):[a-z0-9-]*:[0-9]{12}:(certificate|server-certificate)/.+$`)
	// ECRRepositoryARN: arn:<partition>:ecr:<region>:<account>:repository/<name>.
	ECRRepositoryARN = regexp.MustCompile(`^arn:aws[a-z-]*:ecr:[a-z0-9-]+:[0-9]{12}:repository/.+$`)

	// DomainName is a DNS name Route 53 and ACM accept as selfhost uses
	// them: lower-case labels of 1-63 letters, digits and '-' (punycode for
	// internationalised names), a TLD starting with a letter, no trailing dot.
	// https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/DomainNameFormat.html
	DomainName = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$`)
	// HostLabel is one DNS label, e.g. api.
	HostLabel = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)
	// RelativeHost is one or more DNS labels, a name under a domain
	// (api, eu.app); no wildcard.
	RelativeHost = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$`)
	// S3KeyPrefix is a key prefix of the characters S3 calls safe, in
	// '/'-separated segments. https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html
	S3KeyPrefix = regexp.MustCompile(`^[A-Za-z0-9!_.*'()-]+(/[A-Za-z0-9!_.*'()-]+)*$`)
	// EnvName is a container environment variable name.
	EnvName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
)

// MaxDomainName is the longest DNS name (253 characters without the root dot).
const MaxDomainName = 253

// PunycodeLabel checks a label of an internationalised domain name
// (xn--...): it must decode, and encode back to itself, under IDNA 2008 as
// ACM validates it.
func PunycodeLabel(l string) error {
	u, err := idna.Lookup.ToUnicode(l)
	if a, aerr := idna.Lookup.ToASCII(u); err != nil || aerr != nil || a != l {
		return errf("is not valid punycode; write the xn-- form an IDNA converter gives")
	}
	return nil
}
