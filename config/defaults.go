package config

// Defaults returns an environment with every default filled in. This is the
// one place defaults live; the README's configuration reference mirrors it.
func Defaults() Config {
	return Config{
		Production:        true, // an environment must opt out of the production rules
		Project:           "selfhost",
		AvailabilityZones: AvailabilityZones{
			// Count: 3 when neither count nor names is given (see applyDefaults).
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
		},
		AWS: AWS{
			MaxRetries: 25, // the AWS provider's own default
		},
	}
}

// DefaultAZCount is the number of AZs when the file names neither count nor names.
const DefaultAZCount = 3

// applyDefaults fills what can only be defaulted after decoding.
func applyDefaults(c *Config) {
	if c.AvailabilityZones.Count == nil && len(c.AvailabilityZones.Names) == 0 {
		n := DefaultAZCount
		c.AvailabilityZones.Count = &n
	}
}
