package guardrails_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"selfhost/config"
	"selfhost/guardrails"
	"selfhost/internal/golden"
)

// The rule table, config's list of rule ids (for exemptions) and RULES.md
// say the same.
func TestRuleTable(t *testing.T) {
	var ids []string
	for _, r := range guardrails.Rules {
		ids = append(ids, r.ID)
		if r.Checks == "" || r.Fix == "" || r.Why == "" {
			t.Errorf("%s: Checks, Fix and Why are all required", r.ID)
		}
	}
	if !reflect.DeepEqual(ids, config.GuardrailRules) {
		t.Errorf("rule ids %v\nconfig.GuardrailRules %v\nkeep them identical", ids, config.GuardrailRules)
	}
	golden.Check(t, "RULES.md", []byte(guardrails.Markdown()))
}

// snapshot loads a reviewed synth of a reference stack (main_test.go keeps
// those equal to what synth writes).
func snapshot(t *testing.T, stack string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "snapshots", stack+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

var prod = guardrails.Options{Production: true}
var nonProd = guardrails.Options{Production: false}

// The reference environments break no rule: no error, no warning.
func TestReferenceEnvironmentsAreClean(t *testing.T) {
	for _, env := range []struct {
		name string
		opts guardrails.Options
	}{{"production", prod}, {"local", nonProd}} {
		for _, part := range config.Parts {
			stack := env.name + "-" + part
			if fs := guardrails.Evaluate(stack, snapshot(t, stack), env.opts); len(fs) > 0 {
				t.Errorf("%s: %v", stack, fs)
			}
		}
	}
}

// resource returns the one resource of typ whose name contains key.
func resource(t *testing.T, doc map[string]any, typ, key string) map[string]any {
	t.Helper()
	byName, _ := doc["resource"].(map[string]any)[typ].(map[string]any)
	var hit map[string]any
	for n, r := range byName {
		if strings.Contains(n, key) {
			if hit != nil {
				t.Fatalf("%s: several names contain %q", typ, key)
			}
			hit = r.(map[string]any)
		}
	}
	if hit == nil {
		t.Fatalf("%s: no name contains %q", typ, key)
	}
	return hit
}

func deleteResource(t *testing.T, doc map[string]any, typ, key string) {
	t.Helper()
	byName := doc["resource"].(map[string]any)[typ].(map[string]any)
	for n := range byName {
		if strings.Contains(n, key) {
			delete(byName, n)
			return
		}
	}
	t.Fatalf("%s: no name contains %q", typ, key)
}

func addResource(doc map[string]any, typ, name string, attrs map[string]any) {
	rs := doc["resource"].(map[string]any)
	if rs[typ] == nil {
		rs[typ] = map[string]any{}
	}
	rs[typ].(map[string]any)[name] = attrs
}

// containers edits the container definitions (a JSON string) of the task.
func containers(t *testing.T, doc map[string]any, edit func(c map[string]any)) {
	t.Helper()
	td := resource(t, doc, "aws_ecs_task_definition", "service-console_task") // any service's is checked
	var defs []map[string]any
	if err := json.Unmarshal([]byte(td["container_definitions"].(string)), &defs); err != nil {
		t.Fatal(err)
	}
	for _, c := range defs {
		edit(c)
	}
	b, _ := json.Marshal(defs)
	td["container_definitions"] = string(b)
}

// violation is a crafted break of the production reference: one stack's
// snapshot, edited.
type violation struct {
	name  string
	stack string // production-<stack>
	edit  func(t *testing.T, doc map[string]any)
	want  string // the one rule that must fire
}

var violations = []violation{
	{"public reader", "data", func(t *testing.T, d map[string]any) {
		resource(t, d, "aws_rds_cluster_instance", "instance-reader-1")["publicly_accessible"] = true
	}, "db-public"},
	{"unencrypted cluster", "data", func(t *testing.T, d map[string]any) {
		delete(resource(t, d, "aws_rds_cluster", "database_cluster"), "storage_encrypted")
	}, "db-encrypted"},
	{"cluster without deletion protection", "data", func(t *testing.T, d map[string]any) {
		resource(t, d, "aws_rds_cluster", "database_cluster")["deletion_protection"] = false
	}, "db-deletion-protection"},
	{"cluster in the default subnet group", "data", func(t *testing.T, d map[string]any) {
		delete(resource(t, d, "aws_rds_cluster", "database_cluster"), "db_subnet_group_name")
	}, "db-subnets"},
	{"instance in a named subnet group", "data", func(t *testing.T, d map[string]any) {
		resource(t, d, "aws_rds_cluster_instance", "instance-writer")["db_subnet_group_name"] = "default"
	}, "db-subnets"},
	{"DB subnet group with a private subnet", "network", func(t *testing.T, d map[string]any) {
		g := resource(t, d, "aws_db_subnet_group", "db-subnets")
		g["subnet_ids"] = append(g["subnet_ids"].([]any), "${aws_subnet.network_private-us-east-1a_E1039AEF.id}")
	}, "db-subnets"},
	{"application bucket public", "data", func(t *testing.T, d map[string]any) {
		resource(t, d, "aws_s3_bucket_public_access_block", "bucket-uploads")["restrict_public_buckets"] = false
	}, "bucket-public-access"},
	{"application bucket without its TLS policy", "data", func(t *testing.T, d map[string]any) {
		deleteResource(t, d, "aws_s3_bucket_policy", "bucket-uploads_tls-only")
	}, "bucket-tls-only"},
	{"state bucket policy allowing plain HTTP", "state", func(t *testing.T, d map[string]any) {
		p := resource(t, d, "aws_s3_bucket_policy", "tls-only")
		p["policy"] = strings.Replace(p["policy"].(string), `"aws:SecureTransport":"false"`, `"aws:SecureTransport":"true"`, 1)
	}, "bucket-tls-only"},
	{"one AZ", "network", func(t *testing.T, d map[string]any) {
		for _, s := range d["resource"].(map[string]any)["aws_subnet"].(map[string]any) {
			s.(map[string]any)["availability_zone"] = "us-east-1a"
		}
		deleteResource(t, d, "aws_nat_gateway", "nat-us-east-1b")
		deleteResource(t, d, "aws_nat_gateway", "nat-us-east-1c")
	}, "net-min-azs"},
	{"an AZ without NAT", "network", func(t *testing.T, d map[string]any) {
		deleteResource(t, d, "aws_nat_gateway", "nat-us-east-1c")
	}, "net-nat-per-az"},
	{"two NATs in one AZ", "network", func(t *testing.T, d map[string]any) {
		resource(t, d, "aws_nat_gateway", "nat-us-east-1c")["subnet_id"] = resource(t, d, "aws_nat_gateway", "nat-us-east-1b")["subnet_id"]
	}, "net-nat-per-az"},
	{"database route to a NAT", "network", func(t *testing.T, d map[string]any) {
		addResource(d, "aws_route", "db-out", map[string]any{
			"route_table_id":         "${aws_route_table.network_database-rt-us-east-1a_F438194C.id}",
			"destination_cidr_block": "0.0.0.0/0",
			"nat_gateway_id":         "${aws_nat_gateway.network_nat-us-east-1a_B3C42541.id}",
		})
	}, "net-database-egress"},
	{"database inline route to the internet gateway", "network", func(t *testing.T, d map[string]any) {
		resource(t, d, "aws_route_table", "database-rt-us-east-1b")["route"] = []any{map[string]any{
			"cidr_block": "0.0.0.0/0", "gateway_id": "${aws_internet_gateway.network_igw_5DF1EDA1.id}",
		}}
	}, "net-database-egress"},
	{"database subnet maps public IPs", "network", func(t *testing.T, d map[string]any) {
		resource(t, d, "aws_subnet", "database-us-east-1a")["map_public_ip_on_launch"] = true
	}, "net-private-public-ip"},
	{"private subnet maps public IPs", "network", func(t *testing.T, d map[string]any) {
		resource(t, d, "aws_subnet", "private-us-east-1c")["map_public_ip_on_launch"] = "true"
	}, "net-private-public-ip"},
	{"ALB without deletion protection", "service", func(t *testing.T, d map[string]any) {
		resource(t, d, "aws_lb", "alb")["enable_deletion_protection"] = false
	}, "alb-deletion-protection"},
	{"ALB keeps invalid headers", "service", func(t *testing.T, d map[string]any) {
		delete(resource(t, d, "aws_lb", "alb"), "drop_invalid_header_fields")
	}, "alb-drop-invalid-headers"},
	{"HTTP listener forwards", "service", func(t *testing.T, d map[string]any) {
		resource(t, d, "aws_lb_listener", "_http_")["default_action"] = []any{map[string]any{
			"type": "forward", "target_group_arn": "${aws_lb_target_group.load-balancer_target-group-api_176B6E5E.arn}",
		}}
	}, "alb-http-redirect"},
	{"TLS 1.0 policy", "service", func(t *testing.T, d map[string]any) {
		resource(t, d, "aws_lb_listener", "https")["ssl_policy"] = "ELBSecurityPolicy-2016-08"
	}, "alb-tls-policy"},
	{"HTTPS listener without policy", "service", func(t *testing.T, d map[string]any) {
		delete(resource(t, d, "aws_lb_listener", "https"), "ssl_policy")
	}, "alb-tls-policy"},
	{"HTTPS listener forwards any Host", "service", func(t *testing.T, d map[string]any) {
		resource(t, d, "aws_lb_listener", "https")["default_action"] = []any{map[string]any{
			"type": "forward", "target_group_arn": "${aws_lb_target_group.load-balancer_target-group-api_176B6E5E.arn}",
		}}
	}, "alb-unknown-host"},
	{"HTTPS listener without HSTS", "service", func(t *testing.T, d map[string]any) {
		delete(resource(t, d, "aws_lb_listener", "https"), "routing_http_response_strict_transport_security_header_value")
	}, "alb-hsts"},
	{"service reachable from anywhere", "service", func(t *testing.T, d map[string]any) {
		r := resource(t, d, "aws_vpc_security_group_ingress_rule", "service-console_in-alb")
		delete(r, "referenced_security_group_id")
		r["cidr_ipv4"] = "0.0.0.0/0"
	}, "sg-open-ingress"},
	{"ALB open on SSH", "service", func(t *testing.T, d map[string]any) {
		r := resource(t, d, "aws_vpc_security_group_ingress_rule", "alb-in-http-")
		r["from_port"], r["to_port"] = 22, 22
	}, "sg-open-ingress"},
	{"endpoints open to ::/0 through an inline rule", "network", func(t *testing.T, d map[string]any) {
		resource(t, d, "aws_security_group", "endpoints-sg")["ingress"] = []any{map[string]any{
			"protocol": "tcp", "from_port": 443, "to_port": 443, "ipv6_cidr_blocks": []any{"::/0"},
		}}
	}, "sg-open-ingress"},
	{"security group with a fixed name", "service", func(t *testing.T, d map[string]any) {
		g := resource(t, d, "aws_security_group", "alb-sg")
		delete(g, "name_prefix")
		g["name"] = "selfhost-production-alb"
	}, "sg-replaceable"},
	{"security group deleted before its replacement exists", "network", func(t *testing.T, d map[string]any) {
		delete(resource(t, d, "aws_security_group", "endpoints-sg"), "lifecycle")
	}, "sg-replaceable"},
	{"one task", "service", func(t *testing.T, d map[string]any) {
		resource(t, d, "aws_ecs_service", "service-console_service")["desired_count"] = 1
	}, "svc-min-tasks"},
	{"autoscaling down to one task", "service", func(t *testing.T, d map[string]any) {
		resource(t, d, "aws_appautoscaling_target", "autoscaling-console_target")["min_capacity"] = 1
	}, "svc-min-tasks"},
	{"short stop timeout", "service", func(t *testing.T, d map[string]any) {
		containers(t, d, func(c map[string]any) { c["stopTimeout"] = 60 })
		resource(t, d, "aws_lb_target_group", "target-group-api")["deregistration_delay"] = "60"
		resource(t, d, "aws_lb_target_group", "target-group-console")["deregistration_delay"] = "60"
	}, "svc-stop-timeout"},
	{"drain longer than the stop timeout", "service", func(t *testing.T, d map[string]any) {
		resource(t, d, "aws_lb_target_group", "target-group-console")["deregistration_delay"] = "300"
	}, "svc-deregistration-delay"},
	{"apply does not wait for steady state", "service", func(t *testing.T, d map[string]any) {
		resource(t, d, "aws_ecs_service", "service-console_service")["wait_for_steady_state"] = false
	}, "svc-wait-steady-state"},
	{"lifecycle keeps the last N tagged images", "registry", func(t *testing.T, d map[string]any) {
		resource(t, d, "aws_ecr_lifecycle_policy", "registry-console_lifecycle")["policy"] = `{"rules":[{"rulePriority":1,"selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":14},"action":{"type":"expire"}},` +
			`{"rulePriority":2,"selection":{"tagStatus":"tagged","tagPatternList":["*"],"countType":"imageCountMoreThan","countNumber":30},"action":{"type":"expire"}}]}`
	}, "ecr-lifecycle-tagged"},
	{"lifecycle expires any image by age", "registry", func(t *testing.T, d map[string]any) {
		resource(t, d, "aws_ecr_lifecycle_policy", "registry-console_lifecycle")["policy"] = `{"rules":[{"rulePriority":1,"selection":{"tagStatus":"any","countType":"sinceImagePushed","countUnit":"days","countNumber":365},"action":{"type":"expire"}}]}`
	}, "ecr-lifecycle-tagged"},
	{"state bucket versioning suspended", "state", func(t *testing.T, d map[string]any) {
		resource(t, d, "aws_s3_bucket_versioning", "versioning")["versioning_configuration"] = map[string]any{"status": "Suspended"}
	}, "state-versioning"},
	{"state bucket unencrypted", "state", func(t *testing.T, d map[string]any) {
		deleteResource(t, d, "aws_s3_bucket_server_side_encryption_configuration", "encryption")
	}, "state-encryption"},
	{"state bucket public policy allowed", "state", func(t *testing.T, d map[string]any) {
		resource(t, d, "aws_s3_bucket_public_access_block", "public-access-block")["block_public_policy"] = false
	}, "state-public-access"},
	{"state bucket public ACL", "state", func(t *testing.T, d map[string]any) {
		resource(t, d, "aws_s3_bucket", "bucket")["acl"] = "public-read"
	}, "state-public-access"},
	{"state lifecycle expires current versions", "state", func(t *testing.T, d map[string]any) {
		r := resource(t, d, "aws_s3_bucket_lifecycle_configuration", "lifecycle")["rule"].([]any)[0].(map[string]any)
		r["expiration"] = []any{map[string]any{"days": 30}}
	}, "state-current-expiry"},
	{"flow log role trusts without conditions", "network", func(t *testing.T, d map[string]any) {
		resource(t, d, "aws_iam_role", "flow-logs-role")["assume_role_policy"] = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"vpc-flow-logs.amazonaws.com"},"Action":["sts:AssumeRole"]}]}`
	}, "iam-trust-source-account"},
	{"task role trusts with the source ARN only", "service", func(t *testing.T, d map[string]any) {
		r := resource(t, d, "aws_iam_role", "service-console_task-role")
		r["assume_role_policy"] = `{"Statement":{"Effect":"Allow","Principal":{"Service":["ecs-tasks.amazonaws.com"]},"Action":"sts:AssumeRole","Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:ecs:us-east-1:123456789012:*"}}}}`
	}, "iam-trust-source-account"},
	{"password in the environment", "service", func(t *testing.T, d map[string]any) {
		containers(t, d, func(c map[string]any) {
			c["environment"] = append(c["environment"].([]any), map[string]any{"name": "DB_PASSWORD", "value": "hunter2"})
		})
	}, "task-plaintext-secret"},
	{"API key in the environment", "service", func(t *testing.T, d map[string]any) {
		containers(t, d, func(c map[string]any) {
			c["environment"] = append(c["environment"].([]any), map[string]any{"name": "STRIPE_KEY", "value": "sk_live"})
		})
	}, "task-plaintext-secret"},
}

func rulesOf(fs []guardrails.Finding) []string {
	var ids []string
	for _, f := range fs {
		ids = append(ids, f.Rule)
	}
	return ids
}

// Every rule fires on its crafted violation, alone, as an error in
// production; outside production at the rule's own level.
func TestEveryRuleFires(t *testing.T) {
	covered := map[string]bool{}
	for _, v := range violations {
		t.Run(v.name, func(t *testing.T) {
			covered[v.want] = true
			stack := "production-" + v.stack
			doc := snapshot(t, stack)
			v.edit(t, doc)
			fs := guardrails.Evaluate(stack, doc, prod)
			if len(fs) == 0 {
				t.Fatalf("no finding, want %s", v.want)
			}
			for _, f := range fs {
				if f.Rule != v.want || f.Level != guardrails.Error {
					t.Errorf("finding %v (%s), want only %s errors", f, f.Level, v.want)
				}
			}
			rule, _ := guardrails.RuleByID(v.want)
			if !strings.Contains(fs[0].Message, rule.Fix) {
				t.Errorf("message %q does not say what to change (%q)", fs[0].Message, rule.Fix)
			}
			t.Logf("%s", fs[0])

			nfs := guardrails.Evaluate(stack, doc, nonProd)
			switch rule.NonProduction {
			case guardrails.Off:
				if len(nfs) != 0 {
					t.Errorf("outside production: %v, want nothing (rule is off)", nfs)
				}
			default:
				if len(nfs) != len(fs) {
					t.Fatalf("outside production: %v, want %d findings", nfs, len(fs))
				}
				for _, f := range nfs {
					if f.Level != rule.NonProduction {
						t.Errorf("outside production: %v is a %s, want %s", f, f.Level, rule.NonProduction)
					}
				}
			}
		})
	}
	for _, id := range config.GuardrailRules {
		if !covered[id] {
			t.Errorf("rule %s has no crafted violation", id)
		}
	}
}

// Each target group is held to the stop timeout of its own service's
// containers: a service draining 60 s within its 60 s stop timeout beside
// one draining 120 s within 120 s is fine; the 120 s drain registered in
// the 60 s service is not.
func TestDeregistrationDelayPerService(t *testing.T) {
	doc := snapshot(t, "production-service")
	td := resource(t, doc, "aws_ecs_task_definition", "service-console_task")
	var defs []map[string]any
	json.Unmarshal([]byte(td["container_definitions"].(string)), &defs)
	defs[0]["stopTimeout"] = 60
	b, _ := json.Marshal(defs)
	td["container_definitions"] = string(b)
	resource(t, doc, "aws_lb_target_group", "target-group-console")["deregistration_delay"] = "60"
	opts := guardrails.Options{Production: false, Exemptions: map[string]string{}}
	has := func(fs []guardrails.Finding) []string {
		var out []string
		for _, f := range fs {
			if f.Rule == "svc-deregistration-delay" {
				out = append(out, f.Address)
			}
		}
		return out
	}
	if got := has(guardrails.Evaluate("production-service", doc, opts)); len(got) != 0 {
		t.Errorf("each drain within its own service's stop timeout, yet %v", got)
	}
	resource(t, doc, "aws_lb_target_group", "target-group-console")["deregistration_delay"] = "120"
	if got := has(guardrails.Evaluate("production-service", doc, opts)); len(got) != 1 || !strings.Contains(got[0], "target-group-console") {
		t.Errorf("console drains 120 s with a 60 s stop timeout: findings %v, want its target group", got)
	}
}

// An exemption turns the rule's errors into warnings that carry the reason;
// other rules still fail.
func TestExemption(t *testing.T) {
	doc := snapshot(t, "production-service")
	resource(t, doc, "aws_lb", "alb")["enable_deletion_protection"] = false
	resource(t, doc, "aws_ecs_service", "service-console_service")["desired_count"] = 1
	opts := guardrails.Options{Production: true, Exemptions: map[string]string{"svc-min-tasks": "a single task during the migration window"}}
	fs := guardrails.Evaluate("production-service", doc, opts)
	got := map[string]guardrails.Level{}
	for _, f := range fs {
		got[f.Rule] = f.Level
	}
	want := map[string]guardrails.Level{"alb-deletion-protection": guardrails.Error, "svc-min-tasks": guardrails.Warn}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("findings %v, want %v", fs, want)
	}
	if fs[0].Rule != "alb-deletion-protection" {
		t.Errorf("errors must come first: %v", fs)
	}
	if !strings.Contains(fs[1].Message, "exempted in this environment: a single task during the migration window") {
		t.Errorf("warning %q lacks the reason", fs[1].Message)
	}
}

// The ids of the rules outside production, for RULES.md readers.
func TestNonProductionLevelsAreDeliberate(t *testing.T) {
	byLevel := map[guardrails.Level][]string{}
	for _, r := range guardrails.Rules {
		byLevel[r.NonProduction] = append(byLevel[r.NonProduction], r.ID)
	}
	for _, ids := range byLevel {
		sort.Strings(ids)
	}
	want := map[guardrails.Level][]string{
		guardrails.Off:   {"alb-deletion-protection", "db-deletion-protection"},
		guardrails.Warn:  {"net-nat-per-az", "svc-deregistration-delay", "svc-min-tasks", "svc-stop-timeout"},
		guardrails.Error: {"alb-drop-invalid-headers", "alb-hsts", "alb-http-redirect", "alb-tls-policy", "alb-unknown-host", "bucket-public-access", "bucket-tls-only", "db-encrypted", "db-public", "db-subnets", "ecr-lifecycle-tagged", "iam-trust-source-account", "net-database-egress", "net-min-azs", "net-private-public-ip", "sg-open-ingress", "sg-replaceable", "state-current-expiry", "state-encryption", "state-public-access", "state-versioning", "svc-wait-steady-state", "task-plaintext-secret"},
	}
	if !reflect.DeepEqual(byLevel, want) {
		t.Errorf("non-production levels %v, want %v (change both, and say why in the rule's Why)", byLevel, want)
	}
}
