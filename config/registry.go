package config

// Registry is the ECR repository the service's image comes from.
type Registry struct {
	// TagMutability is IMMUTABLE or MUTABLE.
	TagMutability string `yaml:"tag_mutability"`
	// ScanOnPush scans every pushed image for vulnerabilities.
	ScanOnPush bool `yaml:"scan_on_push"`
	// UntaggedExpiryDays expires untagged images after this many days.
	// Tagged images are never expired: retained task definitions pin them
	// (constructs/registry.LifecyclePolicy).
	UntaggedExpiryDays int `yaml:"untagged_expiry_days"`
}
