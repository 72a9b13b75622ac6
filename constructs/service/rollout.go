package service

import (
	"fmt"
	"time"
)

// How long a rollout of the service may take before `terraform apply`
// gives up on it. The service resource waits for steady state
// (wait_for_steady_state): the AWS provider (5.x,
// internal/service/ecs/service.go, waitServiceStable and
// statusServiceWaitForStable) polls DescribeServices until the service is
// ACTIVE with exactly one deployment and runningCount == desiredCount, or
// the create/update timeout passes. It does not read the deployment's
// rolloutState. So:
//
//   - a rollout that succeeds ends the wait when its old tasks are gone;
//   - an update whose rollout the circuit breaker marks FAILED is rolled
//     back (rollback = true): ECS redeploys the last COMPLETED task
//     definition, and when that is steady the waiter returns success. The
//     service's task_definition is then the old revision, and the
//     resource's postcondition (task_definition == the new revision) fails
//     the apply with RolledBackMessage;
//   - a first deployment that fails has nothing to roll back to: it never
//     becomes steady and the apply fails when the timeout passes
//     ("timeout while waiting for state to become 'tfSTABLE'").
//
// The timeout must therefore cover a failing rollout and its rollback, so
// the failure is reported by the postcondition (with the reason) and not by
// the timeout.

// TaskStartAllowance is how long a Fargate task may take from placement to
// its container running: capacity, the network interface, pulling the image.
// It is selfhost's allowance for a small image, not an AWS limit.
const TaskStartAllowance = 180 * time.Second

// Circuit breaker failure threshold: ECS fails a deployment after
// 0.5 x the desired count failed tasks, at least 3 and at most 200.
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-circuit-breaker.html
const (
	circuitBreakerMinFailures = 3
	circuitBreakerMaxFailures = 200
)

// TargetHealth are the target group's health check timings the rollout
// waits on (the loadbalancer construct's HealthCheck).
type TargetHealth struct {
	IntervalSeconds    int
	HealthyThreshold   int
	UnhealthyThreshold int
}

// RolledBackMessage is the apply error when the circuit breaker rolled the
// service back to the previous task definition.
const RolledBackMessage = "The ECS deployment of the new task definition failed and the deployment circuit breaker " +
	"rolled the service back to the previous revision: its tasks did not start or did not pass the health checks. " +
	"The service's events say why (aws ecs describe-services --query 'services[0].events[:5]'): " +
	"usually an image that is not in the repository, or a failing /api/status."

// CircuitBreakerThreshold is the number of failed tasks after which ECS
// marks a deployment of desired tasks FAILED.
func CircuitBreakerThreshold(desired int) int {
	n := (desired + 1) / 2
	return min(max(n, circuitBreakerMinFailures), circuitBreakerMaxFailures)
}

// RolloutTimeout is the create/update timeout of the service: the time a
// rollout that fails needs to be declared failed by the circuit breaker,
// plus the time the rollback (or a rollout that succeeds) needs to settle:
//
//	success = start + interval x healthy threshold        (new tasks healthy in the target group)
//	        + deregistration delay + stop timeout         (old tasks drained and stopped)
//	failure = rounds x (start + max(grace, interval x unhealthy threshold) + stop timeout)
//	          rounds = ceil(threshold / desired): ECS starts up to desired new
//	          tasks at once (maximum 200 %), and fails the deployment after
//	          CircuitBreakerThreshold(desired) of them failed
//	timeout = failure + success, rounded up to a whole minute
//
// start is TaskStartAllowance. Health check grace applies to failing tasks
// only: ECS does not stop an unhealthy new task before it has passed.
func RolloutTimeout(p Props) time.Duration {
	s := func(n int) time.Duration { return time.Duration(n) * time.Second }
	th := p.TargetHealth
	desired := max(p.DesiredCount, 1)
	success := TaskStartAllowance + s(th.IntervalSeconds*th.HealthyThreshold) + s(p.DeregistrationDelaySeconds) + s(p.StopTimeoutSeconds)
	rounds := (CircuitBreakerThreshold(desired) + desired - 1) / desired
	failure := time.Duration(rounds) * (TaskStartAllowance + max(s(p.HealthCheckGracePeriodSeconds), s(th.IntervalSeconds*th.UnhealthyThreshold)) + s(p.StopTimeoutSeconds))
	return (failure + success + time.Minute - 1).Truncate(time.Minute)
}

// terraformDuration renders d the way Terraform's timeouts take it ("22m").
func terraformDuration(d time.Duration) string {
	return fmt.Sprintf("%dm", int(d/time.Minute))
}
