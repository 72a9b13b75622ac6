package awsrules

import (
	"net/netip"
	"strings"
)

// IPv4 ranges AWS refuses for a VPC, or that cannot work in one: this
// network, loopback, link-local (the instance metadata service and the
// Amazon DNS resolver live there), multicast and the reserved class E.
// https://docs.aws.amazon.com/vpc/latest/userguide/vpc-cidr-blocks.html
var reservedIPv4 = []struct {
	prefix netip.Prefix
	what   string
}{
	{netip.MustParsePrefix("0.0.0.0/8"), "\"this network\" (0.0.0.0/8)"},
	{netip.MustParsePrefix("127.0.0.0/8"), "loopback (127.0.0.0/8)"},
	{netip.MustParsePrefix("169.254.0.0/16"), "link-local (169.254.0.0/16, used by the instance metadata service and the Amazon DNS resolver)"},
	{netip.MustParsePrefix("224.0.0.0/4"), "multicast (224.0.0.0/4)"},
	{netip.MustParsePrefix("240.0.0.0/4"), "reserved (240.0.0.0/4)"},
}

// privateIPv4 are RFC 1918 and the shared address space AWS recommends for VPCs.
var privateIPv4 = []netip.Prefix{
	netip.MustParsePrefix("10.0.0.0/8"),
	netip.MustParsePrefix("172.16.0.0/12"),
	netip.MustParsePrefix("192.168.0.0/16"),
	netip.MustParsePrefix("100.64.0.0/10"),
}

// DockerBridge is the range some AWS services (SageMaker, Cloud9, the ECS
// agent's docker bridge) use themselves; a VPC there conflicts with them.
var DockerBridge = netip.MustParsePrefix("172.17.0.0/16")

// Smallest and largest VPC AWS accepts.
const (
	MinVPCPrefix = 16
	MaxVPCPrefix = 28
)

// SubnetReserved is the number of addresses AWS reserves in every subnet
// (network, VPC router, DNS, future use, broadcast).
// https://docs.aws.amazon.com/vpc/latest/userguide/subnet-sizing.html
const SubnetReserved = 5

// ALBMinSubnetPrefix: an Application Load Balancer's subnets must be at least
// a /27 with at least 8 free addresses.
// https://docs.aws.amazon.com/elasticloadbalancing/latest/application/application-load-balancers.html#subnets-load-balancer
const (
	ALBMinSubnetPrefix = 27
	ALBMinFreeIPs      = 8
)

// ParseIPv4CIDR parses a canonical IPv4 network CIDR such as 10.0.0.0/16: no
// IPv4-mapped IPv6 form, no host bits.
func ParseIPv4CIDR(s string) (netip.Prefix, error) {
	p, err := netip.ParsePrefix(s)
	switch {
	case err != nil || strings.Contains(s, ":"):
		if err == nil && p.Addr().Is4In6() {
			return netip.Prefix{}, errf("%q is an IPv4-mapped IPv6 address; write the IPv4 CIDR itself, e.g. %s", s, netip.PrefixFrom(p.Addr().Unmap(), max(p.Bits()-96, 0)).Masked())
		}
		return netip.Prefix{}, errf("%q is not an IPv4 CIDR; want e.g. 203.0.113.0/24", s)
	case !p.Addr().Is4():
		return netip.Prefix{}, errf("%q is not an IPv4 CIDR; want e.g. 203.0.113.0/24", s)
	case p.Masked() != p:
		return netip.Prefix{}, errf("%q has host bits set; did you mean %s?", s, p.Masked())
	}
	return p, nil
}

// ParseIPv6CIDR parses a canonical IPv6 network CIDR such as 2001:db8::/32.
func ParseIPv6CIDR(s string) (netip.Prefix, error) {
	p, err := netip.ParsePrefix(s)
	switch {
	case err != nil || !p.Addr().Is6() || p.Addr().Is4In6() || p.Addr().Zone() != "":
		return netip.Prefix{}, errf("%q is not an IPv6 CIDR; want e.g. 2001:db8::/32", s)
	case p.Masked() != p:
		return netip.Prefix{}, errf("%q has host bits set; did you mean %s?", s, p.Masked())
	case p.String() != s:
		return netip.Prefix{}, errf("%q is not in canonical form; write %s", s, p)
	}
	return p, nil
}

// Reserved names the AWS-reserved or unusable range p overlaps, or "".
func Reserved(p netip.Prefix) string {
	for _, r := range reservedIPv4 {
		if r.prefix.Overlaps(p) {
			return r.what
		}
	}
	return ""
}

// Private reports whether p lies in RFC 1918 or shared (100.64.0.0/10) space.
func Private(p netip.Prefix) bool {
	for _, r := range privateIPv4 {
		if r.Bits() <= p.Bits() && r.Contains(p.Addr()) {
			return true
		}
	}
	return false
}

// VPCCIDR checks a VPC's primary IPv4 CIDR against AWS's rules and
// selfhost's own range of prefixes (minPrefix to maxPrefix).
func VPCCIDR(s string, minPrefix, maxPrefix int) (netip.Prefix, error) {
	p, err := ParseIPv4CIDR(s)
	if err != nil {
		if np, perr := netip.ParsePrefix(s); perr == nil && np.Addr().Is4() && np.Masked() != np {
			return p, err // host bits: the message suggests the network
		}
		return p, errf("%q is not an IPv4 CIDR; want e.g. 10.0.0.0/16 (prefix /%d to /%d)", s, minPrefix, maxPrefix)
	}
	if p.Bits() < minPrefix || p.Bits() > maxPrefix {
		return p, errf("%q has prefix /%d; AWS VPCs must be /%d to /%d", s, p.Bits(), minPrefix, maxPrefix)
	}
	if r := Reserved(p); r != "" {
		return p, errf("%q overlaps %s, which a VPC cannot use; want a private range such as 10.0.0.0/16", s, r)
	}
	return p, nil
}

// IngressIPv4 checks a CIDR that may reach an internet-facing load balancer:
// a canonical IPv4 CIDR of addresses that can be the source of a packet
// arriving from the internet.
func IngressIPv4(s string) (netip.Prefix, error) {
	p, err := ParseIPv4CIDR(s)
	if err != nil {
		return p, err
	}
	if p.Bits() > 0 {
		if r := Reserved(p); r != "" {
			return p, errf("%q is %s: no client there can reach an internet-facing load balancer; want public client addresses such as 203.0.113.0/24, or 0.0.0.0/0", s, r)
		}
	}
	return p, nil
}

// VPC quotas (defaults; adjustable per account).
// https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html
const (
	// MaxInboundRulesPerSG is the inbound rules of one security group.
	MaxInboundRulesPerSG = 60
	// MaxOutboundRulesPerSG is the outbound rules of one security group
	// (the load balancer's has one per service with hosts).
	MaxOutboundRulesPerSG = 60
	// MaxInterfaceEndpointsPerVPC is the interface endpoints of one VPC.
	MaxInterfaceEndpointsPerVPC = 50
	// DefaultEIPQuota is the Elastic IPs per region (each NAT gateway takes one).
	// https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/elastic-ip-addresses-eip.html#using-instance-addressing-limit
	DefaultEIPQuota = 5
)
