package config

import "selfhost/awsrules"

// Defaults returns an environment with every default filled in. This is the
// one place defaults live; the README's configuration reference mirrors it.
func Defaults() Config {
	return Config{
		Production: true, // an environment must opt out of the production rules
		Project:    "selfhost",
		AvailabilityZones: AvailabilityZones{
			// Count: 3 when neither count nor names is given (see applyDefaults).
			Retiring: []string{}, // every AZ serves
		},
		Network: Network{
			VPCCIDR:              "10.0.0.0/16",
			NAT:                  NATOnePerAZ,
			InterfaceEndpoints:   []string{"ecr.api", "ecr.dkr", "logs", "sts", "secretsmanager"},
			FlowLogRetentionDays: 365,
			Subnets: Subnets{
				AZSlots:         8, // AZ letters a-h
				PrivateNewBits:  4, // /20 in a /16: tasks need the most addresses
				PublicNewBits:   5, // /21 in a /16
				DatabaseNewBits: 5, // /21 in a /16
			},
		},
		State: State{
			KeyPrefix:         "selfhost",
			Locking:           LockFile,
			BootstrapBackend:  BootstrapLocal,
			BootstrapStateDir: ".state",
			// Three months of state history to roll back to; every
			// lockfile run adds a noncurrent version and a delete marker.
			NoncurrentVersionRetentionDays: 90,
		},
		AWS: AWS{
			MaxRetries: 25, // the AWS provider's own default
		},
		Registry: Registry{
			TagMutability:      "IMMUTABLE", // a tag always means the same image
			ScanOnPush:         true,
			UntaggedExpiryDays: 14,
		},
		LoadBalancer: LoadBalancer{
			DeletionProtection: true,
			IngressCIDRs:       []string{"0.0.0.0/0"},
			IngressIPv6CIDRs:   []string{},
			IdleTimeoutSeconds: 60,
			SSLPolicy:          "ELBSecurityPolicy-TLS13-1-2-2021-06",
			// Only lets an operator (or zonal autoshift) start a shift away
			// from an impaired AZ; nothing moves until one is started.
			ZonalShift: true,
		},
		Services: map[string]*Service{}, // none: at least one is required
		Buckets:  []string{},            // no application buckets
		Guardrails: Guardrails{
			Exemptions: []Exemption{}, // every guardrail applies
		},
	}
}

// DefaultService is a services.<name>: entry's defaults.
func DefaultService() Service {
	return Service{
		Hosts:                      []string{}, // a worker unless hosts are given
		Priority:                   0,          // required with hosts
		CPU:                        512,
		Memory:                     1024,
		Architecture:               "X86_64",
		ContainerPort:              8080,
		DesiredCount:               2,
		HealthCommand:              []string{"CMD", "/app", "-healthcheck"},
		StopTimeoutSeconds:         120, // Fargate's maximum; the seeds ask for at least 120
		DeregistrationDelaySeconds: 120,
		LogRetentionDays:           90,
		TargetHealthCheck: TargetHealthCheck{
			Path:               "/api/status",
			IntervalSeconds:    15,
			TimeoutSeconds:     5,
			HealthyThreshold:   2,
			UnhealthyThreshold: 3,
			Matcher:            "200",
			GracePeriodSeconds: 120,
		},
		Stickiness: Stickiness{DurationSeconds: 86400},
		Autoscaling: Autoscaling{
			Min:                 2,
			Max:                 0, // 4 x desired_count
			CPUTarget:           55,
			MemoryTarget:        0, // off
			RequestsPerTarget:   0, // off
			ScaleInCooldownSec:  300,
			ScaleOutCooldownSec: 60,
		},
	}
}

// DefaultDatabase is a database: key's defaults (the database itself is
// off unless the file has the key).
func DefaultDatabase() Database {
	return Database{
		Engine: awsrules.AuroraPostgreSQL,
		// EngineVersion: DefaultEngineVersions[engine]; InstanceClass:
		// DefaultInstanceClass, or db.serverless with a serverless range.
		Readers:             1, // a reader in another AZ to fail over to
		DatabaseName:        "app",
		MasterUsername:      "app",
		BackupRetentionDays: 7, // the production minimum
		DeletionProtection:  true,
		SkipFinalSnapshot:   false,
	}
}

// DefaultEngineVersions are the default engine versions per engine.
var DefaultEngineVersions = map[string]string{
	awsrules.AuroraPostgreSQL: "16.6",
	awsrules.AuroraMySQL:      "8.0.mysql_aurora.3.08.0",
}

// DefaultInstanceClass is the instance class of a provisioned cluster (Graviton, 16 GiB).
const DefaultInstanceClass = "db.r6g.large"

// MinProdBackupRetentionDays is the production minimum of database.backup_retention_days.
const MinProdBackupRetentionDays = 7

// MaxDatabaseReaders bounds database.readers: Aurora allows 15 replicas.
const MaxDatabaseReaders = 15

// The range of state.noncurrent_version_retention_days: S3 wants a positive
// number of days; more than ten years of state history is a typo.
const (
	MinNoncurrentRetentionDays = 1
	MaxNoncurrentRetentionDays = 3650
)

// MaxTasks is the most tasks a service runs (desired_count, autoscaling.max).
const MaxTasks = 1000

// MaxTasksFactor: autoscaling's default maximum is this many times desired_count.
const MaxTasksFactor = 4

// The container health check's timing (the command is service.health_command;
// these are not configurable).
const (
	ContainerCheckIntervalSeconds    = 30
	ContainerCheckTimeoutSeconds     = 5
	ContainerCheckRetries            = 3
	ContainerCheckStartPeriodSeconds = 60
)

// DefaultAZCount is the number of AZs when the file names neither count nor names.
const DefaultAZCount = 3

// applyDefaults fills what can only be defaulted after decoding.
func applyDefaults(c *Config) {
	if c.DNS.ZoneName == "" {
		c.DNS.ZoneName = c.DNS.Domain
	}
	for name, s := range c.Services {
		if s == nil {
			continue
		}
		s.Name = name
		if s.Autoscaling.Max == 0 {
			s.Autoscaling.Max = min(MaxTasksFactor*s.DesiredCount, MaxTasks)
		}
		if s.Image.Repository == "" {
			s.Image.Repository = c.ServiceResources(s).Repository
		}
	}
	if c.AvailabilityZones.Count == nil && len(c.AvailabilityZones.Names) == 0 {
		n := DefaultAZCount
		c.AvailabilityZones.Count = &n
	}
}
