package stacks

import (
	"github.com/aws/constructs-go/constructs/v10"

	"selfhost/config"
	"selfhost/constructs/dns"
	"selfhost/constructs/network"
)

// NetworkOutputs are what later stacks use of <env>-network.
type NetworkOutputs struct {
	*network.Outputs
	// ZoneID of the hosted zone when dns.create_zone (created here, before
	// the certificate in <env>-service and the records in <env>-dns need
	// it); nil when the zone is looked up.
	ZoneID *string
}

// NewNetwork is <env>-network: the tiered VPC (and the hosted zone when the
// environment creates it).
func NewNetwork(scope constructs.Construct, cfg *config.Config) (Stack, *NetworkOutputs, error) {
	st := newStack(scope, cfg, config.PartNetwork, "")
	useS3Backend(st, cfg, config.PartNetwork)
	out, err := network.New(st, "network", network.Props{
		Name:                 cfg.ResourcePrefix(),
		Region:               cfg.Region,
		VPCCIDR:              cfg.Network.VPCCIDR,
		AZs:                  cfg.AZNames(),
		RetiringAZs:          cfg.AvailabilityZones.Retiring,
		Layout:               cfg.Layout(),
		NAT:                  cfg.Network.NAT,
		InterfaceEndpoints:   cfg.Network.InterfaceEndpoints,
		FlowLogRetentionDays: cfg.Network.FlowLogRetentionDays,
	})
	if err != nil {
		return nil, nil, err
	}
	output(st, "vpc_id", out.VPCID)
	output(st, "private_subnet_ids", &out.PrivateSubnetIDs)
	no := &NetworkOutputs{Outputs: out}
	if cfg.DNS.CreateZone {
		// In the zone's account (dns.role_arn), where <env>-dns writes.
		z, err := dns.Zone(st, "zone", dns.ZoneProps{Domain: cfg.DNS.ZoneName, Create: true, Provider: dnsProvider(st, cfg, config.PartNetwork)})
		if err != nil {
			return nil, nil, err
		}
		no.ZoneID = z.ZoneID
		output(st, "zone_name_servers", z.NameServers)
	}
	return st, no, nil
}
