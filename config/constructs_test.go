package config

import (
	"errors"
	"strings"
	"testing"

	"selfhost/awsrules"
)

// Every check a construct makes of its Props that a configuration value can
// reach has its config rule, which names the file and field: a file holding
// the value is refused by config, so the construct's own message (which
// names neither) never reaches a user. Each row is one construct check, the
// config value that would reach it, and the field config names.
func TestConfigRefusesWhatConstructsWould(t *testing.T) {
	nonProd := "production: false\nload_balancer: {deletion_protection: false}\n"
	rows := []struct {
		check, file, field string
	}{
		// loadbalancer.Props.Validate
		{"loadbalancer: Name (ALB name, 32)", "name: prod\nproject: abcdefghijklmnopqrst-x\n", "project"},
		{"loadbalancer: Name not internal-", "project: internal\n", "name"},
		{"loadbalancer, network: security group name_prefix not sg-", "project: sg\n", "project"},
		{"loadbalancer: ContainerPort", svc("  container_port: 70000\n"), "services.api.container_port"},
		{"loadbalancer: IngressIPv4CIDRs empty", "load_balancer: {ingress_cidrs: []}\n", "load_balancer.ingress_cidrs"},
		{"loadbalancer: IngressIPv4CIDRs not IPv4", "load_balancer: {ingress_cidrs: ['::/0']}\n", "load_balancer.ingress_cidrs[0]"},
		{"loadbalancer: IngressIPv4CIDRs listed twice", "load_balancer: {ingress_cidrs: [1.2.3.0/24, 1.2.3.0/24]}\n", "load_balancer.ingress_cidrs[1]"},
		{"loadbalancer: IngressIPv6CIDRs canonical", "load_balancer: {ingress_ipv6_cidrs: ['2001:DB8::/32']}\n", "load_balancer.ingress_ipv6_cidrs[0]"},
		{"loadbalancer: IdleTimeoutSeconds", "load_balancer: {idle_timeout_seconds: 4001}\n", "load_balancer.idle_timeout_seconds"},
		{"loadbalancer: AccessLogsBucket", "load_balancer: {access_logs_bucket: Logs}\n", "load_balancer.access_logs_bucket"},
		{"loadbalancer: SSLPolicy", "load_balancer: {ssl_policy: TLS}\n", "load_balancer.ssl_policy"},
		{"loadbalancer: CertificateARN", "load_balancer: {certificate_arn: 'arn:aws:iam::123456789012:server-certificate/x'}\n", "load_balancer.certificate_arn"},
		{"loadbalancer: DeregistrationDelaySeconds", svc("  deregistration_delay_seconds: 3601\n"), "services.api.deregistration_delay_seconds"},
		{"loadbalancer: SlowStartSeconds", svc("  slow_start_seconds: 10\n"), "services.api.slow_start_seconds"},
		{"loadbalancer: Stickiness.DurationSeconds", svc("  stickiness: {enabled: true, duration_seconds: 604801}\n"), "services.api.stickiness.duration_seconds"},
		{"loadbalancer: HealthCheck.Path", svc("  health_check: {path: '/a b'}\n"), "services.api.health_check.path"},
		{"loadbalancer: HealthCheck.IntervalSeconds", svc("  health_check: {interval_seconds: 301}\n"), "services.api.health_check.interval_seconds"},
		{"loadbalancer: HealthCheck.TimeoutSeconds", svc("  health_check: {timeout_seconds: 15}\n"), "services.api.health_check.timeout_seconds"},
		{"loadbalancer: HealthCheck.HealthyThreshold", svc("  health_check: {healthy_threshold: 11}\n"), "services.api.health_check.healthy_threshold"},
		{"loadbalancer: HealthCheck.UnhealthyThreshold", svc("  health_check: {unhealthy_threshold: 1}\n"), "services.api.health_check.unhealthy_threshold"},
		{"loadbalancer: HealthCheck.Matcher", svc("  health_check: {matcher: '500'}\n"), "services.api.health_check.matcher"},
		{"loadbalancer: Routes host-header at most 128", "dns: {domain: " + strings.Repeat("a", 60) + "." + strings.Repeat("b", 60) + ".com}\n", "services.api.hosts[0]"},
		{"loadbalancer: Routes host-header of 128 is fine", "dns: {domain: " + strings.Repeat("a", 60) + "." + strings.Repeat("b", 59) + ".com}\n", ""},
		// registry.Props.Validate
		{"registry: Name", strings.Replace(valid, `"}`, `", repository: A}`, 1), "services.api.image.repository"},
		{"registry: TagMutability", "registry: {tag_mutability: immutable}\n", "registry.tag_mutability"},
		{"registry: UntaggedExpiryDays", "registry: {untagged_expiry_days: 3651}\n", "registry.untagged_expiry_days"},
		// service.Props.Validate
		{"service: StopTimeoutSeconds", svc("  stop_timeout_seconds: 121\n"), "services.api.stop_timeout_seconds"},
		{"service: HealthCheckGracePeriodSeconds", svc("  health_check: {grace_period_seconds: 7201}\n"), "services.api.health_check.grace_period_seconds"},
		{"service: Architecture", svc("  architecture: arm64\n"), "services.api.architecture"},
		{"service: DesiredCount", svc("  desired_count: 1001\n"), "services.api.desired_count"},
		{"service: LogRetentionDays", svc("  log_retention_days: 2\n"), "services.api.log_retention_days"},
		{"service: Fargate CPU", svc("  cpu: 100\n"), "services.api.cpu"},
		{"service: Fargate memory", svc("  memory: 100\n"), "services.api.memory"},
		{"service: Environment name", svc("  environment: {1X: y}\n"), "services.api.environment.1X"},
		{"service: Secrets name", svc("  secrets: {'a-b': 'arn:aws:ssm:us-east-1:123456789012:parameter/x'}\n"), "services.api.secrets.a-b"},
		{"service: Secrets also in Environment", svc("  environment: {X: y}\n  secrets: {X: 'arn:aws:ssm:us-east-1:123456789012:parameter/x'}\n"), "services.api.environment.X"},
		{"service: Secrets ARN", svc("  secrets: {X: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:x'}\n"), "services.api.secrets.X"},
		{"service: TaskRolePolicyARNs shape", svc("  task_role_policy_arns: [ReadOnlyAccess]\n"), "services.api.task_role_policy_arns[0]"},
		{"service: TaskRolePolicyARNs policy names unique", svc("  task_role_policy_arns: ['arn:aws:iam::aws:policy/A', 'arn:aws:iam::123456789012:policy/A']\n"), "services.api.task_role_policy_arns[1]"},
		{"service: HealthCheck.Command", svc("  health_command: [CMD]\n"), "services.api.health_command"},
		// autoscaling.Props.Validate
		{"autoscaling: MinCapacity", svc("  autoscaling: {min: 0}\n"), "services.api.autoscaling.min"},
		{"autoscaling: MaxCapacity", svc("  autoscaling: {max: 1001}\n"), "services.api.autoscaling.max"},
		{"autoscaling: MaxCapacity from the default", svc("  desired_count: 1000\n  autoscaling: {min: 2}\n"), ""},
		{"autoscaling: CPUTargetPercent", svc("  autoscaling: {cpu_target: 95}\n"), "services.api.autoscaling.cpu_target"},
		{"autoscaling: ScaleInCooldownSeconds", svc("  autoscaling: {scale_in_cooldown_seconds: 3601}\n"), "services.api.autoscaling.scale_in_cooldown_seconds"},
		{"autoscaling: ScaleOutCooldownSeconds", svc("  autoscaling: {scale_out_cooldown_seconds: -1}\n"), "services.api.autoscaling.scale_out_cooldown_seconds"},
		{"autoscaling: RequestsPerTarget", svc("  autoscaling: {requests_per_target: -1}\n"), "services.api.autoscaling.requests_per_target"},
		// network.New and netplan.Compute
		{"network: NAT", "network: {nat: per_az}\n", "network.nat"},
		{"network: AZs (netplan.AZIndex)", "availability_zones: {names: [us-east-1a, us-east-1z]}\n", "availability_zones.names[1]"},
		{"network: VPC CIDR (netplan.Compute)", "network: {vpc_cidr: 10.0.0.0/33}\n", "network.vpc_cidr"},
		{"network: newbits (netplan.Compute)", "network: {subnets: {private_newbits: 13}}\n", "network.subnets.private_newbits"},
		{"network: tiers fit (netplan.Compute)", "network: {subnets: {private_newbits: 3, public_newbits: 3, database_newbits: 3}}\n", "network.subnets"},
		{"network: AZ slot (netplan.Compute)", "availability_zones: {names: [us-east-1a, us-east-1f]}\nnetwork: {subnets: {az_slots: 4, private_newbits: 3, public_newbits: 4, database_newbits: 4}}\n", "availability_zones"},
		// certificate.New and dns.Zone / dns.Records
		{"certificate/dns: Domain", "dns: {domain: Example.com}\n", "dns.domain"},
		{"certificate/dns: Domain TLD", "dns: {domain: example.123}\n", "dns.domain"},
		{"dns: ZoneName", "dns: {domain: example.com, zone_name: example.org}\n", "dns.zone_name"},
		// statebucket.New
		{"statebucket: Bucket", "state: {bucket: ''}\n", "state.bucket"},
		{"statebucket: LockTable", "state: {bucket: b-prod, locking: dynamodb, dynamodb_table: x}\n", "state.dynamodb_table"},
		// database.Props.Validate
		{"database: EngineVersion", "database: {engine_version: '11.9'}\n", "database.engine_version"},
		{"database: EngineVersion of the engine", "database: {engine: aurora-mysql, engine_version: '16.6'}\n", "database.engine_version"},
		{"database: InstanceClass", "database: {instance_class: large}\n", "database.instance_class"},
		{"database: InstanceClass and Serverless together", "database: {instance_class: db.serverless}\n", "database.serverless"},
		{"database: Serverless capacity", "database: {serverless: {min_capacity: 1.2, max_capacity: 4}}\n", "database.serverless.min_capacity"},
		{"database: BackupRetentionDays", "database: {backup_retention_days: 0}\n", "database.backup_retention_days"},
		{"database: KMSKeyARN", "database: {kms_key_arn: 'arn:aws:kms:us-east-1:123456789012:alias/db'}\n", "database.kms_key_arn"},
		{"database: MasterUserSecretKMSKeyARN", "database: {master_user_secret_kms_key_id: key}\n", "database.master_user_secret_kms_key_id"},
		{"database: DatabaseName", "database: {database_name: " + strings.Repeat("a", 64) + "}\n", "database.database_name"},
		{"database: MasterUsername", "database: {master_username: " + strings.Repeat("a", 17) + "}\n", "database.master_username"},
		{"database: Instances (readers)", "database: {readers: 16}\n", "database.readers"},
		// bucket.New
		{"bucket: Name", "buckets: [" + strings.Repeat("b", 60) + "]\n", "buckets[0]"},
		// service.Props validateData
		{"service: Environment set for the database", "database: {}\n" + svc("  database: true\n  environment: {DB_PORT: '1'}\n"), "services.api.environment.DB_PORT"},
		{"service: Environment set for a bucket", "buckets: [uploads]\n" + svc("  buckets: [uploads]\n  environment: {BUCKET_UPLOADS: x}\n"), "services.api.environment.BUCKET_UPLOADS"},
		// The nat: none prerequisites, which no construct checks (the tasks would never start).
		{"nat: none endpoints", nonProd + "network: {nat: none, interface_endpoints: [sts]}\n", "network.interface_endpoints"},
	}
	for _, r := range rows {
		t.Run(r.check, func(t *testing.T) {
			file := r.file
			if !strings.Contains(file, "services:\n") { // a top-level override of valid
				file = overrideTop(valid, file)
			}
			c, err := Parse("environments/prod.yaml", []byte(file))
			if r.field == "" { // must be accepted, with a value the construct accepts
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if c.Services["api"].Autoscaling.Max > MaxTasks {
					t.Errorf("autoscaling.max defaulted to %d, above the construct's %d", c.Services["api"].Autoscaling.Max, MaxTasks)
				}
				return
			}
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("accepted (or not a config error: %v); the construct would refuse it without naming the field %s", err, r.field)
			}
			if len(ce.Problems) != 1 || ce.Problems[0].Field != r.field || ce.Problems[0].File != "environments/prod.yaml" {
				t.Errorf("problems %v, want one, of %s", ce.Problems, r.field)
			}
		})
	}
}

// overrideTop replaces or adds top-level mappings of base by those in extra
// (a key given in extra replaces base's line of that key).
func overrideTop(base, extra string) string {
	lines := strings.Split(strings.TrimSuffix(base, "\n"), "\n")
	for _, e := range strings.Split(strings.TrimSuffix(extra, "\n"), "\n") {
		key, _, _ := strings.Cut(e, ":")
		replaced := false
		for i, l := range lines {
			if strings.HasPrefix(l, key+":") {
				// replace a one-line mapping; drop the indented lines of a block one
				j := i + 1
				for j < len(lines) && strings.HasPrefix(lines[j], "  ") {
					j++
				}
				lines = append(append(lines[:i:i], e), lines[j:]...)
				replaced = true
				break
			}
		}
		if !replaced {
			lines = append(lines, e)
		}
	}
	return strings.Join(lines, "\n") + "\n"
}

// The provider's default tags are DefaultTagKeys and the environment's, so
// the tag count validation counts what is synthesized.
func TestAllTagsAreDefaultTagKeysAndTheEnvironments(t *testing.T) {
	c, err := Parse("environments/prod.yaml", []byte(valid+"tags: {owner: a, team: b}\n"))
	if err != nil {
		t.Fatal(err)
	}
	tags := c.AllTags()
	for _, k := range append(DefaultTagKeys, "owner", "team") {
		if _, ok := tags[k]; !ok {
			t.Errorf("AllTags lacks %s", k)
		}
	}
	if len(tags) != len(DefaultTagKeys)+2 {
		t.Errorf("AllTags = %v, want DefaultTagKeys and the 2 of the file", tags)
	}
}

// The longest project and name make database identifiers RDS accepts, for
// the writer and the last reader (config does not check them itself).
func TestDatabaseIdentifiersFit(t *testing.T) {
	c, err := Parse("environments/abcdefghijk.yaml", []byte(overrideTop(valid, "name: abcdefghijk\nproject: abcdefghijabcdefghij\ndatabase: {readers: 15}\n")))
	if err != nil {
		t.Fatal(err)
	}
	keys := c.Database.InstanceKeys()
	if len(keys) != 16 || keys[0] != DatabaseWriter || keys[15] != "reader-15" {
		t.Fatalf("instance keys %v", keys)
	}
	for _, id := range []string{c.ClusterIdentifier(), DatabaseInstanceIdentifier(c, keys[15])} {
		if err := awsrules.DBIdentifier(id); err != nil {
			t.Error(err)
		}
	}
}
