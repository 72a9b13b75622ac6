package stacks

import (
	"maps"
	"slices"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"selfhost/config"
	"selfhost/constructs/autoscaling"
	"selfhost/constructs/certificate"
	"selfhost/constructs/dns"
	"selfhost/constructs/loadbalancer"
	"selfhost/constructs/service"
)

// ServiceOutputs are what <env>-dns uses of <env>-service.
type ServiceOutputs struct {
	ALBDNSName *string
	ALBZoneID  *string
}

// NewService is <env>-service: certificate, load balancer, Fargate service
// and its autoscaling, pulling from the repository of <env>-registry.
func NewService(scope constructs.Construct, cfg *config.Config, net *NetworkOutputs, data *DataOutputs, reg *RegistryOutputs) (Stack, *ServiceOutputs, error) {
	st := newStack(scope, cfg, config.PartService, "")
	useS3Backend(st, cfg)
	s, lbc := cfg.Service, cfg.LoadBalancer
	name := cfg.ResourcePrefix()

	certARN := jsii.String(lbc.CertificateARN)
	if lbc.CertificateARN == "" {
		// The validation records go into the zone through the DNS role (the
		// zone may be in another account); ACM stays in this one.
		zp := dnsProvider(st, cfg)
		zoneID, err := zoneID(st, cfg, net, zp)
		if err != nil {
			return nil, nil, err
		}
		cert, err := certificate.New(st, "certificate", certificate.Props{Domain: cfg.DNS.Domain, Hosts: cfg.DNS.Hosts(), ZoneID: zoneID, ZoneProvider: zp})
		if err != nil {
			return nil, nil, err
		}
		certARN = cert.CertificateARN
	}

	hc := s.TargetHealthCheck
	logPrefix := ""
	if lbc.AccessLogsBucket != "" {
		logPrefix = name
	}
	lb, err := loadbalancer.New(st, "load-balancer", loadbalancer.Props{
		Name:               name,
		VPCID:              net.VPCID,
		PublicSubnetIDs:    net.PublicSubnetIDs,
		ContainerPort:      s.ContainerPort,
		IngressIPv4CIDRs:   lbc.IngressCIDRs,
		IngressIPv6CIDRs:   lbc.IngressIPv6CIDRs,
		DualStack:          false, // the network tier assigns no IPv6 yet
		DeletionProtection: lbc.DeletionProtection,
		IdleTimeoutSeconds: lbc.IdleTimeoutSeconds,
		AccessLogsBucket:   lbc.AccessLogsBucket,
		AccessLogsPrefix:   logPrefix,
		SSLPolicy:          lbc.SSLPolicy,
		CertificateARN:     certARN,
		HealthCheck: loadbalancer.HealthCheck{
			Path: hc.Path, IntervalSeconds: hc.IntervalSeconds, TimeoutSeconds: hc.TimeoutSeconds,
			HealthyThreshold: hc.HealthyThreshold, UnhealthyThreshold: hc.UnhealthyThreshold, Matcher: hc.Matcher,
		},
		DeregistrationDelaySeconds: s.DeregistrationDelaySeconds,
		Stickiness:                 loadbalancer.Stickiness{Enabled: s.Stickiness.Enabled, DurationSeconds: s.Stickiness.DurationSeconds},
		SlowStartSeconds:           s.SlowStartSeconds,
		TargetGroupNamePrefix:      "app-",
		Routes:                     []loadbalancer.Route{{Name: config.ServiceRouteName, Priority: config.ServiceRoutePriority, Hosts: cfg.DNS.Hostnames()}},
		ZonalShift:                 lbc.ZonalShift,
	})
	if err != nil {
		return nil, nil, err
	}

	env := cfg.ContainerEnv()
	cc := s.ContainerHealthCheck()
	var secrets []service.Secret
	for _, k := range slices.Sorted(maps.Keys(s.Secrets)) {
		secrets = append(secrets, service.Secret{Name: k, ARN: s.Secrets[k]})
	}
	db, buckets := data.For(s.Database, s.Buckets)
	svc, err := service.New(st, "service", service.Props{
		Name:                          name,
		Region:                        cfg.Region,
		Image:                         image(cfg, reg.URL),
		RepositoryARN:                 reg.ARN,
		ContainerName:                 "app",
		ContainerPort:                 s.ContainerPort,
		CPU:                           s.CPU,
		MemoryMiB:                     s.Memory,
		Architecture:                  s.Architecture,
		DesiredCount:                  s.DesiredCount,
		StopTimeoutSeconds:            s.StopTimeoutSeconds,
		HealthCheckGracePeriodSeconds: hc.GracePeriodSeconds,
		TargetHealth:                  service.TargetHealth{IntervalSeconds: hc.IntervalSeconds, HealthyThreshold: hc.HealthyThreshold, UnhealthyThreshold: hc.UnhealthyThreshold},
		DeregistrationDelaySeconds:    s.DeregistrationDelaySeconds,
		PrivateSubnetIDs:              net.PrivateSubnetIDs,
		SecurityGroupID:               lb.ServiceSecurityGroupID,
		TargetGroupARN:                lb.TargetGroupARN,
		HTTPSListener:                 lb.RouteRules[config.ServiceRouteName],
		LogRetentionDays:              s.LogRetentionDays,
		Environment:                   env,
		Secrets:                       secrets,
		ContainerHealthCheck: &service.ContainerHealthCheck{
			Command: cc.Command, IntervalSeconds: cc.IntervalSeconds, TimeoutSeconds: cc.TimeoutSeconds,
			Retries: cc.Retries, StartPeriodSeconds: cc.StartPeriodSeconds,
		},
		TaskRolePolicyARNs: s.TaskRolePolicyARNs,
		Database:           db,
		Buckets:            buckets,
	})
	if err != nil {
		return nil, nil, err
	}

	as := s.Autoscaling
	if _, err := autoscaling.New(st, "autoscaling", autoscaling.Props{
		Name:                      name,
		ClusterName:               svc.ClusterName,
		ServiceName:               svc.ServiceName,
		MinCapacity:               as.Min,
		MaxCapacity:               as.Max,
		CPUTargetPercent:          as.CPUTarget,
		ScaleInCooldownSeconds:    as.ScaleInCooldownSec,
		ScaleOutCooldownSeconds:   as.ScaleOutCooldownSec,
		RequestsPerTarget:         as.RequestsPerTarget,
		RequestCountResourceLabel: lb.RequestCountResourceLabel,
	}); err != nil {
		return nil, nil, err
	}

	out := func(id string, v any) {
		output(st, id, v)
	}
	out("load_balancer_dns_name", lb.DNSName)
	out("api_url", "https://"+cfg.DNS.Hostname(config.HostAPI))
	out("app_url", "https://"+cfg.DNS.Hostname(config.HostApp))
	out("cluster_name", svc.ClusterName)
	out("service_name", svc.ServiceName)
	return st, &ServiceOutputs{ALBDNSName: lb.DNSName, ALBZoneID: lb.ZoneID}, nil
}

// image is the container image: the configured URI, or this environment's
// repository pinned by digest (preferred) or tag.
func image(cfg *config.Config, repoURL *string) string {
	img := cfg.Service.Image
	switch {
	case img.URI != "":
		return img.URI
	case img.Digest != "":
		return *repoURL + "@" + img.Digest
	default:
		return *repoURL + ":" + img.Tag
	}
}

// zoneID is the hosted zone's id: created in <env>-network, or looked up
// (through zp, the zone account's provider; nil: the stack's own).
func zoneID(st Stack, cfg *config.Config, net *NetworkOutputs, zp cdktf.TerraformProvider) (*string, error) {
	if net.ZoneID != nil {
		return net.ZoneID, nil
	}
	z, err := dns.Zone(st, "zone", dns.ZoneProps{Domain: cfg.DNS.ZoneName, Provider: zp})
	if err != nil {
		return nil, err
	}
	return z.ZoneID, nil
}
