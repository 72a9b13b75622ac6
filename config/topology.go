package config

import "strings"

// The parts of an environment. Each is one stack, named <env>-<part>.
const (
	// PartState holds the state bucket (and lock table) every other stack
	// keeps its state in; its own state is local or migrated into it.
	PartState = "state"
	// PartNetwork is the VPC, its subnets, gateways and endpoints (and the
	// hosted zone when dns.create_zone).
	PartNetwork = "network"
	// PartData is everything stateful of the application: the database and
	// the application buckets. Apart from the service so a service change
	// never plans a change to them; always emitted (empty without a
	// database and buckets).
	PartData = "data"
	// PartRegistry is the ECR repository the service's image is pulled
	// from: its own stack, so a first deploy can create it, publish the
	// image into it, and only then create the service.
	PartRegistry = "registry"
	// PartService is the certificate, load balancer, ECS service and its
	// autoscaling.
	PartService = "service"
	// PartDNS is the records of the hosts, possibly in another account.
	PartDNS = "dns"
)

// Parts is the topology of every environment: its stacks in deployment
// order, each depending on the one before. It is the one list of stacks:
// the app wiring (stacks.Build) builds them in this order, ops/deploy applies
// them in this order and destroys them in reverse, the plan report sorts by
// it, and the guardrails and tests read it. Adding a stack is one entry here
// (and its builder in stacks).
var Parts = []string{PartState, PartNetwork, PartData, PartRegistry, PartService, PartDNS}

// PartOf returns the part a stack name <env>-<part> (or a bare <part>)
// belongs to, and whether it is one of Parts.
func PartOf(stack string) (string, bool) {
	for _, p := range Parts {
		if stack == p || strings.HasSuffix(stack, "-"+p) {
			return p, true
		}
	}
	return "", false
}

// StackNames are the environment's stack names, in deployment order.
func (c *Config) StackNames() []string {
	out := make([]string, len(Parts))
	for i, p := range Parts {
		out[i] = c.StackName(p)
	}
	return out
}
