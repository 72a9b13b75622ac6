package guardrails

// The ECS service rules: task count, stop timeout, drain, secrets.

import (
	"fmt"
	"regexp"

	"selfhost/awsrules"
	"selfhost/awsrules/fargate"
	"selfhost/config"
	"selfhost/internal/tfdoc"
)

func minTasks(s *stack) []hit {
	var hits []hit
	s.res.Each(func(addr string, a map[string]any) {
		if tfdoc.Str(a["scheduling_strategy"]) == "DAEMON" {
			return
		}
		if n, _ := tfdoc.Num(a["desired_count"]); n < 2 {
			hits = append(hits, hit{addr, fmt.Sprintf("desired_count is %v, want at least 2", n)})
		}
	}, "aws_ecs_service")
	s.res.Each(func(addr string, a map[string]any) {
		if tfdoc.Str(a["service_namespace"]) != "ecs" {
			return
		}
		if n, _ := tfdoc.Num(a["min_capacity"]); n < 2 {
			hits = append(hits, hit{addr, fmt.Sprintf("autoscaling min_capacity is %v, want at least 2", n)})
		}
	}, "aws_appautoscaling_target")
	return hits
}

func stopTimeout(s *stack) []hit {
	var hits []hit
	s.containers(func(addr string, c map[string]any) {
		st, ok := tfdoc.Num(c["stopTimeout"])
		if !ok {
			st = fargate.DefaultStopTimeout
		}
		if st < config.ProdStopTimeout {
			hits = append(hits, hit{addr, fmt.Sprintf("container %q stops after %v s, want at least %d", tfdoc.Str(c["name"]), st, config.ProdStopTimeout)})
		}
	})
	return hits
}

func deregistrationDelay(s *stack) []hit {
	limit := -1.0
	s.containers(func(_ string, c map[string]any) {
		st, ok := tfdoc.Num(c["stopTimeout"])
		if !ok {
			st = fargate.DefaultStopTimeout
		}
		if limit < 0 || st < limit {
			limit = st
		}
	})
	if limit < 0 { // no task here to drain
		return nil
	}
	var hits []hit
	s.res.Each(func(addr string, a map[string]any) {
		d, ok := tfdoc.Num(a["deregistration_delay"])
		if !ok {
			d = awsrules.DefaultDeregistrationDelay
		}
		if d > limit {
			hits = append(hits, hit{addr, fmt.Sprintf("deregistration delay %v s is above the containers' stop timeout %v s", d, limit)})
		}
	}, "aws_lb_target_group", "aws_alb_target_group")
	return hits
}

var reSecretName = regexp.MustCompile(`(?i)(password|passwd|secret|token|api_?key|private_?key|access_?key|credential|(^|_)key$)`)

func plaintextSecret(s *stack) []hit {
	var hits []hit
	s.containers(func(addr string, c map[string]any) {
		for _, e := range tfdoc.Blocks(c["environment"]) {
			if n := tfdoc.Str(e["name"]); reSecretName.MatchString(n) {
				hits = append(hits, hit{addr, fmt.Sprintf("container %q has %s in plain text in its environment", tfdoc.Str(c["name"]), n)})
			}
		}
	})
	return hits
}

// steadyState finds ECS services whose apply does not wait for steady
// state: the apply then ends green while the circuit breaker fails the
// rollout.
func steadyState(s *stack) []hit {
	var hits []hit
	s.res.Each(func(addr string, a map[string]any) {
		if !tfdoc.Truthy(a["wait_for_steady_state"]) {
			hits = append(hits, hit{addr, "the service's apply does not wait for steady state"})
		}
	}, "aws_ecs_service")
	return hits
}
