// Package guardrails checks the synthesized Terraform of every stack against
// the production rules (RULES.md) on every synth. The rules read the
// resolved Terraform JSON of a stack, escape-hatch overrides included, not
// the environment's configuration: whatever reaches cdk.tf.json is what is
// checked.
//
// A finding is an error (the synth fails), a warning (printed on stderr and
// recorded as a cdktf warning annotation) or nothing, depending on the rule,
// on whether the environment is a production one and on the environment's
// exemptions (policy.exemptions in its file).
package guardrails

import (
	"fmt"
	"sort"
	"strings"

	"selfhost/awsrules"
	"selfhost/config"
)

// Level is what a finding does to the synth.
type Level int

// Levels, from harmless to fatal.
const (
	Off Level = iota
	Warn
	Error
)

func (l Level) String() string {
	switch l {
	case Warn:
		return "warning"
	case Error:
		return "error"
	}
	return "off"
}

// Rule is one guardrail rule.
type Rule struct {
	// ID names the rule in messages and in policy.exemptions.
	ID string
	// Checks says what the rule looks for, for RULES.md.
	Checks string
	// Fix says what to change.
	Fix string
	// NonProduction is the level of a finding in a non-production
	// environment (production: always Error).
	NonProduction Level
	// Why explains the non-production level, for RULES.md.
	Why   string
	check func(s *stack) []hit
}

// hit is one violation of a rule by one resource ("" for the whole stack).
type hit struct {
	addr   string // type.name
	detail string
}

// Finding is a rule violation in a stack.
type Finding struct {
	Rule  string
	Level Level
	Stack string
	// Address is the Terraform address (type.name), "" for the stack.
	Address string
	// Path is the construct path of the resource (from its metadata).
	Path string
	// Message says what is wrong and what to change.
	Message string
}

func (f Finding) String() string {
	where := f.Stack
	if f.Address != "" {
		where += " " + f.Address
	}
	return fmt.Sprintf("[%s] %s: %s", f.Rule, where, f.Message)
}

// Options are the environment's facts the rules depend on.
type Options struct {
	Production bool
	// Exemptions maps rule ids to the written reason.
	Exemptions map[string]string
}

// OptionsOf takes the options from an environment.
func OptionsOf(c *config.Config) Options {
	o := Options{Production: c.Production, Exemptions: map[string]string{}}
	for _, e := range c.Guardrails.Exemptions {
		o.Exemptions[e.Rule] = e.Reason
	}
	return o
}

// Rules is the rule table, in the order of RULES.md and config.GuardrailRules.
var Rules = []Rule{
	{
		ID: "net-min-azs", Checks: "The VPC's subnets span fewer than 2 availability zones.",
		Fix: "use at least 2 AZs (availability_zones.count: 2 or more)", NonProduction: Error,
		Why: "an application load balancer needs subnets in 2 AZs, so config refuses one AZ everywhere; this catches an escape hatch", check: minAZs,
	},
	{
		ID: "net-nat-per-az", Checks: "Not exactly one NAT gateway in each AZ that has private subnets.",
		Fix: "use network.nat: one_per_az, so an AZ outage cuts egress only in that AZ", NonProduction: Warn,
		Why: "a single NAT is a documented cost saving outside production", check: natPerAZ,
	},
	{
		ID: "net-database-egress", Checks: "A route table of a database subnet routes to an internet, egress-only or NAT gateway.",
		Fix: "remove the route: database subnets have no way out (S3 via the gateway endpoint only)", NonProduction: Error,
		Why: "isolation of the data tier does not depend on the environment", check: databaseEgress,
	},
	{
		ID: "net-private-public-ip", Checks: "A private or database subnet maps public IPs on launch.",
		Fix: "set map_public_ip_on_launch to false on private and database subnets", NonProduction: Error,
		Why: "a public address on a private tier is never intended", check: privatePublicIP,
	},
	{
		ID: "alb-deletion-protection", Checks: "An application load balancer without deletion protection.",
		Fix: "set load_balancer.deletion_protection: true (turn it off only for a deliberate teardown)", NonProduction: Off,
		Why: "non-production environments are torn down routinely (local.yaml turns it off); no finding", check: albDeletionProtection,
	},
	{
		ID: "alb-drop-invalid-headers", Checks: "An application load balancer that forwards invalid HTTP header fields.",
		Fix: "set drop_invalid_header_fields to true on the load balancer (request smuggling)", NonProduction: Error,
		Why: "costs nothing anywhere", check: albDropInvalidHeaders,
	},
	{
		ID: "alb-http-redirect", Checks: "An HTTP listener whose default action is not a redirect to HTTPS.",
		Fix: "make the port 80 listener redirect to HTTPS (HTTP_301), never forward", NonProduction: Error,
		Why: "plain HTTP to the service is never intended", check: httpRedirect,
	},
	{
		ID: "alb-tls-policy", Checks: "An HTTPS/TLS listener whose SSL policy admits TLS older than 1.2 (or has none: the AWS default admits TLS 1.0).",
		Fix: "use a TLS 1.2+ policy in load_balancer.ssl_policy, e.g. " + config.SSLPolicies[0], NonProduction: Error,
		Why: "costs nothing anywhere", check: tlsPolicy,
	},
	{
		ID: "alb-unknown-host", Checks: "An HTTPS listener whose default action is not a fixed response (a request for any Host, the load balancer's DNS name included, reaches a target).",
		Fix: "make the HTTPS listener's default action a fixed 404 and forward the configured hosts with host-header listener rules", NonProduction: Error,
		Why: "the service is reached by its names only; costs nothing anywhere", check: httpsUnknownHosts,
	},
	{
		ID: "alb-hsts", Checks: "An HTTPS listener without a Strict-Transport-Security header (routing_http_response_strict_transport_security_header_value with max-age).",
		Fix: "set routing_http_response_strict_transport_security_header_value on the HTTPS listener, e.g. " + `"max-age=31536000; includeSubDomains"`, NonProduction: Error,
		Why: "browsers must not fall back to plain HTTP anywhere; costs nothing", check: httpsHSTS,
	},
	{
		ID: "sg-open-ingress", Checks: "Security group ingress from 0.0.0.0/0 or ::/0 on anything but TCP 80 and 443 of a load balancer's security group.",
		Fix: "open only the ALB's ports 80 and 443 to the internet; reach everything else from security groups or VPC CIDRs", NonProduction: Error,
		Why: "an emulator or test account is still on the internet", check: openIngress,
	},
	{
		ID: "sg-replaceable", Checks: "A security group with a fixed `name`, or without lifecycle `create_before_destroy`.",
		Fix: "give it a `name_prefix` and `create_before_destroy = true`: a change that replaces it then creates the new group and moves its users before deleting the old one, which AWS refuses (DependencyViolation) while a load balancer, endpoint or task uses it", NonProduction: Error,
		Why: "a replacing change fails the same way everywhere", check: sgReplaceable,
	},
	{
		ID: "svc-min-tasks", Checks: "An ECS service with desired_count below 2, or its autoscaling min_capacity below 2.",
		Fix: "run at least 2 tasks (services.<name>.desired_count and services.<name>.autoscaling.min >= 2)", NonProduction: Warn,
		Why: "one task is a cheap test setup; it has no HA", check: minTasks,
	},
	{
		ID: "svc-stop-timeout", Checks: "A container whose stopTimeout is below 120 s (missing: Fargate's 30 s).",
		Fix: "set services.<name>.stop_timeout_seconds: 120 so in-flight requests finish on deploys and scale-in", NonProduction: Warn,
		Why: "cut-off requests matter where there are users", check: stopTimeout,
	},
	{
		ID: "svc-deregistration-delay", Checks: "A target group whose deregistration delay (missing: 300 s) is above the stopTimeout of the containers of the ECS services registering in it (of any container of the stack when no service names it).",
		Fix: "keep services.<name>.deregistration_delay_seconds at or below its stop_timeout_seconds", NonProduction: Warn,
		Why: "cut-off requests matter where there are users", check: deregistrationDelay,
	},
	{
		ID: "svc-wait-steady-state", Checks: "An ECS service whose apply does not wait for steady state (wait_for_steady_state not true).",
		Fix: "set wait_for_steady_state = true with a timeout covering a rollout and its rollback (constructs/service RolloutTimeout)", NonProduction: Error,
		Why: "a deploy that reports success while no task runs misleads everywhere; the emulator settles services too", check: steadyState,
	},
	{
		ID: "ecr-lifecycle-tagged", Checks: "An ECR lifecycle policy rule that expires tagged images (tagStatus tagged or any).",
		Fix: "expire untagged images only (registry.untagged_expiry_days); every retained task definition pins a tagged image that scale-out and rollback pull again", NonProduction: Error,
		Why: "a pinned image that is gone breaks scale-out and rollback in any environment", check: lifecycleTagged,
	},
	{
		ID: "state-versioning", Checks: "A bucket of the `<env>-state` stack without versioning enabled.",
		Fix: "enable versioning on the state bucket: every state write stays recoverable", NonProduction: Error,
		Why: "state safety does not depend on the environment", check: stateVersioning,
	},
	{
		ID: "state-encryption", Checks: "A bucket of the `<env>-state` stack without default server-side encryption.",
		Fix: "add server-side encryption (AES256 or aws:kms) to the state bucket: state holds secrets", NonProduction: Error,
		Why: "state safety does not depend on the environment", check: stateEncryption,
	},
	{
		ID: "state-public-access", Checks: "A bucket of the `<env>-state` stack without all four public access blocks, or with a public ACL.",
		Fix: "block all public access to the state bucket (public access block with all four settings true, no public ACL)", NonProduction: Error,
		Why: "state safety does not depend on the environment", check: statePublic,
	},
	{
		ID: "state-current-expiry", Checks: "A lifecycle rule of a `<env>-state` bucket that expires current objects (expiration with days or a date).",
		Fix: "expire only noncurrent versions (noncurrent_version_expiration) and expired delete markers (expired_object_delete_marker) in the state bucket", NonProduction: Error,
		Why: "state safety does not depend on the environment", check: stateCurrentExpiry,
	},
	{
		ID: "db-public", Checks: "An RDS cluster instance or DB instance with publicly_accessible true.",
		Fix: "set publicly_accessible to false: the database is reached from the services' security groups inside the VPC only", NonProduction: Error,
		Why: "a database on the internet is never intended", check: dbPublic,
	},
	{
		ID: "db-encrypted", Checks: "An RDS cluster or DB instance whose storage_encrypted is not true.",
		Fix: "set storage_encrypted = true with a KMS key (database.kms_key_arn, or the key selfhost creates); encryption cannot be turned on later without a restore", NonProduction: Error,
		Why: "costs nothing anywhere, and cannot be added to a running cluster", check: dbEncrypted,
	},
	{
		ID: "db-deletion-protection", Checks: "An RDS cluster or DB instance without deletion_protection.",
		Fix: "set database.deletion_protection: true (turn it off only for a deliberate teardown)", NonProduction: Off,
		Why: "non-production databases are torn down routinely (local.yaml turns it off); no finding", check: dbDeletionProtection,
	},
	{
		ID: "db-subnets", Checks: "An RDS cluster or instance without db_subnet_group_name, or naming a group other than a DB subnet group (of its stack or, by cross-stack reference, the network's); a DB subnet group holding a subnet outside the database tier.",
		Fix: "place the database in the network's DB subnet group, which holds the database subnets only (no route out)", NonProduction: Error,
		Why: "isolation of the data tier does not depend on the environment", check: dbSubnets,
	},
	{
		ID: "bucket-public-access", Checks: "A bucket outside the `<env>-state` stack without all four public access blocks, or with a public ACL.",
		Fix: "block all public access to the bucket (public access block with all four settings true, no public ACL; constructs/bucket)", NonProduction: Error,
		Why: "application data is private in every environment", check: bucketPublicAccess,
	},
	{
		ID: "bucket-tls-only", Checks: "A bucket (of any stack) without a bucket policy denying requests with aws:SecureTransport false.",
		Fix: "attach the TLS-only policy (constructs/bucket TLSOnlyPolicy: deny aws:SecureTransport false and s3:TlsVersion below 1.2)", NonProduction: Error,
		Why: "costs nothing anywhere", check: bucketTLSOnly,
	},
	{
		ID: "iam-trust-source-account", Checks: "An IAM role trusting an AWS service that sends aws:SourceAccount (" + strings.Join(awsrules.ConfusedDeputyServices, ", ") + ") without an aws:SourceAccount condition (the ECS task execution role excepted: AWS documents no condition keys for it).",
		Fix: "add StringEquals aws:SourceAccount (this account, from data.aws_caller_identity) and ArnLike aws:SourceArn where the service sets it (iampolicy.Account.AssumeRole)", NonProduction: Error,
		Why: "any account could otherwise have the service act with the role (cross-service confused deputy); costs nothing anywhere", check: trustSourceAccount,
	},
	{
		ID: "task-plaintext-secret", Checks: "A container environment variable whose name looks like a secret (password, secret, token, key, credential).",
		Fix: "move the value to Secrets Manager or SSM and reference it under services.<name>.secrets", NonProduction: Error,
		Why: "task definitions are readable by anyone with ecs:Describe*", check: plaintextSecret,
	},
}

// RuleByID returns the rule with the given id.
func RuleByID(id string) (Rule, bool) {
	for _, r := range Rules {
		if r.ID == id {
			return r, true
		}
	}
	return Rule{}, false
}

// Evaluate checks one stack's resolved Terraform JSON (a cdk.tf.json
// document) and returns the findings that are not Off, errors first.
func Evaluate(stackName string, doc map[string]any, opts Options) []Finding {
	s := newStack(stackName, doc)
	var out []Finding
	for _, r := range Rules {
		level := Error
		if !opts.Production {
			level = r.NonProduction
		}
		if level == Off {
			continue
		}
		hits := r.check(s)
		for _, h := range hits {
			msg := h.detail + "; " + r.Fix
			if reason, ok := opts.Exemptions[r.ID]; ok {
				level = Warn
				msg += fmt.Sprintf(" (exempted in this environment: %s)", strings.TrimSpace(reason))
			} else if level == Warn {
				msg += " (a warning outside production)"
			}
			out = append(out, Finding{Rule: r.ID, Level: level, Stack: stackName, Address: h.addr, Path: s.path(h.addr), Message: msg})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Level > out[j].Level })
	return out
}
