// Package loadbalancer is the services' entry point: an internet-facing
// Application Load Balancer in the public subnets that redirects HTTP to
// HTTPS and, on HTTPS (with HSTS), forwards each target's hosts to the
// target's own IP target group (one host-header rule per target, with its
// given priority) and answers any other Host with a 404; and the ALB's
// security group: 80 and 443 in from the configured CIDRs. Its egress, one
// rule per service to the service's tasks on their port, is added by the
// service construct (constructs/service), which owns the tasks' group.
//
// Each target's rule and target group have construct ids keyed by the
// target's name (route-<name>, target-group-<name>), so adding or removing
// a target leaves the others alone.
//
// All rules are standalone aws_vpc_security_group_{ingress,egress}_rule
// resources keyed by meaning (port and CIDR), so changing one CIDR touches
// one rule. The security groups have no inline rules; Terraform removes the
// default allow-all egress rule AWS adds to a new group.
package loadbalancer

import (
	"fmt"
	"strings"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/lb"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/lblistener"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/lblistenerrule"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/lbtargetgroup"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/securitygroup"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/vpcsecuritygroupingressrule"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"selfhost/awsrules"
	"selfhost/constructs/created"
)

// Limits of the props, quoted in validation messages.
const (
	MaxIdleTimeout          = awsrules.MaxIdleTimeout
	MaxDeregistrationDelay  = awsrules.MaxDeregistrationDelay
	MinSlowStart            = awsrules.MinSlowStart
	MaxSlowStart            = awsrules.MaxSlowStart
	MaxStickinessDuration   = awsrules.MaxStickinessDuration
	MaxTargetGroupPrefixLen = awsrules.MaxTargetGroupNamePrefix
)

var (
	reCertARN     = awsrules.ListenerCertificateARN
	reLogsPrefix  = awsrules.S3KeyPrefix
	ruleIDReplace = strings.NewReplacer(".", "-", ":", "-", "/", "_")
)

// Props configures the load balancer. Every field is required unless its
// comment says otherwise; the environment defaults live in config/defaults.go.
type Props struct {
	// Name is the ALB's name (1-32 of A-Z, a-z, 0-9, '-', not starting or
	// ending with '-') and the prefix of the security groups' name_prefix
	// (<Name>-alb-, <Name>-service-).
	Name string
	// VPCID is the VPC of the security groups and target group.
	VPCID *string
	// PublicSubnetIDs are the ALB's subnets, at least two (in two AZs).
	PublicSubnetIDs []*string
	// IngressIPv4CIDRs may reach the ALB on 80 and 443, e.g. ["0.0.0.0/0"].
	IngressIPv4CIDRs []string
	// IngressIPv6CIDRs may reach the ALB on 80 and 443, e.g. ["::/0"]; they
	// only matter with DualStack. At least one CIDR is required in all.
	IngressIPv6CIDRs []string
	// DualStack gives the ALB IPv6 addresses too (ip_address_type dualstack);
	// the VPC and public subnets must have IPv6 CIDRs.
	DualStack bool
	// DeletionProtection stops the ALB from being deleted (by Terraform too).
	DeletionProtection bool
	// IdleTimeoutSeconds is the ALB's connection idle timeout (1-4000).
	IdleTimeoutSeconds int
	// AccessLogsBucket, when set, turns on access logs to this S3 bucket (its
	// policy must let the region's ELB account write). Optional.
	AccessLogsBucket string
	// AccessLogsPrefix is the key prefix of the access logs (optional, only
	// with AccessLogsBucket).
	AccessLogsPrefix string
	// SSLPolicy is the HTTPS listener's policy, e.g.
	// ELBSecurityPolicy-TLS13-1-2-2021-06 (must start with ELBSecurityPolicy-).
	SSLPolicy string
	// CertificateARN is the HTTPS listener's certificate: pass the certificate
	// construct's validated ARN so the listener waits for validation.
	CertificateARN *string
	// Targets are the services served, each with its hosts, its rule's
	// priority and its target group; optional (with none, every request
	// gets the 404).
	Targets []Target
	// ZonalShift turns on the ALB's ARC zonal shift integration, so an
	// operator (or zonal autoshift) can move traffic off an impaired AZ; it
	// changes nothing until a shift is started.
	ZonalShift bool
}

// Target is one service behind the HTTPS listener: a host-based rule
// forwarding to its own target group.
type Target struct {
	// Name keys the rule and the target group (a DNS label, e.g. api).
	Name string
	// Priority of the rule (1-50000, unique): given, not derived from the
	// target's position.
	Priority int
	// Hosts are the Host header values served (1-5, each at most 128
	// characters), e.g. api.example.com.
	Hosts []string
	// Port is the port the service listens on in its task (1-65535): the
	// target group's port.
	Port int
	// HealthCheck is the target group's health check.
	HealthCheck HealthCheck
	// DeregistrationDelaySeconds is how long a deregistering target keeps
	// in-flight requests (0-3600), e.g. 120.
	DeregistrationDelaySeconds int
	// Stickiness configures lb_cookie session stickiness.
	Stickiness Stickiness
	// SlowStartSeconds ramps traffic to a new target up over this time
	// (30-900); 0 disables slow start.
	SlowStartSeconds int
	// NamePrefix is the target group's name_prefix (1-6 of A-Z, a-z, 0-9,
	// '-', not starting with '-'). The target group gets a generated name
	// so a replacement can be created before the old one is destroyed.
	NamePrefix string
}

// TargetOutputs are one target's resources.
type TargetOutputs struct {
	// TargetGroupARN and TargetGroupARNSuffix (targetgroup/<name>/<id>).
	TargetGroupARN       *string
	TargetGroupARNSuffix *string
	// RequestCountResourceLabel is "<ALB arn_suffix>/<target group
	// arn_suffix>", the resource label of ALBRequestCountPerTarget scaling.
	RequestCountResourceLabel *string
	// Rule is the listener rule: what attaches the target group to the
	// ALB, so the ECS service depends on it.
	Rule cdktf.ITerraformDependable
}

// HealthCheck is the target group's HTTP health check.
type HealthCheck struct {
	// Path is the URL path checked, e.g. /api/status.
	Path string
	// IntervalSeconds between checks (5-300).
	IntervalSeconds int
	// TimeoutSeconds of one check (2-120, less than IntervalSeconds).
	TimeoutSeconds int
	// HealthyThreshold consecutive successes make a target healthy (2-10).
	HealthyThreshold int
	// UnhealthyThreshold consecutive failures make a target unhealthy (2-10).
	UnhealthyThreshold int
	// Matcher is the HTTP codes counted as success, e.g. "200" or "200-299".
	Matcher string
}

// Stickiness is lb_cookie stickiness. Disabled, the target group still gets
// a stickiness block with enabled = false, so toggling it is an in-place
// update.
type Stickiness struct {
	// Enabled turns stickiness on.
	Enabled bool
	// DurationSeconds is the cookie's lifetime (1-604800); required when
	// Enabled, else optional (kept so re-enabling restores it).
	DurationSeconds int
}

// Outputs of the load balancer.
type Outputs struct {
	// ALBARN, ALBARNSuffix (app/<name>/<id>, for CloudWatch dimensions),
	// DNSName and ZoneID (for Route 53 aliases) of the ALB.
	ALBARN       *string
	ALBARNSuffix *string
	DNSName      *string
	ZoneID       *string
	// HTTPListenerARN is the port 80 listener (redirects to HTTPS).
	HTTPListenerARN *string
	// HTTPSListenerARN is the port 443 listener (forwards to the target group).
	HTTPSListenerARN *string
	// HTTPSListener is the HTTPS listener as a dependency.
	HTTPSListener cdktf.ITerraformDependable
	// Targets are each target's resources, by name.
	Targets map[string]TargetOutputs
	// ALBSecurityGroupID is the ALB's security group.
	ALBSecurityGroupID *string
	// Resources are the resources it created (paths below its id).
	Resources created.List
}

// Validate checks the props and names the first bad field.
func (p Props) Validate() error {
	bad := func(format string, a ...any) error { return fmt.Errorf("loadbalancer: "+format, a...) }
	switch {
	case awsrules.ALBName(p.Name) != nil:
		return bad("Name %v", awsrules.ALBName(p.Name))
	case awsrules.SecurityGroupNamePrefix(p.Name+"-alb-") != nil:
		return bad("Name makes the security group name prefix %v", awsrules.SecurityGroupNamePrefix(p.Name+"-alb-"))
	case p.VPCID == nil:
		return bad("VPCID is required")
	case len(p.PublicSubnetIDs) < 2:
		return bad("PublicSubnetIDs has %d subnets; an ALB needs at least 2 (in different AZs)", len(p.PublicSubnetIDs))
	case len(p.IngressIPv4CIDRs)+len(p.IngressIPv6CIDRs) == 0:
		return bad("IngressIPv4CIDRs and IngressIPv6CIDRs are both empty; want at least one CIDR (e.g. 0.0.0.0/0)")
	case p.IdleTimeoutSeconds < 1 || p.IdleTimeoutSeconds > MaxIdleTimeout:
		return bad("IdleTimeoutSeconds %d is out of range; want 1 to %d", p.IdleTimeoutSeconds, MaxIdleTimeout)
	case p.AccessLogsBucket != "" && awsrules.S3BucketName(p.AccessLogsBucket) != nil:
		return bad("AccessLogsBucket %v", awsrules.S3BucketName(p.AccessLogsBucket))
	case p.AccessLogsPrefix != "" && p.AccessLogsBucket == "":
		return bad("AccessLogsPrefix is set without AccessLogsBucket")
	case p.AccessLogsPrefix != "" && (!reLogsPrefix.MatchString(p.AccessLogsPrefix) || strings.Contains(strings.ToLower(p.AccessLogsPrefix), "awslogs")):
		return bad("AccessLogsPrefix %q is not allowed; want path segments of letters, digits and !_.*'()- separated by '/', no leading or trailing '/', not containing AWSLogs", p.AccessLogsPrefix)
	case !strings.HasPrefix(p.SSLPolicy, "ELBSecurityPolicy-"):
		return bad("SSLPolicy %q is not an ELB security policy; want e.g. ELBSecurityPolicy-TLS13-1-2-2021-06", p.SSLPolicy)
	case p.CertificateARN == nil:
		return bad("CertificateARN is required")
	}
	if err := validateTargets(p.Targets); err != nil {
		return err
	}
	seen := map[string]bool{}
	for i, c := range p.IngressIPv4CIDRs {
		if _, err := awsrules.IngressIPv4(c); err != nil {
			return bad("IngressIPv4CIDRs[%d] %v", i, err)
		}
		if seen[c] {
			return bad("IngressIPv4CIDRs[%d] %q is listed twice", i, c)
		}
		seen[c] = true
	}
	for i, c := range p.IngressIPv6CIDRs {
		if _, err := awsrules.ParseIPv6CIDR(c); err != nil {
			return bad("IngressIPv6CIDRs[%d] %v", i, err)
		}
		if seen[c] {
			return bad("IngressIPv6CIDRs[%d] %q is listed twice", i, c)
		}
		seen[c] = true
	}
	if s := *p.CertificateARN; !*cdktf.Token_IsUnresolved(jsii.String(s)) && !reCertARN.MatchString(s) {
		return bad("CertificateARN %q is not an ACM certificate ARN", s)
	}
	return nil
}

func (h HealthCheck) validate() error {
	bad := func(format string, a ...any) error { return fmt.Errorf("HealthCheck."+format, a...) }
	switch {
	case awsrules.HealthCheckPath(h.Path) != nil:
		return bad("Path %v", awsrules.HealthCheckPath(h.Path))
	case h.IntervalSeconds < awsrules.MinHealthCheckInterval || h.IntervalSeconds > awsrules.MaxHealthCheckInterval:
		return bad("IntervalSeconds %d is out of range; want %d to %d", h.IntervalSeconds, awsrules.MinHealthCheckInterval, awsrules.MaxHealthCheckInterval)
	case h.TimeoutSeconds < awsrules.MinHealthCheckTimeout || h.TimeoutSeconds > awsrules.MaxHealthCheckTimeout || h.TimeoutSeconds >= h.IntervalSeconds:
		return bad("TimeoutSeconds %d is out of range; want %d to %d and less than IntervalSeconds (%d)", h.TimeoutSeconds, awsrules.MinHealthCheckTimeout, awsrules.MaxHealthCheckTimeout, h.IntervalSeconds)
	case h.HealthyThreshold < awsrules.MinHealthyThreshold || h.HealthyThreshold > awsrules.MaxHealthyThreshold:
		return bad("HealthyThreshold %d is out of range; want %d to %d", h.HealthyThreshold, awsrules.MinHealthyThreshold, awsrules.MaxHealthyThreshold)
	case h.UnhealthyThreshold < awsrules.MinHealthyThreshold || h.UnhealthyThreshold > awsrules.MaxHealthyThreshold:
		return bad("UnhealthyThreshold %d is out of range; want %d to %d", h.UnhealthyThreshold, awsrules.MinHealthyThreshold, awsrules.MaxHealthyThreshold)
	case awsrules.Matcher(h.Matcher) != nil:
		return bad("Matcher %v", awsrules.Matcher(h.Matcher))
	}
	return nil
}

func validateTargets(targets []Target) error {
	names, prios, hosts := map[string]bool{}, map[int]bool{}, map[string]bool{}
	if len(targets) > awsrules.MaxRulesPerALB {
		return fmt.Errorf("loadbalancer: Targets has %d targets; an ALB holds at most %d rules (the default quota)", len(targets), awsrules.MaxRulesPerALB)
	}
	for i, t := range targets {
		bad := func(format string, a ...any) error {
			return fmt.Errorf("loadbalancer: Targets[%d]."+format, append([]any{i}, a...)...)
		}
		switch {
		case !awsrules.HostLabel.MatchString(t.Name) || names[t.Name]:
			return bad("Name %q is not a unique DNS label; want e.g. api", t.Name)
		case t.Priority < awsrules.MinRulePriority || t.Priority > awsrules.MaxRulePriority || prios[t.Priority]:
			return bad("Priority %d is out of range or used twice; want a unique %d to %d", t.Priority, awsrules.MinRulePriority, awsrules.MaxRulePriority)
		case len(t.Hosts) == 0 || len(t.Hosts) > awsrules.MaxConditionValues:
			return bad("Hosts has %d hosts; a rule matches 1 to %d", len(t.Hosts), awsrules.MaxConditionValues)
		case t.Port < 1 || t.Port > 65535:
			return bad("Port %d is out of range; want 1 to 65535", t.Port)
		case t.DeregistrationDelaySeconds < 0 || t.DeregistrationDelaySeconds > MaxDeregistrationDelay:
			return bad("DeregistrationDelaySeconds %d is out of range; want 0 to %d", t.DeregistrationDelaySeconds, MaxDeregistrationDelay)
		case t.SlowStartSeconds != 0 && (t.SlowStartSeconds < MinSlowStart || t.SlowStartSeconds > MaxSlowStart):
			return bad("SlowStartSeconds %d is out of range; want 0 (off) or %d to %d", t.SlowStartSeconds, MinSlowStart, MaxSlowStart)
		case t.Stickiness.Enabled && (t.Stickiness.DurationSeconds < 1 || t.Stickiness.DurationSeconds > MaxStickinessDuration):
			return bad("Stickiness.DurationSeconds %d is out of range; want 1 to %d when stickiness is enabled", t.Stickiness.DurationSeconds, MaxStickinessDuration)
		case t.Stickiness.DurationSeconds < 0 || t.Stickiness.DurationSeconds > MaxStickinessDuration:
			return bad("Stickiness.DurationSeconds %d is out of range; want 0 (unset) or 1 to %d", t.Stickiness.DurationSeconds, MaxStickinessDuration)
		case awsrules.TargetGroupNamePrefix(t.NamePrefix) != nil:
			return bad("NamePrefix %v", awsrules.TargetGroupNamePrefix(t.NamePrefix))
		}
		if err := t.HealthCheck.validate(); err != nil {
			return bad("%v", err)
		}
		names[t.Name], prios[t.Priority] = true, true
		for _, h := range t.Hosts {
			if h == "" || len(h) > awsrules.MaxHostHeaderLength || hosts[h] {
				return bad("Hosts: %q is empty, longer than %d characters or served twice", h, awsrules.MaxHostHeaderLength)
			}
			hosts[h] = true
		}
	}
	return nil
}

// HSTS is the Strict-Transport-Security header the HTTPS listener adds to
// every response: browsers use HTTPS only for a year, on the served host and
// the names under it (not the parent domain), without preload (which only
// the domain's owner should opt into).
// https://docs.aws.amazon.com/elasticloadbalancing/latest/application/header-modification.html
const HSTS = "max-age=31536000; includeSubDomains"

// NotFound is the HTTPS listener's answer to a Host no route serves.
const NotFound = "404"

// ruleID is a construct id for a rule of one port and CIDR, e.g.
// alb-in-https-0-0-0-0_0: keyed by meaning, so adding or removing a CIDR
// leaves the other rules alone.
func ruleID(prefix, cidr string) string { return prefix + "-" + ruleIDReplace.Replace(cidr) }

// New builds the load balancer in scope.
func New(scope constructs.Construct, id string, p Props) (*Outputs, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	c := constructs.NewConstruct(scope, jsii.String(id))
	name := func(s string) *map[string]*string {
		return &map[string]*string{"Name": jsii.String(p.Name + "-" + s)}
	}

	// Generated names and create_before_destroy: a change that replaces a
	// group (description, VPC) creates the new one, moves the ALB and the
	// tasks to it, and only then deletes the old one, which AWS refuses
	// (DependencyViolation) while anything uses it.
	var rs created.List
	albSG := created.Add(&rs, "alb-sg", securitygroup.NewSecurityGroup(c, jsii.String("alb-sg"), &securitygroup.SecurityGroupConfig{
		NamePrefix:  jsii.String(p.Name + "-alb-"),
		Description: jsii.String("ALB: HTTP and HTTPS in from the allowed CIDRs; out to the service only"),
		VpcId:       p.VPCID,
		Tags:        name("alb"),
		Lifecycle:   &cdktf.TerraformResourceLifecycle{CreateBeforeDestroy: jsii.Bool(true)},
	}))
	// Each attribute is read once and the string reused (a read is a jsii
	// round trip that mints a new token for the same reference).
	albSGID := albSG.Id()
	for _, l := range []struct {
		key  string
		port float64
	}{{"http", 80}, {"https", 443}} {
		for _, cidr := range p.IngressIPv4CIDRs {
			id := ruleID("alb-in-"+l.key, cidr)
			created.Add(&rs, id, vpcsecuritygroupingressrule.NewVpcSecurityGroupIngressRule(c, jsii.String(id), &vpcsecuritygroupingressrule.VpcSecurityGroupIngressRuleConfig{
				SecurityGroupId: albSGID,
				Description:     jsii.String(strings.ToUpper(l.key) + " from " + cidr),
				IpProtocol:      jsii.String("tcp"),
				FromPort:        jsii.Number(l.port),
				ToPort:          jsii.Number(l.port),
				CidrIpv4:        jsii.String(cidr),
			}))
		}
		for _, cidr := range p.IngressIPv6CIDRs {
			id := ruleID("alb-in-"+l.key, cidr)
			created.Add(&rs, id, vpcsecuritygroupingressrule.NewVpcSecurityGroupIngressRule(c, jsii.String(id), &vpcsecuritygroupingressrule.VpcSecurityGroupIngressRuleConfig{
				SecurityGroupId: albSGID,
				Description:     jsii.String(strings.ToUpper(l.key) + " from " + cidr),
				IpProtocol:      jsii.String("tcp"),
				FromPort:        jsii.Number(l.port),
				ToPort:          jsii.Number(l.port),
				CidrIpv6:        jsii.String(cidr),
			}))
		}
	}
	albCfg := &lb.LbConfig{
		Name:                     jsii.String(p.Name),
		LoadBalancerType:         jsii.String("application"),
		Internal:                 jsii.Bool(false),
		IpAddressType:            jsii.String("ipv4"),
		SecurityGroups:           &[]*string{albSGID},
		Subnets:                  &p.PublicSubnetIDs,
		EnableDeletionProtection: jsii.Bool(p.DeletionProtection),
		DropInvalidHeaderFields:  jsii.Bool(true),
		IdleTimeout:              jsii.Number(float64(p.IdleTimeoutSeconds)),
		EnableHttp2:              jsii.Bool(true),
		EnableZonalShift:         jsii.Bool(p.ZonalShift),
		Tags:                     &map[string]*string{"Name": jsii.String(p.Name)},
	}
	if p.DualStack {
		albCfg.IpAddressType = jsii.String("dualstack")
	}
	if p.AccessLogsBucket != "" {
		albCfg.AccessLogs = &lb.LbAccessLogs{Bucket: jsii.String(p.AccessLogsBucket), Enabled: jsii.Bool(true)}
		if p.AccessLogsPrefix != "" {
			albCfg.AccessLogs.Prefix = jsii.String(p.AccessLogsPrefix)
		}
	}
	alb := created.Add(&rs, "alb", lb.NewLb(c, jsii.String("alb"), albCfg))
	albARN, albARNSuffix := alb.Arn(), alb.ArnSuffix()

	httpL := created.Add(&rs, "http", lblistener.NewLbListener(c, jsii.String("http"), &lblistener.LbListenerConfig{
		LoadBalancerArn: albARN,
		Port:            jsii.Number(80),
		Protocol:        jsii.String("HTTP"),
		DefaultAction: &[]*lblistener.LbListenerDefaultAction{{
			Type: jsii.String("redirect"),
			Redirect: &lblistener.LbListenerDefaultActionRedirect{
				Protocol:   jsii.String("HTTPS"),
				Port:       jsii.String("443"),
				StatusCode: jsii.String("HTTP_301"),
			},
		}},
		Tags: name("http"),
	}))
	httpsL := created.Add(&rs, "https", lblistener.NewLbListener(c, jsii.String("https"), &lblistener.LbListenerConfig{
		LoadBalancerArn: albARN,
		Port:            jsii.Number(443),
		Protocol:        jsii.String("HTTPS"),
		SslPolicy:       jsii.String(p.SSLPolicy),
		CertificateArn:  p.CertificateARN,
		RoutingHttpResponseStrictTransportSecurityHeaderValue: jsii.String(HSTS),
		// Only the configured hosts are served (the routes below): a request
		// for any other Host, the raw ALB name included, never reaches the
		// service.
		DefaultAction: &[]*lblistener.LbListenerDefaultAction{{
			Type: jsii.String("fixed-response"),
			FixedResponse: &lblistener.LbListenerDefaultActionFixedResponse{
				ContentType: jsii.String("text/plain"),
				MessageBody: jsii.String("Not Found"),
				StatusCode:  jsii.String(NotFound),
			},
		}},
		Tags: name("https"),
	}))
	httpsARN := httpsL.Arn()
	targets := map[string]TargetOutputs{}
	for _, t := range p.Targets {
		tgID, routeID := "target-group-"+t.Name, "route-"+t.Name
		tg := created.Add(&rs, tgID, targetGroup(c, tgID, p, t))
		tgARN, tgARNSuffix := tg.Arn(), tg.ArnSuffix()
		rule := created.Add(&rs, routeID, lblistenerrule.NewLbListenerRule(c, jsii.String(routeID), &lblistenerrule.LbListenerRuleConfig{
			ListenerArn: httpsARN,
			Priority:    jsii.Number(float64(t.Priority)),
			Condition: &[]*lblistenerrule.LbListenerRuleCondition{{
				HostHeader: &lblistenerrule.LbListenerRuleConditionHostHeader{Values: jsii.Strings(t.Hosts...)},
			}},
			Action: &[]*lblistenerrule.LbListenerRuleAction{{
				Type:           jsii.String("forward"),
				TargetGroupArn: tgARN,
			}},
			Tags: name("route-" + t.Name),
		}))
		targets[t.Name] = TargetOutputs{
			TargetGroupARN:            tgARN,
			TargetGroupARNSuffix:      tgARNSuffix,
			RequestCountResourceLabel: jsii.String(*albARNSuffix + "/" + *tgARNSuffix),
			Rule:                      rule,
		}
	}

	return &Outputs{
		ALBARN:             albARN,
		ALBARNSuffix:       albARNSuffix,
		DNSName:            alb.DnsName(),
		ZoneID:             alb.ZoneId(),
		HTTPListenerARN:    httpL.Arn(),
		HTTPSListenerARN:   httpsARN,
		HTTPSListener:      httpsL,
		Targets:            targets,
		ALBSecurityGroupID: albSGID,
		Resources:          rs,
	}, nil
}

// targetGroup is a target's IP target group, with the id id
// (target-group-<name>).
func targetGroup(c constructs.Construct, id string, p Props, t Target) lbtargetgroup.LbTargetGroup {
	hc := t.HealthCheck
	stick := &lbtargetgroup.LbTargetGroupStickiness{Type: jsii.String("lb_cookie"), Enabled: jsii.Bool(t.Stickiness.Enabled)}
	if t.Stickiness.DurationSeconds > 0 {
		stick.CookieDuration = jsii.Number(float64(t.Stickiness.DurationSeconds))
	}
	return lbtargetgroup.NewLbTargetGroup(c, jsii.String(id), &lbtargetgroup.LbTargetGroupConfig{
		NamePrefix:          jsii.String(t.NamePrefix),
		TargetType:          jsii.String("ip"),
		Protocol:            jsii.String("HTTP"),
		Port:                jsii.Number(float64(t.Port)),
		VpcId:               p.VPCID,
		DeregistrationDelay: jsii.String(fmt.Sprint(t.DeregistrationDelaySeconds)),
		HealthCheck: &lbtargetgroup.LbTargetGroupHealthCheck{
			Enabled:            jsii.Bool(true),
			Protocol:           jsii.String("HTTP"),
			Port:               jsii.String("traffic-port"),
			Path:               jsii.String(hc.Path),
			Interval:           jsii.Number(float64(hc.IntervalSeconds)),
			Timeout:            jsii.Number(float64(hc.TimeoutSeconds)),
			HealthyThreshold:   jsii.Number(float64(hc.HealthyThreshold)),
			UnhealthyThreshold: jsii.Number(float64(hc.UnhealthyThreshold)),
			Matcher:            jsii.String(hc.Matcher),
		},
		Stickiness: stick,
		SlowStart:  jsii.Number(float64(t.SlowStartSeconds)),
		// A changed port, protocol or VPC replaces the target group; with a
		// generated name the new one is created and the rule moved to it
		// before the old one is deleted (no ResourceInUse, no name clash).
		Lifecycle: &cdktf.TerraformResourceLifecycle{CreateBeforeDestroy: jsii.Bool(true)},
		Tags:      &map[string]*string{"Name": jsii.String(p.Name + "-tg-" + t.Name)},
	})
}
