// Package dns publishes the service: alias records <host>.<domain> of each
// host (api and app: config owns the list) (A, and AAAA for a dual-stack ALB) to the load balancer, and
// Zone, the domain's public hosted zone, either created here or looked up.
package dns

import (
	"fmt"
	"strings"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/dataawsroute53zone"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/route53record"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/route53zone"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"selfhost/awsrules"
)

// reDomain is a lowercase DNS name of at least two labels, no trailing dot.
var reDomain = awsrules.DomainName

// reHost is a name under the domain: one or more DNS labels (api, eu.app).
var reHost = awsrules.RelativeHost

// HostKey is a host's part of construct ids: the host with '.' as '_'
// (api, eu_app), unique as labels hold no '_'.
func HostKey(h string) string { return strings.ReplaceAll(h, ".", "_") }

func validDomain(field, d string) error {
	if len(d) > 249 || !reDomain.MatchString(d) {
		return fmt.Errorf("dns: %s %q is not a domain name; want lowercase labels of a-z, 0-9, '-' such as example.com (no trailing dot)", field, d)
	}
	return nil
}

// Props configures the records. Every field is required except IPv6.
type Props struct {
	// Domain is the deployment's domain, e.g. example.com; the records are
	// <host>.<Domain> of each host (the names the certificate covers).
	Domain string
	// Hosts are the names under Domain to publish, e.g. api and app (at
	// least one, each a DNS label).
	Hosts []string
	// ZoneID is the public hosted zone of Domain (Zone's output).
	ZoneID *string
	// ALBDNSName and ALBZoneID are the load balancer's DNS name and canonical
	// hosted zone (the load balancer construct's DNSName and ZoneID).
	ALBDNSName *string
	ALBZoneID  *string
	// IPv6 adds AAAA alias records; only for a dual-stack ALB.
	IPv6 bool
}

// Outputs of the records.
type Outputs struct {
	// Names are the published names, in Hosts order.
	Names []string
}

// Validate checks the props and names the first bad field.
func (p Props) Validate() error {
	if err := validDomain("Domain", p.Domain); err != nil {
		return err
	}
	switch {
	case p.ZoneID == nil:
		return fmt.Errorf("dns: ZoneID is required")
	case p.ALBDNSName == nil || p.ALBZoneID == nil:
		return fmt.Errorf("dns: ALBDNSName and ALBZoneID are required")
	case len(p.Hosts) == 0:
		return fmt.Errorf("dns: Hosts is empty; want the names under Domain, e.g. api and app")
	}
	for _, h := range p.Hosts {
		if !reHost.MatchString(h) {
			return fmt.Errorf("dns: Hosts: %q is not a name under the domain; want DNS labels of a-z, 0-9, '-' such as api or eu.app", h)
		}
	}
	return nil
}

// New builds the alias records in scope. Their ids are <host>-a and
// <host>-aaaa (HostKey), so turning IPv6 on only adds records.
func New(scope constructs.Construct, id string, p Props) (*Outputs, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	c := constructs.NewConstruct(scope, jsii.String(id))
	types := []string{"A"}
	if p.IPv6 {
		types = append(types, "AAAA")
	}
	out := &Outputs{}
	for _, h := range p.Hosts {
		name := h + "." + p.Domain
		out.Names = append(out.Names, name)
		for _, typ := range types {
			route53record.NewRoute53Record(c, jsii.String(fmt.Sprintf("%s-%s", HostKey(h), strings.ToLower(typ))), &route53record.Route53RecordConfig{
				ZoneId: p.ZoneID,
				Name:   jsii.String(name),
				Type:   jsii.String(typ),
				Alias: &route53record.Route53RecordAlias{
					Name:                 p.ALBDNSName,
					ZoneId:               p.ALBZoneID,
					EvaluateTargetHealth: jsii.Bool(true),
				},
			})
		}
	}
	return out, nil
}

// ZoneProps selects the hosted zone.
type ZoneProps struct {
	// Domain is the zone's name, e.g. example.com.
	Domain string
	// Create makes a new public hosted zone (its name servers must then be
	// set at the registrar: see ZoneOutputs.NameServers); false looks up the
	// existing public zone of Domain (data source, private_zone false).
	Create bool
	// PreventDestroy protects a created zone from deletion (a new zone gets
	// new name servers, breaking the delegation). Only with Create.
	PreventDestroy bool
	// Provider creates or looks up the zone (optional): the zone's account's
	// provider when it is not the stack's own.
	Provider cdktf.TerraformProvider
}

// ZoneOutputs of the zone.
type ZoneOutputs struct {
	// ZoneID is the hosted zone's id.
	ZoneID *string
	// NameServers are the zone's name servers (for the registrar's delegation).
	NameServers *[]*string
}

// Validate checks the zone props and names the first bad field.
func (p ZoneProps) Validate() error {
	if err := validDomain("Domain", p.Domain); err != nil {
		return err
	}
	if p.PreventDestroy && !p.Create {
		return fmt.Errorf("dns: PreventDestroy is set but Create is false; a looked-up zone is not managed here")
	}
	return nil
}

// Zone creates or looks up the public hosted zone of a domain in scope.
func Zone(scope constructs.Construct, id string, p ZoneProps) (*ZoneOutputs, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	c := constructs.NewConstruct(scope, jsii.String(id))
	if p.Create {
		z := route53zone.NewRoute53Zone(c, jsii.String("zone"), &route53zone.Route53ZoneConfig{
			Name:         jsii.String(p.Domain),
			Comment:      jsii.String("Public zone of " + p.Domain + " (selfhost)"),
			ForceDestroy: jsii.Bool(false), // never delete records Terraform does not manage
			Lifecycle:    &cdktf.TerraformResourceLifecycle{PreventDestroy: jsii.Bool(p.PreventDestroy)},
			Tags:         &map[string]*string{"Name": jsii.String(p.Domain)},
			Provider:     p.Provider,
		})
		return &ZoneOutputs{ZoneID: z.ZoneId(), NameServers: z.NameServers()}, nil
	}
	z := dataawsroute53zone.NewDataAwsRoute53Zone(c, jsii.String("lookup"), &dataawsroute53zone.DataAwsRoute53ZoneConfig{
		Name:        jsii.String(p.Domain),
		PrivateZone: jsii.Bool(false),
		Provider:    p.Provider,
	})
	return &ZoneOutputs{ZoneID: z.ZoneId(), NameServers: z.NameServers()}, nil
}
