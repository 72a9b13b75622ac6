package awsrules

import (
	"regexp"
	"strconv"
	"strings"
)

// Matcher HttpCode for Application Load Balancers: values between 200 and
// 499, as a list ("200,202") or a range ("200-299").
// https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_Matcher.html
const (
	MinMatcherCode = 200
	MaxMatcherCode = 499
)

var reCode = regexp.MustCompile(`^[0-9]{3}$`)

// Matcher checks an ALB target group's HTTP success codes.
func Matcher(m string) error {
	const allowed = "want HTTP codes 200 to 499: one (200), a list (200,202) or a range (200-299)"
	if m == "" {
		return errf("is empty; %s", allowed)
	}
	for _, part := range strings.Split(m, ",") {
		lo, hi, isRange := strings.Cut(part, "-")
		if !reCode.MatchString(lo) || (isRange && !reCode.MatchString(hi)) {
			return errf("%q is not an HTTP code list; %s", m, allowed)
		}
		l, _ := strconv.Atoi(lo)
		h := l
		if isRange {
			h, _ = strconv.Atoi(hi)
		}
		switch {
		case l < MinMatcherCode || h > MaxMatcherCode || l > MaxMatcherCode || h < MinMatcherCode:
			return errf("%q has a code outside 200-499, which an Application Load Balancer refuses; %s", m, allowed)
		case isRange && l > h:
			return errf("%q has the range %s whose start is above its end; %s", m, part, allowed)
		}
	}
	return nil
}

// HealthCheckPath: the ALB's ping path, 1-1024 characters starting with '/'.
// https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html
// https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html
const MaxHealthCheckPath = 1024

var reHealthPath = regexp.MustCompile(`^/[A-Za-z0-9/._~!$&'()*+,;=:@%-]*$`)

// HealthCheckPath checks a target group's health check path.
func HealthCheckPath(p string) error {
	switch {
	case !strings.HasPrefix(p, "/"):
		return errf("%q must start with /; want a URL path such as /api/status", p)
	case len(p) > MaxHealthCheckPath:
		return errf("is %d characters; the load balancer allows at most %d", len(p), MaxHealthCheckPath)
	case !reHealthPath.MatchString(p):
		return errf("%q has characters the load balancer refuses in a path (spaces, '?', '#', non-ASCII, ...); want A-Z a-z 0-9 and /._~!$&'()*+,;=:@%%-", p)
	}
	return nil
}

// IdleTimeout of an ALB: 1-4000 seconds.
// https://docs.aws.amazon.com/elasticloadbalancing/latest/application/edit-load-balancer-attributes.html
const MaxIdleTimeout = 4000

// Target group attributes and health check ranges.
// https://docs.aws.amazon.com/elasticloadbalancing/latest/application/edit-target-group-attributes.html
// https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html
const (
	MaxDeregistrationDelay     = 3600
	DefaultDeregistrationDelay = 300 // when a target group sets none
	MinSlowStart               = 30
	MaxSlowStart               = 900
	MaxStickinessDuration      = 604800 // 7 days
	MinHealthCheckInterval     = 5
	MaxHealthCheckInterval     = 300
	MinHealthCheckTimeout      = 2
	MaxHealthCheckTimeout      = 120
	MinHealthyThreshold        = 2
	MaxHealthyThreshold        = 10
)

// Listener rules of an Application Load Balancer: priorities 1-50000, each
// host-header value at most 128 characters, at most 5 condition values per
// rule. https://docs.aws.amazon.com/elasticloadbalancing/latest/application/rule-condition-types.html
// https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html
const (
	MinRulePriority     = 1
	MaxRulePriority     = 50000
	MaxHostHeaderLength = 128
	MaxConditionValues  = 5
)

// Quotas of one Application Load Balancer (defaults): rules (excluding the
// default rules) and target groups; each service with hosts takes one of
// each. "Quotas for your Application Load Balancers":
// https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html
const (
	MaxRulesPerALB        = 100
	MaxTargetGroupsPerALB = 100
)

// MaxCertificateDomainNames is ACM's default quota of domain names per
// certificate (the domain and every hostname). "Quotas - AWS Certificate
// Manager": https://docs.aws.amazon.com/acm/latest/userguide/acm-limits.html
const MaxCertificateDomainNames = 10
