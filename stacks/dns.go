package stacks

import (
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"selfhost/config"
	"selfhost/constructs/dns"
)

// NewDNS is <env>-dns: the alias records of every service's hostnames to
// the load balancer. It is its own stack so it can live in the account that
// owns the zone (dns.role_arn).
func NewDNS(scope constructs.Construct, cfg *config.Config, net *NetworkOutputs, svc *ServiceOutputs) (Stack, error) {
	st := newStack(scope, cfg, config.PartDNS, cfg.DNS.RoleARN)
	useS3Backend(st, cfg, config.PartDNS)
	zone, err := zoneID(st, cfg, net, nil) // this stack's provider assumes dns.role_arn
	if err != nil {
		return nil, err
	}
	out, err := dns.New(st, "records", dns.Props{
		Domain:     cfg.DNS.Domain,
		Hosts:      cfg.Hosts(),
		ZoneID:     zone,
		ALBDNSName: svc.ALBDNSName,
		ALBZoneID:  svc.ALBZoneID,
		IPv6:       false, // AAAA needs a dual-stack ALB; the network tier assigns no IPv6 yet
	})
	if err != nil {
		return nil, err
	}
	output(st, "names", jsii.Strings(out.Names...))
	return st, nil
}
