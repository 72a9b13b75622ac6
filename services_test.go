package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"selfhost/config"
	"selfhost/internal/synth"
	"selfhost/stacks"
)

// resourcesOf are a stack's resources by address (type.name).
func resourcesOf(doc map[string]any) map[string]map[string]any {
	out := map[string]map[string]any{}
	rs, _ := doc["resource"].(map[string]any)
	for typ, byName := range rs {
		for name, r := range byName.(map[string]any) {
			out[typ+"."+name] = r.(map[string]any)
		}
	}
	return out
}

// synthOne synthesizes one environment into a fresh folder.
func synthOne(t *testing.T, cfg *config.Config) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "cdktf.out")
	if err := synth.Run(out, func(app cdktf.App) error { return stacks.Build(app, []*config.Config{cfg}) }); err != nil {
		t.Fatal(err)
	}
	return out
}

// withService is cfg with one more service (a copy: cfg is unchanged).
func withService(t *testing.T, cfg *config.Config, name, yaml string) *config.Config {
	t.Helper()
	data, err := os.ReadFile(cfg.File)
	if err != nil {
		t.Fatal(err)
	}
	s := strings.Replace(string(data), "\nservices:\n", "\nservices:\n  "+name+":\n"+yaml, 1)
	c, err := config.Parse(cfg.File, []byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Adding a service only adds: every resource, data source and output of
// the environment before is byte-identical after, in every stack. A worker
// (no hosts) changes nothing else at all; a service with hosts changes the
// certificate too (ACM names cannot be edited: a new certificate is
// created before the old one is deleted), and nothing else.
func TestAddingAServiceOnlyAdds(t *testing.T) {
	base := loadEnv(t, "local")
	worker := withService(t, base, "worker", "    image: {tag: local}\n")
	admin := withService(t, base, "admin", "    hosts: [admin]\n    priority: 50\n    image: {tag: local}\n")
	for _, tc := range []struct {
		name    string
		cfg     *config.Config
		changed []string // addresses allowed to change
	}{
		{"worker", worker, nil},
		{"admin", admin, []string{"aws_acm_certificate.certificate_3C59EBE5", "aws_acm_certificate_validation.certificate_validation-wait_4471A009",
			"names.value"}}, // <env>-dns's output of the published names
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := synthOne(t, tc.cfg)
			added := 0
			for _, st := range base.StackNames() {
				before, after := readStackIn(t, outdir, st), readStackIn(t, out, st)
				for _, kind := range []string{"resource", "data", "output"} {
					b, _ := before[kind].(map[string]any)
					a, _ := after[kind].(map[string]any)
					for typ, byName := range b {
						for name, v := range byName.(map[string]any) {
							addr := typ + "." + name
							got, ok := a[typ].(map[string]any)[name]
							switch {
							case !ok:
								t.Errorf("%s: %s %s is gone", st, kind, addr)
							case slices.Contains(tc.changed, addr):
							case !reflect.DeepEqual(v, got):
								bj, _ := json.Marshal(v)
								aj, _ := json.Marshal(got)
								t.Errorf("%s: %s %s changed:\n%s\n%s", st, kind, addr, bj, aj)
							}
						}
					}
					if kind == "resource" {
						added += len(resourcesOf(after)) - len(resourcesOf(before))
					}
				}
			}
			if added < 10 { // repository, lifecycle, roles, policy, log group, SG and rules, task, service, scaling
				t.Errorf("%d resources added, want the new service's", added)
			}
		})
	}
}

// The reference local environment: each service has its own target group
// (api's and console's only: no worker here), listener rule with its
// priority forwarding to it, security group admitting the ALB only on its
// port, roles, log group, repository and autoscaling.
func TestEachServiceHasItsOwnResources(t *testing.T) {
	cfg := loadEnv(t, "local")
	svc := resourcesOf(readStackIn(t, outdir, "local-service"))
	reg := resourcesOf(readStackIn(t, outdir, "local-registry"))
	find := func(rs map[string]map[string]any, typ, construct string) (string, map[string]any) {
		t.Helper()
		var hit string
		for addr := range rs {
			if strings.HasPrefix(addr, typ+"."+construct+"_") {
				if hit != "" {
					t.Fatalf("several %s of %s", typ, construct)
				}
				hit = addr
			}
		}
		if hit == "" {
			t.Fatalf("no %s of %s", typ, construct)
		}
		return hit, rs[hit]
	}
	ref := func(addr, attr string) string { return "${" + addr + "." + attr + "}" }
	for _, name := range []string{"api", "console"} {
		s := cfg.Services[name]
		res := cfg.ServiceResources(s)
		tgAddr, tg := find(svc, "aws_lb_target_group", "load-balancer_target-group-"+name)
		_, rule := find(svc, "aws_lb_listener_rule", "load-balancer_route-"+name)
		if rule["priority"] != float64(s.Priority) ||
			!reflect.DeepEqual(rule["condition"], []any{map[string]any{"host_header": map[string]any{"values": []any{s.Hosts[0] + "." + cfg.DNS.Domain}}}}) ||
			rule["action"].([]any)[0].(map[string]any)["target_group_arn"] != ref(tgAddr, "arn") {
			t.Errorf("%s: listener rule %v", name, rule)
		}
		if tg["name_prefix"] != res.TargetGroupPrefix || tg["port"] != float64(s.ContainerPort) {
			t.Errorf("%s: target group %v", name, tg)
		}
		sgAddr, sg := find(svc, "aws_security_group", "service-"+name+"_sg")
		if sg["name_prefix"] != res.SecurityGroupPrefix {
			t.Errorf("%s: security group %v", name, sg)
		}
		_, in := find(svc, "aws_vpc_security_group_ingress_rule", "service-"+name+"_in-alb")
		albSG, _ := find(svc, "aws_security_group", "load-balancer_alb-sg")
		if in["security_group_id"] != ref(sgAddr, "id") || in["referenced_security_group_id"] != ref(albSG, "id") || in["from_port"] != float64(s.ContainerPort) {
			t.Errorf("%s: ingress %v", name, in)
		}
		_, out := find(svc, "aws_vpc_security_group_egress_rule", "service-"+name+"_alb-out")
		if out["security_group_id"] != ref(albSG, "id") || out["referenced_security_group_id"] != ref(sgAddr, "id") {
			t.Errorf("%s: ALB egress %v", name, out)
		}
		exec, task := res.RoleNames()
		_, er := find(svc, "aws_iam_role", "service-"+name+"_execution-role")
		_, tr := find(svc, "aws_iam_role", "service-"+name+"_task-role")
		_, lg := find(svc, "aws_cloudwatch_log_group", "service-"+name+"_logs")
		esAddr, es := find(svc, "aws_ecs_service", "service-"+name+"_service")
		clAddr, _ := find(svc, "aws_ecs_cluster", "cluster")
		_, at := find(svc, "aws_appautoscaling_target", "autoscaling-"+name+"_target")
		_, repo := find(reg, "aws_ecr_repository", "registry-"+name+"_repository")
		if er["name"] != exec || tr["name"] != task || lg["name"] != res.LogGroup || es["name"] != res.Base ||
			at["resource_id"] != "service/"+ref(clAddr, "name")+"/"+ref(esAddr, "name") || repo["name"] != s.Image.Repository {
			t.Errorf("%s: names: roles %v %v, logs %v, service %v, scaling %v, repository %v", name, er["name"], tr["name"], lg["name"], es["name"], at["resource_id"], repo["name"])
		}
		lbs := es["load_balancer"].([]any)
		if len(lbs) != 1 || lbs[0].(map[string]any)["target_group_arn"] != ref(tgAddr, "arn") {
			t.Errorf("%s: ECS service load balancer %v", name, lbs)
		}
		// Every production rule per service.
		if es["desired_count"].(float64) < 2 || es["health_check_grace_period_seconds"] != 120.0 ||
			es["network_configuration"].(map[string]any)["assign_public_ip"] != false ||
			!reflect.DeepEqual(es["deployment_circuit_breaker"], map[string]any{"enable": true, "rollback": true}) || tg["deregistration_delay"] != "120" {
			t.Errorf("%s: production rules %v / %v", name, es, tg["deregistration_delay"])
		}
	}
	// Only the service using the database reaches it.
	for addr, r := range svc {
		if strings.Contains(addr, "database-in-service") && !strings.HasPrefix(addr, "aws_vpc_security_group_ingress_rule.service-api_") {
			t.Errorf("%s reaches the database: %v", addr, r)
		}
	}
}

// A worker has no target group, no listener rule, no ingress and no grace
// period; a memory target adds its policy.
func TestWorker(t *testing.T) {
	cfg := withService(t, loadEnv(t, "local"), "worker", "    image: {tag: local}\n    autoscaling: {memory_target: 70}\n")
	rs := resourcesOf(readStackIn(t, synthOne(t, cfg), "local-service"))
	var es, mem map[string]any
	for addr, r := range rs {
		switch {
		case strings.Contains(addr, "target-group-worker") || strings.Contains(addr, "route-worker") || strings.HasPrefix(addr, "aws_vpc_security_group_ingress_rule.service-worker_") ||
			strings.HasPrefix(addr, "aws_vpc_security_group_egress_rule.service-worker_alb-out"):
			t.Errorf("worker has %s", addr)
		case strings.HasPrefix(addr, "aws_ecs_service.service-worker_"):
			es = r
		case strings.HasPrefix(addr, "aws_appautoscaling_policy.autoscaling-worker_memory_"):
			mem = r
		}
	}
	if es == nil || es["load_balancer"] != nil || es["health_check_grace_period_seconds"] != nil {
		t.Errorf("worker service %v", es)
	}
	if mem == nil || mem["target_tracking_scaling_policy_configuration"].(map[string]any)["target_value"] != 70.0 ||
		mem["target_tracking_scaling_policy_configuration"].(map[string]any)["predefined_metric_specification"].(map[string]any)["predefined_metric_type"] != "ECSServiceAverageMemoryUtilization" {
		t.Errorf("memory policy %v", mem)
	}
}

// The existing single-service deployment (testdata/single-service: the
// production snapshots before services:) moves to the adopting service:
// every old address is still there or the from of a moved block whose to
// exists, and, with the moves applied, the moved resources differ from
// what they were only in attributes the provider updates in place.
func TestSingleServiceMoves(t *testing.T) {
	// In-place differences, each an update without replacement.
	inPlace := map[string][]string{
		"*":                                  {"tags"},        // tags are updated in place everywhere
		"aws_ecs_service":                    {"depends_on"},  // the same dependencies, in another order
		"aws_lb_listener_rule":               {"condition"},   // app.<domain> moves to console's rule: ModifyRule
		"aws_vpc_security_group_egress_rule": {"description"}, // ModifySecurityGroupRules
	}
	renames := map[string]string{}
	for _, st := range []string{"production-registry", "production-service"} {
		doc := readStackIn(t, outdir, st)
		ms, _ := doc["moved"].([]any)
		for _, m := range ms {
			m := m.(map[string]any)
			from, to := m["from"].(string), m["to"].(string)
			if _, dup := renames[from]; dup {
				t.Errorf("%s moved twice", from)
			}
			renames[from] = to
			// The cross-stack output carrying the repository's attributes.
			renames[strings.ReplaceAll(from, ".", "")] = strings.ReplaceAll(to, ".", "")
		}
	}
	// The data sources of the service construct (the account's ids) are
	// read again at their new address; they hold the same values.
	for _, d := range []string{"aws_caller_identity.service_account_caller_FE199969=aws_caller_identity.service-api_account_caller_BB214307",
		"aws_partition.service_account_partition_99D470F1=aws_partition.service-api_account_partition_250D1E29",
		"aws_region.service_account_region_7EF782B7=aws_region.service-api_account_region_080072B9"} {
		a, b, _ := strings.Cut(d, "=")
		renames["data."+a] = "data." + b
	}
	keys := make([]string, 0, len(renames))
	for k := range renames {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return len(keys[i]) > len(keys[j]) })
	remap := func(v any) any {
		b, _ := json.Marshal(v)
		s := string(b)
		for _, k := range keys {
			s = strings.ReplaceAll(s, k, renames[k])
		}
		var out any
		json.Unmarshal([]byte(s), &out)
		return out
	}
	moved := 0
	for _, st := range []string{"production-registry", "production-service"} {
		b, err := os.ReadFile(filepath.Join("testdata", "single-service", st+".json"))
		if err != nil {
			t.Fatal(err)
		}
		var old map[string]any
		json.Unmarshal(b, &old)
		now := resourcesOf(readStackIn(t, outdir, st))
		for addr, r := range resourcesOf(old) {
			to, isMoved := renames[addr]
			if !isMoved {
				to = addr
			}
			n, ok := now[to]
			if !ok {
				t.Errorf("%s: %s is neither kept nor moved: Terraform would destroy it", st, addr)
				continue
			}
			if isMoved {
				moved++
			}
			typ := addr[:strings.Index(addr, ".")]
			was := remap(r).(map[string]any)
			for k := range mergeKeys(was, n) {
				if k == "//" || slices.Contains(inPlace["*"], k) || slices.Contains(inPlace[typ], k) {
					continue
				}
				if !reflect.DeepEqual(was[k], n[k]) {
					wb, _ := json.Marshal(was[k])
					nb, _ := json.Marshal(n[k])
					t.Errorf("%s: %s -> %s: %s changes\n%s\n%s", st, addr, to, k, wb, nb)
				}
			}
		}
	}
	if moved < 20 {
		t.Errorf("%d resources moved, want every one of the single service's", moved)
	}
}

func mergeKeys(a, b map[string]any) map[string]bool {
	out := map[string]bool{}
	for k := range a {
		out[k] = true
	}
	for k := range b {
		out[k] = true
	}
	return out
}
