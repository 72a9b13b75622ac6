package awsrules

import (
	"regexp"
	"strings"
)

// ARN is a parsed Amazon Resource Name:
// arn:partition:service:region:account-id:resource.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html
type ARN struct {
	Partition, Service, Region, Account, Resource string
}

var reAccount = regexp.MustCompile(`^[0-9]{12}$`)

// ParseARN splits an ARN into its parts.
func ParseARN(s string) (ARN, bool) {
	parts := strings.SplitN(s, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[1] == "" || parts[2] == "" || parts[5] == "" {
		return ARN{}, false
	}
	return ARN{parts[1], parts[2], parts[3], parts[4], parts[5]}, true
}

// AccountID checks a 12-digit account id.
func AccountID(id string) error {
	if !reAccount.MatchString(id) {
		return errf("%q is not a 12-digit AWS account id", id)
	}
	return nil
}

// Partitions lists the ARN partitions of the regions selfhost knows.
var Partitions = []string{"aws", "aws-cn", "aws-us-gov"}

// InPartition checks that an ARN belongs to region's partition: AWS never
// lets a resource in one partition use one in another.
func InPartition(a ARN, region string) error {
	if p := Partition(region); a.Partition != p {
		return errf("is in partition %q but %s is in %q; resources cannot cross partitions", a.Partition, region, p)
	}
	return nil
}

// SameRegion checks that an ARN is in region, for resources AWS only uses
// from their own region (an ALB's ACM certificate, an S3 bucket's SSE-KMS key).
func SameRegion(a ARN, region, why string) error {
	if a.Region != region {
		return errf("is in region %q, not %s; %s", a.Region, region, why)
	}
	return nil
}

// AllowedAccount checks that an ARN's account is one the provider accepts
// (aws.allowed_account_ids; none means any).
func AllowedAccount(a ARN, allowed []string, why string) error {
	if len(allowed) == 0 {
		return nil
	}
	for _, id := range allowed {
		if a.Account == id {
			return nil
		}
	}
	return errf("is in account %s, which aws.allowed_account_ids (%s) does not include; %s", a.Account, strings.Join(allowed, ", "), why)
}

// IAM quota: managed policies attached to one role (default quota 10,
// adjustable to 20). https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
const MaxManagedPoliciesPerRole = 10
