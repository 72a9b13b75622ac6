package config

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"selfhost/awsrules"
	"selfhost/awsrules/fargate"
)

var (
	reRoleARN   = awsrules.IAMRoleARN
	reCertARN   = awsrules.ACMCertificateARN
	rePolicyARN = awsrules.IAMPolicyARN
	// A Secrets Manager ARN is the full one (name + 6-character suffix,
	// optionally :json-key:version-stage:version-id); or an SSM parameter.
	reSecretARN = secretARN{}
	reDigest    = regexp.MustCompile(`^sha256:[a-f0-9]{64}$`)
	reTag       = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$`)
	reEnvName   = awsrules.EnvName
	reSecretish = regexp.MustCompile(`(?i)(password|passwd|secret|token|api_?key|private_?key|credential)`)
)

// SSLPolicies are the HTTPS listener policies allowed: TLS 1.2 or newer only.
var SSLPolicies = []string{
	"ELBSecurityPolicy-TLS13-1-2-2021-06",
	"ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
	"ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06",
	"ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06",
	"ELBSecurityPolicy-TLS13-1-3-2021-06",
	"ELBSecurityPolicy-TLS-1-2-2017-01",
	"ELBSecurityPolicy-TLS-1-2-Ext-2018-06",
	"ELBSecurityPolicy-FS-1-2-2019-08",
	"ELBSecurityPolicy-FS-1-2-Res-2019-08",
	"ELBSecurityPolicy-FS-1-2-Res-2020-10",
}

// Fargate and ECS limits.
const (
	MinStopTimeout  = fargate.MinStopTimeout
	MaxStopTimeout  = fargate.MaxStopTimeout
	ProdStopTimeout = 120 // the seeds: at least 120 s to finish in-flight requests
	MinCPUTarget    = 10
	MaxCPUTarget    = 90
	LowCPUTarget    = 50 // the seeds recommend 50-60 %
	HighCPUTarget   = 60
)

func validateService(c *Config, bad, warn func(field, format string, a ...any)) {
	// DNS.
	d := c.DNS
	if d.Domain == "" {
		bad("dns.domain", "is required; want the domain the services' hosts are under, e.g. example.com")
	} else if msg := domainProblem(d.Domain); msg != "" {
		bad("dns.domain", "%q %s", d.Domain, msg)
	}
	if d.ZoneName != d.Domain && d.ZoneName != "" {
		if msg := domainProblem(d.ZoneName); msg != "" {
			bad("dns.zone_name", "%q %s", d.ZoneName, msg)
		} else if !strings.HasSuffix(d.Domain, "."+d.ZoneName) {
			bad("dns.zone_name", "%q does not contain the domain %q; want the domain itself or a parent of it", d.ZoneName, d.Domain)
		}
	}
	if d.RoleARN != "" {
		if !reRoleARN.MatchString(d.RoleARN) {
			bad("dns.role_arn", "%q is not an IAM role ARN (arn:aws:iam::<account>:role/<name>)", d.RoleARN)
		} else if a, ok := checkARN(c, "dns.role_arn", d.RoleARN, "iam", bad); ok {
			if err := awsrules.AllowedAccount(a, c.AWS.AllowedAccountIDs, "the provider of <env>-dns would refuse the credentials of the assumed role; add the account or use a role of an allowed account"); err != nil {
				bad("dns.role_arn", "%q %v", d.RoleARN, err)
			}
		}
	}

	// Registry.
	r := c.Registry
	if r.TagMutability != "IMMUTABLE" && r.TagMutability != "MUTABLE" {
		bad("registry.tag_mutability", "%q is not allowed; want IMMUTABLE or MUTABLE", r.TagMutability)
	}
	if r.UntaggedExpiryDays < 1 || r.UntaggedExpiryDays > 3650 {
		bad("registry.untagged_expiry_days", "%d is out of range; want 1 to 3650", r.UntaggedExpiryDays)
	}

	// Load balancer.
	lb := c.LoadBalancer
	if c.Production && !lb.DeletionProtection {
		bad("load_balancer.deletion_protection", "is false in a production environment; it must be true (turn it off only for a deliberate teardown, see the README)")
	}
	if len(lb.IngressCIDRs) == 0 {
		bad("load_balancer.ingress_cidrs", "no CIDR may reach the load balancer; give at least one (default 0.0.0.0/0)")
	}
	if n := len(lb.IngressCIDRs); 2*n > awsrules.MaxInboundRulesPerSG {
		bad("load_balancer.ingress_cidrs", "%d CIDRs make %d inbound rules (ports 80 and 443 each); a security group holds at most %d (the default quota): give at most %d", n, 2*n, awsrules.MaxInboundRulesPerSG, awsrules.MaxInboundRulesPerSG/2)
	}
	cidrs := map[string]bool{}
	for i, s := range lb.IngressCIDRs {
		f := fmt.Sprintf("load_balancer.ingress_cidrs[%d]", i)
		if _, err := awsrules.IngressIPv4(s); err != nil {
			bad(f, "%v", err)
		} else if cidrs[s] {
			bad(f, "%q is listed twice", s)
		}
		cidrs[s] = true
	}
	for i, s := range lb.IngressIPv6CIDRs {
		f := fmt.Sprintf("load_balancer.ingress_ipv6_cidrs[%d]", i)
		if _, err := awsrules.ParseIPv6CIDR(s); err != nil {
			bad(f, "%v", err)
		} else {
			bad(f, "%q cannot reach the load balancer: it is IPv4-only (ip_address_type ipv4; the VPC has no IPv6); leave ingress_ipv6_cidrs empty", s)
		}
	}
	if lb.IdleTimeoutSeconds < 1 || lb.IdleTimeoutSeconds > awsrules.MaxIdleTimeout {
		bad("load_balancer.idle_timeout_seconds", "%d is out of range; want 1 to %d", lb.IdleTimeoutSeconds, awsrules.MaxIdleTimeout)
	}
	if !slices.Contains(SSLPolicies, lb.SSLPolicy) {
		bad("load_balancer.ssl_policy", "%q is not allowed; want a TLS 1.2+ policy: %s", lb.SSLPolicy, strings.Join(SSLPolicies, ", "))
	}
	if lb.CertificateARN != "" {
		if !reCertARN.MatchString(lb.CertificateARN) {
			bad("load_balancer.certificate_arn", "%q is not an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<id>)", lb.CertificateARN)
		} else if a, ok := checkARN(c, "load_balancer.certificate_arn", lb.CertificateARN, "acm", bad); ok {
			if err := awsrules.SameRegion(a, c.Region, "a load balancer uses ACM certificates of its own region only"); err != nil {
				bad("load_balancer.certificate_arn", "%q %v", lb.CertificateARN, err)
			} else if err := awsrules.AllowedAccount(a, c.AWS.AllowedAccountIDs, "a load balancer uses ACM certificates of its own account only"); err != nil {
				bad("load_balancer.certificate_arn", "%q %v", lb.CertificateARN, err)
			}
		}
	}
	if b := lb.AccessLogsBucket; b != "" {
		if err := awsrules.S3BucketName(b); err != nil {
			bad("load_balancer.access_logs_bucket", "%v", err)
		} else if strings.Contains(b, ".") {
			bad("load_balancer.access_logs_bucket", "%q has a '.'; ELB access logs need a bucket name without periods (virtual-host TLS)", b)
		}
	}
	validateServices(c, bad, warn)
}

// validateOneService checks one service; p is its field path (services.<name>).
func validateOneService(c *Config, s *Service, p string, bad, warn func(field, format string, a ...any)) {
	img := s.Image
	switch {
	case img.URI != "" && (img.Tag != "" || img.Digest != ""):
		bad(p+".image", "give uri, or digest/tag of this environment's repository, not both")
	case img.URI != "":
		if err := awsrules.ImageReference(img.URI); err != nil {
			bad(p+".image.uri", "%v", err)
		} else if c.Network.NAT == NATNone && !awsrules.IsECRImage(img.URI) {
			bad(p+".image.uri", "%q is not in ECR, and with network.nat: none tasks have no route out to pull it; push it to ECR or use a NAT", img.URI)
		} else if c.Production && !strings.Contains(img.URI, "@sha256:") {
			warn(p+".image.uri", "is not pinned by digest; tasks may run different images (use <image>@sha256:...)")
		}
	case img.Digest == "" && img.Tag == "":
		bad(p+".image", "no image; give digest (go run ./cmd/publish --write-config sets it), tag, or uri")
	}
	if img.Digest != "" && !reDigest.MatchString(img.Digest) {
		bad(p+".image.digest", "%q is not an image digest; want sha256: and 64 hex digits", img.Digest)
	}
	if img.Tag != "" && !reTag.MatchString(img.Tag) {
		bad(p+".image.tag", "%q is not a valid image tag (letters, digits, _ . -; at most 128)", img.Tag)
	}
	if img.Tag != "" && img.Digest == "" && c.Production {
		warn(p+".image.tag", "production runs a tag, not a digest; pin it with go run ./cmd/publish --write-config")
	}
	if err := awsrules.ECRRepositoryName(img.Repository); err != nil {
		bad(p+".image.repository", "%v", err)
	}
	if mems, ok := fargate.Memory[s.CPU]; !ok {
		bad(p+".cpu", "%d is not a Fargate CPU size; want one of %s", s.CPU, awsrules.JoinInts(fargate.CPUs()))
	} else if !slices.Contains(mems, s.Memory) {
		bad(p+".memory", "%d MiB is not allowed with cpu %d; Fargate allows %s", s.Memory, s.CPU, awsrules.JoinInts(mems))
	}
	if s.Architecture != "X86_64" && s.Architecture != "ARM64" {
		bad(p+".architecture", "%q is not allowed; want X86_64 or ARM64", s.Architecture)
	}
	if s.ContainerPort < 1 || s.ContainerPort > 65535 {
		bad(p+".container_port", "%d is out of range; want 1 to 65535", s.ContainerPort)
	}
	minTasks := 1
	if c.Production {
		minTasks = 2
	}
	desiredOK := s.DesiredCount >= minTasks && s.DesiredCount <= MaxTasks
	if !desiredOK {
		bad(p+".desired_count", "%d is out of range; want %d to %d%s", s.DesiredCount, minTasks, MaxTasks, prodNote(c.Production, "at least 2 in production, one per AZ for HA"))
	}
	for _, k := range slices.Sorted(maps.Keys(s.Environment)) {
		f := p + ".environment." + k
		switch {
		case !reEnvName.MatchString(k):
			bad(f, "is not a valid variable name (letters, digits, _; not starting with a digit)")
		case reSecretish.MatchString(k):
			bad(f, "looks like a secret in plain text; store it in Secrets Manager or SSM and reference its ARN under secrets")
		}
		if _, dup := s.Secrets[k]; dup {
			bad(f, "is also under secrets; give each variable once")
		}
		if msg := reservedEnv(k); msg != "" {
			bad(f, "%s", msg)
		}
	}
	size := 0
	for k, v := range s.Environment {
		size += len(k) + len(v)
	}
	for k, v := range s.Secrets {
		size += len(k) + len(v)
	}
	if size > MaxContainerEnvBytes {
		bad(p+".environment", "with secrets holds %d bytes; ECS task definitions are at most %d KiB, so variables may take at most %d bytes", size, awsrules.MaxTaskDefinitionSize>>10, MaxContainerEnvBytes)
	}
	for _, k := range slices.Sorted(maps.Keys(s.Secrets)) {
		f := p + ".secrets." + k
		if !reEnvName.MatchString(k) {
			bad(f, "is not a valid variable name (letters, digits, _; not starting with a digit)")
		}
		if msg := reservedEnv(k); msg != "" {
			bad(f, "%s", msg)
		}
		if !reSecretARN.MatchString(s.Secrets[k]) {
			bad(f, "is not a Secrets Manager secret ARN (with its 6-character suffix) or SSM parameter ARN; plain-text secret values are not allowed")
		} else if a, ok := awsrules.ParseARN(s.Secrets[k]); ok && awsrules.CheckRegion(c.Region) == nil {
			if err := awsrules.InPartition(a, c.Region); err != nil {
				bad(f, "%q %v", s.Secrets[k], err)
			}
		}
	}
	if len(s.HealthCommand) < 2 || (s.HealthCommand[0] != "CMD" && s.HealthCommand[0] != "CMD-SHELL") {
		bad(p+".health_command", "want [CMD, <program>, <args>...] or [CMD-SHELL, <command line>]")
	}
	switch st := s.StopTimeoutSeconds; {
	case st < MinStopTimeout || st > MaxStopTimeout:
		bad(p+".stop_timeout_seconds", "%d is out of range; Fargate allows %d to %d (use %d for graceful draining)", st, MinStopTimeout, MaxStopTimeout, ProdStopTimeout)
	case st < ProdStopTimeout && c.Production:
		bad(p+".stop_timeout_seconds", "%d is below %d; production needs %d s for in-flight requests to finish", st, ProdStopTimeout, ProdStopTimeout)
	case st < ProdStopTimeout:
		warn(p+".stop_timeout_seconds", "%d is below %d; in-flight requests may be cut off on scale-in and deploys", st, ProdStopTimeout)
	}
	if dd := s.DeregistrationDelaySeconds; dd < 0 || dd > awsrules.MaxDeregistrationDelay {
		bad(p+".deregistration_delay_seconds", "%d is out of range; want 0 to %d", dd, awsrules.MaxDeregistrationDelay)
	} else if dd > s.StopTimeoutSeconds {
		bad(p+".deregistration_delay_seconds", "%d is above stop_timeout_seconds (%d); keep the drain within the stop timeout", dd, s.StopTimeoutSeconds)
	}
	if ss := s.SlowStartSeconds; ss != 0 && (ss < awsrules.MinSlowStart || ss > awsrules.MaxSlowStart) {
		bad(p+".slow_start_seconds", "%d is out of range; want 0 (off) or %d to %d", ss, awsrules.MinSlowStart, awsrules.MaxSlowStart)
	}
	if !slices.Contains(RetentionDays, s.LogRetentionDays) {
		bad(p+".log_retention_days", "%d is not a CloudWatch retention; want one of %s", s.LogRetentionDays, awsrules.JoinInts(RetentionDays))
	}
	if n := len(s.TaskRolePolicyARNs); n > awsrules.MaxManagedPoliciesPerRole {
		bad(p+".task_role_policy_arns", "%d policies given; IAM attaches at most %d managed policies to a role (the default quota)", n, awsrules.MaxManagedPoliciesPerRole)
	}
	policyNames := map[string]string{}
	for i, a := range s.TaskRolePolicyARNs {
		f := fmt.Sprintf("%s.task_role_policy_arns[%d]", p, i)
		if !rePolicyARN.MatchString(a) {
			bad(f, "%q is not an IAM policy ARN (arn:aws:iam::<account or aws>:policy/<name>)", a)
			continue
		}
		n := a[strings.LastIndex(a, "/")+1:]
		if prev, dup := policyNames[n]; dup {
			if prev == a {
				bad(f, "%q is listed twice", a)
			} else {
				bad(f, "%q has the same policy name as %q; attach one of them (selfhost keys attachments by policy name)", a, prev)
			}
			continue
		}
		policyNames[n] = a
		if arn, ok := checkARN(c, f, a, "iam", bad); ok && arn.Account != "aws" {
			if err := awsrules.AllowedAccount(arn, c.AWS.AllowedAccountIDs, "IAM attaches customer managed policies of the role's own account only"); err != nil {
				bad(f, "%q %v", a, err)
			}
		}
	}
	hc := s.TargetHealthCheck
	if err := awsrules.HealthCheckPath(hc.Path); err != nil {
		bad(p+".health_check.path", "%v", err)
	}
	if hc.IntervalSeconds < awsrules.MinHealthCheckInterval || hc.IntervalSeconds > awsrules.MaxHealthCheckInterval {
		bad(p+".health_check.interval_seconds", "%d is out of range; want %d to %d", hc.IntervalSeconds, awsrules.MinHealthCheckInterval, awsrules.MaxHealthCheckInterval)
	}
	if hc.TimeoutSeconds < awsrules.MinHealthCheckTimeout || hc.TimeoutSeconds > awsrules.MaxHealthCheckTimeout || hc.TimeoutSeconds >= hc.IntervalSeconds {
		bad(p+".health_check.timeout_seconds", "%d is out of range; want %d to %d and below interval_seconds (%d)", hc.TimeoutSeconds, awsrules.MinHealthCheckTimeout, awsrules.MaxHealthCheckTimeout, hc.IntervalSeconds)
	}
	for _, t := range []struct {
		f string
		v int
	}{{"healthy_threshold", hc.HealthyThreshold}, {"unhealthy_threshold", hc.UnhealthyThreshold}} {
		if t.v < awsrules.MinHealthyThreshold || t.v > awsrules.MaxHealthyThreshold {
			bad(p+".health_check."+t.f, "%d is out of range; want %d to %d", t.v, awsrules.MinHealthyThreshold, awsrules.MaxHealthyThreshold)
		}
	}
	if err := awsrules.Matcher(hc.Matcher); err != nil {
		bad(p+".health_check.matcher", "%v", err)
	}
	if hc.GracePeriodSeconds < 0 || hc.GracePeriodSeconds > 7200 {
		bad(p+".health_check.grace_period_seconds", "%d is out of range; want 0 to 7200 (120 recommended)", hc.GracePeriodSeconds)
	}
	if s.Stickiness.DurationSeconds < 1 || s.Stickiness.DurationSeconds > awsrules.MaxStickinessDuration {
		bad(p+".stickiness.duration_seconds", "%d is out of range; want 1 to %d", s.Stickiness.DurationSeconds, awsrules.MaxStickinessDuration)
	}
	as := s.Autoscaling
	if as.Min < minTasks {
		bad(p+".autoscaling.min", "%d is below %d%s", as.Min, minTasks, prodNote(c.Production, "at least 2 in production"))
	}
	if as.Max < as.Min {
		bad(p+".autoscaling.max", "%d is below min (%d)", as.Max, as.Min)
	} else if as.Max > MaxTasks {
		bad(p+".autoscaling.max", "%d is above %d, the most tasks selfhost scales a service to", as.Max, MaxTasks)
	} else if desiredOK && (s.DesiredCount < as.Min || s.DesiredCount > as.Max) {
		bad(p+".desired_count", "%d is outside autoscaling min..max (%d..%d)", s.DesiredCount, as.Min, as.Max)
	}
	switch t := as.CPUTarget; {
	case t < MinCPUTarget || t > MaxCPUTarget:
		bad(p+".autoscaling.cpu_target", "%d%% is out of range; want %d to %d (%d-%d recommended)", t, MinCPUTarget, MaxCPUTarget, LowCPUTarget, HighCPUTarget)
	case t < LowCPUTarget || t > HighCPUTarget:
		warn(p+".autoscaling.cpu_target", "%d%% is outside the recommended %d-%d%%", t, LowCPUTarget, HighCPUTarget)
	}
	if t := as.MemoryTarget; t != 0 && (t < MinCPUTarget || t > MaxCPUTarget) {
		bad(p+".autoscaling.memory_target", "%d%% is out of range; want 0 (off) or %d to %d", t, MinCPUTarget, MaxCPUTarget)
	}
	if as.RequestsPerTarget < 0 || as.RequestsPerTarget > 1000000 {
		bad(p+".autoscaling.requests_per_target", "%d is out of range; want 0 (off) to 1000000", as.RequestsPerTarget)
	}
	for _, t := range []struct {
		f string
		v int
	}{{"scale_in_cooldown_seconds", as.ScaleInCooldownSec}, {"scale_out_cooldown_seconds", as.ScaleOutCooldownSec}} {
		if t.v < 0 || t.v > 3600 {
			bad(p+".autoscaling."+t.f, "%d is out of range; want 0 to 3600", t.v)
		}
	}
}

// domainProblem describes what is wrong with a domain name, or "".
func domainProblem(d string) string {
	if len(d) > awsrules.MaxDomainName || !awsrules.DomainName.MatchString(d) {
		return "is not a domain name; want lowercase labels separated by dots (punycode for international names), a TLD starting with a letter, no trailing dot, e.g. example.com"
	}
	for _, l := range strings.Split(d, ".") {
		if strings.HasPrefix(l, "xn--") {
			if err := awsrules.PunycodeLabel(l); err != nil {
				return fmt.Sprintf("has the label %q, which %v", l, err)
			}
		}
	}
	return ""
}

// secretARN matches a Secrets Manager secret or SSM parameter ARN.
type secretARN struct{}

func (secretARN) MatchString(s string) bool {
	return awsrules.SecretsManagerARN.MatchString(s) || awsrules.SSMParameterARN.MatchString(s)
}

// MaxContainerEnvBytes bounds the names and values of the container's
// variables, leaving the rest of the 64 KiB task definition to selfhost.
const MaxContainerEnvBytes = awsrules.MaxTaskDefinitionSize * 3 / 4

// SelfhostEnv are the container variables selfhost sets itself (see
// ContainerEnv); an environment may not override them.
var SelfhostEnv = []string{"PORT", "DOMAIN", "STOP_TIMEOUT"}

// ContainerEnv is a service container's plain environment: selfhost's own
// variables and the service's.
func (c *Config) ContainerEnv(s *Service) map[string]string {
	env := map[string]string{
		"PORT":         fmt.Sprint(s.ContainerPort),
		"DOMAIN":       c.DNS.Domain,
		"STOP_TIMEOUT": fmt.Sprintf("%ds", s.StopTimeoutSeconds),
	}
	maps.Copy(env, s.Environment)
	return env
}

// reservedEnv says why a container variable name may not be set, or "".
func reservedEnv(k string) string {
	if slices.Contains(SelfhostEnv, k) {
		return fmt.Sprintf("is set by selfhost itself (%s); choose another name", strings.Join(SelfhostEnv, ", "))
	}
	for _, p := range awsrules.ContainerEnvReservedPrefixes {
		if strings.HasPrefix(k, p) {
			return fmt.Sprintf("starts with %s, which the ECS agent sets in every task (credentials, metadata); choose another name", p)
		}
	}
	return ""
}
