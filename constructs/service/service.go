// Package service runs the container on ECS Fargate behind the load
// balancer: the cluster (Container Insights on), the log group, the task
// execution and task roles, the task definition and the ECS service.
//
// The execution role may pull from the one repository, write to the one log
// group and read exactly the secrets the props name. The service deploys
// with zero downtime (minimum healthy 100%, maximum 200%), rolls back on a
// failed deployment (circuit breaker), and leaves desired_count to the
// autoscaling construct after the first apply (ignore_changes).
package service

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cloudwatchloggroup"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/ecscluster"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/ecsservice"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/ecstaskdefinition"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/iamrole"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/iamrolepolicy"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/iamrolepolicyattachment"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"selfhost/awsrules"
	"selfhost/awsrules/fargate"
	"selfhost/constructs/policy"
)

// Limits and fixed settings of the service.
const (
	// MaxStopTimeoutSeconds is Fargate's maximum stopTimeout (SIGTERM to SIGKILL).
	MaxStopTimeoutSeconds = 120
	// LogStreamPrefix prefixes the log streams: ecs/<container>/<task id>.
	LogStreamPrefix = "ecs"
)

// CPU architectures.
const (
	X86_64 = "X86_64"
	ARM64  = "ARM64"
)

// Secret sources.
const (
	SourceSecretsManager = "secretsmanager"
	SourceSSM            = "ssm"
)

// FargateCPUs are the CPU sizes Fargate allows, ascending.
func FargateCPUs() []int { return fargate.CPUs() }

// ValidateFargateSize checks a CPU/memory pair against Fargate's table.
func ValidateFargateSize(cpu, memoryMiB int) error {
	mems, ok := fargate.Memory[cpu]
	if !ok {
		return fmt.Errorf("service: CPU %d is not a Fargate CPU size; want one of %s", cpu, joinInts(FargateCPUs()))
	}
	for _, m := range mems {
		if m == memoryMiB {
			return nil
		}
	}
	lo, hi := mems[0], mems[len(mems)-1]
	if len(mems) <= 4 {
		return fmt.Errorf("service: MemoryMiB %d is not allowed with CPU %d; want one of %s", memoryMiB, cpu, joinInts(mems))
	}
	return fmt.Errorf("service: MemoryMiB %d is not allowed with CPU %d; want %d to %d in steps of %d", memoryMiB, cpu, lo, hi, mems[1]-mems[0])
}

var (
	reName      = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9-]{0,47}$`) // IAM role names (<Name>-task-execution) are at most 64
	reContainer = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,254}$`)
	reEnvName   = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	reUser      = regexp.MustCompile(`^[A-Za-z0-9_.-]+(:[A-Za-z0-9_.-]+)?$`)
	reSecretARN = regexp.MustCompile(`^(arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:[A-Za-z0-9/_+=.@-]+-[A-Za-z0-9]{6})(:[^:]*:[^:]*:[^:]*)?$`)
	reParamARN  = regexp.MustCompile(`^arn:aws[a-z-]*:ssm:[a-z0-9-]+:[0-9]{12}:parameter/[A-Za-z0-9/_.-]+$`)
	rePolicyARN = regexp.MustCompile(`^arn:aws[a-z-]*:iam::([0-9]{12}|aws):policy/.+$`)
	reKMSARN    = regexp.MustCompile(`^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$`)
	reRepoARN   = regexp.MustCompile(`^arn:aws[a-z-]*:ecr:[a-z0-9-]+:[0-9]{12}:repository/.+$`)
)

// RetentionDays are the values CloudWatch Logs accepts for retention.
var RetentionDays = awsrules.RetentionDays

// Props configures the service. Every field is required unless its comment
// says otherwise; the environment defaults live in config/defaults.go.
type Props struct {
	// Name names the cluster, service, task family, log group
	// (/<Name>/service) and roles (<Name>-task-execution, <Name>-task):
	// 1-48 of A-Z, a-z, 0-9, '-', starting with a letter.
	Name string
	// Region is the AWS region (the awslogs driver's region).
	Region string
	// Image is the container image, best pinned by digest
	// (<repository URL>@sha256:...); may hold tokens.
	Image string
	// RepositoryARN is the ECR repository the image is pulled from; the
	// execution role may pull from it only.
	RepositoryARN *string
	// ContainerName is the container's name (1-255 of A-Z, a-z, 0-9, '_', '-').
	ContainerName string
	// ContainerPort is the port the container listens on (1-65535).
	ContainerPort int
	// CPU is the task's CPU units and MemoryMiB its memory: a pair Fargate
	// allows (see ValidateFargateSize).
	CPU       int
	MemoryMiB int
	// Architecture is X86_64 or ARM64 (must match the image).
	Architecture string
	// DesiredCount is the task count of the first apply (0-1000); afterwards
	// autoscaling owns it (ignore_changes).
	DesiredCount int
	// StopTimeoutSeconds is the container's stopTimeout, 2 to 120 (the
	// app's DRAIN_WINDOW + SHUTDOWN_TIMEOUT must stay below it).
	StopTimeoutSeconds int
	// HealthCheckGracePeriodSeconds is how long ECS ignores load balancer
	// health checks of a new task (0 to 7200).
	HealthCheckGracePeriodSeconds int
	// PrivateSubnetIDs are the tasks' subnets (no public IPs), at least one.
	PrivateSubnetIDs []*string
	// SecurityGroupID is the tasks' security group (the load balancer
	// construct's ServiceSecurityGroupID).
	SecurityGroupID *string
	// TargetGroupARN is the load balancer's target group the tasks register in.
	TargetGroupARN *string
	// HTTPSListener is the listener forwarding to the target group; the
	// service depends on it so the target group is attached to the ALB
	// first (ECS refuses a target group that has no load balancer).
	HTTPSListener cdktf.ITerraformDependable
	// LogRetentionDays is the log group's retention (a CloudWatch value).
	LogRetentionDays int
	// LogKMSKeyARN encrypts the log group with this KMS key (optional; its key
	// policy must allow CloudWatch Logs). Empty: CloudWatch's own encryption.
	LogKMSKeyARN string
	// Environment are plain environment variables (optional). They are
	// rendered sorted by name.
	Environment map[string]string
	// Secrets are environment variables read from Secrets Manager or SSM
	// Parameter Store at task start (optional).
	Secrets []Secret
	// SecretsKMSKeyARNs are customer managed KMS keys encrypting the secrets;
	// the execution role may kms:Decrypt with them (optional; not needed for
	// the AWS managed keys).
	SecretsKMSKeyARNs []string
	// HealthCheck is the container health check (optional: the image needs a
	// command that can probe it; the distroless reference image has none,
	// and the load balancer's health check covers it).
	HealthCheck *HealthCheck
	// User runs the container as this user (optional), "uid", "uid:gid" or a
	// name; empty keeps the image's USER.
	User string
	// TaskRolePolicyARNs are managed policies attached to the task role
	// (optional; the task role has no permissions otherwise).
	TaskRolePolicyARNs []string
}

// Secret is one environment variable taken from a secret.
type Secret struct {
	// Name is the environment variable.
	Name string
	// ARN is the secret's full ARN (Secrets Manager, with its 6-character
	// suffix) or the SSM parameter's ARN. A Secrets Manager ARN may end in
	// :<json-key>:<version-stage>:<version-id> to select part of it; the
	// IAM permission is for the secret itself. May be a token.
	ARN string
	// Source is secretsmanager or ssm; optional when ARN is a literal ARN
	// (derived from it), required when ARN is a token.
	Source string
}

// HealthCheck is the container health check.
type HealthCheck struct {
	// Command is the check, e.g. ["CMD", "/app", "-probe"] or ["CMD-SHELL", "curl -f ..."].
	Command []string
	// IntervalSeconds between checks (5-300).
	IntervalSeconds int
	// TimeoutSeconds of one check (2-60).
	TimeoutSeconds int
	// Retries before the container is unhealthy (1-10).
	Retries int
	// StartPeriodSeconds of grace after start (0-300).
	StartPeriodSeconds int
}

// Outputs of the service.
type Outputs struct {
	ClusterName       *string
	ClusterARN        *string
	ServiceName       *string
	TaskDefinitionARN *string
	LogGroupName      *string
	ExecutionRoleARN  *string
	TaskRoleARN       *string
	// TaskRoleName lets other constructs attach policies to the task role.
	TaskRoleName *string
}

// isToken reports whether s holds an unresolved cdktf token.
func isToken(s string) bool { return *cdktf.Token_IsUnresolved(jsii.String(s)) }

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
		return nil, bad("Name %q is not allowed; want 1-48 of A-Z, a-z, 0-9, '-', starting with a letter", p.Name)
	case p.Region == "":
		return nil, bad("Region is required")
	case p.StopTimeoutSeconds < 2 || p.StopTimeoutSeconds > MaxStopTimeoutSeconds:
		return nil, bad("StopTimeoutSeconds %d is out of range; want 2 to %d (Fargate's maximum)", p.StopTimeoutSeconds, MaxStopTimeoutSeconds)
	case p.HealthCheckGracePeriodSeconds < 0 || p.HealthCheckGracePeriodSeconds > 7200:
		return nil, bad("HealthCheckGracePeriodSeconds %d is out of range; want 0 to 7200", p.HealthCheckGracePeriodSeconds)
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
	case p.SecurityGroupID == nil:
		return nil, bad("SecurityGroupID is required")
	case p.TargetGroupARN == nil:
		return nil, bad("TargetGroupARN is required")
	case p.HTTPSListener == nil:
		return nil, bad("HTTPSListener is required (the service must be created after the listener)")
	case !slices.Contains(RetentionDays, p.LogRetentionDays):
		return nil, bad("LogRetentionDays %d is not a CloudWatch retention; want one of %s", p.LogRetentionDays, joinInts(RetentionDays))
	case p.LogKMSKeyARN != "" && !reKMSARN.MatchString(p.LogKMSKeyARN):
		return nil, bad("LogKMSKeyARN %q is not a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)", p.LogKMSKeyARN)
	case p.User != "" && !reUser.MatchString(p.User):
		return nil, bad("User %q is not allowed; want a user name or uid, optionally :group or :gid", p.User)
	}
	if err := ValidateFargateSize(p.CPU, p.MemoryMiB); err != nil {
		return nil, err
	}
	names := map[string]string{}
	for _, k := range sortedKeys(p.Environment) {
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
	if h := p.HealthCheck; h != nil {
		switch {
		case len(h.Command) < 2 || (h.Command[0] != "CMD" && h.Command[0] != "CMD-SHELL"):
			return nil, bad("HealthCheck.Command %q is not allowed; want [\"CMD\", <program>, <args>...] or [\"CMD-SHELL\", <command>]", h.Command)
		case h.IntervalSeconds < 5 || h.IntervalSeconds > 300:
			return nil, bad("HealthCheck.IntervalSeconds %d is out of range; want 5 to 300", h.IntervalSeconds)
		case h.TimeoutSeconds < 2 || h.TimeoutSeconds > 60:
			return nil, bad("HealthCheck.TimeoutSeconds %d is out of range; want 2 to 60", h.TimeoutSeconds)
		case h.Retries < 1 || h.Retries > 10:
			return nil, bad("HealthCheck.Retries %d is out of range; want 1 to 10", h.Retries)
		case h.StartPeriodSeconds < 0 || h.StartPeriodSeconds > 300:
			return nil, bad("HealthCheck.StartPeriodSeconds %d is out of range; want 0 to 300", h.StartPeriodSeconds)
		}
	}
	return secrets, nil
}

// The container definition, rendered with encoding/json. Field order is the
// struct's, so the JSON is stable.
type (
	containerDef struct {
		Name                   string       `json:"name"`
		Image                  string       `json:"image"`
		Essential              bool         `json:"essential"`
		PortMappings           []portMap    `json:"portMappings"`
		Environment            []nameValue  `json:"environment"`
		Secrets                []nameFrom   `json:"secrets,omitempty"`
		HealthCheck            *healthCheck `json:"healthCheck,omitempty"`
		StopTimeout            int          `json:"stopTimeout"`
		LogConfiguration       logConfig    `json:"logConfiguration"`
		ReadonlyRootFilesystem bool         `json:"readonlyRootFilesystem"`
		User                   string       `json:"user,omitempty"`
	}
	portMap struct {
		ContainerPort int    `json:"containerPort"`
		HostPort      int    `json:"hostPort"`
		Protocol      string `json:"protocol"`
	}
	nameValue struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	}
	nameFrom struct {
		Name      string `json:"name"`
		ValueFrom string `json:"valueFrom"`
	}
	healthCheck struct {
		Command     []string `json:"command"`
		Interval    int      `json:"interval"`
		Timeout     int      `json:"timeout"`
		Retries     int      `json:"retries"`
		StartPeriod int      `json:"startPeriod"`
	}
	logConfig struct {
		LogDriver string            `json:"logDriver"`
		Options   map[string]string `json:"options"` // encoding/json sorts map keys
	}
)

// containerDefinitions renders the task's one container as JSON.
func containerDefinitions(p Props, logGroup string) string {
	def := containerDef{
		Name:                   p.ContainerName,
		Image:                  p.Image,
		Essential:              true,
		PortMappings:           []portMap{{ContainerPort: p.ContainerPort, HostPort: p.ContainerPort, Protocol: "tcp"}},
		Environment:            []nameValue{},
		StopTimeout:            p.StopTimeoutSeconds,
		ReadonlyRootFilesystem: true,
		User:                   p.User,
		LogConfiguration: logConfig{LogDriver: "awslogs", Options: map[string]string{
			"awslogs-group": logGroup, "awslogs-region": p.Region, "awslogs-stream-prefix": LogStreamPrefix,
		}},
	}
	for _, k := range sortedKeys(p.Environment) {
		def.Environment = append(def.Environment, nameValue{k, p.Environment[k]})
	}
	secrets := append([]Secret(nil), p.Secrets...)
	sort.SliceStable(secrets, func(i, j int) bool { return secrets[i].Name < secrets[j].Name })
	for _, s := range secrets {
		def.Secrets = append(def.Secrets, nameFrom{s.Name, s.ARN})
	}
	if h := p.HealthCheck; h != nil {
		def.HealthCheck = &healthCheck{h.Command, h.IntervalSeconds, h.TimeoutSeconds, h.Retries, h.StartPeriodSeconds}
	}
	b, err := json.Marshal([]containerDef{def})
	if err != nil { // plain data only: cannot happen
		panic(err)
	}
	return string(b)
}

// executionPolicy is the execution role's inline policy.
func executionPolicy(repoARN, logGroupARN string, secrets []resolvedSecret, kmsKeys []string) *string {
	sts := []policy.Statement{
		// GetAuthorizationToken has no resource-level permissions: "*" is its only resource.
		{Sid: "ECRAuth", Effect: "Allow", Action: []string{"ecr:GetAuthorizationToken"}, Resource: []string{"*"}},
		{Sid: "ECRPull", Effect: "Allow", Action: []string{"ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"}, Resource: []string{repoARN}},
		{Sid: "Logs", Effect: "Allow", Action: []string{"logs:CreateLogStream", "logs:PutLogEvents"}, Resource: []string{logGroupARN + ":log-stream:*"}},
	}
	var sm, ssm []string
	for _, s := range secrets {
		if s.Source == SourceSecretsManager {
			sm = appendUnique(sm, s.resource)
		} else {
			ssm = appendUnique(ssm, s.resource)
		}
	}
	if len(sm) > 0 {
		sts = append(sts, policy.Statement{Sid: "SecretsManager", Effect: "Allow", Action: []string{"secretsmanager:GetSecretValue"}, Resource: sm})
	}
	if len(ssm) > 0 {
		sts = append(sts, policy.Statement{Sid: "SSMParameters", Effect: "Allow", Action: []string{"ssm:GetParameters"}, Resource: ssm})
	}
	if len(kmsKeys) > 0 {
		sts = append(sts, policy.Statement{Sid: "SecretsKMS", Effect: "Allow", Action: []string{"kms:Decrypt"}, Resource: kmsKeys})
	}
	return policy.Document(sts...)
}

// New builds the service in scope.
func New(scope constructs.Construct, id string, p Props) (*Outputs, error) {
	secrets, err := p.validate()
	if err != nil {
		return nil, err
	}
	c := constructs.NewConstruct(scope, jsii.String(id))
	name := func(s string) *map[string]*string {
		return &map[string]*string{"Name": jsii.String(p.Name + s)}
	}

	cluster := ecscluster.NewEcsCluster(c, jsii.String("cluster"), &ecscluster.EcsClusterConfig{
		Name: jsii.String(p.Name),
		Setting: &[]*ecscluster.EcsClusterSetting{{
			Name: jsii.String("containerInsights"), Value: jsii.String("enabled"),
		}},
		Tags: name(""),
	})

	lgCfg := &cloudwatchloggroup.CloudwatchLogGroupConfig{
		Name:            jsii.String("/" + p.Name + "/service"),
		RetentionInDays: jsii.Number(float64(p.LogRetentionDays)),
		Tags:            name("-service"),
	}
	if p.LogKMSKeyARN != "" {
		lgCfg.KmsKeyId = jsii.String(p.LogKMSKeyARN)
	}
	lg := cloudwatchloggroup.NewCloudwatchLogGroup(c, jsii.String("logs"), lgCfg)

	execRole := iamrole.NewIamRole(c, jsii.String("execution-role"), &iamrole.IamRoleConfig{
		Name:             jsii.String(p.Name + "-task-execution"),
		Description:      jsii.String("ECS agent: pull the image, write logs, read the task's secrets"),
		AssumeRolePolicy: policy.AssumeRole("ecs-tasks.amazonaws.com"),
		Tags:             name("-task-execution"),
	})
	execPolicy := iamrolepolicy.NewIamRolePolicy(c, jsii.String("execution-policy"), &iamrolepolicy.IamRolePolicyConfig{
		Name:   jsii.String("pull-log-secrets"),
		Role:   execRole.Id(),
		Policy: executionPolicy(*p.RepositoryARN, *lg.Arn(), secrets, p.SecretsKMSKeyARNs),
	})
	taskRole := iamrole.NewIamRole(c, jsii.String("task-role"), &iamrole.IamRoleConfig{
		Name:             jsii.String(p.Name + "-task"),
		Description:      jsii.String("The service's own AWS permissions"),
		AssumeRolePolicy: policy.AssumeRole("ecs-tasks.amazonaws.com"),
		Tags:             name("-task"),
	})
	// The service starts tasks as soon as it exists: it waits for the
	// listener (target group attached) and for every permission of the roles.
	deps := []cdktf.ITerraformDependable{p.HTTPSListener, execPolicy}
	for _, arn := range p.TaskRolePolicyARNs {
		// Keyed by the policy's name, not its list position.
		att := iamrolepolicyattachment.NewIamRolePolicyAttachment(c, jsii.String("task-policy-"+policyName(arn)), &iamrolepolicyattachment.IamRolePolicyAttachmentConfig{
			Role: taskRole.Name(), PolicyArn: jsii.String(arn),
		})
		deps = append(deps, att)
	}

	td := ecstaskdefinition.NewEcsTaskDefinition(c, jsii.String("task"), &ecstaskdefinition.EcsTaskDefinitionConfig{
		Family:                  jsii.String(p.Name),
		RequiresCompatibilities: jsii.Strings("FARGATE"),
		NetworkMode:             jsii.String("awsvpc"),
		Cpu:                     jsii.String(fmt.Sprint(p.CPU)),
		Memory:                  jsii.String(fmt.Sprint(p.MemoryMiB)),
		RuntimePlatform: &ecstaskdefinition.EcsTaskDefinitionRuntimePlatform{
			OperatingSystemFamily: jsii.String("LINUX"),
			CpuArchitecture:       jsii.String(p.Architecture),
		},
		ExecutionRoleArn:     execRole.Arn(),
		TaskRoleArn:          taskRole.Arn(),
		ContainerDefinitions: jsii.String(containerDefinitions(p, *lg.Name())),
		// Old revisions stay registered (ACTIVE) when a new one replaces
		// them, so a circuit-breaker rollback or a manual rollback to the
		// previous revision always works.
		SkipDestroy: jsii.Bool(true),
		Tags:        name(""),
	})

	svc := ecsservice.NewEcsService(c, jsii.String("service"), &ecsservice.EcsServiceConfig{
		Name:           jsii.String(p.Name),
		Cluster:        cluster.Arn(),
		TaskDefinition: td.Arn(),
		LaunchType:     jsii.String("FARGATE"),
		DesiredCount:   jsii.Number(float64(p.DesiredCount)),
		NetworkConfiguration: &ecsservice.EcsServiceNetworkConfiguration{
			Subnets:        &p.PrivateSubnetIDs,
			SecurityGroups: &[]*string{p.SecurityGroupID},
			AssignPublicIp: jsii.Bool(false),
		},
		LoadBalancer: &[]*ecsservice.EcsServiceLoadBalancer{{
			TargetGroupArn: p.TargetGroupARN,
			ContainerName:  jsii.String(p.ContainerName),
			ContainerPort:  jsii.Number(float64(p.ContainerPort)),
		}},
		HealthCheckGracePeriodSeconds:   jsii.Number(p.HealthCheckGracePeriodSeconds),
		DeploymentMinimumHealthyPercent: jsii.Number(100),
		DeploymentMaximumPercent:        jsii.Number(200),
		DeploymentCircuitBreaker: &ecsservice.EcsServiceDeploymentCircuitBreaker{
			Enable: jsii.Bool(true), Rollback: jsii.Bool(true),
		},
		PropagateTags:        jsii.String("SERVICE"),
		EnableEcsManagedTags: jsii.Bool(true),
		EnableExecuteCommand: jsii.Bool(false),
		WaitForSteadyState:   jsii.Bool(false),
		Lifecycle:            &cdktf.TerraformResourceLifecycle{IgnoreChanges: &[]*string{jsii.String("desired_count")}},
		DependsOn:            &deps,
		Tags:                 name(""),
	})

	return &Outputs{
		ClusterName:       cluster.Name(),
		ClusterARN:        cluster.Arn(),
		ServiceName:       svc.Name(),
		TaskDefinitionARN: td.Arn(),
		LogGroupName:      lg.Name(),
		ExecutionRoleARN:  execRole.Arn(),
		TaskRoleARN:       taskRole.Arn(),
		TaskRoleName:      taskRole.Name(),
	}, nil
}

// policyName is the last segment of a policy ARN.
func policyName(arn string) string { return arn[strings.LastIndex(arn, "/")+1:] }

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func appendUnique(xs []string, x string) []string {
	for _, v := range xs {
		if v == x {
			return xs
		}
	}
	return append(xs, x)
}

func joinInts(xs []int) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = fmt.Sprint(x)
	}
	return strings.Join(s, ", ")
}
