package main

// The guardrails on the whole app: escape hatches, exemptions and levels
// through a real synth. They live beside the wiring (stacks.Build attaches the
// guardrails), so that the guardrails package never imports stacks.

import (
	"bytes"
	"encoding/json"
	"io"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"selfhost/config"
	"selfhost/guardrails"
	"selfhost/internal/synth"
	"selfhost/stacks"
)

func loadEnv(t *testing.T, env string) *config.Config {
	t.Helper()
	c, err := config.LoadFile(filepath.Join("environments", env+".yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// child walks construct ids down from the app.
func findConstruct(t *testing.T, app cdktf.App, path ...string) constructs.IConstruct {
	t.Helper()
	var n constructs.IConstruct = app
	for _, id := range path {
		n = n.Node().TryFindChild(jsii.String(id))
		if n == nil {
			t.Fatalf("no construct %s", strings.Join(path, "/"))
		}
	}
	return n
}

// escapeHatch is an escape hatch on one resource after the stacks are built.
type escapeHatch struct {
	path  []string
	field string
	value any
}

// synthWith builds cfg's stacks, applies the escape hatches and synthesizes
// into a fresh folder beside a pre-existing outdir; it returns the error,
// the captured warnings and whether outdir was left alone.
func synthWith(t *testing.T, cfg *config.Config, hatches ...escapeHatch) (error, string) {
	t.Helper()
	var warnings bytes.Buffer
	guardrails.Output = &warnings
	t.Cleanup(func() { guardrails.Output = nil })
	outdir := filepath.Join(t.TempDir(), "cdktf.out")
	os.MkdirAll(outdir, 0o755)
	marker := filepath.Join(outdir, "previous")
	os.WriteFile(marker, []byte("previous synth"), 0o644)
	err := synth.Run(outdir, func(app cdktf.App) error {
		if err := stacks.Build(app, []*config.Config{cfg}); err != nil {
			return err
		}
		for _, h := range hatches {
			r, ok := findConstruct(t, app, h.path...).(cdktf.TerraformResource)
			if !ok {
				t.Fatalf("%v is not a resource", h.path)
			}
			r.AddOverride(jsii.String(h.field), h.value)
		}
		return nil
	})
	if _, statErr := os.Stat(marker); (err != nil) != (statErr == nil) {
		t.Errorf("synth error %v, previous output kept: %v; a failed synth must keep it, a good one replace it", err, statErr == nil)
	}
	return err, warnings.String()
}

var albPath = []string{"production-service", "load-balancer", "alb"}

// A value that config validation would refuse, sneaked in through an
// escape hatch, still fails the synth, naming the rule, the resource and
// the construct.
func TestEscapeHatchIsCaught(t *testing.T) {
	err, _ := synthWith(t, loadEnv(t, "production"),
		escapeHatch{albPath, "enable_deletion_protection", false},
		escapeHatch{[]string{"production-service", "service-console", "in-alb"}, "cidr_ipv4", "0.0.0.0/0"}, // every service's group is checked
		escapeHatch{[]string{"production-network", "network", "private-us-east-1b"}, "map_public_ip_on_launch", true},
	)
	if err == nil {
		t.Fatal("synth succeeded with deletion protection turned off by an escape hatch")
	}
	t.Log(err)
	for _, want := range []string{
		"Validation failed with the following errors:",
		"[production-service/load-balancer/alb] [alb-deletion-protection] production-service aws_lb.load-balancer_alb_15AADC07: the load balancer has no deletion protection; set load_balancer.deletion_protection: true",
		"[production-service/service-console/in-alb] [sg-open-ingress] production-service aws_vpc_security_group_ingress_rule.service-console_in-alb_3FB1A063: ingress of TCP port 8080 from 0.0.0.0/0",
		// Every stack's findings at once, not only the first failing stack's.
		"[production-network/network/private-us-east-1b] [net-private-public-ip] production-network aws_subnet.network_private-us-east-1b_0C4F2911",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}

// An exemption with its reason turns the same escape hatch into a warning
// on stderr; the synth succeeds.
func TestExemptionWarns(t *testing.T) {
	cfg := loadEnv(t, "production")
	cfg.Guardrails.Exemptions = []config.Exemption{{Rule: "alb-deletion-protection", Reason: "decommissioning this environment this week"}}
	err, warnings := synthWith(t, cfg, escapeHatch{albPath, "enable_deletion_protection", false})
	if err != nil {
		t.Fatal(err)
	}
	want := "warning: [alb-deletion-protection] production-service aws_lb.load-balancer_alb_15AADC07: the load balancer has no deletion protection; set load_balancer.deletion_protection: true (turn it off only for a deliberate teardown) (exempted in this environment: decommissioning this environment this week)\n"
	if warnings != want {
		t.Errorf("warnings:\n%s\nwant:\n%s", warnings, want)
	}
}

// Outside production a production-only rule warns; the reference
// environments print nothing.
func TestNonProductionWarnsAndReferenceIsSilent(t *testing.T) {
	local := loadEnv(t, "local")
	err, warnings := synthWith(t, local)
	if err != nil || warnings != "" {
		t.Fatalf("local: err %v, warnings %q; want a silent synth", err, warnings)
	}
	one := *local
	one.Services = maps.Clone(local.Services) // every service is checked: one of them has one task
	console := *local.Services["console"]
	console.DesiredCount, console.Autoscaling.Min = 1, 1
	one.Services["console"] = &console
	err, warnings = synthWith(t, &one)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"warning: [svc-min-tasks] local-service aws_ecs_service.service-console_service_3D77F239: desired_count is 1, want at least 2",
		"warning: [svc-min-tasks] local-service aws_appautoscaling_target.autoscaling-console_target_30A2EF1D: autoscaling min_capacity is 1, want at least 2",
		"(a warning outside production)",
	} {
		if !strings.Contains(warnings, want) {
			t.Errorf("warnings lack %q:\n%s", want, warnings)
		}
	}
	// The same environment as production fails.
	one.Production = true
	if err, _ := synthWith(t, &one); err == nil || !strings.Contains(err.Error(), "[svc-min-tasks]") {
		t.Errorf("production with one task: %v, want a svc-min-tasks error", err)
	}
}

// cdktf's CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS does not switch the
// guardrails off: their errors then fail the stack's validation instead.
func TestContinueOnErrorAnnotationsDoesNotBypass(t *testing.T) {
	t.Setenv("CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS", "1")
	err, _ := synthWith(t, loadEnv(t, "production"), escapeHatch{albPath, "drop_invalid_header_fields", false})
	if err == nil || !strings.Contains(err.Error(), "[alb-drop-invalid-headers]") {
		t.Fatalf("synth: %v, want the alb-drop-invalid-headers error", err)
	}
	t.Log(err)
}

// The guardrails read the cdk.tf.json files synth wrote; a warning is
// recorded in manifest.json as a cdktf warning annotation (so `cdktf synth`
// prints it), without a stack trace. Without warnings manifest.json is
// cdktf's own bytes, which synth.StableJSON reproduces.
func TestWarningsReachTheManifest(t *testing.T) {
	manifest := func(cfg *config.Config) (raw []byte, m map[string]any) {
		t.Helper()
		guardrails.Output = io.Discard
		t.Cleanup(func() { guardrails.Output = nil })
		out := filepath.Join(t.TempDir(), "cdktf.out")
		if err := synth.Run(out, stacks.Builder([]*config.Config{cfg})); err != nil {
			t.Fatal(err)
		}
		raw, err := os.ReadFile(filepath.Join(out, synth.ManifestFile))
		if err != nil {
			t.Fatal(err)
		}
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		if err := dec.Decode(&m); err != nil {
			t.Fatal(err)
		}
		return raw, m
	}
	silentRaw, silent := manifest(loadEnv(t, "local"))
	if again, err := synth.StableJSON(silent); err != nil || !bytes.Equal(again, silentRaw) {
		t.Fatalf("synth.StableJSON does not reproduce cdktf's manifest.json (err %v):\n%s\nwant:\n%s", err, again, silentRaw)
	}
	one := loadEnv(t, "local")
	one.Services["console"].DesiredCount, one.Services["console"].Autoscaling.Min = 1, 1
	_, warned := manifest(one)
	annotations := warned["stacks"].(map[string]any)["local-service"].(map[string]any)["annotations"].([]any)
	want := map[string]any{
		"constructPath": "local-service/service-console/service",
		"level":         "@cdktf/warn",
		"message":       "[svc-min-tasks] local-service aws_ecs_service.service-console_service_3D77F239: desired_count is 1, want at least 2; run at least 2 tasks (services.<name>.desired_count and services.<name>.autoscaling.min >= 2) (a warning outside production)",
	}
	if len(annotations) != 2 || !reflect.DeepEqual(annotations[0], want) {
		t.Errorf("local-service annotations:\n%v\nwant 2, the first:\n%v", annotations, want)
	}
	// Nothing else of the manifest changes.
	warned["stacks"].(map[string]any)["local-service"].(map[string]any)["annotations"] = []any{}
	if !reflect.DeepEqual(warned, silent) {
		t.Error("the warnings changed more of manifest.json than local-service's annotations")
	}
}
