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

// deregistrationDelay compares each target group's drain with the stop
// timeout of the tasks registering in it: the containers of the task
// definition of each ECS service whose load_balancer names the target
// group. A target group no service of the stack names is held to the
// shortest stop timeout of the stack's containers.
func deregistrationDelay(s *stack) []hit {
	stop := map[string]float64{} // task definition -> its shortest stop timeout
	shortest := -1.0
	s.containers(func(addr string, c map[string]any) {
		st, ok := tfdoc.Num(c["stopTimeout"])
		if !ok {
			st = fargate.DefaultStopTimeout
		}
		if cur, seen := stop[addr]; !seen || st < cur {
			stop[addr] = st
		}
		if shortest < 0 || st < shortest {
			shortest = st
		}
	})
	if shortest < 0 { // no task here to drain
		return nil
	}
	limit := map[string]float64{} // target group -> the stop timeout of its tasks
	s.res.Each(func(_ string, a map[string]any) {
		st, ok := stop[tfdoc.Ref(a["task_definition"])]
		if !ok {
			return
		}
		for _, lb := range tfdoc.Blocks(a["load_balancer"]) {
			tg := tfdoc.Ref(lb["target_group_arn"])
			if cur, seen := limit[tg]; tg != "" && (!seen || st < cur) {
				limit[tg] = st
			}
		}
	}, "aws_ecs_service")
	var hits []hit
	s.res.Each(func(addr string, a map[string]any) {
		d, ok := tfdoc.Num(a["deregistration_delay"])
		if !ok {
			d = awsrules.DefaultDeregistrationDelay
		}
		l, ok := limit[addr]
		if !ok {
			l = shortest
		}
		if d > l {
			hits = append(hits, hit{addr, fmt.Sprintf("deregistration delay %v s is above the stop timeout %v s of the containers registering in it", d, l)})
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
