// Package stacks composes the constructs into the stacks of one environment,
// one per part of the topology (config.Parts): <env>-state, <env>-network,
// <env>-data, <env>-registry, <env>-service and <env>-dns. Each stack gets the AWS provider
// (provider.go) and its backend (backend.go) from the environment's config.
package stacks

import (
	"fmt"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"selfhost/config"
	"selfhost/guardrails"
	"selfhost/internal/synth"
)

// handoff carries what a stack gives the stacks after it.
type handoff struct {
	network  *NetworkOutputs
	data     *DataOutputs
	registry *RegistryOutputs
	service  *ServiceOutputs
}

// builder builds one part's stack, reading and adding to the handoff.
type builder func(scope constructs.Construct, cfg *config.Config, h *handoff) (Stack, error)

// builders builds each part of config.Parts.
var builders = map[string]builder{
	config.PartState: func(scope constructs.Construct, cfg *config.Config, _ *handoff) (Stack, error) {
		return NewState(scope, cfg)
	},
	config.PartNetwork: func(scope constructs.Construct, cfg *config.Config, h *handoff) (st Stack, err error) {
		st, h.network, err = NewNetwork(scope, cfg)
		return st, err
	},
	config.PartData: func(scope constructs.Construct, cfg *config.Config, h *handoff) (st Stack, err error) {
		if h.network == nil {
			return nil, fmt.Errorf("needs the %s stack before it", config.PartNetwork)
		}
		st, h.data, err = NewData(scope, cfg, h.network)
		return st, err
	},
	config.PartRegistry: func(scope constructs.Construct, cfg *config.Config, h *handoff) (st Stack, err error) {
		st, h.registry, err = NewRegistry(scope, cfg)
		return st, err
	},
	config.PartService: func(scope constructs.Construct, cfg *config.Config, h *handoff) (st Stack, err error) {
		if h.network == nil || h.data == nil || h.registry == nil {
			return nil, fmt.Errorf("needs the %s, %s and %s stacks before it", config.PartNetwork, config.PartData, config.PartRegistry)
		}
		st, h.service, err = NewService(scope, cfg, h.network, h.data, h.registry)
		return st, err
	},
	config.PartDNS: func(scope constructs.Construct, cfg *config.Config, h *handoff) (Stack, error) {
		if h.network == nil || h.service == nil {
			return nil, fmt.Errorf("needs the %s and %s stacks before it", config.PartNetwork, config.PartService)
		}
		return NewDNS(scope, cfg, h.network, h.service)
	},
}

// Builder is Build of cfgs, in the form synth.Run takes.
func Builder(cfgs []*config.Config) func(cdktf.App) error {
	return func(app cdktf.App) error { return Build(app, cfgs) }
}

// Build adds every stack of every environment to app, in the order of
// config.Parts, each depending on the one before, and registers the
// guardrails check of their synthesized output with synth (so app must be
// the one synth.Run builds; any other is an error).
func Build(app cdktf.App, cfgs []*config.Config) error {
	for _, cfg := range cfgs {
		var h handoff
		var built []Stack
		for _, part := range config.Parts {
			build, ok := builders[part]
			if !ok {
				return fmt.Errorf("%s: stacks has no builder for the part %q", cfg.StackName(part), part)
			}
			st, err := build(app, cfg, &h)
			if err != nil {
				return fmt.Errorf("%s: %w", cfg.StackName(part), err)
			}
			if n := len(built); n > 0 {
				st.AddDependency(built[n-1])
			}
			built = append(built, st)
		}
	}
	// The guardrails, checked on the cdk.tf.json files synth writes, before
	// they replace the previous output.
	return synth.AddCheck(app, func(out *synth.Output) error {
		return guardrails.Check(cfgs, out.StackJSON, out.Warn)
	})
}
