package service

import (
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/lblistener"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"selfhost/constructs/internal/testutil"
	_ "selfhost/internal/golden"
	"selfhost/internal/synth"
)

func TestMain(m *testing.M) { synth.TestMain(m) }

const (
	repoARN   = "arn:aws:ecr:us-east-1:123456789012:repository/selfhost-test/app"
	secretARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:selfhost/db-AbCdEf"
	paramARN  = "arn:aws:ssm:us-east-1:123456789012:parameter/selfhost/api-key"
	kmsARN    = "arn:aws:kms:us-east-1:123456789012:key/1234"
)

func props() Props {
	return Props{
		Name: "selfhost-test", Region: "us-east-1",
		Image: "123456789012.dkr.ecr.us-east-1.amazonaws.com/selfhost-test/app@sha256:abc", RepositoryARN: jsii.String(repoARN),
		ContainerName: "app", ContainerPort: 8080, CPU: 512, MemoryMiB: 1024, Architecture: X86_64, DesiredCount: 2, StopTimeoutSeconds: 120, HealthCheckGracePeriodSeconds: 120,
		TargetHealth: TargetHealth{IntervalSeconds: 15, HealthyThreshold: 2, UnhealthyThreshold: 3}, DeregistrationDelaySeconds: 120,
		PrivateSubnetIDs: []*string{jsii.String("subnet-a"), jsii.String("subnet-b")},
		ClusterARN:       jsii.String("arn:aws:ecs:us-east-1:123456789012:cluster/selfhost-test"),
		LogGroupName:     "/selfhost-test/service", VPCID: jsii.String("vpc-1"), SecurityGroupNamePrefix: "selfhost-test-svc-",
		LoadBalancer: &LoadBalancer{
			TargetGroupARN: jsii.String("arn:tg"), SecurityGroupID: jsii.String("sg-alb"),
			Rule: fakeDependable{}, // TestService passes a real one
		},
		LogRetentionDays: 90,
		Environment:      map[string]string{"PORT": "8080", "DOMAIN": "example.com", "LOG_LEVEL": "info"},
	}
}

// One synth: "svc" has everything (secrets of both stores, a JSON-key
// secret, health check, user, KMS, task policies); "min" has no secrets.
func TestService(t *testing.T) {
	full := props()
	full.Secrets = []Secret{
		{Name: "DB_PASSWORD", ARN: secretARN + ":password::"},
		{Name: "DB_URL", ARN: secretARN},
		{Name: "API_KEY", ARN: paramARN},
	}
	full.SecretsKMSKeyARNs = []string{kmsARN}
	full.ContainerHealthCheck = &ContainerHealthCheck{Command: []string{"CMD", "/app", "-probe"}, IntervalSeconds: 30, TimeoutSeconds: 5, Retries: 3, StartPeriodSeconds: 10}
	full.User = "65532:65532"
	full.Architecture = ARM64
	full.TaskRolePolicyARNs = []string{"arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess"}
	min := props()
	min.Name, min.LogGroupName, min.SecurityGroupNamePrefix = "min", "/min/service", "min-"
	min.LoadBalancer = nil // a worker

	var out *Outputs
	_, d := testutil.Synth(t, func(st cdktf.TerraformStack) {
		l := lblistener.NewLbListener(st, jsii.String("listener"), &lblistener.LbListenerConfig{
			LoadBalancerArn: jsii.String("arn:alb"),
			DefaultAction:   &[]*lblistener.LbListenerDefaultAction{{Type: jsii.String("forward"), TargetGroupArn: jsii.String("arn:tg")}},
		})
		full.LoadBalancer.Rule = l
		var err error
		if out, err = New(st, "svc", full); err != nil {
			t.Fatal(err)
		}
		if _, err := New(st, "min", min); err != nil {
			t.Fatal(err)
		}
		cdktf.NewTerraformOutput(st, jsii.String("service"), &cdktf.TerraformOutputConfig{Value: out.ServiceName})
	})

	// Log group with retention; no cluster (constructs/cluster's).
	if n := len(d.Of("aws_ecs_cluster")); n != 0 {
		t.Errorf("%d clusters in the service", n)
	}
	lg := testutil.Find(t, d, "aws_cloudwatch_log_group", "svc_")
	if lg["name"] != "/selfhost-test/service" || lg["retention_in_days"] != 90.0 {
		t.Errorf("log group %v", lg)
	}

	checkTrustPolicies(t, d)

	// Roles trust ecs-tasks only.
	for id, r := range d.Of("aws_iam_role") {
		trust := fmt.Sprint(testutil.JSON(t, r["assume_role_policy"]))
		if !strings.Contains(trust, "Service:ecs-tasks.amazonaws.com") || !strings.Contains(trust, "sts:AssumeRole") {
			t.Errorf("role %s trusts %s", id, trust)
		}
	}

	// Execution policy: exact statements, no wildcard actions, "*" only for GetAuthorizationToken.
	pol := testutil.JSON(t, testutil.Find(t, d, "aws_iam_role_policy", "svc_")["policy"]).(map[string]any)
	want := []any{
		map[string]any{"Sid": "ECRAuth", "Effect": "Allow", "Action": []any{"ecr:GetAuthorizationToken"}, "Resource": []any{"*"}},
		map[string]any{"Sid": "ECRPull", "Effect": "Allow", "Action": []any{"ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"}, "Resource": []any{repoARN}},
		map[string]any{"Sid": "Logs", "Effect": "Allow", "Action": []any{"logs:CreateLogStream", "logs:PutLogEvents"}, "Resource": []any{"${aws_cloudwatch_log_group." + logID(d, "svc") + ".arn}:log-stream:*"}},
		map[string]any{"Sid": "SecretsManager", "Effect": "Allow", "Action": []any{"secretsmanager:GetSecretValue"}, "Resource": []any{secretARN}},
		map[string]any{"Sid": "SSMParameters", "Effect": "Allow", "Action": []any{"ssm:GetParameters"}, "Resource": []any{paramARN}},
		map[string]any{"Sid": "SecretsKMS", "Effect": "Allow", "Action": []any{"kms:Decrypt"}, "Resource": []any{kmsARN}},
	}
	if !reflect.DeepEqual(pol["Statement"], want) {
		t.Errorf("execution policy\n got %v\nwant %v", pol["Statement"], want)
	}
	for id, r := range d.Of("aws_iam_role_policy") {
		for _, st := range testutil.JSON(t, r["policy"]).(map[string]any)["Statement"].([]any) {
			st := st.(map[string]any)
			for _, a := range st["Action"].([]any) {
				if strings.Contains(a.(string), "*") {
					t.Errorf("%s: wildcard action %v", id, a)
				}
			}
			if fmt.Sprint(st["Resource"]) == "[*]" && fmt.Sprint(st["Action"]) != "[ecr:GetAuthorizationToken]" {
				t.Errorf("%s: %v on *", id, st["Action"])
			}
		}
	}
	minPol := fmt.Sprint(testutil.Find(t, d, "aws_iam_role_policy", "min_")["policy"])
	if strings.Contains(minPol, "secretsmanager") || strings.Contains(minPol, "ssm:") || strings.Contains(minPol, "kms:") {
		t.Errorf("policy without secrets has secret statements: %s", minPol)
	}
	att := testutil.One(t, d, "aws_iam_role_policy_attachment")
	if att["policy_arn"] != "arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess" || !strings.Contains(att["role"].(string), "svc_task-role_") {
		t.Errorf("task role attachment %v", att)
	}
	testutil.Find(t, d, "aws_iam_role_policy_attachment", "svc_task-policy-AWSXRayDaemonWriteAccess_")

	// Task definition.
	td := testutil.Find(t, d, "aws_ecs_task_definition", "svc_")
	for k, v := range map[string]any{
		"family": "selfhost-test", "requires_compatibilities": []any{"FARGATE"}, "network_mode": "awsvpc", "cpu": "512", "memory": "1024",
		"runtime_platform": map[string]any{"operating_system_family": "LINUX", "cpu_architecture": "ARM64"}, "skip_destroy": true,
	} {
		if !reflect.DeepEqual(td[k], v) {
			t.Errorf("task definition %s = %v, want %v", k, td[k], v)
		}
	}
	if testutil.Find(t, d, "aws_ecs_task_definition", "min_")["runtime_platform"].(map[string]any)["cpu_architecture"] != "X86_64" {
		t.Error("default architecture is not X86_64")
	}
	defs := testutil.JSON(t, td["container_definitions"]).([]any)
	if len(defs) != 1 {
		t.Fatalf("%d containers", len(defs))
	}
	c := defs[0].(map[string]any)
	logGroup := "${aws_cloudwatch_log_group." + logID(d, "svc") + ".name}"
	wantC := map[string]any{
		"name": "app", "image": full.Image, "essential": true,
		"portMappings": []any{map[string]any{"containerPort": 8080.0, "hostPort": 8080.0, "protocol": "tcp"}},
		"environment": []any{ // sorted by name
			map[string]any{"name": "DOMAIN", "value": "example.com"},
			map[string]any{"name": "LOG_LEVEL", "value": "info"},
			map[string]any{"name": "PORT", "value": "8080"},
		},
		"secrets": []any{
			map[string]any{"name": "API_KEY", "valueFrom": paramARN},
			map[string]any{"name": "DB_PASSWORD", "valueFrom": secretARN + ":password::"},
			map[string]any{"name": "DB_URL", "valueFrom": secretARN},
		},
		"healthCheck": map[string]any{"command": []any{"CMD", "/app", "-probe"}, "interval": 30.0, "timeout": 5.0, "retries": 3.0, "startPeriod": 10.0},
		"stopTimeout": 120.0,
		"logConfiguration": map[string]any{"logDriver": "awslogs", "options": map[string]any{
			"awslogs-group": logGroup, "awslogs-region": "us-east-1", "awslogs-stream-prefix": "ecs",
			// pinned: AWS's default became non-blocking (account setting defaultLogDriverMode)
			"mode": "non-blocking", "max-buffer-size": "25m",
		}},
		"readonlyRootFilesystem": true,
		"user":                   "65532:65532",
	}
	if !reflect.DeepEqual(c, wantC) {
		t.Errorf("container definition\n got %v\nwant %v", c, wantC)
	}
	minC := testutil.JSON(t, testutil.Find(t, d, "aws_ecs_task_definition", "min_")["container_definitions"]).([]any)[0].(map[string]any)
	for _, k := range []string{"secrets", "healthCheck", "user"} {
		if _, ok := minC[k]; ok {
			t.Errorf("minimal container has %s", k)
		}
	}

	// ECS service.
	svc := testutil.Find(t, d, "aws_ecs_service", "svc_")
	for k, v := range map[string]any{
		"name": "selfhost-test", "launch_type": "FARGATE", "desired_count": 2.0,
		"network_configuration":              map[string]any{"subnets": []any{"subnet-a", "subnet-b"}, "security_groups": []any{"${aws_security_group." + sgID(d, "svc") + ".id}"}, "assign_public_ip": false},
		"load_balancer":                      []any{map[string]any{"target_group_arn": "arn:tg", "container_name": "app", "container_port": 8080.0}},
		"health_check_grace_period_seconds":  120.0,
		"availability_zone_rebalancing":      "ENABLED", // explicit: AWS's default depends on the creation date
		"deployment_minimum_healthy_percent": 100.0,
		"deployment_maximum_percent":         200.0,
		"deployment_circuit_breaker":         map[string]any{"enable": true, "rollback": true},
		"propagate_tags":                     "SERVICE",
		"enable_ecs_managed_tags":            true,
		"wait_for_steady_state":              true,
		"timeouts":                           map[string]any{"create": "22m", "update": "22m"},
	} {
		if !reflect.DeepEqual(svc[k], v) {
			t.Errorf("service %s = %v, want %v", k, svc[k], v)
		}
	}
	// A rollback to the previous revision fails the apply.
	lc, _ := svc["lifecycle"].(map[string]any)
	if !reflect.DeepEqual(lc["ignore_changes"], []any{"desired_count"}) {
		t.Errorf("service lifecycle %v", lc)
	}
	post, _ := lc["postcondition"].([]any)
	if len(post) != 1 {
		t.Fatalf("service postconditions %v, want one", lc["postcondition"])
	}
	pc := post[0].(map[string]any)
	if c := fmt.Sprint(pc["condition"]); !regexp.MustCompile(`^\$\{\(self\.task_definition == aws_ecs_task_definition\.svc_task_[0-9A-F]+\.arn\)\}$`).MatchString(c) {
		t.Errorf("postcondition %s, want the service on the new task definition", c)
	}
	if pc["error_message"] != RolledBackMessage {
		t.Errorf("postcondition message %v", pc["error_message"])
	}
	deps := fmt.Sprint(svc["depends_on"])
	for _, dep := range []string{"aws_lb_listener.listener", "aws_iam_role_policy.svc_execution-policy_", "aws_iam_role_policy_attachment.svc_task-policy-"} {
		if !strings.Contains(deps, dep) {
			t.Errorf("service does not depend on %s: %s", dep, deps)
		}
	}
	if !strings.Contains(fmt.Sprint(svc["task_definition"]), "aws_ecs_task_definition.svc_task_") || svc["cluster"] != "arn:aws:ecs:us-east-1:123456789012:cluster/selfhost-test" {
		t.Errorf("service cluster %v task definition %v", svc["cluster"], svc["task_definition"])
	}
	if o := fmt.Sprint(d.Output["service"]["value"]); !strings.HasPrefix(o, "${aws_ecs_service.svc_service_") {
		t.Errorf("service name output %s", o)
	}

	// The tasks' security group: the container port in from the ALB's
	// group only (and the ALB's egress to it), 443 out; a worker's admits
	// nothing. Generated names, create before destroy.
	sg := testutil.Find(t, d, "aws_security_group", "svc_sg_")
	if sg["name_prefix"] != "selfhost-test-svc-" || sg["vpc_id"] != "vpc-1" || !reflect.DeepEqual(sg["lifecycle"], map[string]any{"create_before_destroy": true}) {
		t.Errorf("task security group %v", sg)
	}
	svcSG := "${aws_security_group." + sgID(d, "svc") + ".id}"
	in := testutil.Find(t, d, "aws_vpc_security_group_ingress_rule", "svc_in-alb_")
	if in["security_group_id"] != svcSG || in["referenced_security_group_id"] != "sg-alb" || in["from_port"] != 8080.0 || in["to_port"] != 8080.0 {
		t.Errorf("ingress from the ALB %v", in)
	}
	albOut := testutil.Find(t, d, "aws_vpc_security_group_egress_rule", "svc_alb-out_")
	if albOut["security_group_id"] != "sg-alb" || albOut["referenced_security_group_id"] != svcSG || albOut["from_port"] != 8080.0 {
		t.Errorf("ALB egress to the tasks %v", albOut)
	}
	if n := len(d.Of("aws_vpc_security_group_ingress_rule")); n != 1 {
		t.Errorf("%d ingress rules, want the ALB's to svc only (the worker admits nothing)", n)
	}
	if o := testutil.Find(t, d, "aws_vpc_security_group_egress_rule", "min_out-https_"); o["cidr_ipv4"] != "0.0.0.0/0" || o["from_port"] != 443.0 {
		t.Errorf("worker egress %v", o)
	}
	// A worker has no load balancer and no grace period (ECS takes one
	// only with a load balancer).
	worker := testutil.Find(t, d, "aws_ecs_service", "min_")
	for _, k := range []string{"load_balancer", "health_check_grace_period_seconds"} {
		if _, ok := worker[k]; ok {
			t.Errorf("worker service has %s: %v", k, worker[k])
		}
	}
}

// sgID is the logical id of the construct's tasks' security group.
func sgID(d testutil.Doc, construct string) string {
	for id := range d.Of("aws_security_group") {
		if strings.HasPrefix(id, construct+"_sg_") {
			return id
		}
	}
	return construct + "_sg_?"
}

// The rollout timeout follows each timing it is derived from.
func TestRolloutTimeout(t *testing.T) {
	base := props() // 15 s x 2 healthy, 3 unhealthy, grace 120, drain 120 + 120, 2 tasks
	// success 180+30+120+120 = 450; threshold 3 of 2 tasks: 2 rounds of
	// 180+max(120,45)+120 = 420; 1290 s -> 22 min.
	if got := RolloutTimeout(base); got != 22*time.Minute {
		t.Errorf("default timeout %v, want 22m", got)
	}
	for _, tc := range []struct {
		name string
		edit func(*Props)
		want time.Duration
	}{
		{"grace", func(p *Props) { p.HealthCheckGracePeriodSeconds = 600 }, 1290*time.Second + 2*480*time.Second},
		{"unhealthy checks beyond the grace", func(p *Props) { p.HealthCheckGracePeriodSeconds, p.TargetHealth.UnhealthyThreshold = 0, 10 }, 1290*time.Second + 2*30*time.Second},
		{"healthy checks", func(p *Props) { p.TargetHealth.HealthyThreshold = 10 }, 1290*time.Second + 120*time.Second},
		{"deregistration delay", func(p *Props) { p.DeregistrationDelaySeconds = 600 }, 1290*time.Second + 480*time.Second},
		{"stop timeout", func(p *Props) { p.StopTimeoutSeconds = 30 }, 1290*time.Second - 90*time.Second - 2*90*time.Second},
		{"six tasks fail in one round", func(p *Props) { p.DesiredCount = 6 }, 1290*time.Second - 420*time.Second},
	} {
		p := base
		tc.edit(&p)
		want := (tc.want + time.Minute - 1).Truncate(time.Minute)
		if got := RolloutTimeout(p); got != want {
			t.Errorf("%s: %v, want %v", tc.name, got, want)
		}
	}
	for desired, want := range map[int]int{1: 3, 2: 3, 6: 3, 7: 4, 100: 50, 1000: 200} {
		if got := CircuitBreakerThreshold(desired); got != want {
			t.Errorf("circuit breaker threshold of %d tasks: %d, want %d", desired, got, want)
		}
	}
}

// logID is the logical id of a construct's log group.
func logID(d testutil.Doc, construct string) string {
	for id := range d.Of("aws_cloudwatch_log_group") {
		if strings.HasPrefix(id, construct+"_logs_") {
			return id
		}
	}
	return ""
}

func TestFargateSizes(t *testing.T) {
	ok := [][2]int{{256, 512}, {256, 2048}, {512, 4096}, {1024, 8192}, {2048, 16384}, {4096, 30720}, {8192, 61440}, {8192, 20480}, {16384, 122880}, {16384, 40960}}
	for _, s := range ok {
		if err := ValidateFargateSize(s[0], s[1]); err != nil {
			t.Errorf("%v: %v", s, err)
		}
	}
	for _, tc := range []struct {
		cpu, mem int
		want     string
	}{
		{300, 1024, "service: CPU 300 is not a Fargate CPU size; want one of 256, 512, 1024, 2048, 4096, 8192, 16384"},
		{256, 4096, "service: MemoryMiB 4096 is not allowed with CPU 256; want one of 512, 1024, 2048"},
		{512, 512, "service: MemoryMiB 512 is not allowed with CPU 512; want one of 1024, 2048, 3072, 4096"},
		{1024, 1024, "service: MemoryMiB 1024 is not allowed with CPU 1024; want 2048 to 8192 in steps of 1024"},
		{2048, 4500, "service: MemoryMiB 4500 is not allowed with CPU 2048; want 4096 to 16384 in steps of 1024"},
		{4096, 31744, "service: MemoryMiB 31744 is not allowed with CPU 4096; want 8192 to 30720 in steps of 1024"},
		{8192, 17408, "service: MemoryMiB 17408 is not allowed with CPU 8192; want 16384 to 61440 in steps of 4096"},
		{16384, 36864, "service: MemoryMiB 36864 is not allowed with CPU 16384; want 32768 to 122880 in steps of 8192"},
	} {
		err := ValidateFargateSize(tc.cpu, tc.mem)
		if err == nil || err.Error() != tc.want {
			t.Errorf("%d/%d: got %v\nwant %s", tc.cpu, tc.mem, err, tc.want)
		}
		p := props()
		p.CPU, p.MemoryMiB = tc.cpu, tc.mem
		if err := p.Validate(); err == nil || err.Error() != tc.want {
			t.Errorf("Validate %d/%d: %v", tc.cpu, tc.mem, err)
		}
	}
}

func TestRejectsBadProps(t *testing.T) {
	for _, tc := range []struct {
		edit func(*Props)
		want string
	}{
		{func(p *Props) { p.Name = "1abc" }, `service: Name "1abc" is not allowed; want 1-49 of`},
		{func(p *Props) { p.Image = "" }, "service: Image is required"},
		{func(p *Props) { p.RepositoryARN = jsii.String("repo") }, `service: RepositoryARN "repo" is not an ECR repository ARN`},
		{func(p *Props) { p.ContainerName = "a b" }, `service: ContainerName "a b" is not allowed`},
		{func(p *Props) { p.Architecture = "arm64" }, `service: Architecture "arm64" is not allowed; want X86_64 or ARM64`},
		{func(p *Props) { p.DesiredCount = -1 }, "service: DesiredCount -1 is out of range; want 0 to 1000"},
		{func(p *Props) { p.PrivateSubnetIDs = nil }, "service: PrivateSubnetIDs is empty"},
		{func(p *Props) { p.LoadBalancer.Rule = nil }, "service: LoadBalancer needs TargetGroupARN, Rule"},
		{func(p *Props) { p.ClusterARN = nil }, "service: ClusterARN is required"},
		{func(p *Props) { p.SecurityGroupNamePrefix = "sg-x" }, `service: SecurityGroupNamePrefix "sg-x" is not allowed`},
		{func(p *Props) { p.LogGroupName = "a b" }, `service: LogGroupName "a b" is not allowed`},
		{func(p *Props) { p.LogRetentionDays = 10 }, "service: LogRetentionDays 10 is not a CloudWatch retention; want one of 1, 3, 5"},
		{func(p *Props) { p.Environment = map[string]string{"1X": ""} }, `service: Environment["1X"] is not an environment variable name`},
		{func(p *Props) { p.Secrets = []Secret{{Name: "PORT", ARN: paramARN}} }, `service: Secrets[0].Name "PORT" is also set by Environment["PORT"]; each variable once`},
		{func(p *Props) {
			p.Secrets = []Secret{{Name: "X", ARN: "arn:aws:secretsmanager:us-east-1:123456789012:secret:db"}}
		}, `service: Secrets[0].ARN "arn:aws:secretsmanager:us-east-1:123456789012:secret:db" is not a full Secrets Manager secret ARN`},
		{func(p *Props) { p.Secrets = []Secret{{Name: "X", ARN: paramARN, Source: SourceSecretsManager}} }, `service: Secrets[0].Source "secretsmanager" does not match the SSM parameter ARN`},
		{func(p *Props) { p.Secrets = []Secret{{Name: "X", ARN: *cdktf.Fn_Uuid()}} /* any token */ }, `service: Secrets[0].Source "" is not allowed; want secretsmanager or ssm (required when ARN is a token)`},
		{func(p *Props) { p.SecretsKMSKeyARNs = []string{"alias/x"} }, `service: SecretsKMSKeyARNs[0] "alias/x" is not a KMS key ARN`},
		{func(p *Props) {
			p.TaskRolePolicyARNs = []string{"arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam::123456789012:policy/ReadOnlyAccess"}
		}, `service: TaskRolePolicyARNs[1] "arn:aws:iam::123456789012:policy/ReadOnlyAccess": another policy named "ReadOnlyAccess" is attached`},
		{func(p *Props) {
			p.ContainerHealthCheck = &ContainerHealthCheck{Command: []string{"/app"}, IntervalSeconds: 30, TimeoutSeconds: 5, Retries: 3}
		}, `service: ContainerHealthCheck.Command ["/app"] is not allowed`},
		{func(p *Props) {
			p.ContainerHealthCheck = &ContainerHealthCheck{Command: []string{"CMD", "/app"}, IntervalSeconds: 30, TimeoutSeconds: 61, Retries: 3}
		}, "service: ContainerHealthCheck.TimeoutSeconds 61 is out of range; want 2 to 60"},
		{func(p *Props) { p.User = "a b" }, `service: User "a b" is not allowed`},
	} {
		p := props()
		tc.edit(&p)
		if err := p.Validate(); err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("got %v\nwant %q", err, tc.want)
		}
		if _, err := New(nil, "svc", p); err == nil {
			t.Errorf("New accepted %+v", p)
		}
	}
	if err := props().Validate(); err != nil {
		t.Error(err)
	}
}

// fakeDependable stands in for the listener where nothing is synthesized.
type fakeDependable struct{ cdktf.ITerraformDependable }

// Confused deputy: the task role is assumable by ECS only for tasks of this
// account (aws:SourceAccount, and aws:SourceArn of the account's ECS
// resources, as AWS documents for task roles), from data sources; the
// execution role, for which AWS documents no condition keys, has none.
// (Called by TestService on its synth.)
func checkTrustPolicies(t *testing.T, d testutil.Doc) {
	cond := func(key string) any {
		st := testutil.JSON(t, testutil.Find(t, d, "aws_iam_role", "svc_"+key)["assume_role_policy"]).(map[string]any)["Statement"].([]any)
		if len(st) != 1 {
			t.Fatalf("%s: %d statements", key, len(st))
		}
		return st[0].(map[string]any)["Condition"]
	}
	account := "${data.aws_caller_identity." + dataID(t, d, "aws_caller_identity") + ".account_id}"
	want := map[string]any{
		"StringEquals": map[string]any{"aws:SourceAccount": account},
		"ArnLike": map[string]any{"aws:SourceArn": "arn:${data.aws_partition." + dataID(t, d, "aws_partition") + ".partition}:ecs:${data.aws_region." +
			dataID(t, d, "aws_region") + ".name}:" + account + ":*"},
	}
	if got := cond("task-role"); !reflect.DeepEqual(got, want) {
		t.Errorf("task role conditions %v, want %v", got, want)
	}
	if got := cond("execution-role"); got != nil {
		t.Errorf("execution role conditions %v, want none", got)
	}
}

// dataID is the logical id of the svc construct's data source of typ.
func dataID(t *testing.T, d testutil.Doc, typ string) string {
	t.Helper()
	for id := range d.Data[typ] {
		if strings.HasPrefix(id, "svc_account_") {
			return id
		}
	}
	t.Fatalf("no %s of svc", typ)
	return ""
}
