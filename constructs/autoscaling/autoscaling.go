// Package autoscaling scales the ECS service's task count between a minimum
// and a maximum with target tracking on average CPU, and optionally on
// average memory and on ALB requests per target.
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-autoscaling-targettracking.html Target tracking scales out when any policy asks and
// in only when all allow it.
package autoscaling

import (
	"fmt"
	"regexp"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/appautoscalingpolicy"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/appautoscalingtarget"

	"selfhost/constructs/created"
)

// Limits of the props, quoted in validation messages.
const (
	MinCPUTarget = 10
	MaxCPUTarget = 90
	MaxCapacity  = 1000
	MaxCooldown  = 3600
)

var reName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,200}$`)

// Props configures the scaling. Every field is required unless its comment
// says otherwise; the environment defaults live in config/defaults.go (the
// config layer warns about CPU targets outside 50-60).
type Props struct {
	// Name prefixes the policy names, e.g. "selfhost-production".
	Name string
	// ClusterName and ServiceName identify the ECS service (the service
	// construct's outputs: the target then depends on the service).
	ClusterName *string
	ServiceName *string
	// MinCapacity is the fewest tasks (1-1000) and MaxCapacity the most
	// (MinCapacity-1000).
	MinCapacity int
	MaxCapacity int
	// CPUTargetPercent is the average CPU utilization to hold (10-90).
	CPUTargetPercent int
	// MemoryTargetPercent, when above 0, adds a policy holding this average
	// memory utilization (10-90, ECSServiceAverageMemoryUtilization). Optional.
	MemoryTargetPercent int
	// ScaleInCooldownSeconds and ScaleOutCooldownSeconds (0-3600) apply to
	// every policy.
	ScaleInCooldownSeconds  int
	ScaleOutCooldownSeconds int
	// RequestsPerTarget, when above 0, adds a policy holding this many ALB
	// requests per target (per minute, ALBRequestCountPerTarget). Optional.
	RequestsPerTarget int
	// RequestCountResourceLabel is "<ALB arn_suffix>/<target group
	// arn_suffix>" (the load balancer construct's output); required with
	// RequestsPerTarget.
	RequestCountResourceLabel *string
}

// Outputs of the scaling.
type Outputs struct {
	// ResourceID is service/<cluster>/<service>.
	ResourceID *string
	// CPUPolicyARN is the CPU target tracking policy.
	CPUPolicyARN *string
	// MemoryPolicyARN is the memory policy; nil without it.
	MemoryPolicyARN *string
	// RequestsPolicyARN is the request count policy; nil without it.
	RequestsPolicyARN *string
	// Resources are the resources it created (paths below its id).
	Resources created.List
}

// Validate checks the props and names the first bad field.
func (p Props) Validate() error {
	bad := func(format string, a ...any) error { return fmt.Errorf("autoscaling: "+format, a...) }
	switch {
	case !reName.MatchString(p.Name):
		return bad("Name %q is not allowed; want 1-200 of A-Z, a-z, 0-9, '_', '-'", p.Name)
	case p.ClusterName == nil || p.ServiceName == nil:
		return bad("ClusterName and ServiceName are required")
	case p.MinCapacity < 1 || p.MinCapacity > MaxCapacity:
		return bad("MinCapacity %d is out of range; want 1 to %d (at least one task always runs)", p.MinCapacity, MaxCapacity)
	case p.MaxCapacity < p.MinCapacity || p.MaxCapacity > MaxCapacity:
		return bad("MaxCapacity %d is out of range; want MinCapacity (%d) to %d", p.MaxCapacity, p.MinCapacity, MaxCapacity)
	case p.CPUTargetPercent < MinCPUTarget || p.CPUTargetPercent > MaxCPUTarget:
		return bad("CPUTargetPercent %d is out of range; want %d to %d", p.CPUTargetPercent, MinCPUTarget, MaxCPUTarget)
	case p.ScaleInCooldownSeconds < 0 || p.ScaleInCooldownSeconds > MaxCooldown:
		return bad("ScaleInCooldownSeconds %d is out of range; want 0 to %d", p.ScaleInCooldownSeconds, MaxCooldown)
	case p.ScaleOutCooldownSeconds < 0 || p.ScaleOutCooldownSeconds > MaxCooldown:
		return bad("ScaleOutCooldownSeconds %d is out of range; want 0 to %d", p.ScaleOutCooldownSeconds, MaxCooldown)
	case p.MemoryTargetPercent != 0 && (p.MemoryTargetPercent < MinCPUTarget || p.MemoryTargetPercent > MaxCPUTarget):
		return bad("MemoryTargetPercent %d is out of range; want 0 (no memory policy) or %d to %d", p.MemoryTargetPercent, MinCPUTarget, MaxCPUTarget)
	case p.RequestsPerTarget < 0:
		return bad("RequestsPerTarget %d is negative; want 0 (no request policy) or more", p.RequestsPerTarget)
	case p.RequestsPerTarget > 0 && p.RequestCountResourceLabel == nil:
		return bad("RequestCountResourceLabel is required with RequestsPerTarget")
	}
	return nil
}

// New builds the scaling in scope.
func New(scope constructs.Construct, id string, p Props) (*Outputs, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	c := constructs.NewConstruct(scope, jsii.String(id))

	var rs created.List
	target := created.Add(&rs, "target", appautoscalingtarget.NewAppautoscalingTarget(c, jsii.String("target"), &appautoscalingtarget.AppautoscalingTargetConfig{
		ServiceNamespace:  jsii.String("ecs"),
		ScalableDimension: jsii.String("ecs:service:DesiredCount"),
		ResourceId:        jsii.String("service/" + *p.ClusterName + "/" + *p.ServiceName),
		MinCapacity:       jsii.Number(float64(p.MinCapacity)),
		MaxCapacity:       jsii.Number(float64(p.MaxCapacity)),
	}))
	// The target's attributes, read once for every policy (each read is a
	// jsii round trip).
	namespace, dimension, resourceID := target.ServiceNamespace(), target.ScalableDimension(), target.ResourceId()
	policy := func(key, name string, targetValue float64, metric *appautoscalingpolicy.AppautoscalingPolicyTargetTrackingScalingPolicyConfigurationPredefinedMetricSpecification) appautoscalingpolicy.AppautoscalingPolicy {
		return created.Add(&rs, key, appautoscalingpolicy.NewAppautoscalingPolicy(c, jsii.String(key), &appautoscalingpolicy.AppautoscalingPolicyConfig{
			Name:              jsii.String(p.Name + "-" + name),
			PolicyType:        jsii.String("TargetTrackingScaling"),
			ServiceNamespace:  namespace,
			ScalableDimension: dimension,
			ResourceId:        resourceID,
			TargetTrackingScalingPolicyConfiguration: &appautoscalingpolicy.AppautoscalingPolicyTargetTrackingScalingPolicyConfiguration{
				TargetValue:                   jsii.Number(targetValue),
				PredefinedMetricSpecification: metric,
				ScaleInCooldown:               jsii.Number(float64(p.ScaleInCooldownSeconds)),
				ScaleOutCooldown:              jsii.Number(float64(p.ScaleOutCooldownSeconds)),
				DisableScaleIn:                jsii.Bool(false),
			},
		}))
	}
	out := &Outputs{ResourceID: resourceID}
	cpu := policy("cpu", "cpu", float64(p.CPUTargetPercent), &appautoscalingpolicy.AppautoscalingPolicyTargetTrackingScalingPolicyConfigurationPredefinedMetricSpecification{
		PredefinedMetricType: jsii.String("ECSServiceAverageCPUUtilization"),
	})
	out.CPUPolicyARN = cpu.Arn()
	if p.MemoryTargetPercent > 0 {
		mem := policy("memory", "memory", float64(p.MemoryTargetPercent), &appautoscalingpolicy.AppautoscalingPolicyTargetTrackingScalingPolicyConfigurationPredefinedMetricSpecification{
			PredefinedMetricType: jsii.String("ECSServiceAverageMemoryUtilization"),
		})
		out.MemoryPolicyARN = mem.Arn()
	}
	if p.RequestsPerTarget > 0 {
		req := policy("requests", "requests-per-target", float64(p.RequestsPerTarget), &appautoscalingpolicy.AppautoscalingPolicyTargetTrackingScalingPolicyConfigurationPredefinedMetricSpecification{
			PredefinedMetricType: jsii.String("ALBRequestCountPerTarget"),
			ResourceLabel:        p.RequestCountResourceLabel,
		})
		out.RequestsPolicyARN = req.Arn()
	}
	out.Resources = rs
	return out, nil
}
