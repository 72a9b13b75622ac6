package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// valid is a minimal valid environment; its last mapping is the service
// api, so svc can append more of its keys.
var valid = `name: prod
region: us-east-1
dns: {domain: example.com}
state:
  bucket: my-state-bucket
services:
  api:
    hosts: [api]
    priority: 100
    image: {digest: "sha256:` + strings.Repeat("a", 64) + `"}
`

// svc is valid with more lines of the service api's mapping (indented by
// 2, as if the service were at the top level).
func svc(lines string) string {
	var b strings.Builder
	for _, l := range strings.SplitAfter(lines, "\n") {
		if l != "" {
			b.WriteString("  " + l)
		}
	}
	return valid + b.String()
}

func TestDefaultsFillAMinimalFile(t *testing.T) {
	c, err := Parse("environments/prod.yaml", []byte(valid))
	if err != nil {
		t.Fatal(err)
	}
	if !c.Production || c.Network.NAT != NATOnePerAZ || c.State.Locking != LockFile || c.Network.FlowLogRetentionDays != 365 {
		t.Errorf("defaults not applied: %+v", c)
	}
	if got := strings.Join(c.AZNames(), ","); got != "us-east-1a,us-east-1b,us-east-1c" {
		t.Errorf("AZNames = %s", got)
	}
	if got := c.StateKey(c.StackName("network")); got != "selfhost/prod-network.tfstate" {
		t.Errorf("StateKey = %s", got)
	}
}

func TestSingleNATOutsideProductionWarns(t *testing.T) {
	c, err := Parse("e/dev.yaml", []byte("name: dev\nproduction: false\nregion: eu-west-1\nnetwork: {nat: single}\nstate: {bucket: b-dev}\ndns: {domain: dev.example.com}\nservices: {api: {hosts: [api], priority: 100, image: {tag: v1}}}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Warnings) != 1 || !strings.Contains(c.Warnings[0], `network.nat: "single" routes every AZ through one NAT gateway`) {
		t.Errorf("warnings = %q", c.Warnings)
	}
}

// Each broken file gives exactly these problems (in order).
func TestBadConfigs(t *testing.T) {
	cases := []struct {
		name, file string
		want       []string
	}{
		{"empty file", "", []string{"f/prod.yaml: file is empty; want a YAML or JSON mapping with at least name, region and state.bucket"}},
		{"not a mapping", "- a\n- b\n", []string{"f/prod.yaml: top level must be a mapping (key: value), not a list"}},
		{"syntax", "name: [prod\n", []string{"f/prod.yaml: not valid YAML/JSON: line 1: did not find expected ',' or ']'"}},
		{"unknown top-level field", valid + "nats: 3\n", []string{"f/prod.yaml: nats: unknown field; allowed: name, production, project, region, tags, availability_zones, network, state, aws, dns, registry, load_balancer, services, database, buckets, policy"}},
		{"unknown nested field", valid + "network:\n  nat_strategy: single\n", []string{"f/prod.yaml: network.nat_strategy: unknown field; allowed: vpc_cidr, nat, interface_endpoints, flow_log_retention_days, subnets"}},
		// Removed: a count rule over tagged images expired images retained task definitions pin.
		{"registry.keep_tagged is gone", valid + "registry:\n  keep_tagged: 30\n", []string{"f/prod.yaml: registry.keep_tagged: unknown field; allowed: tag_mutability, scan_on_push, untagged_expiry_days"}},
		{"wrong type", valid + "availability_zones:\n  count: three\n", []string{`f/prod.yaml: availability_zones.count: must be a whole number, not the string "three"`}},
		{"empty region", strings.Replace(valid, "region: us-east-1", "region: ''", 1), []string{"f/prod.yaml: region: is required; want an AWS region such as us-east-1"}},
		{"cidr does not parse", valid + "network: {vpc_cidr: 10.0.0.0/33}\n", []string{`f/prod.yaml: network.vpc_cidr: "10.0.0.0/33" is not an IPv4 CIDR; want e.g. 10.0.0.0/16 (prefix /16 to /24)`}},
		{"cidr too big", valid + "network: {vpc_cidr: 10.0.0.0/8}\n", []string{`f/prod.yaml: network.vpc_cidr: "10.0.0.0/8" has prefix /8; AWS VPCs must be /16 to /24`}},
		{"cidr too small", valid + "network: {vpc_cidr: 10.0.0.0/26}\n", []string{`f/prod.yaml: network.vpc_cidr: "10.0.0.0/26" has prefix /26; AWS VPCs must be /16 to /24`}},
		{"one AZ in production", valid + "availability_zones: {count: 1}\n", []string{"f/prod.yaml: availability_zones.count: 1 is out of range; want 2 to 6 (a load balancer needs subnets in at least two AZs)"}},
		{"seven AZs", valid + "availability_zones: {count: 7}\n", []string{"f/prod.yaml: availability_zones.count: 7 is out of range; want 2 to 6 (a load balancer needs subnets in at least two AZs)"}},
		{"duplicate AZ", valid + "availability_zones: {names: [us-east-1a, us-east-1a]}\n", []string{`f/prod.yaml: availability_zones.names[1]: "us-east-1a" is listed twice; each AZ once`}},
		{"AZ of another region", valid + "availability_zones: {names: [us-east-1a, us-west-2b]}\n", []string{`f/prod.yaml: availability_zones.names[1]: "us-west-2b" is not an availability zone of us-east-1; want one of us-east-1a, us-east-1b, us-east-1c, us-east-1d, us-east-1e, us-east-1f, or an AZ ID such as use1-az1`}},
		{"plan does not fit", valid + "network: {vpc_cidr: 10.0.0.0/24}\n", []string{"f/prod.yaml: network.subnets.public_newbits: 5 is out of range in a /24 VPC: AWS subnets are /28 at the smallest, so want 1 to 4", "f/prod.yaml: network.subnets.database_newbits: 5 is out of range in a /24 VPC: AWS subnets are /28 at the smallest, so want 1 to 4"}},
		{"AZ beyond slots", valid + "availability_zones: {names: [us-east-1a, us-east-1e]}\nnetwork: {subnets: {az_slots: 4, private_newbits: 3, public_newbits: 4, database_newbits: 4}}\n", []string{"f/prod.yaml: availability_zones: us-east-1e is zone letter 5 but the subnet plan has only 4 AZ slots; raise network.subnets.az_slots"}},
		{"unknown NAT", valid + "network: {nat: two}\n", []string{`f/prod.yaml: network.nat: "two" is not a NAT strategy; want one of one_per_az, single, none`}},
		{"single NAT in production", valid + "network: {nat: single}\n", []string{`f/prod.yaml: network.nat: "single" is not allowed in production; want "one_per_az" (one NAT gateway per AZ)`}},
		{"bad retention", valid + "network: {flow_log_retention_days: 10}\n", []string{"f/prod.yaml: network.flow_log_retention_days: 10 is not a CloudWatch retention; want one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653"}},
		{"bad endpoint name", valid + "network: {interface_endpoints: [ECR API]}\n", []string{`f/prod.yaml: network.interface_endpoints[0]: "ECR API" is not an AWS service with an interface endpoint; want one of apigateway, application-autoscaling, appmesh-envoy-management, athena, autoscaling, cloudformation, cloudtrail, codeartifact.api, codeartifact.repositories, codebuild, codecommit, codedeploy, codepipeline, comprehend, config, ebs, ec2, ec2messages, ecr.api, ecr.dkr, ecs, ecs-agent, ecs-telemetry, elasticache, elasticfilesystem, elasticloadbalancing, email-smtp, events, execute-api, firehose, glue, kinesis-streams, kms, lambda, logs, monitoring, rds, rds-data, redshift, sagemaker.api, sagemaker.runtime, secretsmanager, servicediscovery, sns, sqs, ssm, ssmmessages, states, sts, textract, transcribe, translate, xray`}},
		{"missing bucket", strings.Replace(valid, "  bucket: my-state-bucket\n", "  key_prefix: x\n", 1), []string{"f/prod.yaml: state.bucket: is required; want a globally unique S3 bucket name, e.g. selfhost-prod-tfstate-<account-id>"}},
		{"dynamodb without table", strings.Replace(valid, "  bucket: my-state-bucket\n", "  bucket: my-state-bucket\n  locking: dynamodb\n", 1), []string{`f/prod.yaml: state.dynamodb_table: "" is not a DynamoDB table name; want 3-255 of A-Z, a-z, 0-9, '_', '-', '.' (required with locking: dynamodb)`}},
		{"no state history", strings.Replace(valid, "  bucket: my-state-bucket\n", "  bucket: my-state-bucket\n  noncurrent_version_retention_days: 0\n", 1), []string{"f/prod.yaml: state.noncurrent_version_retention_days: 0 is out of range; want 1 to 3650 days (how long replaced state versions stay recoverable)"}},
		{"endpoint in production", valid + "aws: {endpoint: 'http://127.0.0.1:5000'}\n", []string{"f/prod.yaml: aws.endpoint: is set but this is a production environment; endpoints are for emulators (set production: false)"}},
		{"name differs from file", strings.Replace(valid, "name: prod", "name: staging", 1), []string{`f/prod.yaml: name: "staging" differs from the file name "prod.yaml"; they must match`}},
		{"fargate cpu/memory pair", svc("  cpu: 512\n  memory: 512\n"), []string{"f/prod.yaml: services.api.memory: 512 MiB is not allowed with cpu 512; Fargate allows 1024, 2048, 3072, 4096"}},
		{"fargate cpu size", svc("  cpu: 300\n"), []string{"f/prod.yaml: services.api.cpu: 300 is not a Fargate CPU size; want one of 256, 512, 1024, 2048, 4096, 8192, 16384"}},
		{"autoscaling min above max", svc("  autoscaling: {min: 6, max: 4}\n"), []string{"f/prod.yaml: services.api.autoscaling.max: 4 is below min (6)"}},
		{"domain syntax", strings.Replace(valid, "domain: example.com", "domain: Example..com", 1), []string{`f/prod.yaml: dns.domain: "Example..com" is not a domain name; want lowercase labels separated by dots (punycode for international names), a TLD starting with a letter, no trailing dot, e.g. example.com`}},
		{"stop timeout above Fargate's limit", svc("  stop_timeout_seconds: 300\n"), []string{"f/prod.yaml: services.api.stop_timeout_seconds: 300 is out of range; Fargate allows 2 to 120 (use 120 for graceful draining)"}},
		{"stop timeout below 120 in production", svc("  stop_timeout_seconds: 30\n  deregistration_delay_seconds: 30\n"), []string{"f/prod.yaml: services.api.stop_timeout_seconds: 30 is below 120; production needs 120 s for in-flight requests to finish"}},
		{"plain-text secret in environment", svc("  environment: {DB_PASSWORD: hunter2}\n"), []string{"f/prod.yaml: services.api.environment.DB_PASSWORD: looks like a secret in plain text; store it in Secrets Manager or SSM and reference its ARN under secrets"}},
		{"plain-text secret value", svc("  secrets: {API_KEY: hunter2}\n"), []string{"f/prod.yaml: services.api.secrets.API_KEY: is not a Secrets Manager secret ARN (with its 6-character suffix) or SSM parameter ARN; plain-text secret values are not allowed"}},
		{"secret ARN without its suffix", svc("  secrets: {DB_URL: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:db'}\n"), []string{"f/prod.yaml: services.api.secrets.DB_URL: is not a Secrets Manager secret ARN (with its 6-character suffix) or SSM parameter ARN; plain-text secret values are not allowed"}},
		{"one task in production", svc("  desired_count: 1\n"), []string{"f/prod.yaml: services.api.desired_count: 1 is out of range; want 2 to 1000 (at least 2 in production, one per AZ for HA)"}},
		{"cpu target out of range", svc("  autoscaling: {cpu_target: 95}\n"), []string{"f/prod.yaml: services.api.autoscaling.cpu_target: 95% is out of range; want 10 to 90 (50-60 recommended)"}},
		{"deletion protection off in production", valid + "load_balancer: {deletion_protection: false}\n", []string{"f/prod.yaml: load_balancer.deletion_protection: is false in a production environment; it must be true (turn it off only for a deliberate teardown, see the README)"}},
		{"old TLS policy", valid + "load_balancer: {ssl_policy: ELBSecurityPolicy-2016-08}\n", []string{`f/prod.yaml: load_balancer.ssl_policy: "ELBSecurityPolicy-2016-08" is not allowed; want a TLS 1.2+ policy: ` + strings.Join(SSLPolicies, ", ")}},
		{"bad digest", strings.Replace(valid, "sha256:", "sha1:", 1), []string{`f/prod.yaml: services.api.image.digest: "sha1:` + strings.Repeat("a", 64) + `" is not an image digest; want sha256: and 64 hex digits`}},
		{"every problem at once", "name: prod\nregion: mars-1\nnetwork: {nat: two, vpc_cidr: x}\n", []string{
			`f/prod.yaml: region: "mars-1" is not an AWS region; want one of af-south-1, ap-east-1, ap-east-2, ap-northeast-1, ap-northeast-2, ap-northeast-3, ap-south-1, ap-south-2, ap-southeast-1, ap-southeast-2, ap-southeast-3, ap-southeast-4, ap-southeast-5, ap-southeast-7, ca-central-1, ca-west-1, cn-north-1, cn-northwest-1, eu-central-1, eu-central-2, eu-north-1, eu-south-1, eu-south-2, eu-west-1, eu-west-2, eu-west-3, il-central-1, me-central-1, me-south-1, mx-central-1, sa-east-1, us-east-1, us-east-2, us-gov-east-1, us-gov-west-1, us-west-1, us-west-2`,
			`f/prod.yaml: network.vpc_cidr: "x" is not an IPv4 CIDR; want e.g. 10.0.0.0/16 (prefix /16 to /24)`,
			`f/prod.yaml: network.nat: "two" is not a NAT strategy; want one of one_per_az, single, none`,
			"f/prod.yaml: state.bucket: is required; want a globally unique S3 bucket name, e.g. selfhost-prod-tfstate-<account-id>",
			"f/prod.yaml: dns.domain: is required; want the domain the services' hosts are under, e.g. example.com",
			"f/prod.yaml: services: is required; want at least one service by name, e.g. services: {api: {hosts: [api], priority: 100}}",
		}},
		{"several unknown keys at once", valid + "foo: 1\nnetwork: {bar: 2}\n", []string{
			"f/prod.yaml: foo: unknown field; allowed: name, production, project, region, tags, availability_zones, network, state, aws, dns, registry, load_balancer, services, database, buckets, policy",
			"f/prod.yaml: network.bar: unknown field; allowed: vpc_cidr, nat, interface_endpoints, flow_log_retention_days, subnets",
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Parse("f/prod.yaml", []byte(tc.file))
			if err == nil {
				t.Fatalf("accepted: %+v", c)
			}
			checkProblems(t, err, tc.want)
		})
	}
}

// checkProblems: err is a *config.Error whose problems read want, in order.
func checkProblems(t *testing.T, err error, want []string) {
	t.Helper()
	ce, ok := err.(*Error)
	if !ok {
		t.Fatalf("error %T %v is not a *config.Error", err, err)
	}
	var got []string
	for _, p := range ce.Problems {
		got = append(got, p.String())
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("problems:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

func TestLoadDirReportsEveryFile(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a.yaml"), []byte(strings.Replace(strings.Replace(valid, "name: prod", "name: a", 1), "region: us-east-1", "region: x", 1)), 0o644)
	os.WriteFile(filepath.Join(dir, "b.yaml"), []byte(strings.Replace(strings.Replace(valid, "name: prod", "name: b", 1), "state:\n  bucket: my-state-bucket\n", "", 1)), 0o644)
	_, err := LoadDir(dir, nil)
	if err == nil {
		t.Fatal("accepted")
	}
	for _, want := range []string{"a.yaml: region:", "b.yaml: state.bucket:", "2 problem(s)"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	if _, err := LoadDir(dir, []string{"c"}); err == nil || !strings.Contains(err.Error(), `environment "c" not found`) {
		t.Errorf("unknown env: %v", err)
	}
}

func TestReferenceEnvironmentsLoad(t *testing.T) {
	cfgs, err := LoadDir("../environments", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(cfgs) != 2 || cfgs[0].Name != "local" || cfgs[1].Name != "production" {
		t.Fatalf("got %d environments", len(cfgs))
	}
	if len(cfgs[1].AZNames()) != 3 || !cfgs[1].Production {
		t.Errorf("production: %v AZs, production=%v", cfgs[1].AZNames(), cfgs[1].Production)
	}
}

func TestSecretARNsAccepted(t *testing.T) {
	c, err := Parse("f/prod.yaml", []byte(svc("  secrets:\n    DB_URL: arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbC123\n    API_KEY: arn:aws:ssm:us-east-1:123456789012:parameter/app/api-key\n")))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Services["api"].Secrets) != 2 {
		t.Errorf("secrets %v", c.Services["api"].Secrets)
	}
}

// Public address space and the Docker bridge range are allowed for a VPC,
// with a warning naming the field.
func TestVPCCIDRWarnings(t *testing.T) {
	for cidr, want := range map[string]string{
		"203.0.0.0/16":  `network.vpc_cidr: "203.0.0.0/16" is public address space`,
		"172.17.0.0/16": `network.vpc_cidr: "172.17.0.0/16" overlaps 172.17.0.0/16`,
		"10.0.0.0/16":   "",
	} {
		c, err := Parse("environments/prod.yaml", []byte(valid+"network: {vpc_cidr: "+cidr+"}\n"))
		if err != nil {
			t.Fatalf("%s: %v", cidr, err)
		}
		got := strings.Join(c.Warnings, "\n")
		if (want == "") != (got == "") || !strings.Contains(got, want) {
			t.Errorf("%s: warnings %q, want %q", cidr, got, want)
		}
	}
}

// Six NAT gateways need more Elastic IPs than an account has by default.
func TestSixNATsWarnOfTheEIPQuota(t *testing.T) {
	c, err := Parse("environments/prod.yaml", []byte(valid+"availability_zones: {count: 6}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Warnings) != 1 || !strings.Contains(c.Warnings[0], "network.nat: one NAT gateway per AZ takes 6 Elastic IPs; the default quota is 5 per region") {
		t.Errorf("warnings %q", c.Warnings)
	}
}
