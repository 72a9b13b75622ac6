// Package created is what a construct reports of the Terraform resources it
// created: each with its construct path below the construct. A stack can
// then address its resources (the moved blocks of stacks/migrate.go)
// without reading the construct tree back from the jsii kernel, where each
// construct read is a round trip.
package created

import "github.com/hashicorp/terraform-cdk-go/cdktf"

// Resource is one resource a construct created.
type Resource struct {
	// Path is the resource's construct path below the construct that
	// lists it, e.g. "sg" or "target-group-api".
	Path string
	// Resource is the resource.
	Resource cdktf.TerraformResource
}

// List is the resources a construct created, in creation order.
type List []Resource

// Add appends r, created with the construct id (or path) id, and returns r.
func Add[R cdktf.TerraformResource](l *List, id string, r R) R {
	*l = append(*l, Resource{Path: id, Resource: r})
	return r
}

// In is l with each path below id: the list, seen from the scope, of the
// construct that scope created with the id id.
func (l List) In(id string) List {
	out := make(List, len(l))
	for i, r := range l {
		out[i] = Resource{Path: id + "/" + r.Path, Resource: r.Resource}
	}
	return out
}
