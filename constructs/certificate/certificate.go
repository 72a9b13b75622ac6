// Package certificate is the ACM certificate of the deployment's domain:
// <domain> with the explicit names <host>.<domain> of each host (api and
// app: config owns the list), validated through DNS records in the domain's
// Route 53 zone.
//
// The output is the ARN of aws_acm_certificate_validation, which exists
// only once ACM has issued the certificate: a listener using it waits for
// validation instead of failing on a pending certificate.
package certificate

import (
	"fmt"
	"strings"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/acmcertificate"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/acmcertificatevalidation"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/route53record"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"selfhost/awsrules"
)

// ValidationRecordTTL is the TTL of the validation records.
const ValidationRecordTTL = 60

// reDomain is a lowercase DNS name of at least two labels, no trailing dot,
// no wildcard; with api./app. added it must stay within 253 characters.
var reDomain = awsrules.DomainName

// reHost is a name under the domain: one or more DNS labels (api, eu.app).
var reHost = awsrules.RelativeHost

// HostKey is a host's part of construct ids: the host with '.' as '_'
// (api, eu_app), unique as labels hold no '_'.
func HostKey(h string) string { return strings.ReplaceAll(h, ".", "_") }

// Props configures the certificate. Every field is required.
type Props struct {
	// Domain is the deployment's domain, e.g. example.com (lowercase, no
	// trailing dot). The certificate covers it and <host>.<Domain> of each host.
	Domain string
	// Hosts are the names under Domain the certificate covers, e.g. api and
	// app (at least one, each a DNS label).
	Hosts []string
	// ZoneID is the public Route 53 zone of Domain, where the validation
	// records go.
	ZoneID *string
	// ZoneProvider writes the validation records (optional): the provider
	// of the zone's account when that is not the stack's (the certificate
	// itself stays with the stack's provider).
	ZoneProvider cdktf.TerraformProvider
}

// Outputs of the certificate.
type Outputs struct {
	// CertificateARN is the validated certificate's ARN (from
	// aws_acm_certificate_validation): use it for listeners.
	CertificateARN *string
	// Names are the names the certificate covers: Domain, then the hosts.
	Names []string
}

// Names are the names a certificate of domain and hosts covers: the domain first.
func Names(domain string, hosts []string) []string {
	names := []string{domain}
	for _, h := range hosts {
		names = append(names, h+"."+domain)
	}
	return names
}

// Validate checks the props and names the first bad field.
func (p Props) Validate() error {
	switch {
	case len(p.Domain) > 249 || !reDomain.MatchString(p.Domain):
		return fmt.Errorf("certificate: Domain %q is not a domain name; want lowercase labels of a-z, 0-9, '-' such as example.com (no wildcard, no trailing dot)", p.Domain)
	case p.ZoneID == nil:
		return fmt.Errorf("certificate: ZoneID is required")
	case len(p.Hosts) == 0:
		return fmt.Errorf("certificate: Hosts is empty; want the names under Domain, e.g. api and app")
	}
	for _, h := range p.Hosts {
		if !reHost.MatchString(h) {
			return fmt.Errorf("certificate: Hosts: %q is not a name under the domain; want DNS labels of a-z, 0-9, '-' such as api or eu.app", h)
		}
	}
	return nil
}

// New builds the certificate and its validation in scope.
func New(scope constructs.Construct, id string, p Props) (*Outputs, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	c := constructs.NewConstruct(scope, jsii.String(id))
	names := Names(p.Domain, p.Hosts)

	cert := acmcertificate.NewAcmCertificate(c, jsii.String("certificate"), &acmcertificate.AcmCertificateConfig{
		DomainName:              jsii.String(names[0]),
		SubjectAlternativeNames: jsii.Strings(names[1:]...),
		ValidationMethod:        jsii.String("DNS"),
		KeyAlgorithm:            jsii.String("RSA_2048"),
		// A new certificate (e.g. another name) is issued and moved onto the
		// listener before the old one, still in use, is deleted.
		Lifecycle: &cdktf.TerraformResourceLifecycle{CreateBeforeDestroy: jsii.Bool(true)},
		Tags:      &map[string]*string{"Name": jsii.String(p.Domain)},
	})

	// One validation record per name, with a static key (the name), so the
	// plan knows every record before the certificate exists. (for_each over
	// domain_validation_options cannot be planned: the set's elements are
	// unknown until ACM answers, and Terraform refuses unknown keys.) Each
	// record picks its name's entry of domain_validation_options;
	// allow_overwrite adopts a record an earlier certificate of the same
	// names left in the zone.
	addr := "aws_acm_certificate." + *cdktf.TerraformStack_Of(c).GetLogicalId(cert)
	var fqdns []*string
	for i, name := range names {
		pick := func(attr string) *string {
			return jsii.String(fmt.Sprintf("${one([for o in %s.domain_validation_options : o.%s if o.domain_name == %q])}", addr, attr, name))
		}
		key := "domain"
		if i > 0 {
			key = HostKey(p.Hosts[i-1])
		}
		r := route53record.NewRoute53Record(c, jsii.String("validation-"+key), &route53record.Route53RecordConfig{
			ZoneId:         p.ZoneID,
			Name:           pick("resource_record_name"),
			Type:           pick("resource_record_type"),
			Records:        &[]*string{pick("resource_record_value")},
			Ttl:            jsii.Number(ValidationRecordTTL),
			AllowOverwrite: jsii.Bool(true),
			DependsOn:      &[]cdktf.ITerraformDependable{cert},
			Provider:       p.ZoneProvider,
		})
		fqdns = append(fqdns, r.Fqdn())
	}
	v := acmcertificatevalidation.NewAcmCertificateValidation(c, jsii.String("validation-wait"), &acmcertificatevalidation.AcmCertificateValidationConfig{
		CertificateArn:        cert.Arn(),
		ValidationRecordFqdns: &fqdns,
	})
	return &Outputs{CertificateARN: v.CertificateArn(), Names: names}, nil
}
