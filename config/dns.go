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

// The hosts under dns.domain the service answers on: the certificate covers
// the domain and <host>.<domain> for each, and <env>-dns points each at the
// load balancer.
const (
	HostAPI = "api"
	HostApp = "app"
)

// Hosts are the hosts under the domain, in the order of the certificate's
// names and the DNS records.
func (d DNS) Hosts() []string { return []string{HostAPI, HostApp} }

// Hostname is <host>.<domain>, e.g. api.example.com.
func (d DNS) Hostname(host string) string { return host + "." + d.Domain }

// Hostnames are <host>.<domain> of every host: the names <env>-dns publishes
// and the only Host headers the load balancer serves.
func (d DNS) Hostnames() []string {
	var out []string
	for _, h := range d.Hosts() {
		out = append(out, d.Hostname(h))
	}
	return out
}

// The HTTPS listener rule forwarding the hostnames to the service: its name
// keys the rule, its priority is fixed (more rules take other priorities).
const (
	ServiceRouteName     = "service"
	ServiceRoutePriority = 100
)
