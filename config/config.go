// Package config loads, defaults and validates one environment file per
// deployment environment (environments/<name>.yaml).
//
// Every default lives in defaults.go; the README's configuration reference is
// the human-readable copy of that file. Loading is strict: unknown keys and
// wrongly typed values are errors, and validation reports every problem of
// every file at once.
package config

import (
	"slices"

	"selfhost/awsrules"
)

// Config is one environment.
type Config struct {
	// Name of the environment; stacks are named <name>-state, <name>-network, ...
	// Must equal the file's base name.
	Name string `yaml:"name"`
	// Production turns on the production rules (>= 2 AZs, one NAT per AZ,
	// deletion protection, ...). Defaults to true: an environment opts out.
	Production bool `yaml:"production"`
	// Project is used in resource names and the "project" tag.
	Project string `yaml:"project"`
	// Region is the AWS region, e.g. us-east-1.
	Region string `yaml:"region"`
	// Tags are added to every resource, beside environment, project and managed-by.
	Tags map[string]string `yaml:"tags"`

	AvailabilityZones AvailabilityZones `yaml:"availability_zones"`
	Network           Network           `yaml:"network"`
	State             State             `yaml:"state"`
	AWS               AWS               `yaml:"aws"`
	DNS               DNS               `yaml:"dns"`
	Registry          Registry          `yaml:"registry"`
	LoadBalancer      LoadBalancer      `yaml:"load_balancer"`
	// Services are the environment's Fargate services by name (a DNS
	// label, e.g. api, console, worker): at least one.
	Services map[string]*Service `yaml:"services"`
	// Database is the optional Aurora cluster of <env>-data (nil: none).
	Database *Database `yaml:"database"`
	// Buckets are the application S3 buckets of <env>-data, by short name
	// (each named <project>-<name>-<bucket>).
	Buckets []string `yaml:"buckets"`
	// Guardrails is the YAML key policy: exemptions from the guardrails.
	Guardrails Guardrails `yaml:"policy"`

	// File is the path the environment was loaded from.
	File string `yaml:"-"`
	// Warnings are non-fatal findings of validation, shown at synth.
	Warnings []string `yaml:"-"`
}

// AvailabilityZones selects the AZs: either a count (the first N AZ names of
// the region: <region>a, <region>b, ...) or explicit names, which may be AZ
// IDs such as use1-az1 instead (names map to different physical zones in
// each account; IDs do not). Names and IDs are not mixed.
//
// Retiring AZs (some of those) keep their network (subnets, NAT, routes) but
// serve nothing: the load balancer, the tasks, the interface endpoints and
// the database subnet group use the other AZs only. Removing an AZ is two
// deploys: list it here (the service stacks move off it), then remove it
// from count or names (the network deletes its subnets, which nothing uses
// any more; AWS refuses to delete a subnet in use).
type AvailabilityZones struct {
	Count    *int     `yaml:"count"`
	Names    []string `yaml:"names"`
	Retiring []string `yaml:"retiring"`
}

// NAT strategies.
const (
	NATOnePerAZ = "one_per_az"
	NATSingle   = "single"
	NATNone     = "none"
)

// Network is the VPC.
type Network struct {
	// VPCCIDR is the VPC's IPv4 CIDR, /16 to /24.
	VPCCIDR string `yaml:"vpc_cidr"`
	// NAT is one_per_az, single (not in production) or none.
	NAT string `yaml:"nat"`
	// InterfaceEndpoints are AWS service names (com.amazonaws.<region>.<name>)
	// reached through interface endpoints in the private subnets.
	InterfaceEndpoints []string `yaml:"interface_endpoints"`
	// FlowLogRetentionDays is the CloudWatch retention of the VPC flow logs.
	FlowLogRetentionDays int `yaml:"flow_log_retention_days"`
	// Subnets is the subnet plan.
	Subnets Subnets `yaml:"subnets"`
}

// Subnets sizes the tiers. Each tier has AZSlots subnets' worth of space, one
// per AZ letter, so adding an AZ never renumbers an existing subnet.
type Subnets struct {
	AZSlots         int `yaml:"az_slots"`
	PrivateNewBits  int `yaml:"private_newbits"`
	PublicNewBits   int `yaml:"public_newbits"`
	DatabaseNewBits int `yaml:"database_newbits"`
}

// Locking modes of the S3 backend.
const (
	LockFile     = "lockfile"
	LockDynamoDB = "dynamodb"
)

// Backends of the <env>-state stack itself.
const (
	BootstrapLocal = "local"
	BootstrapS3    = "s3"
)

// State is the remote-state backend.
type State struct {
	// Bucket is the S3 bucket holding every stack's state (created by <env>-state).
	Bucket string `yaml:"bucket"`
	// KeyPrefix: each stack's state is at <key_prefix>/<stack>.tfstate.
	KeyPrefix string `yaml:"key_prefix"`
	// Locking is lockfile (S3 native, use_lockfile) or dynamodb.
	Locking string `yaml:"locking"`
	// DynamoDBTable is the lock table, created by <env>-state; needed for locking: dynamodb.
	DynamoDBTable string `yaml:"dynamodb_table"`
	// KMSKeyARN encrypts the bucket with SSE-KMS; empty means SSE-S3 (AES256).
	KMSKeyARN string `yaml:"kms_key_arn"`
	// BootstrapBackend is where <env>-state keeps its own state: local (the
	// first apply) or s3 (after migrating it into the bucket).
	BootstrapBackend string `yaml:"bootstrap_backend"`
	// BootstrapStateDir is the folder, relative to the project root, of the
	// local state of <env>-state (file <name>-state.tfstate).
	BootstrapStateDir string `yaml:"bootstrap_state_dir"`
	// NoncurrentVersionRetentionDays: a noncurrent version of a state file
	// (or of a lock file) is deleted this many days after it was replaced;
	// delete markers left with no version are removed. Current state is
	// never expired.
	NoncurrentVersionRetentionDays int `yaml:"noncurrent_version_retention_days"`
}

// AWS configures the provider. The emulator settings belong to non-production
// environments only.
type AWS struct {
	// Endpoint sends every AWS API call (provider and S3 backend) to one URL,
	// e.g. a local emulator. Not allowed in production.
	Endpoint string `yaml:"endpoint"`
	// SkipChecks skips the provider's credential, metadata-API and region
	// checks (the S3 backend's account-id lookup too), and uses path-style
	// S3; for emulators.
	SkipChecks bool `yaml:"skip_checks"`
	// MaxRetries bounds the provider's retries of failed API calls.
	MaxRetries int `yaml:"max_retries"`
	// AllowedAccountIDs makes the provider refuse any other account.
	AllowedAccountIDs []string `yaml:"allowed_account_ids"`
	// EndpointFromEnvironment is not a key: ops/localenv sets it for what
	// it synthesizes and runs itself. The provider block then names no
	// endpoints and the provider takes Endpoint from AWS_ENDPOINT_URL, which
	// every Terraform command of a session gets (emulator.Server.Env); the
	// S3 backend keeps Endpoint. Validating an endpoints block costs the
	// provider about 3 s of CPU in every plan and apply (BENCHMARKS.md).
	EndpointFromEnvironment bool `yaml:"-"`
}

// AZNames returns the environment's availability zones: the names or AZ IDs
// given, or the first count AZ names of the region (its letters in order:
// ap-northeast-1 has a, c and d).
func (c *Config) AZNames() []string {
	if len(c.AvailabilityZones.Names) > 0 {
		return c.AvailabilityZones.Names
	}
	n := 0
	if c.AvailabilityZones.Count != nil {
		n = *c.AvailabilityZones.Count
	}
	all := awsrules.AZNames(c.Region)
	return all[:max(0, min(n, len(all)))]
}

// ServingAZs are the AZs that are not retiring, in the order of AZNames:
// where the load balancer, the tasks and the endpoints are placed.
func (c *Config) ServingAZs() []string {
	var out []string
	for _, az := range c.AZNames() {
		if !slices.Contains(c.AvailabilityZones.Retiring, az) {
			out = append(out, az)
		}
	}
	return out
}

// StackName is the name of one of the environment's stacks (a part of
// Parts), e.g. production-network.
func (c *Config) StackName(part string) string { return c.Name + "-" + part }

// StateKey is the S3 key of a stack's state.
func (c *Config) StateKey(stack string) string { return c.State.KeyPrefix + "/" + stack + ".tfstate" }
