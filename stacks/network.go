package stacks

import (
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"selfhost/config"
	"selfhost/constructs/network"
)

// NewNetwork is <env>-network: the tiered VPC.
func NewNetwork(scope constructs.Construct, cfg *config.Config) (cdktf.TerraformStack, *network.Outputs, error) {
	st := newStack(scope, cfg, PartNetwork)
	useS3Backend(st, cfg)
	out, err := network.New(st, "network", network.Props{
		Name:                 cfg.Project + "-" + cfg.Name,
		Region:               cfg.Region,
		VPCCIDR:              cfg.Network.VPCCIDR,
		AZs:                  cfg.AZNames(),
		Layout:               cfg.Layout(),
		NAT:                  cfg.Network.NAT,
		InterfaceEndpoints:   cfg.Network.InterfaceEndpoints,
		FlowLogRetentionDays: cfg.Network.FlowLogRetentionDays,
	})
	if err != nil {
		return nil, nil, err
	}
	cdktf.NewTerraformOutput(st, jsii.String("vpc_id"), &cdktf.TerraformOutputConfig{Value: out.VPCID})
	cdktf.NewTerraformOutput(st, jsii.String("private_subnet_ids"), &cdktf.TerraformOutputConfig{Value: &out.PrivateSubnetIDs})
	return st, out, nil
}
