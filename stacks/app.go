package stacks

import (
	"fmt"

	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"selfhost/config"
	"selfhost/guardrails"
)

// Build adds every stack of every environment to app, in dependency order.
func Build(app cdktf.App, cfgs []*config.Config) error {
	for _, cfg := range cfgs {
		state, err := NewState(app, cfg)
		if err != nil {
			return fmt.Errorf("%s: %w", cfg.StackName(PartState), err)
		}
		net, netOut, err := NewNetwork(app, cfg)
		if err != nil {
			return fmt.Errorf("%s: %w", cfg.StackName(PartNetwork), err)
		}
		net.AddDependency(state)
		svc, svcOut, err := NewService(app, cfg, netOut)
		if err != nil {
			return fmt.Errorf("%s: %w", cfg.StackName(PartService), err)
		}
		svc.AddDependency(net)
		records, err := NewDNS(app, cfg, netOut, svcOut)
		if err != nil {
			return fmt.Errorf("%s: %w", cfg.StackName(PartDNS), err)
		}
		records.AddDependency(svc)
		// The production policy, checked on the resolved JSON at synth.
		for _, st := range []cdktf.TerraformStack{state, net, svc, records} {
			guardrails.Attach(st, cfg)
		}
	}
	return nil
}
