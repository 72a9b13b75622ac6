// Package service runs one service's container on ECS Fargate in a cluster
// (constructs/cluster), behind the load balancer or as a worker: its
// security group, log group, task execution and task roles, task
// definition and ECS service.
//
// The tasks' security group admits the container port from the load
// balancer's group only (and the load balancer's group gets the matching
// egress rule); a worker's admits nothing. Out: 443 to 0.0.0.0/0 (AWS APIs
// through the interface endpoints, S3 through the gateway endpoint, the
// internet through NAT), and the database port to the database's group
// when the service uses it (data.go).
//
// The execution role may pull from the one repository, write to the one log
// group and read exactly the secrets the props name. The service deploys
// with zero downtime (minimum healthy 100%, maximum 200%), rolls back on a
// failed deployment (circuit breaker), and leaves desired_count to the
// autoscaling construct after the first apply (ignore_changes). Every apply
// waits for the rollout to reach steady state, within RolloutTimeout, and
// fails when the circuit breaker rolled it back (rollout.go).
package service

import (
	"fmt"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cloudwatchloggroup"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/ecsservice"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/ecstaskdefinition"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/iamrole"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/iamrolepolicy"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/iamrolepolicyattachment"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/securitygroup"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/vpcsecuritygroupegressrule"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/vpcsecuritygroupingressrule"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"selfhost/awsrules"
	"selfhost/awsrules/fargate"
	"selfhost/constructs/created"
	"selfhost/constructs/iampolicy"
)

// Limits and fixed settings of the service.
const (
	// MaxStopTimeoutSeconds is Fargate's maximum stopTimeout (SIGTERM to SIGKILL).
	MaxStopTimeoutSeconds = fargate.MaxStopTimeout
	// AZRebalancing is the service's availability_zone_rebalancing.
	// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-rebalancing.html
	AZRebalancing = "ENABLED"
	// LogStreamPrefix prefixes the log streams: ecs/<container>/<task id>.
	LogStreamPrefix = "ecs"
)

// Secret sources.
const (
	SourceSecretsManager = "secretsmanager"
	SourceSSM            = "ssm"
)

// Props configures the service. Every field is required unless its comment
// says otherwise; the environment defaults live in config/defaults.go.
type Props struct {
	// Name names the ECS service, the task family and the roles
	// (<Name>-task-execution, <Name>-task): 1-49 of A-Z, a-z, 0-9, '-',
	// starting with a letter.
	Name string
	// ClusterARN is the ECS cluster the service runs in.
	ClusterARN *string
	// LogGroupName is the service's CloudWatch log group (created here).
	LogGroupName string
	// VPCID is the VPC of the tasks' security group, named
	// <SecurityGroupNamePrefix><unique suffix>.
	VPCID                   *string
	SecurityGroupNamePrefix string
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
	// TargetHealth are the target group's health check timings and
	// DeregistrationDelaySeconds its deregistration delay (0 to 3600): with
	// the grace period and the stop timeout they bound a rollout
	// (RolloutTimeout).
	TargetHealth               TargetHealth
	DeregistrationDelaySeconds int
	// PrivateSubnetIDs are the tasks' subnets (no public IPs), at least one.
	PrivateSubnetIDs []*string
	// LoadBalancer attaches the service to its target group (optional:
	// nil is a worker, reached by nothing).
	LoadBalancer *LoadBalancer
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
	// ContainerHealthCheck is the container's own health check, run by ECS
	// in the task (optional: the image needs a command that can probe it;
	// the load balancer's health check covers the service without one).
	ContainerHealthCheck *ContainerHealthCheck
	// User runs the container as this user (optional), "uid", "uid:gid" or a
	// name; empty keeps the image's USER.
	User string
	// TaskRolePolicyARNs are managed policies attached to the task role
	// (optional; the task role has no permissions otherwise).
	TaskRolePolicyARNs []string
	// Database is the database the service uses (optional, data.go): its
	// endpoint in DB_HOST/DB_PORT/DB_NAME, the master secret's username and
	// password in DB_USERNAME/DB_PASSWORD, ingress to its security group.
	Database *DatabaseAccess
	// Buckets are the application buckets the task role may list, read,
	// write and delete objects in (optional, data.go); BUCKET_<KEY> holds
	// each one's name.
	Buckets []BucketAccess

	// securityGroupID is the tasks' group, set by New.
	securityGroupID *string
}

// LoadBalancer is where a service's tasks take traffic from.
type LoadBalancer struct {
	// TargetGroupARN is the service's target group the tasks register in.
	TargetGroupARN *string
	// Rule is the listener rule forwarding to the target group; the
	// service depends on it so the target group is attached to the ALB
	// first (ECS refuses a target group that has no load balancer).
	Rule cdktf.ITerraformDependable
	// SecurityGroupID is the load balancer's security group: the only
	// source admitted to the container port, and given the egress to it.
	SecurityGroupID *string
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
	// JSONKey selects one key of a Secrets Manager secret holding JSON
	// (valueFrom <ARN>:<JSONKey>::); optional, with an ARN of the secret itself.
	JSONKey string
}

// ContainerHealthCheck is the container health check (the load balancer's
// check of the tasks is the loadbalancer construct's HealthCheck).
type ContainerHealthCheck struct {
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
	ServiceName       *string
	TaskDefinitionARN *string
	LogGroupName      *string
	// SecurityGroupID is the tasks' security group.
	SecurityGroupID  *string
	ExecutionRoleARN *string
	TaskRoleARN      *string
	// TaskRoleName lets other constructs attach policies to the task role.
	TaskRoleName *string
	// Resources are the resources it created (paths below its id).
	Resources created.List
}

// isToken reports whether s holds an unresolved cdktf token.
func isToken(s string) bool { return *cdktf.Token_IsUnresolved(jsii.String(s)) }

// New builds the service in scope.
func New(scope constructs.Construct, id string, p Props) (*Outputs, error) {
	if err := p.validateData(); err != nil {
		return nil, err
	}
	env, dataSecrets := p.dataEnv()
	p.Environment, p.Secrets = env, append(append([]Secret(nil), p.Secrets...), dataSecrets...)
	secrets, err := p.validate()
	if err != nil {
		return nil, err
	}
	c := constructs.NewConstruct(scope, jsii.String(id))
	name := func(s string) *map[string]*string {
		return &map[string]*string{"Name": jsii.String(p.Name + s)}
	}

	// Each attribute is read once and the string reused (a read is a jsii
	// round trip that mints a new token for the same reference).
	var rs created.List
	sgID := taskSecurityGroup(c, &rs, p)
	p.securityGroupID = sgID

	lgCfg := &cloudwatchloggroup.CloudwatchLogGroupConfig{
		Name:            jsii.String(p.LogGroupName),
		RetentionInDays: jsii.Number(float64(p.LogRetentionDays)),
		Tags:            name("-service"),
	}
	if p.LogKMSKeyARN != "" {
		lgCfg.KmsKeyId = jsii.String(p.LogKMSKeyARN)
	}
	lg := created.Add(&rs, "logs", cloudwatchloggroup.NewCloudwatchLogGroup(c, jsii.String("logs"), lgCfg))
	lgName := lg.Name()

	acct := iampolicy.Here(c, "account")
	execRole := created.Add(&rs, "execution-role", iamrole.NewIamRole(c, jsii.String("execution-role"), &iamrole.IamRoleConfig{
		Name:             jsii.String(p.Name + "-task-execution"),
		Description:      jsii.String("ECS agent: pull the image, write logs, read the task's secrets"),
		AssumeRolePolicy: acct.AssumeRole(awsrules.ECSTaskExecutionRole),
		Tags:             name("-task-execution"),
	}))
	execRoleARN := execRole.Arn()
	execPolicy := created.Add(&rs, "execution-policy", iamrolepolicy.NewIamRolePolicy(c, jsii.String("execution-policy"), &iamrolepolicy.IamRolePolicyConfig{
		Name:   jsii.String("pull-log-secrets"),
		Role:   execRole.Id(),
		Policy: executionPolicy(*p.RepositoryARN, *lg.Arn(), secrets, p.SecretsKMSKeyARNs, secretKeyViaService(p)),
	}))
	taskRole := created.Add(&rs, "task-role", iamrole.NewIamRole(c, jsii.String("task-role"), &iamrole.IamRoleConfig{
		Name:             jsii.String(p.Name + "-task"),
		Description:      jsii.String("The service's own AWS permissions"),
		AssumeRolePolicy: acct.AssumeRole(awsrules.ECSTaskRole),
		Tags:             name("-task"),
	}))
	taskRoleID, taskRoleARN, taskRoleName := taskRole.Id(), taskRole.Arn(), taskRole.Name()
	// The service starts tasks as soon as it exists: it waits for the
	// listener (target group attached) and for every permission of the roles.
	deps := []cdktf.ITerraformDependable{execPolicy}
	if lb := p.LoadBalancer; lb != nil {
		deps = append(deps, lb.Rule)
	}
	deps = append(deps, dataAccess(c, &rs, p, taskRoleID)...)
	for _, arn := range p.TaskRolePolicyARNs {
		// Keyed by the policy's name, not its list position.
		id := "task-policy-" + policyName(arn)
		att := created.Add(&rs, id, iamrolepolicyattachment.NewIamRolePolicyAttachment(c, jsii.String(id), &iamrolepolicyattachment.IamRolePolicyAttachmentConfig{
			Role: taskRoleName, PolicyArn: jsii.String(arn),
		}))
		deps = append(deps, att)
	}

	td := created.Add(&rs, "task", ecstaskdefinition.NewEcsTaskDefinition(c, jsii.String("task"), &ecstaskdefinition.EcsTaskDefinitionConfig{
		Family:                  jsii.String(p.Name),
		RequiresCompatibilities: jsii.Strings("FARGATE"),
		NetworkMode:             jsii.String("awsvpc"),
		Cpu:                     jsii.String(fmt.Sprint(p.CPU)),
		Memory:                  jsii.String(fmt.Sprint(p.MemoryMiB)),
		RuntimePlatform: &ecstaskdefinition.EcsTaskDefinitionRuntimePlatform{
			OperatingSystemFamily: jsii.String("LINUX"),
			CpuArchitecture:       jsii.String(p.Architecture),
		},
		ExecutionRoleArn:     execRoleARN,
		TaskRoleArn:          taskRoleARN,
		ContainerDefinitions: jsii.String(containerDefinitions(p, *lgName)),
		// Old revisions stay registered (ACTIVE) when a new one replaces
		// them, so a circuit-breaker rollback or a manual rollback to the
		// previous revision always works.
		SkipDestroy: jsii.Bool(true),
		Tags:        name(""),
	}))
	tdARN := td.Arn()

	timeout := terraformDuration(RolloutTimeout(p))
	var lbs *[]*ecsservice.EcsServiceLoadBalancer
	var grace *float64
	if lb := p.LoadBalancer; lb != nil {
		lbs = &[]*ecsservice.EcsServiceLoadBalancer{{
			TargetGroupArn: lb.TargetGroupARN,
			ContainerName:  jsii.String(p.ContainerName),
			ContainerPort:  jsii.Number(float64(p.ContainerPort)),
		}}
		// ECS takes a grace period only for a service with a load balancer.
		grace = jsii.Number(p.HealthCheckGracePeriodSeconds)
	}
	svc := created.Add(&rs, "service", ecsservice.NewEcsService(c, jsii.String("service"), &ecsservice.EcsServiceConfig{
		Name:           jsii.String(p.Name),
		Cluster:        p.ClusterARN,
		TaskDefinition: tdARN,
		LaunchType:     jsii.String("FARGATE"),
		DesiredCount:   jsii.Number(float64(p.DesiredCount)),
		NetworkConfiguration: &ecsservice.EcsServiceNetworkConfiguration{
			Subnets:        &p.PrivateSubnetIDs,
			SecurityGroups: &[]*string{sgID},
			AssignPublicIp: jsii.Bool(false),
		},
		LoadBalancer:                  lbs,
		HealthCheckGracePeriodSeconds: grace,
		// Explicit, not AWS's default of the day: services created since
		// 2025-06-30 default to ENABLED, older ones (and an update that
		// never set it) to DISABLED, so the same config behaved differently
		// by creation date. ENABLED: ECS moves tasks back into an AZ that
		// lost them (AZ outage, failed placement), so the tasks stay spread
		// over every AZ of the subnets.
		AvailabilityZoneRebalancing:     jsii.String(AZRebalancing),
		DeploymentMinimumHealthyPercent: jsii.Number(100),
		DeploymentMaximumPercent:        jsii.Number(200),
		DeploymentCircuitBreaker: &ecsservice.EcsServiceDeploymentCircuitBreaker{
			Enable: jsii.Bool(true), Rollback: jsii.Bool(true),
		},
		PropagateTags:        jsii.String("SERVICE"),
		EnableEcsManagedTags: jsii.Bool(true),
		EnableExecuteCommand: jsii.Bool(false),
		// A failed rollout fails the apply (rollout.go): the wait ends in a
		// timeout, or in steady state on the rolled-back revision, which the
		// postcondition refuses.
		WaitForSteadyState: jsii.Bool(true),
		Timeouts:           &ecsservice.EcsServiceTimeouts{Create: jsii.String(timeout), Update: jsii.String(timeout)},
		Lifecycle: &cdktf.TerraformResourceLifecycle{
			IgnoreChanges: &[]*string{jsii.String("desired_count")},
			Postcondition: &[]*cdktf.Postcondition{{
				Condition:    cdktf.Op_Eq(cdktf.TerraformSelf_GetString(jsii.String("task_definition")), tdARN),
				ErrorMessage: jsii.String(RolledBackMessage),
			}},
		},
		DependsOn: &deps,
		Tags:      name(""),
	}))

	return &Outputs{
		ServiceName:       svc.Name(),
		TaskDefinitionARN: tdARN,
		LogGroupName:      lgName,
		SecurityGroupID:   sgID,
		ExecutionRoleARN:  execRoleARN,
		TaskRoleARN:       taskRoleARN,
		TaskRoleName:      taskRoleName,
		Resources:         rs,
	}, nil
}

// taskSecurityGroup is the tasks' security group and its rules: the
// container port in from the load balancer's group only (with that group's
// egress to it), 443 out. A generated name and create_before_destroy: a
// replacement is created, the tasks moved to it, and only then the old one
// deleted (AWS refuses to delete a group in use). It lists them in rs.
func taskSecurityGroup(c constructs.Construct, rs *created.List, p Props) *string {
	desc := "Service tasks: container port in from the ALB only; HTTPS out"
	if p.LoadBalancer == nil {
		desc = "Worker tasks: nothing in; HTTPS out"
	}
	sg := created.Add(rs, "sg", securitygroup.NewSecurityGroup(c, jsii.String("sg"), &securitygroup.SecurityGroupConfig{
		NamePrefix:  jsii.String(p.SecurityGroupNamePrefix),
		Description: jsii.String(desc),
		VpcId:       p.VPCID,
		Tags:        &map[string]*string{"Name": jsii.String(p.Name)},
		Lifecycle:   &cdktf.TerraformResourceLifecycle{CreateBeforeDestroy: jsii.Bool(true)},
	}))
	port, sgID := jsii.Number(float64(p.ContainerPort)), sg.Id()
	if lb := p.LoadBalancer; lb != nil {
		created.Add(rs, "alb-out", vpcsecuritygroupegressrule.NewVpcSecurityGroupEgressRule(c, jsii.String("alb-out"), &vpcsecuritygroupegressrule.VpcSecurityGroupEgressRuleConfig{
			SecurityGroupId:           lb.SecurityGroupID,
			Description:               jsii.String("To the tasks of " + p.Name + " on the container port"),
			IpProtocol:                jsii.String("tcp"),
			FromPort:                  port,
			ToPort:                    port,
			ReferencedSecurityGroupId: sgID,
		}))
		created.Add(rs, "in-alb", vpcsecuritygroupingressrule.NewVpcSecurityGroupIngressRule(c, jsii.String("in-alb"), &vpcsecuritygroupingressrule.VpcSecurityGroupIngressRuleConfig{
			SecurityGroupId:           sgID,
			Description:               jsii.String("From the ALB on the container port"),
			IpProtocol:                jsii.String("tcp"),
			FromPort:                  port,
			ToPort:                    port,
			ReferencedSecurityGroupId: lb.SecurityGroupID,
		}))
	}
	created.Add(rs, "out-https", vpcsecuritygroupegressrule.NewVpcSecurityGroupEgressRule(c, jsii.String("out-https"), &vpcsecuritygroupegressrule.VpcSecurityGroupEgressRuleConfig{
		SecurityGroupId: sgID,
		Description:     jsii.String("HTTPS to AWS APIs (interface endpoints), S3 (gateway endpoint) and the internet via NAT"),
		IpProtocol:      jsii.String("tcp"),
		FromPort:        jsii.Number(443),
		ToPort:          jsii.Number(443),
		CidrIpv4:        jsii.String("0.0.0.0/0"),
	}))
	return sgID
}
