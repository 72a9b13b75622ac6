package config

import (
	"fmt"
	"regexp"
	"strings"

	"selfhost/awsrules"
)

// reServiceName: a service's name is a DNS label starting with a letter
// (it is in construct ids, AWS names and Terraform addresses).
var reServiceName = regexp.MustCompile(`^[a-z](-?[a-z0-9])*$`)

// MaxServiceName bounds a service's name: <project>-<env>-<name>-task-execution
// must stay an IAM role name (64), with the load balancer's prefix of 32.
const MaxServiceName = 16

// TargetGroupKeys are the keys of a service that configure its target
// group; a worker (no hosts) has none, so it may not set them.
var TargetGroupKeys = []string{"health_check", "stickiness", "slow_start_seconds", "deregistration_delay_seconds", "autoscaling.requests_per_target"}

// validateServices checks services: every service, then what they must
// agree on (hosts, priorities, names) and the load balancer's quotas.
func validateServices(c *Config, bad, warn func(field, format string, a ...any)) {
	if len(c.Services) == 0 {
		bad("services", "is required; want at least one service by name, e.g. services: {api: {hosts: [api], priority: 100}}")
		return
	}
	hostOwner := map[string]string{}
	prioOwner := map[int]string{}
	repoOwner := map[string]string{}
	var adopting []string
	hosted, withDB := 0, 0
	for _, name := range c.ServiceNames() {
		s := c.Services[name]
		p := "services." + name
		if s == nil {
			continue // checkShape reported the null
		}
		if !reServiceName.MatchString(name) || len(name) > MaxServiceName {
			bad(p, "%q is not a service name; want 1-%d of a-z, 0-9 and single '-', starting with a letter and not ending with '-' (a DNS label, e.g. api)", name, MaxServiceName)
		} else if reName.MatchString(c.Project) && reName.MatchString(c.Name) {
			validateServiceNames(c, s, p, bad)
		}
		validateOneService(c, s, p, bad, warn)
		if s.AdoptSingleService {
			adopting = append(adopting, p)
		}
		if s.Database {
			withDB++
		}
		if prev, dup := repoOwner[s.Image.Repository]; dup {
			bad(p+".image.repository", "%q is also the repository of %s; each service has its own", s.Image.Repository, prev)
		}
		repoOwner[s.Image.Repository] = p

		if !s.HasTargetGroup() {
			if s.Priority != 0 {
				bad(p+".priority", "is set but the service has no hosts (a worker has no listener rule); remove it, or give hosts")
			}
			for _, k := range TargetGroupKeys {
				if s.Given(k) {
					bad(p+"."+k, "is set but the service has no hosts: a worker has no target group; remove it, or give hosts")
				}
			}
			continue
		}
		hosted++
		if n := len(s.Hosts); n > awsrules.MaxConditionValues {
			bad(p+".hosts", "has %d hosts; a listener rule matches at most %d host-header values: give at most %d", n, awsrules.MaxConditionValues, awsrules.MaxConditionValues)
		}
		for i, h := range s.Hosts {
			f := fmt.Sprintf("%s.hosts[%d]", p, i)
			rel := c.DNS.RelHost(h)
			full := rel + "." + c.DNS.Domain
			switch {
			case c.DNS.Domain == "":
				// dns.domain reports it
			case h == c.DNS.Domain:
				bad(f, "%q is the domain itself; want a name under it, e.g. api (the certificate covers the domain already)", h)
			case !awsrules.RelativeHost.MatchString(rel):
				bad(f, "%q is not a name under %s; want DNS labels of a-z, 0-9 and '-' such as api or eu.app (or the full name api.%s), no wildcard", h, c.DNS.Domain, c.DNS.Domain)
			case len(full) > awsrules.MaxHostHeaderLength:
				bad(f, "makes the hostname %q of %d characters; a listener rule's host-header value is at most %d", full, len(full), awsrules.MaxHostHeaderLength)
			default:
				if prev, dup := hostOwner[full]; dup {
					bad(f, "%q is also served by %s; each hostname belongs to one service", full, prev)
				}
				hostOwner[full] = p
			}
		}
		switch pr := s.Priority; {
		case pr == 0:
			bad(p+".priority", "is required with hosts; want a unique %d to %d (given, never derived from the order: adding or removing a service changes no other service's rule)", awsrules.MinRulePriority, awsrules.MaxRulePriority)
		case pr < awsrules.MinRulePriority || pr > awsrules.MaxRulePriority:
			bad(p+".priority", "%d is out of range; want a unique %d to %d", pr, awsrules.MinRulePriority, awsrules.MaxRulePriority)
		default:
			if prev, dup := prioOwner[pr]; dup {
				bad(p+".priority", "%d is also the priority of %s; each listener rule has its own", pr, prev)
			}
			prioOwner[pr] = p
		}
	}
	if len(adopting) > 1 {
		for _, p := range adopting {
			bad(p+".adopt_single_service", "is true for %s; at most one service takes over the single service's resources", strings.Join(adopting, " and "))
		}
	}
	if hosted > awsrules.MaxRulesPerALB || hosted > awsrules.MaxTargetGroupsPerALB || hosted > awsrules.MaxOutboundRulesPerSG {
		bad("services", "%d services have hosts; each takes a listener rule, a target group and an outbound rule of the load balancer's security group: at most %d (%d rules and %d target groups per load balancer, %d outbound rules per security group: the default quotas)", hosted, min(awsrules.MaxRulesPerALB, awsrules.MaxTargetGroupsPerALB, awsrules.MaxOutboundRulesPerSG), awsrules.MaxRulesPerALB, awsrules.MaxTargetGroupsPerALB, awsrules.MaxOutboundRulesPerSG)
	}
	if withDB > awsrules.MaxInboundRulesPerSG {
		bad("services", "%d services use the database; its security group admits each with its own inbound rule: at most %d (the default quota)", withDB, awsrules.MaxInboundRulesPerSG)
	}
	if n := 1 + len(hostOwner); c.LoadBalancer.CertificateARN == "" && n > awsrules.MaxCertificateDomainNames {
		bad("services", "serve %d hostnames; the created certificate covers the domain and each of them, %d names, and ACM allows %d per certificate (the default quota): serve fewer, or give load_balancer.certificate_arn of a certificate covering them", n-1, n, awsrules.MaxCertificateDomainNames)
	}
	if hosted == 0 {
		bad("services", "no service has hosts; want at least one serving a name under dns.domain (the load balancer, its certificate and the DNS records serve the hosts), e.g. hosts: [api]")
	}
}

// validateServiceNames checks the AWS names of one service's resources.
func validateServiceNames(c *Config, s *Service, p string, bad func(field, format string, a ...any)) {
	r := c.ServiceResources(s)
	exec, task := r.RoleNames()
	for _, role := range []string{exec, task} {
		if err := awsrules.IAMRoleName(role); err != nil {
			bad(p, "makes the IAM role name %v: shorten the service's name, project or name", err)
		}
	}
	if err := awsrules.LogGroupName(r.LogGroup); err != nil {
		bad(p, "makes the log group name %v", err)
	}
	if err := awsrules.ECSName(r.Base); err != nil {
		bad(p, "makes the ECS service name %v", err)
	}
	if err := awsrules.SecurityGroupNamePrefix(r.SecurityGroupPrefix); err != nil && awsrules.SecurityGroupNamePrefix(c.ResourcePrefix()+"-") == nil {
		bad(p, "makes the security group name prefix %v", err)
	}
	if err := awsrules.TargetGroupNamePrefix(r.TargetGroupPrefix); err != nil {
		bad(p, "makes the target group name prefix %v", err)
	}
}
