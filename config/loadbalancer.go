package config

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
	// ZonalShift turns on ARC zonal shift for the load balancer, so traffic
	// can be moved off an impaired AZ (it does nothing until a shift starts).
	ZonalShift bool `yaml:"zonal_shift"`
}
