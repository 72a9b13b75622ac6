package stacks

import (
	"github.com/aws/constructs-go/constructs/v10"

	"selfhost/config"
	"selfhost/constructs/registry"
)

// RegistryOutputs are what <env>-service uses of <env>-registry.
type RegistryOutputs = registry.Outputs

// NewRegistry is <env>-registry: the ECR repository the service's image is
// pulled from. It comes before <env>-service so that the first deploy of an
// environment can create the repository, publish the image into it, and only
// then create the service (whose rollout waits for tasks that pull it). The
// construct id "registry" is the one it had in <env>-service, so the
// resources keep their addresses (README: moving an existing deployment).
func NewRegistry(scope constructs.Construct, cfg *config.Config) (Stack, *RegistryOutputs, error) {
	st := newStack(scope, cfg, config.PartRegistry, "")
	useS3Backend(st, cfg)
	reg, err := registry.New(st, "registry", registry.Props{
		Name:               cfg.Service.Image.Repository,
		TagMutability:      cfg.Registry.TagMutability,
		ScanOnPush:         cfg.Registry.ScanOnPush,
		Encryption:         "AES256",
		UntaggedExpiryDays: cfg.Registry.UntaggedExpiryDays,
	})
	if err != nil {
		return nil, nil, err
	}
	output(st, "repository_name", reg.Name)
	output(st, "repository_url", reg.URL)
	return st, reg, nil
}
