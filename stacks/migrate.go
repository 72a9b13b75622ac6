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
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
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
	ToString() *string
	TerraformResourceType() *string
	MoveFromId(id *string)
}

// adoptSingleService adds a moved block to every resource of st under the
// moves' paths, from the address it had under the old path (the first
// move whose path holds the resource). It walks only the subtrees the
// moves name, not the whole stack: each construct it reads is a jsii
// kernel round trip (migrate_test.go checks which resources it finds).
func adoptSingleService(st Stack, name string, moves func(string) []move) {
	ms := moves(name)
	root := pathOf(st) + "/"
	nodes := map[string]constructs.Node{"": constructs.Node_Of(st)}
	for _, top := range outermost(ms) {
		n := find(nodes, top)
		if n == nil {
			continue
		}
		for _, c := range *n.FindAll(constructs.ConstructOrder_PREORDER) {
			r, ok := c.(movable)
			if !ok {
				continue
			}
			rel := strings.TrimPrefix(pathOf(r), root)
			for _, m := range ms {
				if under(rel, m.to) {
					old := m.from + rel[len(m.to):]
					r.MoveFromId(jsii.String(resourceType(r) + "." + logicalID(strings.Split(old, "/"))))
					break
				}
			}
		}
	}
}

// under reports whether the construct path p is q or inside it.
func under(p, q string) bool {
	return p == q || strings.HasPrefix(p, q+"/")
}

// outermost are the moves' paths that are not inside another's, in order:
// the subtrees that hold every resource a move applies to.
func outermost(ms []move) []string {
	var tops []string
	for _, m := range ms {
		inside := false
		for _, o := range ms {
			if o.to != m.to && under(m.to, o.to) {
				inside = true
				break
			}
		}
		if !inside && !slices.Contains(tops, m.to) {
			tops = append(tops, m.to)
		}
	}
	return tops
}

// find is the node of the construct at the stack-relative path, or nil;
// nodes holds the nodes already found by path ("" is the stack's), so that
// moves under the same construct look it up once.
func find(nodes map[string]constructs.Node, path string) constructs.Node {
	if n, ok := nodes[path]; ok {
		return n
	}
	parent, id := "", path
	if i := strings.LastIndexByte(path, '/'); i >= 0 {
		parent, id = path[:i], path[i+1:]
	}
	var n constructs.Node
	if p := find(nodes, parent); p != nil {
		if c := p.TryFindChild(jsii.String(id)); c != nil {
			n = constructs.Node_Of(c)
		}
	}
	nodes[path] = n
	return n
}

// pathOf is the construct's path: constructs' Construct.toString returns
// it (constructs v10 lib/construct.js), in one kernel request where
// Node_Of(c).Path() takes two (migrate_test.go checks they agree).
func pathOf(c interface{ ToString() *string }) string {
	return *c.ToString()
}

// resourceTypes caches the Terraform type of each provider resource class
// by its Go proxy type: a class generated from a provider schema has one
// type (its TfResourceType), so the kernel is asked once per class, not
// once per resource. cdktf's own TerraformResource takes its type per
// instance: it is asked every time.
var (
	resourceTypesMu sync.Mutex
	resourceTypes   = map[reflect.Type]string{}
	cdktfPackage    = reflect.TypeFor[cdktf.TerraformResource]().PkgPath()
)

func resourceType(r movable) string {
	k := reflect.TypeOf(r)
	if k.Kind() == reflect.Pointer && k.Elem().PkgPath() == cdktfPackage {
		return *r.TerraformResourceType()
	}
	resourceTypesMu.Lock()
	defer resourceTypesMu.Unlock()
	t, ok := resourceTypes[k]
	if !ok {
		t = *r.TerraformResourceType()
		resourceTypes[k] = t
	}
	return t
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
