package awsrules

// ServicePrincipal is an AWS service that assumes roles selfhost creates,
// with the confused-deputy condition keys AWS documents it sending when it
// does. A trust policy for it pins aws:SourceAccount to the account and, for
// a service that sets aws:SourceArn, the source ARN to the service's
// resources of the account and region:
// arn:<partition>:<ARNService>:<region>:<account>:<SourceResource>.
type ServicePrincipal struct {
	// Service is the principal, e.g. vpc-flow-logs.amazonaws.com.
	Service string
	// SendsSourceAccount: AWS documents aws:SourceAccount in its requests.
	SendsSourceAccount bool
	// ARNService and SourceResource make the aws:SourceArn pattern;
	// SourceResource "" when the service sets no aws:SourceArn.
	ARNService, SourceResource string
}

var (
	// VPCFlowLogs delivers flow logs to CloudWatch Logs through a role; it
	// sets aws:SourceArn to the flow log (arn:...:ec2:<region>:<account>:vpc-flow-log/<id>).
	// https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-iam-role.html
	VPCFlowLogs = ServicePrincipal{Service: "vpc-flow-logs.amazonaws.com", SendsSourceAccount: true, ARNService: "ec2", SourceResource: "vpc-flow-log/*"}
	// ECSTaskRole: ECS vends task role credentials with aws:SourceAccount
	// and aws:SourceArn set to the task; AWS documents the pattern
	// arn:...:ecs:<region>:<account>:* (a cluster-specific ARN is not supported).
	// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html
	ECSTaskRole = ServicePrincipal{Service: "ecs-tasks.amazonaws.com", SendsSourceAccount: true, ARNService: "ecs", SourceResource: "*"}
	// ECSTaskExecutionRole: the ECS and Fargate agents assume the execution
	// role as ecs-tasks.amazonaws.com, and AWS documents no condition keys for
	// it (its trust policy is the plain one), so none are set: a condition the
	// agent does not send stops every task ("ECS was unable to assume the
	// role"). Only a principal of the account with iam:PassRole can give it
	// to a task.
	// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html
	ECSTaskExecutionRole = ServicePrincipal{Service: "ecs-tasks.amazonaws.com"}
)

// ConfusedDeputyServices are the service principals that send
// aws:SourceAccount when they assume a role (for the guardrail).
var ConfusedDeputyServices = []string{VPCFlowLogs.Service, ECSTaskRole.Service}
