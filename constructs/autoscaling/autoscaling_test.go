package autoscaling

import (
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"selfhost/constructs/internal/testutil"
	_ "selfhost/internal/golden"
	"selfhost/internal/synth"
)

func TestMain(m *testing.M) { synth.TestMain(m) }

func props() Props {
	return Props{
		Name: "selfhost-test", ClusterName: jsii.String("cluster"), ServiceName: jsii.String("svc"),
		MinCapacity: 2, MaxCapacity: 8, CPUTargetPercent: 55, ScaleInCooldownSeconds: 300, ScaleOutCooldownSeconds: 60,
	}
}

// One synth: "scaling" scales on CPU only; "both" adds the request count policy.
func TestScaling(t *testing.T) {
	both := props()
	both.Name = "both"
	both.RequestsPerTarget = 1000
	both.RequestCountResourceLabel = jsii.String("app/alb/1/targetgroup/tg/2")
	both.MemoryTargetPercent = 70
	_, d := testutil.Synth(t, func(st cdktf.TerraformStack) {
		if _, err := New(st, "scaling", props()); err != nil {
			t.Fatal(err)
		}
		if _, err := New(st, "both", both); err != nil {
			t.Fatal(err)
		}
	})

	tgt := testutil.Find(t, d, "aws_appautoscaling_target", "scaling_")
	for k, v := range map[string]any{
		"service_namespace": "ecs", "scalable_dimension": "ecs:service:DesiredCount", "resource_id": "service/cluster/svc",
		"min_capacity": 2.0, "max_capacity": 8.0,
	} {
		if !reflect.DeepEqual(tgt[k], v) {
			t.Errorf("target %s = %v, want %v", k, tgt[k], v)
		}
	}

	if n := d.Count("aws_appautoscaling_policy"); n != 4 {
		t.Fatalf("%d policies, want 4 (scaling: CPU; both: CPU, memory, requests)", n)
	}
	cpu := testutil.Find(t, d, "aws_appautoscaling_policy", "scaling_cpu_")
	if cpu["name"] != "selfhost-test-cpu" || cpu["policy_type"] != "TargetTrackingScaling" {
		t.Errorf("CPU policy %v", cpu)
	}
	ref := regexp.MustCompile(`^\$\{aws_appautoscaling_target\.scaling_target_[A-F0-9]+\.(service_namespace|scalable_dimension|resource_id)\}$`)
	for _, k := range []string{"service_namespace", "scalable_dimension", "resource_id"} {
		if s, _ := cpu[k].(string); !ref.MatchString(s) || !strings.HasSuffix(s, "."+k+"}") {
			t.Errorf("CPU policy %s = %v, want a reference to the target", k, cpu[k])
		}
	}
	wantCPU := map[string]any{
		"target_value": 55.0, "scale_in_cooldown": 300.0, "scale_out_cooldown": 60.0, "disable_scale_in": false,
		"predefined_metric_specification": map[string]any{"predefined_metric_type": "ECSServiceAverageCPUUtilization"},
	}
	if got := cpu["target_tracking_scaling_policy_configuration"]; !reflect.DeepEqual(got, wantCPU) {
		t.Errorf("CPU tracking\n got %v\nwant %v", got, wantCPU)
	}
	mem := testutil.Find(t, d, "aws_appautoscaling_policy", "both_memory_")
	wantMem := map[string]any{
		"target_value": 70.0, "scale_in_cooldown": 300.0, "scale_out_cooldown": 60.0, "disable_scale_in": false,
		"predefined_metric_specification": map[string]any{"predefined_metric_type": "ECSServiceAverageMemoryUtilization"},
	}
	if got := mem["target_tracking_scaling_policy_configuration"]; mem["name"] != "both-memory" || !reflect.DeepEqual(got, wantMem) {
		t.Errorf("memory policy %v\n got %v\nwant %v", mem["name"], got, wantMem)
	}
	req := testutil.Find(t, d, "aws_appautoscaling_policy", "both_requests_")
	wantReq := map[string]any{
		"target_value": 1000.0, "scale_in_cooldown": 300.0, "scale_out_cooldown": 60.0, "disable_scale_in": false,
		"predefined_metric_specification": map[string]any{"predefined_metric_type": "ALBRequestCountPerTarget", "resource_label": "app/alb/1/targetgroup/tg/2"},
	}
	if got := req["target_tracking_scaling_policy_configuration"]; req["name"] != "both-requests-per-target" || !reflect.DeepEqual(got, wantReq) {
		t.Errorf("request policy %v\n got %v\nwant %v", req["name"], got, wantReq)
	}
}

func TestRejectsBadProps(t *testing.T) {
	for _, tc := range []struct {
		edit func(*Props)
		want string
	}{
		{func(p *Props) { p.MinCapacity = 0 }, "autoscaling: MinCapacity 0 is out of range; want 1 to 1000 (at least one task always runs)"},
		{func(p *Props) { p.MaxCapacity = 1 }, "autoscaling: MaxCapacity 1 is out of range; want MinCapacity (2) to 1000"},
		{func(p *Props) { p.CPUTargetPercent = 95 }, "autoscaling: CPUTargetPercent 95 is out of range; want 10 to 90"},
		{func(p *Props) { p.CPUTargetPercent = 5 }, "autoscaling: CPUTargetPercent 5 is out of range; want 10 to 90"},
		{func(p *Props) { p.ScaleInCooldownSeconds = -1 }, "autoscaling: ScaleInCooldownSeconds -1 is out of range; want 0 to 3600"},
		{func(p *Props) { p.ScaleOutCooldownSeconds = 3601 }, "autoscaling: ScaleOutCooldownSeconds 3601 is out of range; want 0 to 3600"},
		{func(p *Props) { p.RequestsPerTarget = 100 }, "autoscaling: RequestCountResourceLabel is required with RequestsPerTarget"},
		{func(p *Props) { p.MemoryTargetPercent = 95 }, "autoscaling: MemoryTargetPercent 95 is out of range; want 0 (no memory policy) or 10 to 90"},
		{func(p *Props) { p.ServiceName = nil }, "autoscaling: ClusterName and ServiceName are required"},
		{func(p *Props) { p.Name = "" }, `autoscaling: Name "" is not allowed`},
	} {
		p := props()
		tc.edit(&p)
		if err := p.Validate(); err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("got %v\nwant %q", err, tc.want)
		}
		if _, err := New(nil, "scaling", p); err == nil {
			t.Errorf("New accepted %+v", p)
		}
	}
	for _, edit := range []func(*Props){
		func(p *Props) {},
		func(p *Props) { p.MinCapacity, p.MaxCapacity = 1, 1 },
		func(p *Props) { p.CPUTargetPercent = 10 },
		func(p *Props) { p.CPUTargetPercent = 90 },
	} {
		p := props()
		edit(&p)
		if err := p.Validate(); err != nil {
			t.Error(err)
		}
	}
}
