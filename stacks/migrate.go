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
	"strings"
	"sync"

	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"selfhost/constructs/created"
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

// adoptSingleService adds a moved block to every resource of rs (the
// resources the stack's constructs created, with stack-relative paths)
// under the moves' paths, from the address it had under the old path (the
// first move whose path holds the resource). The paths come from the
// constructs, not from the jsii kernel: reading the construct tree back
// takes a kernel round trip per construct (migrate_test.go checks that rs
// is every resource of those constructs, at its path).
func adoptSingleService(name string, moves func(string) []move, rs created.List) {
	ms := moves(name)
	for _, r := range rs {
		for _, m := range ms {
			if under(r.Path, m.to) {
				old := m.from + r.Path[len(m.to):]
				r.Resource.MoveFromId(jsii.String(resourceType(r.Resource) + "." + logicalID(strings.Split(old, "/"))))
				break
			}
		}
	}
}

// under reports whether the construct path p is q or inside it.
func under(p, q string) bool {
	return p == q || strings.HasPrefix(p, q+"/")
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

func resourceType(r cdktf.TerraformResource) string {
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
