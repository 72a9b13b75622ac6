package service

// Validation of the props.

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
	reName      = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9-]{0,48}$`) // IAM role names (<Name>-task-execution) are at most 64
	reContainer = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,254}$`)
	reEnvName   = awsrules.EnvName
	reUser      = regexp.MustCompile(`^[A-Za-z0-9_.-]+(:[A-Za-z0-9_.-]+)?$`)
	reSecretARN = awsrules.SecretsManagerARN
	reParamARN  = awsrules.SSMParameterARN
	rePolicyARN = awsrules.IAMPolicyARN
	reKMSARN    = awsrules.KMSKeyARN
	reRepoARN   = awsrules.ECRRepositoryARN
	reJSONKey   = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)
)

// RetentionDays are the values CloudWatch Logs accepts for retention.
var RetentionDays = awsrules.RetentionDays

// resolvedSecret is a validated secret: its IAM resource and store.
type resolvedSecret struct {
	Secret
	resource string
}

// Validate checks the props and names the first bad field.
func (p Props) Validate() error {
	_, err := p.validate()
	return err
}

func (p Props) validate() ([]resolvedSecret, error) {
	bad := func(format string, a ...any) error { return fmt.Errorf("service: "+format, a...) }
	switch {
	case !reName.MatchString(p.Name):
		return nil, bad("Name %q is not allowed; want 1-49 of A-Z, a-z, 0-9, '-', starting with a letter", p.Name)
	case p.Region == "":
		return nil, bad("Region is required")
	case p.StopTimeoutSeconds < fargate.MinStopTimeout || p.StopTimeoutSeconds > MaxStopTimeoutSeconds:
		return nil, bad("StopTimeoutSeconds %d is out of range; want %d to %d (Fargate's limits)", p.StopTimeoutSeconds, fargate.MinStopTimeout, MaxStopTimeoutSeconds)
	case p.HealthCheckGracePeriodSeconds < 0 || p.HealthCheckGracePeriodSeconds > 7200:
		return nil, bad("HealthCheckGracePeriodSeconds %d is out of range; want 0 to 7200", p.HealthCheckGracePeriodSeconds)
	case p.TargetHealth.IntervalSeconds < 5 || p.TargetHealth.IntervalSeconds > 300:
		return nil, bad("TargetHealth.IntervalSeconds %d is out of range; want 5 to 300", p.TargetHealth.IntervalSeconds)
	case p.TargetHealth.HealthyThreshold < 2 || p.TargetHealth.HealthyThreshold > 10 || p.TargetHealth.UnhealthyThreshold < 2 || p.TargetHealth.UnhealthyThreshold > 10:
		return nil, bad("TargetHealth thresholds %d/%d are out of range; want 2 to 10", p.TargetHealth.HealthyThreshold, p.TargetHealth.UnhealthyThreshold)
	case p.DeregistrationDelaySeconds < 0 || p.DeregistrationDelaySeconds > 3600:
		return nil, bad("DeregistrationDelaySeconds %d is out of range; want 0 to 3600", p.DeregistrationDelaySeconds)
	case p.Image == "":
		return nil, bad("Image is required")
	case p.RepositoryARN == nil:
		return nil, bad("RepositoryARN is required")
	case !isToken(*p.RepositoryARN) && !reRepoARN.MatchString(*p.RepositoryARN):
		return nil, bad("RepositoryARN %q is not an ECR repository ARN", *p.RepositoryARN)
	case !reContainer.MatchString(p.ContainerName):
		return nil, bad("ContainerName %q is not allowed; want 1-255 of A-Z, a-z, 0-9, '_', '-'", p.ContainerName)
	case p.ContainerPort < 1 || p.ContainerPort > 65535:
		return nil, bad("ContainerPort %d is out of range; want 1 to 65535", p.ContainerPort)
	case p.Architecture != X86_64 && p.Architecture != ARM64:
		return nil, bad("Architecture %q is not allowed; want %s or %s", p.Architecture, X86_64, ARM64)
	case p.DesiredCount < 0 || p.DesiredCount > 1000:
		return nil, bad("DesiredCount %d is out of range; want 0 to 1000", p.DesiredCount)
	case len(p.PrivateSubnetIDs) == 0:
		return nil, bad("PrivateSubnetIDs is empty; want the private subnets")
	case p.ClusterARN == nil:
		return nil, bad("ClusterARN is required")
	case p.VPCID == nil:
		return nil, bad("VPCID is required")
	case awsrules.SecurityGroupNamePrefix(p.SecurityGroupNamePrefix) != nil:
		return nil, bad("SecurityGroupNamePrefix %v", awsrules.SecurityGroupNamePrefix(p.SecurityGroupNamePrefix))
	case awsrules.LogGroupName(p.LogGroupName) != nil:
		return nil, bad("LogGroupName %v", awsrules.LogGroupName(p.LogGroupName))
	case p.LoadBalancer != nil && (p.LoadBalancer.TargetGroupARN == nil || p.LoadBalancer.Rule == nil || p.LoadBalancer.SecurityGroupID == nil):
		return nil, bad("LoadBalancer needs TargetGroupARN, Rule (the service must be created after its listener rule) and SecurityGroupID")
	case !slices.Contains(RetentionDays, p.LogRetentionDays):
		return nil, bad("LogRetentionDays %d is not a CloudWatch retention; want one of %s", p.LogRetentionDays, awsrules.JoinInts(RetentionDays))
	case p.LogKMSKeyARN != "" && !reKMSARN.MatchString(p.LogKMSKeyARN):
		return nil, bad("LogKMSKeyARN %q is not a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)", p.LogKMSKeyARN)
	case p.User != "" && !reUser.MatchString(p.User):
		return nil, bad("User %q is not allowed; want a user name or uid, optionally :group or :gid", p.User)
	}
	if err := ValidateFargateSize(p.CPU, p.MemoryMiB); err != nil {
		return nil, err
	}
	names := map[string]string{}
	for _, k := range slices.Sorted(maps.Keys(p.Environment)) {
		if !reEnvName.MatchString(k) {
			return nil, bad("Environment[%q] is not an environment variable name; want letters, digits and '_', not starting with a digit", k)
		}
		names[k] = fmt.Sprintf("Environment[%q]", k)
	}
	var secrets []resolvedSecret
	for i, s := range p.Secrets {
		f := fmt.Sprintf("Secrets[%d]", i)
		if !reEnvName.MatchString(s.Name) {
			return nil, bad("%s.Name %q is not an environment variable name; want letters, digits and '_', not starting with a digit", f, s.Name)
		}
		if prev, dup := names[s.Name]; dup {
			return nil, bad("%s.Name %q is also set by %s; each variable once", f, s.Name, prev)
		}
		names[s.Name] = f
		r := resolvedSecret{Secret: s, resource: s.ARN}
		if s.JSONKey != "" && (s.Source != SourceSecretsManager || !reJSONKey.MatchString(s.JSONKey)) {
			return nil, bad("%s.JSONKey %q needs Source %s and a key of letters, digits, '_' and '-'", f, s.JSONKey, SourceSecretsManager)
		}
		switch {
		case s.ARN == "":
			return nil, bad("%s.ARN is required", f)
		case isToken(s.ARN):
			if s.Source != SourceSecretsManager && s.Source != SourceSSM {
				return nil, bad("%s.Source %q is not allowed; want %s or %s (required when ARN is a token)", f, s.Source, SourceSecretsManager, SourceSSM)
			}
		case reSecretARN.MatchString(s.ARN):
			if s.Source != "" && s.Source != SourceSecretsManager {
				return nil, bad("%s.Source %q does not match the Secrets Manager ARN %q", f, s.Source, s.ARN)
			}
			r.Source, r.resource = SourceSecretsManager, reSecretARN.FindStringSubmatch(s.ARN)[1]
		case reParamARN.MatchString(s.ARN):
			if s.Source != "" && s.Source != SourceSSM {
				return nil, bad("%s.Source %q does not match the SSM parameter ARN %q", f, s.Source, s.ARN)
			}
			r.Source = SourceSSM
		default:
			return nil, bad("%s.ARN %q is not a full Secrets Manager secret ARN (with its 6-character suffix) or SSM parameter ARN", f, s.ARN)
		}
		secrets = append(secrets, r)
	}
	for i, k := range p.SecretsKMSKeyARNs {
		if !reKMSARN.MatchString(k) {
			return nil, bad("SecretsKMSKeyARNs[%d] %q is not a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)", i, k)
		}
	}
	policyNames := map[string]bool{}
	for i, a := range p.TaskRolePolicyARNs {
		if !rePolicyARN.MatchString(a) {
			return nil, bad("TaskRolePolicyARNs[%d] %q is not an IAM policy ARN", i, a)
		}
		if n := policyName(a); policyNames[n] {
			return nil, bad("TaskRolePolicyARNs[%d] %q: another policy named %q is attached; policy names must be unique", i, a, n)
		}
		policyNames[policyName(a)] = true
	}
	if h := p.ContainerHealthCheck; h != nil {
		switch {
		case len(h.Command) < 2 || (h.Command[0] != "CMD" && h.Command[0] != "CMD-SHELL"):
			return nil, bad("ContainerHealthCheck.Command %q is not allowed; want [\"CMD\", <program>, <args>...] or [\"CMD-SHELL\", <command>]", h.Command)
		case h.IntervalSeconds < 5 || h.IntervalSeconds > 300:
			return nil, bad("ContainerHealthCheck.IntervalSeconds %d is out of range; want 5 to 300", h.IntervalSeconds)
		case h.TimeoutSeconds < 2 || h.TimeoutSeconds > 60:
			return nil, bad("ContainerHealthCheck.TimeoutSeconds %d is out of range; want 2 to 60", h.TimeoutSeconds)
		case h.Retries < 1 || h.Retries > 10:
			return nil, bad("ContainerHealthCheck.Retries %d is out of range; want 1 to 10", h.Retries)
		case h.StartPeriodSeconds < 0 || h.StartPeriodSeconds > 300:
			return nil, bad("ContainerHealthCheck.StartPeriodSeconds %d is out of range; want 0 to 300", h.StartPeriodSeconds)
		}
	}
	return secrets, nil
}

// policyName is the last segment of a policy ARN.
func policyName(arn string) string { return arn[strings.LastIndex(arn, "/")+1:] }
