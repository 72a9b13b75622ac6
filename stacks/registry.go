package stacks

import (
	"fmt"

	"github.com/aws/constructs-go/constructs/v10"

	"selfhost/config"
	"selfhost/constructs/created"
	"selfhost/constructs/registry"
)

// RegistryOutputs are what <env>-service uses of <env>-registry: each
// service's repository, by service name.
type RegistryOutputs struct {
	Repositories map[string]*registry.Outputs
	// resources are the resources of the repositories' constructs, with
	// stack-relative paths: those the moved blocks are given to (migrate.go).
	resources created.List
}

// NewRegistry is <env>-registry: one ECR repository per service, its image
// pulled from there. It comes before <env>-service so that the first deploy
// of an environment can create the repositories, publish the images into
// them, and only then create the services (whose rollouts wait for tasks
// that pull them). Each repository's construct id is registry-<service>;
// the service adopting the single service of earlier versions moves that
// one's (id registry) there (migrate.go).
func NewRegistry(scope constructs.Construct, cfg *config.Config) (Stack, *RegistryOutputs, error) {
	st := newStack(scope, cfg, config.PartRegistry, "")
	useS3Backend(st, cfg, config.PartRegistry)
	out := &RegistryOutputs{Repositories: map[string]*registry.Outputs{}}
	var adopting []string
	for _, name := range cfg.ServiceNames() {
		s := cfg.Services[name]
		id := "registry-" + name
		reg, err := registry.New(st, id, registry.Props{
			Name:               s.Image.Repository,
			TagMutability:      cfg.Registry.TagMutability,
			ScanOnPush:         cfg.Registry.ScanOnPush,
			Encryption:         "AES256",
			UntaggedExpiryDays: cfg.Registry.UntaggedExpiryDays,
		})
		if err != nil {
			return nil, nil, fmt.Errorf("services.%s: %w", name, err)
		}
		out.resources = append(out.resources, reg.Resources.In(id)...)
		if s.AdoptSingleService {
			adopting = append(adopting, name)
		}
		out.Repositories[name] = reg
		output(st, "repository_name_"+name, reg.Name)
		output(st, "repository_url_"+name, reg.URL)
	}
	for _, name := range adopting {
		adoptSingleService(name, singleServiceRegistry, out.resources)
	}
	return st, out, nil
}
