package config

// DNS is the domain the services answer on: each service's hosts are
// names under it (services.<name>.hosts).
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
