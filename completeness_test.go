package main

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-cdk-go/cdktf"
	"gopkg.in/yaml.v3"

	"selfhost/config"
	"selfhost/internal/synth"
	"selfhost/stacks"
)

// The environment every completeness variant starts from: not production, so
// the emulator-only and non-production values are allowed too.
const completenessBase = `name: cmp
production: false
region: us-east-1
state: {bucket: b-cmp}
dns: {domain: example.com}
services:
  api:
    hosts: [api]
    priority: 100
    image: {tag: v1}
    memory: 2048
`

// change is one variant: pre applies to both the base and the variant (for
// keys whose non-default value needs another key), set to the variant only.
type change struct {
	pre, set map[string]any
}

func set(kv ...any) map[string]any {
	m := map[string]any{}
	for i := 0; i < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1]
	}
	return m
}

const someARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf"

// variants holds, for every leaf of the configuration schema, a valid
// non-default value; neutral the keys that cannot change the synthesized
// JSON, with the reason.
var variants = map[string]change{
	"name":                                                   {set: set("name", "cmp2")},
	"project":                                                {set: set("project", "acme")},
	"region":                                                 {set: set("region", "us-west-2")},
	"tags":                                                   {set: set("tags", map[string]any{"owner": "platform"})},
	"availability_zones.count":                               {set: set("availability_zones.count", 2)},
	"availability_zones.names":                               {set: set("availability_zones.names", []any{"use1-az1", "use1-az2"})},
	"availability_zones.retiring":                            {set: set("availability_zones.retiring", []any{"us-east-1b"})},
	"network.vpc_cidr":                                       {set: set("network.vpc_cidr", "10.9.0.0/16")},
	"network.nat":                                            {set: set("network.nat", "single")},
	"network.interface_endpoints":                            {set: set("network.interface_endpoints", []any{"ecr.api", "ecr.dkr", "logs"})},
	"network.flow_log_retention_days":                        {set: set("network.flow_log_retention_days", 30)},
	"network.subnets.az_slots":                               {set: set("network.subnets.az_slots", 4)},
	"network.subnets.private_newbits":                        {set: set("network.subnets.private_newbits", 5)},
	"network.subnets.public_newbits":                         {set: set("network.subnets.public_newbits", 6)},
	"network.subnets.database_newbits":                       {set: set("network.subnets.database_newbits", 6)},
	"state.bucket":                                           {set: set("state.bucket", "b-other")},
	"state.key_prefix":                                       {set: set("state.key_prefix", "other")},
	"state.locking":                                          {set: set("state.locking", "dynamodb", "state.dynamodb_table", "locks")},
	"state.dynamodb_table":                                   {pre: set("state.locking", "dynamodb", "state.dynamodb_table", "locks"), set: set("state.dynamodb_table", "other-locks")},
	"state.kms_key_arn":                                      {set: set("state.kms_key_arn", "arn:aws:kms:us-east-1:123456789012:key/abc")},
	"state.bootstrap_backend":                                {set: set("state.bootstrap_backend", "s3")},
	"state.bootstrap_state_dir":                              {set: set("state.bootstrap_state_dir", ".tfstate")},
	"state.noncurrent_version_retention_days":                {set: set("state.noncurrent_version_retention_days", 30)},
	"aws.endpoint":                                           {set: set("aws.endpoint", "http://127.0.0.1:4566")},
	"aws.skip_checks":                                        {set: set("aws.skip_checks", true)},
	"aws.max_retries":                                        {set: set("aws.max_retries", 5)},
	"aws.allowed_account_ids":                                {set: set("aws.allowed_account_ids", []any{"123456789012"})},
	"dns.domain":                                             {set: set("dns.domain", "example.org")},
	"dns.zone_name":                                          {pre: set("dns.domain", "app.example.com"), set: set("dns.zone_name", "example.com")},
	"dns.create_zone":                                        {set: set("dns.create_zone", true)},
	"dns.role_arn":                                           {set: set("dns.role_arn", "arn:aws:iam::123456789012:role/dns")},
	"registry.tag_mutability":                                {set: set("registry.tag_mutability", "MUTABLE")},
	"registry.scan_on_push":                                  {set: set("registry.scan_on_push", false)},
	"registry.untagged_expiry_days":                          {set: set("registry.untagged_expiry_days", 7)},
	"load_balancer.deletion_protection":                      {set: set("load_balancer.deletion_protection", false)},
	"load_balancer.ingress_cidrs":                            {set: set("load_balancer.ingress_cidrs", []any{"203.0.113.0/24"})},
	"load_balancer.idle_timeout_seconds":                     {set: set("load_balancer.idle_timeout_seconds", 120)},
	"load_balancer.ssl_policy":                               {set: set("load_balancer.ssl_policy", "ELBSecurityPolicy-TLS13-1-3-2021-06")},
	"load_balancer.certificate_arn":                          {set: set("load_balancer.certificate_arn", "arn:aws:acm:us-east-1:123456789012:certificate/abc")},
	"load_balancer.access_logs_bucket":                       {set: set("load_balancer.access_logs_bucket", "logs-bucket")},
	"load_balancer.zonal_shift":                              {set: set("load_balancer.zonal_shift", false)},
	"services.<name>.hosts":                                  {set: set("services.api.hosts", []any{"api", "app"})},
	"services.<name>.priority":                               {set: set("services.api.priority", 200)},
	"services.<name>.adopt_single_service":                   {set: set("services.api.adopt_single_service", true)},
	"services.<name>.autoscaling.memory_target":              {set: set("services.api.autoscaling.memory_target", 70)},
	"services.<name>.image.uri":                              {set: set("services.api.image.tag", nil, "services.api.image.uri", "registry.example.com/app:1")},
	"services.<name>.image.tag":                              {set: set("services.api.image.tag", "v2")},
	"services.<name>.image.digest":                           {set: set("services.api.image.tag", nil, "services.api.image.digest", "sha256:"+strings.Repeat("1", 64))},
	"services.<name>.image.repository":                       {set: set("services.api.image.repository", "other-repo")},
	"services.<name>.cpu":                                    {set: set("services.api.cpu", 1024)},
	"services.<name>.memory":                                 {set: set("services.api.memory", 3072)},
	"services.<name>.architecture":                           {set: set("services.api.architecture", "ARM64")},
	"services.<name>.container_port":                         {set: set("services.api.container_port", 9090)},
	"services.<name>.desired_count":                          {set: set("services.api.desired_count", 3)},
	"services.<name>.environment":                            {set: set("services.api.environment", map[string]any{"FOO": "bar"})},
	"services.<name>.secrets":                                {set: set("services.api.secrets", map[string]any{"DB_URL": someARN})},
	"services.<name>.health_command":                         {set: set("services.api.health_command", []any{"CMD-SHELL", "curl -f localhost:8080"})},
	"services.<name>.stop_timeout_seconds":                   {set: set("services.api.stop_timeout_seconds", 100, "services.api.deregistration_delay_seconds", 100)},
	"services.<name>.deregistration_delay_seconds":           {set: set("services.api.deregistration_delay_seconds", 60)},
	"services.<name>.slow_start_seconds":                     {set: set("services.api.slow_start_seconds", 60)},
	"services.<name>.log_retention_days":                     {set: set("services.api.log_retention_days", 30)},
	"services.<name>.task_role_policy_arns":                  {set: set("services.api.task_role_policy_arns", []any{"arn:aws:iam::aws:policy/ReadOnlyAccess"})},
	"services.<name>.health_check.path":                      {set: set("services.api.health_check.path", "/healthz")},
	"services.<name>.health_check.interval_seconds":          {set: set("services.api.health_check.interval_seconds", 30)},
	"services.<name>.health_check.timeout_seconds":           {set: set("services.api.health_check.timeout_seconds", 10)},
	"services.<name>.health_check.healthy_threshold":         {set: set("services.api.health_check.healthy_threshold", 3)},
	"services.<name>.health_check.unhealthy_threshold":       {set: set("services.api.health_check.unhealthy_threshold", 5)},
	"services.<name>.health_check.matcher":                   {set: set("services.api.health_check.matcher", "200-299")},
	"services.<name>.health_check.grace_period_seconds":      {set: set("services.api.health_check.grace_period_seconds", 60)},
	"services.<name>.stickiness.enabled":                     {set: set("services.api.stickiness.enabled", true)},
	"services.<name>.stickiness.duration_seconds":            {set: set("services.api.stickiness.duration_seconds", 3600)},
	"services.<name>.autoscaling.min":                        {set: set("services.api.autoscaling.min", 1)},
	"services.<name>.autoscaling.max":                        {set: set("services.api.autoscaling.max", 6)},
	"services.<name>.autoscaling.cpu_target":                 {set: set("services.api.autoscaling.cpu_target", 60)},
	"services.<name>.autoscaling.requests_per_target":        {set: set("services.api.autoscaling.requests_per_target", 100)},
	"services.<name>.autoscaling.scale_in_cooldown_seconds":  {set: set("services.api.autoscaling.scale_in_cooldown_seconds", 120)},
	"services.<name>.autoscaling.scale_out_cooldown_seconds": {set: set("services.api.autoscaling.scale_out_cooldown_seconds", 30)},
	"services.<name>.database":                               {pre: set("database.engine", "aurora-postgresql"), set: set("services.api.database", true)},
	"services.<name>.buckets":                                {pre: set("buckets", []any{"uploads"}), set: set("services.api.buckets", []any{"uploads"})},
	"database.engine":                                        {pre: set("database.readers", 1), set: set("database.engine", "aurora-mysql")},
	"database.engine_version":                                {pre: set("database.readers", 1), set: set("database.engine_version", "15.10")},
	"database.instance_class":                                {pre: set("database.readers", 1), set: set("database.instance_class", "db.r7g.xlarge")},
	"database.readers":                                       {pre: set("database.engine", "aurora-postgresql"), set: set("database.readers", 2)},
	"database.serverless.min_capacity":                       {pre: set("database.serverless.max_capacity", 8), set: set("database.serverless.min_capacity", 1)},
	"database.serverless.max_capacity":                       {pre: set("database.readers", 1), set: set("database.serverless.max_capacity", 8)},
	"database.database_name":                                 {pre: set("database.readers", 1), set: set("database.database_name", "other")},
	"database.master_username":                               {pre: set("database.readers", 1), set: set("database.master_username", "owner")},
	"database.backup_retention_days":                         {pre: set("database.readers", 1), set: set("database.backup_retention_days", 14)},
	"database.deletion_protection":                           {pre: set("database.readers", 1), set: set("database.deletion_protection", false)},
	"database.skip_final_snapshot":                           {pre: set("database.readers", 1), set: set("database.skip_final_snapshot", true)},
	"database.kms_key_arn":                                   {pre: set("database.readers", 1), set: set("database.kms_key_arn", "arn:aws:kms:us-east-1:123456789012:key/abc")},
	"database.master_user_secret_kms_key_id":                 {pre: set("database.readers", 1), set: set("database.master_user_secret_kms_key_id", "arn:aws:kms:us-east-1:123456789012:key/abc")},
	"buckets":                                                {set: set("buckets", []any{"uploads"})},
}

// neutral are the keys that select validation rules only, with the reason.
var neutral = map[string]string{
	"production":                       "selects the production rules of validation and makes guardrail findings errors; every value it requires (deletion protection, NAT per AZ, task counts, stop timeout) is its own key above",
	"load_balancer.ingress_ipv6_cidrs": "only [] is accepted: the load balancer is IPv4-only (the VPC has no IPv6), so an IPv6 CIDR could never reach it (hostile case \"IPv6 ingress to an IPv4-only load balancer\")",
	"policy.exemptions":                "turns guardrail failures into warnings with the reason; the synthesized JSON is the same (TestGuardrailFailureReachesExitCode)",
}

// leafPaths lists the configuration schema's leaf fields as YAML paths.
func leafPaths(t reflect.Type, prefix string) []string {
	var out []string
	for i := 0; i < t.NumField(); i++ {
		tag := strings.Split(t.Field(i).Tag.Get("yaml"), ",")[0]
		if tag == "" || tag == "-" {
			continue
		}
		ft := t.Field(i).Type
		if ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if ft.Kind() == reflect.Struct {
			out = append(out, leafPaths(ft, prefix+tag+".")...)
		} else if ft.Kind() == reflect.Map && ft.Elem().Kind() == reflect.Pointer && ft.Elem().Elem().Kind() == reflect.Struct {
			out = append(out, leafPaths(ft.Elem().Elem(), prefix+tag+".<name>.")...) // services.<name>.cpu
		} else {
			out = append(out, prefix+tag)
		}
	}
	return out
}

// apply sets dotted paths in a YAML tree (nil deletes).
func apply(root map[string]any, m map[string]any) {
	for path, v := range m {
		parts := strings.Split(path, ".")
		node := root
		for _, p := range parts[:len(parts)-1] {
			next, ok := node[p].(map[string]any)
			if !ok {
				next = map[string]any{}
				node[p] = next
			}
			node = next
		}
		if v == nil {
			delete(node, parts[len(parts)-1])
		} else {
			node[parts[len(parts)-1]] = v
		}
	}
}

// synthVariant loads one variant and returns every stack's JSON, in order.
func synthVariant(t *testing.T, pre, extra map[string]any) string {
	t.Helper()
	var root map[string]any
	if err := yaml.Unmarshal([]byte(completenessBase), &root); err != nil {
		t.Fatal(err)
	}
	apply(root, pre)
	apply(root, extra)
	data, err := yaml.Marshal(root)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Parse(filepath.Join("environments", root["name"].(string)+".yaml"), data)
	if err != nil {
		t.Fatalf("the variant is invalid: %v\n%s", err, data)
	}
	out := filepath.Join(t.TempDir(), "cdktf.out")
	if err := synth.Run(out, func(app cdktf.App) error { return stacks.Build(app, []*config.Config{cfg}) }); err != nil {
		t.Fatalf("synth: %v", err)
	}
	dirs, err := os.ReadDir(filepath.Join(out, "stacks"))
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	for _, d := range dirs {
		j, err := os.ReadFile(filepath.Join(out, "stacks", d.Name(), "cdk.tf.json"))
		if err != nil {
			t.Fatal(err)
		}
		b.WriteString(d.Name() + "\n")
		b.Write(j)
	}
	return b.String()
}

// Every documented key changes the synthesized output, or is listed as
// neutral with the reason: a key that silently does nothing fails here.
func TestEveryKeyChangesTheOutput(t *testing.T) {
	paths := leafPaths(reflect.TypeOf(config.Config{}), "")
	for _, p := range paths {
		_, v := variants[p]
		_, n := neutral[p]
		if v == n {
			t.Errorf("%s: give it a non-default value in variants, or a reason in neutral (exactly one)", p)
		}
	}
	for p := range variants {
		if !slices.Contains(paths, p) {
			t.Errorf("variants names %s, which is not a configuration field", p)
		}
	}
	for p := range neutral {
		if !slices.Contains(paths, p) {
			t.Errorf("neutral names %s, which is not a configuration field", p)
		}
	}
	if t.Failed() {
		return
	}
	if testing.Short() {
		t.Skip("the schema is covered; -short skips the synth of each variant (about 13 s)")
	}
	bases := map[string]string{}
	keys := make([]string, 0, len(variants))
	for p := range variants {
		keys = append(keys, p)
	}
	sort.Strings(keys)
	for _, p := range keys {
		c := variants[p]
		t.Run(p, func(t *testing.T) {
			pre, _ := yaml.Marshal(c.pre)
			if _, ok := bases[string(pre)]; !ok {
				bases[string(pre)] = synthVariant(t, c.pre, nil)
			}
			if got := synthVariant(t, c.pre, c.set); got == bases[string(pre)] {
				t.Errorf("setting %v leaves the synthesized JSON as it is: the key does nothing", c.set)
			}
		})
	}
}
