package config

// DNS is the domain the service answers on: api.<domain> and app.<domain>.
type DNS struct {
	// Domain, e.g. example.com; required.
	Domain string `yaml:"domain"`
	// ZoneName is the Route53 public hosted zone holding the records;
	// defaults to Domain.
	ZoneName string `yaml:"zone_name"`
	// CreateZone creates the hosted zone (in <env>-network) instead of
	// looking it up; for emulators and brand-new domains.
	CreateZone bool `yaml:"create_zone"`
	// RoleARN, when set, is assumed by <env>-dns, so the records can live
	// in another account.
	RoleARN string `yaml:"role_arn"`
}

// Registry is the ECR repository the service's image comes from.
type Registry struct {
	// TagMutability is IMMUTABLE or MUTABLE.
	TagMutability string `yaml:"tag_mutability"`
	// ScanOnPush scans every pushed image for vulnerabilities.
	ScanOnPush bool `yaml:"scan_on_push"`
	// UntaggedExpiryDays expires untagged images after this many days.
	UntaggedExpiryDays int `yaml:"untagged_expiry_days"`
	// KeepTagged keeps this many most recent tagged images.
	KeepTagged int `yaml:"keep_tagged"`
}

// LoadBalancer is the Application Load Balancer.
type LoadBalancer struct {
	// DeletionProtection; must be true in production. Turn it off (and
	// apply) before deliberately destroying an environment.
	DeletionProtection bool `yaml:"deletion_protection"`
	// IngressCIDRs may reach ports 80 and 443 (IPv4).
	IngressCIDRs []string `yaml:"ingress_cidrs"`
	// IngressIPv6CIDRs may reach ports 80 and 443 (IPv6).
	IngressIPv6CIDRs []string `yaml:"ingress_ipv6_cidrs"`
	// IdleTimeoutSeconds of connections (1-4000).
	IdleTimeoutSeconds int `yaml:"idle_timeout_seconds"`
	// SSLPolicy of the HTTPS listener.
	SSLPolicy string `yaml:"ssl_policy"`
	// CertificateARN uses an existing ACM certificate instead of creating one.
	CertificateARN string `yaml:"certificate_arn"`
	// AccessLogsBucket, when set, receives the access logs.
	AccessLogsBucket string `yaml:"access_logs_bucket"`
}

// Image selects the container image: a full URI, or this environment's ECR
// repository with a digest (preferred) or tag.
type Image struct {
	URI    string `yaml:"uri"`
	Tag    string `yaml:"tag"`
	Digest string `yaml:"digest"`
	// Repository overrides this environment's repository name (default <project>-<env>).
	Repository string `yaml:"repository"`
}

// HealthCheck is the target group's health check.
type HealthCheck struct {
	Path               string `yaml:"path"`
	IntervalSeconds    int    `yaml:"interval_seconds"`
	TimeoutSeconds     int    `yaml:"timeout_seconds"`
	HealthyThreshold   int    `yaml:"healthy_threshold"`
	UnhealthyThreshold int    `yaml:"unhealthy_threshold"`
	Matcher            string `yaml:"matcher"`
	// GracePeriodSeconds: the ECS service ignores failing checks this long after a task starts.
	GracePeriodSeconds int `yaml:"grace_period_seconds"`
}

// Stickiness is lb_cookie session affinity.
type Stickiness struct {
	Enabled         bool `yaml:"enabled"`
	DurationSeconds int  `yaml:"duration_seconds"`
}

// Autoscaling scales the service's task count.
type Autoscaling struct {
	// Min tasks (>= 2 in production).
	Min int `yaml:"min"`
	// Max tasks; 0 means 4 x desired_count.
	Max int `yaml:"max"`
	// CPUTarget is the average CPU % to hold (50-60 recommended, 10-90 allowed).
	CPUTarget int `yaml:"cpu_target"`
	// RequestsPerTarget adds a second policy on ALBRequestCountPerTarget when > 0.
	RequestsPerTarget   int `yaml:"requests_per_target"`
	ScaleInCooldownSec  int `yaml:"scale_in_cooldown_seconds"`
	ScaleOutCooldownSec int `yaml:"scale_out_cooldown_seconds"`
}

// Service is the Fargate service.
type Service struct {
	Image Image `yaml:"image"`
	// CPU units and memory MiB of the task: a Fargate pair.
	CPU    int `yaml:"cpu"`
	Memory int `yaml:"memory"`
	// Architecture is X86_64 or ARM64.
	Architecture  string `yaml:"architecture"`
	ContainerPort int    `yaml:"container_port"`
	// DesiredCount of tasks at creation (>= 2 in production); autoscaling owns it afterwards.
	DesiredCount int `yaml:"desired_count"`
	// Environment variables of the container (plain, non-secret values).
	Environment map[string]string `yaml:"environment"`
	// Secrets maps variable names to Secrets Manager or SSM parameter ARNs.
	Secrets map[string]string `yaml:"secrets"`
	// HealthCommand is the container health check (ECS format).
	HealthCommand []string `yaml:"health_command"`
	// StopTimeoutSeconds: SIGTERM to SIGKILL (120-120 on Fargate: at least the seeds' 120, at most Fargate's 120).
	StopTimeoutSeconds int `yaml:"stop_timeout_seconds"`
	// DeregistrationDelaySeconds the target group drains a task before ECS stops it.
	DeregistrationDelaySeconds int `yaml:"deregistration_delay_seconds"`
	SlowStartSeconds           int `yaml:"slow_start_seconds"`
	LogRetentionDays           int `yaml:"log_retention_days"`
	// TaskRolePolicyARNs are managed policies attached to the task role.
	TaskRolePolicyARNs []string    `yaml:"task_role_policy_arns"`
	HealthCheck        HealthCheck `yaml:"health_check"`
	Stickiness         Stickiness  `yaml:"stickiness"`
	Autoscaling        Autoscaling `yaml:"autoscaling"`
}
