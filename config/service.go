package config

import "gopkg.in/yaml.v3"

// Image selects the container image: a full URI, or this environment's ECR
// repository with a digest (preferred) or tag.
type Image struct {
	URI    string `yaml:"uri"`
	Tag    string `yaml:"tag"`
	Digest string `yaml:"digest"`
	// Repository overrides this environment's repository name (default <project>-<env>).
	Repository string `yaml:"repository"`
}

// TargetHealthCheck is the load balancer's health check of the tasks (YAML
// services.<name>.health_check): the target group's HTTP probe, and how long the ECS
// service ignores that probe's failures for a new task.
type TargetHealthCheck struct {
	Path               string `yaml:"path"`
	IntervalSeconds    int    `yaml:"interval_seconds"`
	TimeoutSeconds     int    `yaml:"timeout_seconds"`
	HealthyThreshold   int    `yaml:"healthy_threshold"`
	UnhealthyThreshold int    `yaml:"unhealthy_threshold"`
	Matcher            string `yaml:"matcher"`
	// GracePeriodSeconds is the ECS service's health check grace period: it
	// ignores this check's failures for this long after a task starts.
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
	// MemoryTarget adds a policy on ECSServiceAverageMemoryUtilization when > 0.
	MemoryTarget int `yaml:"memory_target"`
	// RequestsPerTarget adds a policy on ALBRequestCountPerTarget when > 0
	// (only for a service with hosts: it needs the target group).
	RequestsPerTarget   int `yaml:"requests_per_target"`
	ScaleInCooldownSec  int `yaml:"scale_in_cooldown_seconds"`
	ScaleOutCooldownSec int `yaml:"scale_out_cooldown_seconds"`
}

// Service is one Fargate service of the environment (YAML services.<name>).
// Its defaults (DefaultService in defaults.go) apply to the keys the file
// leaves out.
type Service struct {
	// Name is the service's key under services: (set by the loader).
	Name string `yaml:"-"`
	// Hosts are the names the service answers on: host labels under
	// dns.domain (api: api.<domain>), longer names under it (eu.app), or
	// full names ending in .<domain>. Empty: a worker, with no target group
	// and no listener rule.
	Hosts []string `yaml:"hosts"`
	// Priority is the HTTPS listener rule's priority (1-50000, unique);
	// required with hosts, never derived from the service's position.
	Priority int `yaml:"priority"`
	// AdoptSingleService: this service takes over the resources of the
	// single service: of earlier selfhost versions (their Terraform
	// addresses through moved blocks, their AWS names), so an existing
	// deployment is updated in place. At most one service.
	AdoptSingleService bool  `yaml:"adopt_single_service"`
	Image              Image `yaml:"image"`
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
	TaskRolePolicyARNs []string `yaml:"task_role_policy_arns"`
	// Database: the service uses the environment's database (its endpoint
	// in DB_HOST/DB_PORT/DB_NAME, the master secret in DB_USERNAME/DB_PASSWORD).
	Database bool `yaml:"database"`
	// Buckets are the application buckets (names of buckets) the task role
	// may read and write; each bucket's name is in BUCKET_<NAME>.
	Buckets []string `yaml:"buckets"`
	// TargetHealthCheck is the load balancer's check (YAML key health_check);
	// the container's own check is HealthCommand with ContainerHealthCheck's timing.
	TargetHealthCheck TargetHealthCheck `yaml:"health_check"`
	Stickiness        Stickiness        `yaml:"stickiness"`
	Autoscaling       Autoscaling       `yaml:"autoscaling"`

	given map[string]bool
}

// given are the keys the file sets for the service (dotted, under it).
func (s *Service) setKeys(n *yaml.Node) {
	s.given = map[string]bool{}
	var walk func(n *yaml.Node, prefix string)
	walk = func(n *yaml.Node, prefix string) {
		if n.Kind != yaml.MappingNode {
			return
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := prefix + n.Content[i].Value
			s.given[k] = true
			walk(n.Content[i+1], k+".")
		}
	}
	walk(n, "")
}

// Given reports whether the file sets key (dotted, e.g. health_check.path)
// for this service, rather than leaving it to its default.
func (s *Service) Given(key string) bool { return s.given[key] }

// UnmarshalYAML fills the defaults before decoding the keys given.
func (s *Service) UnmarshalYAML(n *yaml.Node) error {
	*s = DefaultService()
	type plain Service
	if err := n.Decode((*plain)(s)); err != nil {
		return err
	}
	s.setKeys(n)
	return nil
}

// HasTargetGroup reports whether the service serves hosts through the load
// balancer (a worker has none).
func (s *Service) HasTargetGroup() bool { return len(s.Hosts) > 0 }

// ContainerHealthCheck is the container's own health check, run by ECS in
// the task: the command is services.<name>.health_command, the timing is fixed
// (ContainerCheck* in defaults.go).
type ContainerHealthCheck struct {
	Command            []string
	IntervalSeconds    int
	TimeoutSeconds     int
	Retries            int
	StartPeriodSeconds int
}

// ContainerHealthCheck is the service's container health check.
func (s Service) ContainerHealthCheck() ContainerHealthCheck {
	return ContainerHealthCheck{
		Command:            s.HealthCommand,
		IntervalSeconds:    ContainerCheckIntervalSeconds,
		TimeoutSeconds:     ContainerCheckTimeoutSeconds,
		Retries:            ContainerCheckRetries,
		StartPeriodSeconds: ContainerCheckStartPeriodSeconds,
	}
}
