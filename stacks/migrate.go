package stacks

// Moving the single service of earlier versions (config service:) to the
// service that adopts it (services.<name>.adopt_single_service): Terraform
// moved blocks from each resource's old address to its new one, so an
// existing deployment's state follows the refactoring and nothing is
// replaced (the adopting service keeps the old AWS names too:
// config.ServiceResources).

import (
	"crypto/md5"
	"encoding/hex"
	"regexp"
	"strings"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// move maps the resources under the construct path to (stack-relative)
// to those under from, the construct path they had before.
type move struct{ to, from string }

// singleServiceMoves are the moves of <env>-service for the adopting
// service name: its security group and rules were the load balancer's,
// its target group and rule the load balancer's single ones, the rest the
// service's and autoscaling's constructs, the cluster the service's.
func singleServiceMoves(name string) []move {
	svc := "service-" + name
	return []move{
		{svc + "/sg", "load-balancer/service-sg"},
		{svc + "/in-alb", "load-balancer/service-in-alb"},
		{svc + "/alb-out", "load-balancer/alb-out-service"},
		{svc + "/out-https", "load-balancer/service-out-https"},
		{svc, "service"},
		{"autoscaling-" + name, "autoscaling"},
		{"cluster/cluster", "service/cluster"},
		{"load-balancer/target-group-" + name, "load-balancer/target-group"},
		{"load-balancer/route-" + name, "load-balancer/route-service"},
	}
}

// singleServiceRegistry is the move of <env>-registry: the one repository
// had the construct id registry.
func singleServiceRegistry(name string) []move {
	return []move{{"registry-" + name, "registry"}}
}

// movable is a resource that can take a moved block.
type movable interface {
	constructs.IConstruct
	TerraformResourceType() *string
	MoveFromId(id *string)
}

// adoptSingleService adds a moved block to every resource of st under the
// moves' paths, from the address it had under the old path.
func adoptSingleService(st Stack, name string, moves func(string) []move) {
	root := *constructs.Node_Of(st).Path() + "/"
	for _, c := range *constructs.Node_Of(st).FindAll(constructs.ConstructOrder_PREORDER) {
		r, ok := c.(movable)
		if !ok {
			continue
		}
		rel := strings.TrimPrefix(*constructs.Node_Of(r).Path(), root)
		for _, m := range moves(name) {
			if rel == m.to || strings.HasPrefix(rel, m.to+"/") {
				old := m.from + rel[len(m.to):]
				r.MoveFromId(jsii.String(*r.TerraformResourceType() + "." + logicalID(strings.Split(old, "/"))))
				break
			}
		}
	}
}

var reDisallowed = regexp.MustCompile(`[^A-Za-z0-9_-]`)

// logicalID is the Terraform resource name cdktf gives the construct path
// components (relative to the stack): cdktf's makeUniqueId
// (lib/private/unique.ts): the components without repeats joined by '_',
// then the first 8 hex digits of the path's MD5, upper case.
func logicalID(components []string) string {
	sum := md5.Sum([]byte(strings.Join(components, "/")))
	var human []string
	for _, c := range components {
		if len(human) == 0 || !strings.HasSuffix(human[len(human)-1], c) {
			human = append(human, c)
		}
	}
	for i, h := range human {
		human[i] = reDisallowed.ReplaceAllString(h, "")
	}
	id := strings.Join(human, "_")
	if len(id) > 240 {
		id = id[:240]
	}
	return id + "_" + strings.ToUpper(hex.EncodeToString(sum[:])[:8])
}
