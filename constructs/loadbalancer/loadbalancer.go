// Package loadbalancer is the service's entry point: an internet-facing
// Application Load Balancer in the public subnets that redirects HTTP to
// HTTPS and, on HTTPS (with HSTS), forwards the configured hosts to an IP
// target group on the container port and answers any other Host with a 404,
// and the two security groups of the path:
//
//   - the ALB's: 80 and 443 in from the configured CIDRs; out only to the
//     service security group on the container port;
//   - the service's (for the ECS tasks): the container port in from the ALB's
//     security group only; out 443 only, to 0.0.0.0/0, which is how tasks
//     reach ECR, CloudWatch Logs, Secrets Manager and STS through the
//     interface endpoints, S3 (image layers) through the gateway endpoint, and
//     any other HTTPS API through the NAT gateways. Further egress (e.g. the
//     database port) is added by the construct owning the target, as an
//     aws_vpc_security_group_egress_rule on ServiceSecurityGroupID.
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
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/vpcsecuritygroupegressrule"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/vpcsecuritygroupingressrule"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"selfhost/awsrules"
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
	// ContainerPort is the port the service listens on in its task (1-65535):
	// the target group's port and the only port the ALB may reach.
	ContainerPort int
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
	// TargetGroupNamePrefix is the target group's name_prefix (1-6 of A-Z,
	// a-z, 0-9, '-', not starting with '-'). The target group gets a generated
	// name so a replacement can be created before the old one is destroyed.
	TargetGroupNamePrefix string
	// Routes are the HTTPS listener's rules, at least one: a request whose
	// Host is one of a route's hosts is forwarded to the target group; any
	// other Host (the ALB's own DNS name included) gets a 404.
	Routes []Route
	// ZonalShift turns on the ALB's ARC zonal shift integration, so an
	// operator (or zonal autoshift) can move traffic off an impaired AZ; it
	// changes nothing until a shift is started.
	ZonalShift bool
}

// Route is one host-based rule of the HTTPS listener. Its rule's construct
// id is route-<Name>, so adding or removing a route leaves the others alone.
type Route struct {
	// Name keys the rule (a DNS label, e.g. service).
	Name string
	// Priority of the rule (1-50000, unique): given, not derived from the
	// route's position.
	Priority int
	// Hosts are the Host header values served (1-5, each at most 128
	// characters), e.g. api.example.com.
	Hosts []string
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
	// RouteRules are the HTTPS listener's rules by route name: what attaches
	// the target group to the ALB, so the ECS service depends on its route's.
	RouteRules map[string]cdktf.ITerraformDependable
	// TargetGroupARN and TargetGroupARNSuffix (targetgroup/<name>/<id>).
	TargetGroupARN       *string
	TargetGroupARNSuffix *string
	// RequestCountResourceLabel is "<ALB arn_suffix>/<target group
	// arn_suffix>", the resource label of ALBRequestCountPerTarget scaling.
	RequestCountResourceLabel *string
	// ALBSecurityGroupID is the ALB's security group.
	ALBSecurityGroupID *string
	// ServiceSecurityGroupID is the security group for the ECS tasks.
	ServiceSecurityGroupID *string
}

// Validate checks the props and names the first bad field.
func (p Props) Validate() error {
	bad := func(format string, a ...any) error { return fmt.Errorf("loadbalancer: "+format, a...) }
	switch {
	case awsrules.ALBName(p.Name) != nil:
		return bad("Name %v", awsrules.ALBName(p.Name))
	case awsrules.SecurityGroupNamePrefix(p.Name+"-service-") != nil:
		return bad("Name makes the security group name prefix %v", awsrules.SecurityGroupNamePrefix(p.Name+"-service-"))
	case p.VPCID == nil:
		return bad("VPCID is required")
	case len(p.PublicSubnetIDs) < 2:
		return bad("PublicSubnetIDs has %d subnets; an ALB needs at least 2 (in different AZs)", len(p.PublicSubnetIDs))
	case p.ContainerPort < 1 || p.ContainerPort > 65535:
		return bad("ContainerPort %d is out of range; want 1 to 65535", p.ContainerPort)
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
	case p.DeregistrationDelaySeconds < 0 || p.DeregistrationDelaySeconds > MaxDeregistrationDelay:
		return bad("DeregistrationDelaySeconds %d is out of range; want 0 to %d", p.DeregistrationDelaySeconds, MaxDeregistrationDelay)
	case p.SlowStartSeconds != 0 && (p.SlowStartSeconds < MinSlowStart || p.SlowStartSeconds > MaxSlowStart):
		return bad("SlowStartSeconds %d is out of range; want 0 (off) or %d to %d", p.SlowStartSeconds, MinSlowStart, MaxSlowStart)
	case p.Stickiness.Enabled && (p.Stickiness.DurationSeconds < 1 || p.Stickiness.DurationSeconds > MaxStickinessDuration):
		return bad("Stickiness.DurationSeconds %d is out of range; want 1 to %d when stickiness is enabled", p.Stickiness.DurationSeconds, MaxStickinessDuration)
	case p.Stickiness.DurationSeconds < 0 || p.Stickiness.DurationSeconds > MaxStickinessDuration:
		return bad("Stickiness.DurationSeconds %d is out of range; want 0 (unset) or 1 to %d", p.Stickiness.DurationSeconds, MaxStickinessDuration)
	case awsrules.TargetGroupNamePrefix(p.TargetGroupNamePrefix) != nil:
		return bad("TargetGroupNamePrefix %v", awsrules.TargetGroupNamePrefix(p.TargetGroupNamePrefix))
	}
	if err := p.HealthCheck.validate(); err != nil {
		return err
	}
	if err := validateRoutes(p.Routes); err != nil {
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
	bad := func(format string, a ...any) error { return fmt.Errorf("loadbalancer: HealthCheck."+format, a...) }
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

func validateRoutes(routes []Route) error {
	bad := func(format string, a ...any) error { return fmt.Errorf("loadbalancer: Routes"+format, a...) }
	if len(routes) == 0 {
		return bad(" is empty; want at least one route (name, priority, hosts)")
	}
	names, prios, hosts := map[string]bool{}, map[int]bool{}, map[string]bool{}
	for i, r := range routes {
		switch {
		case !awsrules.HostLabel.MatchString(r.Name) || names[r.Name]:
			return bad("[%d].Name %q is not a unique DNS label; want e.g. service", i, r.Name)
		case r.Priority < awsrules.MinRulePriority || r.Priority > awsrules.MaxRulePriority || prios[r.Priority]:
			return bad("[%d].Priority %d is out of range or used twice; want a unique %d to %d", i, r.Priority, awsrules.MinRulePriority, awsrules.MaxRulePriority)
		case len(r.Hosts) == 0 || len(r.Hosts) > awsrules.MaxConditionValues:
			return bad("[%d].Hosts has %d hosts; a rule matches 1 to %d", i, len(r.Hosts), awsrules.MaxConditionValues)
		}
		names[r.Name], prios[r.Priority] = true, true
		for _, h := range r.Hosts {
			if h == "" || len(h) > awsrules.MaxHostHeaderLength || hosts[h] {
				return bad("[%d].Hosts: %q is empty, longer than %d characters or served twice", i, h, awsrules.MaxHostHeaderLength)
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
	port := jsii.Number(float64(p.ContainerPort))

	// Generated names and create_before_destroy: a change that replaces a
	// group (description, VPC) creates the new one, moves the ALB and the
	// tasks to it, and only then deletes the old one, which AWS refuses
	// (DependencyViolation) while anything uses it.
	albSG := securitygroup.NewSecurityGroup(c, jsii.String("alb-sg"), &securitygroup.SecurityGroupConfig{
		NamePrefix:  jsii.String(p.Name + "-alb-"),
		Description: jsii.String("ALB: HTTP and HTTPS in from the allowed CIDRs; out to the service only"),
		VpcId:       p.VPCID,
		Tags:        name("alb"),
		Lifecycle:   &cdktf.TerraformResourceLifecycle{CreateBeforeDestroy: jsii.Bool(true)},
	})
	svcSG := securitygroup.NewSecurityGroup(c, jsii.String("service-sg"), &securitygroup.SecurityGroupConfig{
		NamePrefix:  jsii.String(p.Name + "-service-"),
		Description: jsii.String("Service tasks: container port in from the ALB only; HTTPS out"),
		VpcId:       p.VPCID,
		Tags:        name("service"),
		Lifecycle:   &cdktf.TerraformResourceLifecycle{CreateBeforeDestroy: jsii.Bool(true)},
	})
	// Each attribute is read once and the string reused (a read is a jsii
	// round trip that mints a new token for the same reference).
	albSGID, svcSGID := albSG.Id(), svcSG.Id()

	for _, l := range []struct {
		key  string
		port float64
	}{{"http", 80}, {"https", 443}} {
		for _, cidr := range p.IngressIPv4CIDRs {
			vpcsecuritygroupingressrule.NewVpcSecurityGroupIngressRule(c, jsii.String(ruleID("alb-in-"+l.key, cidr)), &vpcsecuritygroupingressrule.VpcSecurityGroupIngressRuleConfig{
				SecurityGroupId: albSGID,
				Description:     jsii.String(strings.ToUpper(l.key) + " from " + cidr),
				IpProtocol:      jsii.String("tcp"),
				FromPort:        jsii.Number(l.port),
				ToPort:          jsii.Number(l.port),
				CidrIpv4:        jsii.String(cidr),
			})
		}
		for _, cidr := range p.IngressIPv6CIDRs {
			vpcsecuritygroupingressrule.NewVpcSecurityGroupIngressRule(c, jsii.String(ruleID("alb-in-"+l.key, cidr)), &vpcsecuritygroupingressrule.VpcSecurityGroupIngressRuleConfig{
				SecurityGroupId: albSGID,
				Description:     jsii.String(strings.ToUpper(l.key) + " from " + cidr),
				IpProtocol:      jsii.String("tcp"),
				FromPort:        jsii.Number(l.port),
				ToPort:          jsii.Number(l.port),
				CidrIpv6:        jsii.String(cidr),
			})
		}
	}
	vpcsecuritygroupegressrule.NewVpcSecurityGroupEgressRule(c, jsii.String("alb-out-service"), &vpcsecuritygroupegressrule.VpcSecurityGroupEgressRuleConfig{
		SecurityGroupId:           albSGID,
		Description:               jsii.String("To the service tasks on the container port"),
		IpProtocol:                jsii.String("tcp"),
		FromPort:                  port,
		ToPort:                    port,
		ReferencedSecurityGroupId: svcSGID,
	})
	vpcsecuritygroupingressrule.NewVpcSecurityGroupIngressRule(c, jsii.String("service-in-alb"), &vpcsecuritygroupingressrule.VpcSecurityGroupIngressRuleConfig{
		SecurityGroupId:           svcSGID,
		Description:               jsii.String("From the ALB on the container port"),
		IpProtocol:                jsii.String("tcp"),
		FromPort:                  port,
		ToPort:                    port,
		ReferencedSecurityGroupId: albSGID,
	})
	vpcsecuritygroupegressrule.NewVpcSecurityGroupEgressRule(c, jsii.String("service-out-https"), &vpcsecuritygroupegressrule.VpcSecurityGroupEgressRuleConfig{
		SecurityGroupId: svcSGID,
		Description:     jsii.String("HTTPS to AWS APIs (interface endpoints), S3 (gateway endpoint) and the internet via NAT"),
		IpProtocol:      jsii.String("tcp"),
		FromPort:        jsii.Number(443),
		ToPort:          jsii.Number(443),
		CidrIpv4:        jsii.String("0.0.0.0/0"),
	})

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
	alb := lb.NewLb(c, jsii.String("alb"), albCfg)
	albARN, albARNSuffix := alb.Arn(), alb.ArnSuffix()

	hc := p.HealthCheck
	stick := &lbtargetgroup.LbTargetGroupStickiness{Type: jsii.String("lb_cookie"), Enabled: jsii.Bool(p.Stickiness.Enabled)}
	if p.Stickiness.DurationSeconds > 0 {
		stick.CookieDuration = jsii.Number(float64(p.Stickiness.DurationSeconds))
	}
	tgCfg := &lbtargetgroup.LbTargetGroupConfig{
		NamePrefix:          jsii.String(p.TargetGroupNamePrefix),
		TargetType:          jsii.String("ip"),
		Protocol:            jsii.String("HTTP"),
		Port:                port,
		VpcId:               p.VPCID,
		DeregistrationDelay: jsii.String(fmt.Sprint(p.DeregistrationDelaySeconds)),
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
		SlowStart:  jsii.Number(float64(p.SlowStartSeconds)),
		// A changed port, protocol or VPC replaces the target group; with a
		// generated name the new one is created and the listener moved to it
		// before the old one is deleted (no ResourceInUse, no name clash).
		Lifecycle: &cdktf.TerraformResourceLifecycle{CreateBeforeDestroy: jsii.Bool(true)},
		Tags:      name("tg"),
	}
	tg := lbtargetgroup.NewLbTargetGroup(c, jsii.String("target-group"), tgCfg)
	tgARN, tgARNSuffix := tg.Arn(), tg.ArnSuffix()

	httpL := lblistener.NewLbListener(c, jsii.String("http"), &lblistener.LbListenerConfig{
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
	})
	httpsL := lblistener.NewLbListener(c, jsii.String("https"), &lblistener.LbListenerConfig{
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
	})
	httpsARN := httpsL.Arn()
	routeRules := map[string]cdktf.ITerraformDependable{}
	for _, r := range p.Routes {
		routeRules[r.Name] = lblistenerrule.NewLbListenerRule(c, jsii.String("route-"+r.Name), &lblistenerrule.LbListenerRuleConfig{
			ListenerArn: httpsARN,
			Priority:    jsii.Number(float64(r.Priority)),
			Condition: &[]*lblistenerrule.LbListenerRuleCondition{{
				HostHeader: &lblistenerrule.LbListenerRuleConditionHostHeader{Values: jsii.Strings(r.Hosts...)},
			}},
			Action: &[]*lblistenerrule.LbListenerRuleAction{{
				Type:           jsii.String("forward"),
				TargetGroupArn: tgARN,
			}},
			Tags: name("route-" + r.Name),
		})
	}

	return &Outputs{
		ALBARN:                    albARN,
		ALBARNSuffix:              albARNSuffix,
		DNSName:                   alb.DnsName(),
		ZoneID:                    alb.ZoneId(),
		HTTPListenerARN:           httpL.Arn(),
		HTTPSListenerARN:          httpsARN,
		HTTPSListener:             httpsL,
		RouteRules:                routeRules,
		TargetGroupARN:            tgARN,
		TargetGroupARNSuffix:      tgARNSuffix,
		RequestCountResourceLabel: jsii.String(*albARNSuffix + "/" + *tgARNSuffix),
		ALBSecurityGroupID:        albSGID,
		ServiceSecurityGroupID:    svcSGID,
	}, nil
}
