package awsrules

import (
	"net"
	"regexp"
	"strings"
)

// S3 bucket naming rules for general purpose buckets.
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
var (
	reBucketChars = regexp.MustCompile(`^[a-z0-9.-]+$`)
	// S3ReservedPrefixes may not start a bucket name.
	S3ReservedPrefixes = []string{"xn--", "sthree-", "amzn-s3-demo-"}
	// S3ReservedSuffixes may not end a bucket name (access point aliases,
	// Object Lambda, Multi-Region Access Points, directory and table buckets).
	S3ReservedSuffixes = []string{"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"}
)

const bucketAllowed = "S3 bucket names are 3-63 of a-z, 0-9, '.' and '-', start and end with a letter or digit, and are not an IP address"

// S3BucketName checks a general purpose bucket name.
func S3BucketName(b string) error {
	switch {
	case len(b) < 3 || len(b) > 63:
		return errf("%q is %d characters; %s", b, len(b), bucketAllowed)
	case !reBucketChars.MatchString(b):
		return errf("%q has characters S3 refuses (upper case, '_', spaces, ...); %s", b, bucketAllowed)
	case !isAlnum(b[0]) || !isAlnum(b[len(b)-1]):
		return errf("%q does not start and end with a letter or digit; %s", b, bucketAllowed)
	case strings.Contains(b, ".."):
		return errf("%q has two adjacent periods; %s", b, bucketAllowed)
	case net.ParseIP(b) != nil:
		return errf("%q is formatted as an IP address; %s", b, bucketAllowed)
	}
	for _, p := range S3ReservedPrefixes {
		if strings.HasPrefix(b, p) {
			return errf("%q starts with %q, which S3 reserves; choose another name", b, p)
		}
	}
	for _, s := range S3ReservedSuffixes {
		if strings.HasSuffix(b, s) {
			return errf("%q ends with %q, which S3 reserves; choose another name", b, s)
		}
	}
	return nil
}

func isAlnum(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }

// Elastic Load Balancing names. CreateLoadBalancer: "up to 32 alphanumeric
// characters or hyphens, must not begin or end with a hyphen, must not begin
// with internal-". CreateTargetGroup: the same, without the internal- rule.
// https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateLoadBalancer.html
// https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html
const (
	MaxELBName = 32
	// MaxTargetGroupNamePrefix is the provider's limit of name_prefix (it
	// appends 26 characters).
	MaxTargetGroupNamePrefix = 6
)

var reELBName = regexp.MustCompile(`^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$`)

// ALBName checks a load balancer name.
func ALBName(n string) error {
	const allowed = "load balancer names are 1-32 of A-Z, a-z, 0-9 and '-', not starting or ending with '-' nor starting with 'internal-'"
	switch {
	case len(n) > MaxELBName:
		return errf("%q is %d characters; %s", n, len(n), allowed)
	case !reELBName.MatchString(n) || strings.HasPrefix(n, "internal-"):
		return errf("%q is not allowed; %s", n, allowed)
	}
	return nil
}

// TargetGroupNamePrefix checks a target group name_prefix.
func TargetGroupNamePrefix(n string) error {
	if len(n) < 1 || len(n) > MaxTargetGroupNamePrefix || !regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9-]*$`).MatchString(n) {
		return errf("%q is not allowed; target group name prefixes are 1-%d of A-Z, a-z, 0-9 and '-', not starting with '-'", n, MaxTargetGroupNamePrefix)
	}
	return nil
}

// IAM role names: 1-64 of upper and lower case letters, digits and _+=,.@-.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
const MaxIAMRoleName = 64

var reIAMName = regexp.MustCompile(`^[A-Za-z0-9_+=,.@-]+$`)

// IAMRoleName checks a role name.
func IAMRoleName(n string) error {
	if len(n) < 1 || len(n) > MaxIAMRoleName || !reIAMName.MatchString(n) {
		return errf("%q is not allowed; IAM role names are 1-%d of A-Z, a-z, 0-9 and _+=,.@-", n, MaxIAMRoleName)
	}
	return nil
}

// ECR repository names: 2-256 characters, lowercase path segments.
// https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_CreateRepository.html
var reECRName = regexp.MustCompile(`^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$`)

// ECRRepositoryName checks a repository name.
func ECRRepositoryName(n string) error {
	const allowed = "ECR repository names are 2-256 characters: segments of a-z and 0-9 joined by '.', '_' or '-', separated by '/'"
	if len(n) < 2 || len(n) > 256 || !reECRName.MatchString(n) {
		return errf("%q is not allowed; %s", n, allowed)
	}
	return nil
}

// CloudWatch Logs log group names: 1-512 of a-z, A-Z, 0-9, '_', '-', '/',
// '.', '#'. https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html
var reLogGroup = regexp.MustCompile(`^[A-Za-z0-9_/.#-]{1,512}$`)

// LogGroupName checks a log group name.
func LogGroupName(n string) error {
	if !reLogGroup.MatchString(n) || strings.HasPrefix(n, "aws/") {
		return errf("%q is not allowed; log group names are 1-512 of A-Z, a-z, 0-9 and _-/.#, not starting with aws/", n)
	}
	return nil
}

// ECS cluster and service names: up to 255 letters, numbers, hyphens and
// underscores. https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateCluster.html
var reECSName = regexp.MustCompile(`^[A-Za-z0-9_-]{1,255}$`)

// ECSName checks a cluster, service or task family name.
func ECSName(n string) error {
	if !reECSName.MatchString(n) {
		return errf("%q is not allowed; ECS names are 1-255 of A-Z, a-z, 0-9, '_' and '-'", n)
	}
	return nil
}

// DynamoDB table names: 3-255 of a-z, A-Z, 0-9, '_', '-', '.'.
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html
var reTable = regexp.MustCompile(`^[A-Za-z0-9_.-]{3,255}$`)

// DynamoDBTableName checks a table name.
func DynamoDBTableName(n string) error {
	if !reTable.MatchString(n) {
		return errf("%q is not a DynamoDB table name; want 3-255 of A-Z, a-z, 0-9, '_', '-', '.'", n)
	}
	return nil
}

// MaxSecurityGroupName: security group names are up to 255 characters, not
// starting with sg-.
// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSecurityGroup.html
const MaxSecurityGroupName = 255

// MaxSecurityGroupNamePrefix is the longest name_prefix of an
// aws_security_group: the provider appends a 26-character unique suffix.
const MaxSecurityGroupNamePrefix = MaxSecurityGroupName - 26

// SecurityGroupName checks a security group name.
func SecurityGroupName(n string) error {
	if len(n) < 1 || len(n) > MaxSecurityGroupName || strings.HasPrefix(strings.ToLower(n), "sg-") {
		return errf("%q is not allowed; security group names are 1-%d characters, not starting with sg-", n, MaxSecurityGroupName)
	}
	return nil
}

// SecurityGroupNamePrefix checks an aws_security_group name_prefix: the
// name it yields (prefix + 26 characters) must be a security group name.
func SecurityGroupNamePrefix(n string) error {
	if len(n) < 1 || len(n) > MaxSecurityGroupNamePrefix || strings.HasPrefix(strings.ToLower(n), "sg-") {
		return errf("%q is not allowed; security group name prefixes are 1-%d characters (the provider appends 26 to AWS's %d), not starting with sg-", n, MaxSecurityGroupNamePrefix, MaxSecurityGroupName)
	}
	return nil
}
