package stacks

import (
	"fmt"
	"maps"
	"slices"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"selfhost/config"
	"selfhost/constructs/autoscaling"
	"selfhost/constructs/certificate"
	"selfhost/constructs/cluster"
	"selfhost/constructs/created"
	"selfhost/constructs/dns"
	"selfhost/constructs/loadbalancer"
	"selfhost/constructs/service"
)

// ServiceOutputs are what <env>-dns uses of <env>-service.
type ServiceOutputs struct {
	ALBDNSName *string
	ALBZoneID  *string
	// resources are the resources the stack's load balancer, cluster,
	// services and autoscaling created, with stack-relative paths: those
	// the moved blocks are given to (migrate.go).
	resources created.List
}

// NewService is <env>-service: certificate, load balancer, the ECS
// cluster, and per service (keyed by its name, in name order) its target
// group and listener rule (with hosts), its tasks' security group, roles,
// log group, task definition, ECS service and autoscaling, pulling from its
// repository of <env>-registry.
func NewService(scope constructs.Construct, cfg *config.Config, net *NetworkOutputs, data *DataOutputs, reg *RegistryOutputs) (Stack, *ServiceOutputs, error) {
	st := newStack(scope, cfg, config.PartService, "")
	useS3Backend(st, cfg, config.PartService)
	lbc := cfg.LoadBalancer
	name := cfg.ResourcePrefix()

	certARN := jsii.String(lbc.CertificateARN)
	if lbc.CertificateARN == "" {
		// The validation records go into the zone through the DNS role (the
		// zone may be in another account); ACM stays in this one.
		zp := dnsProvider(st, cfg, config.PartService)
		zoneID, err := zoneID(st, cfg, net, zp)
		if err != nil {
			return nil, nil, err
		}
		cert, err := certificate.New(st, "certificate", certificate.Props{Domain: cfg.DNS.Domain, Hosts: cfg.Hosts(), ZoneID: zoneID, ZoneProvider: zp})
		if err != nil {
			return nil, nil, err
		}
		certARN = cert.CertificateARN
	}

	var targets []loadbalancer.Target
	cfg.Each(func(s *config.Service) {
		if !s.HasTargetGroup() {
			return
		}
		hc := s.TargetHealthCheck
		targets = append(targets, loadbalancer.Target{
			Name:     s.Name,
			Priority: s.Priority,
			Hosts:    cfg.ServiceHostnames(s),
			Port:     s.ContainerPort,
			HealthCheck: loadbalancer.HealthCheck{
				Path: hc.Path, IntervalSeconds: hc.IntervalSeconds, TimeoutSeconds: hc.TimeoutSeconds,
				HealthyThreshold: hc.HealthyThreshold, UnhealthyThreshold: hc.UnhealthyThreshold, Matcher: hc.Matcher,
			},
			DeregistrationDelaySeconds: s.DeregistrationDelaySeconds,
			Stickiness:                 loadbalancer.Stickiness{Enabled: s.Stickiness.Enabled, DurationSeconds: s.Stickiness.DurationSeconds},
			SlowStartSeconds:           s.SlowStartSeconds,
			NamePrefix:                 cfg.ServiceResources(s).TargetGroupPrefix,
		})
	})
	logPrefix := ""
	if lbc.AccessLogsBucket != "" {
		logPrefix = name
	}
	lb, err := loadbalancer.New(st, "load-balancer", loadbalancer.Props{
		Name:               name,
		VPCID:              net.VPCID,
		PublicSubnetIDs:    net.PublicSubnetIDs,
		IngressIPv4CIDRs:   lbc.IngressCIDRs,
		IngressIPv6CIDRs:   lbc.IngressIPv6CIDRs,
		DualStack:          false, // the network tier assigns no IPv6 yet
		DeletionProtection: lbc.DeletionProtection,
		IdleTimeoutSeconds: lbc.IdleTimeoutSeconds,
		AccessLogsBucket:   lbc.AccessLogsBucket,
		AccessLogsPrefix:   logPrefix,
		SSLPolicy:          lbc.SSLPolicy,
		CertificateARN:     certARN,
		Targets:            targets,
		ZonalShift:         lbc.ZonalShift,
	})
	if err != nil {
		return nil, nil, err
	}
	cl, err := cluster.New(st, "cluster", cluster.Props{Name: name})
	if err != nil {
		return nil, nil, err
	}

	rs := append(lb.Resources.In("load-balancer"), cl.Resources.In("cluster")...)

	out := func(id string, v any) {
		output(st, id, v)
	}
	var adopting []string
	for _, n := range cfg.ServiceNames() {
		s := cfg.Services[n]
		srs, err := newOneService(st, cfg, s, net, data, reg, lb, cl)
		if err != nil {
			return nil, nil, fmt.Errorf("services.%s: %w", n, err)
		}
		rs = append(rs, srs...)
		if s.AdoptSingleService {
			adopting = append(adopting, n)
		}
		var urls []string
		for _, h := range cfg.ServiceHostnames(s) {
			urls = append(urls, "https://"+h)
		}
		out("urls_"+n, jsii.Strings(urls...))
		out("service_name_"+n, jsii.String(cfg.ServiceResources(s).Base))
	}
	for _, n := range adopting {
		adoptSingleService(n, singleServiceMoves, rs)
	}
	out("load_balancer_dns_name", lb.DNSName)
	out("cluster_name", cl.Name)
	return st, &ServiceOutputs{ALBDNSName: lb.DNSName, ALBZoneID: lb.ZoneID, resources: rs}, nil
}

// newOneService builds one service's ECS service (constructs/service,
// id service-<name>) and its autoscaling (id autoscaling-<name>), and
// returns the resources they created (stack-relative paths).
func newOneService(st Stack, cfg *config.Config, s *config.Service, net *NetworkOutputs, data *DataOutputs, reg *RegistryOutputs, lb *loadbalancer.Outputs, cl *cluster.Outputs) (created.List, error) {
	res := cfg.ServiceResources(s)
	repo := reg.Repositories[s.Name]
	hc := s.TargetHealthCheck
	cc := s.ContainerHealthCheck()
	var secrets []service.Secret
	for _, k := range slices.Sorted(maps.Keys(s.Secrets)) {
		secrets = append(secrets, service.Secret{Name: k, ARN: s.Secrets[k]})
	}
	db, buckets := data.For(s.Database, s.Buckets)
	p := service.Props{
		Name:                          res.Base,
		ClusterARN:                    cl.ARN,
		LogGroupName:                  res.LogGroup,
		VPCID:                         net.VPCID,
		SecurityGroupNamePrefix:       res.SecurityGroupPrefix,
		Region:                        cfg.Region,
		Image:                         image(s, repo.URL),
		RepositoryARN:                 repo.ARN,
		ContainerName:                 config.ContainerName,
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
		LogRetentionDays:              s.LogRetentionDays,
		Environment:                   cfg.ContainerEnv(s),
		Secrets:                       secrets,
		ContainerHealthCheck: &service.ContainerHealthCheck{
			Command: cc.Command, IntervalSeconds: cc.IntervalSeconds, TimeoutSeconds: cc.TimeoutSeconds,
			Retries: cc.Retries, StartPeriodSeconds: cc.StartPeriodSeconds,
		},
		TaskRolePolicyARNs: s.TaskRolePolicyARNs,
		Database:           db,
		Buckets:            buckets,
	}
	var label *string
	if t, ok := lb.Targets[s.Name]; ok {
		p.LoadBalancer = &service.LoadBalancer{TargetGroupARN: t.TargetGroupARN, Rule: t.Rule, SecurityGroupID: lb.ALBSecurityGroupID}
		label = t.RequestCountResourceLabel
	} else {
		// A worker: no target group to drain or to pass health checks in;
		// its rollout is bounded by the container's own check.
		p.HealthCheckGracePeriodSeconds = 0
		p.DeregistrationDelaySeconds = 0
		p.TargetHealth = service.TargetHealth{IntervalSeconds: cc.IntervalSeconds, HealthyThreshold: 2, UnhealthyThreshold: cc.Retries}
	}
	svcID, asID := "service-"+s.Name, "autoscaling-"+s.Name
	svc, err := service.New(st, svcID, p)
	if err != nil {
		return nil, err
	}
	as := s.Autoscaling
	sc, err := autoscaling.New(st, asID, autoscaling.Props{
		Name:                      res.Base,
		ClusterName:               cl.Name,
		ServiceName:               svc.ServiceName,
		MinCapacity:               as.Min,
		MaxCapacity:               as.Max,
		CPUTargetPercent:          as.CPUTarget,
		MemoryTargetPercent:       as.MemoryTarget,
		ScaleInCooldownSeconds:    as.ScaleInCooldownSec,
		ScaleOutCooldownSeconds:   as.ScaleOutCooldownSec,
		RequestsPerTarget:         as.RequestsPerTarget,
		RequestCountResourceLabel: label,
	})
	if err != nil {
		return nil, err
	}
	return append(svc.Resources.In(svcID), sc.Resources.In(asID)...), nil
}

// image is a service's container image: the configured URI, or its
// repository pinned by digest (preferred) or tag.
func image(s *config.Service, repoURL *string) string {
	img := s.Image
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
