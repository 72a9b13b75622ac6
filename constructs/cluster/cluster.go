// Package cluster is the environment's ECS cluster (Container Insights on),
// which every service runs in.
package cluster

import (
	"fmt"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/ecscluster"

	"selfhost/awsrules"
	"selfhost/constructs/created"
)

// Props configures the cluster.
type Props struct {
	// Name is the cluster's name (1-255 of A-Z, a-z, 0-9, '_', '-').
	Name string
}

// Outputs of the cluster.
type Outputs struct {
	ARN  *string
	Name *string
	// Resources are the resources it created (paths below its id).
	Resources created.List
}

// New builds the cluster in scope. Its resource's id is "cluster".
func New(scope constructs.Construct, id string, p Props) (*Outputs, error) {
	if err := awsrules.ECSName(p.Name); err != nil {
		return nil, fmt.Errorf("cluster: Name %v", err)
	}
	c := constructs.NewConstruct(scope, jsii.String(id))
	var rs created.List
	cl := created.Add(&rs, "cluster", ecscluster.NewEcsCluster(c, jsii.String("cluster"), &ecscluster.EcsClusterConfig{
		Name: jsii.String(p.Name),
		Setting: &[]*ecscluster.EcsClusterSetting{{
			Name: jsii.String("containerInsights"), Value: jsii.String("enabled"),
		}},
		Tags: &map[string]*string{"Name": jsii.String(p.Name)},
	}))
	return &Outputs{ARN: cl.Arn(), Name: cl.Name(), Resources: rs}, nil
}
