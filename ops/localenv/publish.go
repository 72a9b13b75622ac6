package localenv

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"selfhost/config"
	"selfhost/imagebuild"
)

// build is the reference app's image for one architecture, being built.
type build struct {
	done chan struct{}
	img  v1.Image
	src  imagebuild.Source
	err  error
}

// builds are the reference app's images by service architecture.
type builds map[string]*build

// wait waits for every build.
func (bs builds) wait() {
	for _, b := range bs {
		<-b.done
	}
}

// startBuild builds the reference service (app/ of this module) with the
// daemonless builder, in the background, once per architecture of the
// services that publish it: it runs no jsii, so it may run beside a synth
// or a Terraform apply.
func (s *Session) startBuild(ctx context.Context) builds {
	bs := builds{}
	for _, svc := range publishing(s.Cfg) {
		if _, ok := bs[svc.Architecture]; !ok {
			bs[svc.Architecture] = s.startBuildFor(ctx, svc.Architecture)
		}
	}
	return bs
}

func (s *Session) startBuildFor(ctx context.Context, architecture string) *build {
	b := &build{done: make(chan struct{})}
	go func() {
		defer close(b.done)
		root, err := moduleRoot()
		if err != nil {
			b.err = err
			return
		}
		if b.src, b.err = imagebuild.GitSource(ctx, root); b.err != nil {
			return
		}
		arch := "amd64"
		if architecture == "ARM64" {
			arch = "arm64"
		}
		scratch := filepath.Join(s.Work, "build-"+arch)
		if b.err = os.MkdirAll(scratch, 0o755); b.err != nil {
			return
		}
		gb := &imagebuild.GoBuilder{Dir: root, Package: "./app", Arch: arch, Labels: b.src.Labels(), Version: b.src.Version(), Stderr: io.Discard}
		b.img, b.err = gb.Build(ctx, scratch)
	}()
	return b
}

// moduleRoot is the folder of this module's go.mod, from the working
// directory up (`go run ./cmd/local` runs at the root, tests in a package).
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("the reference app: no go.mod above the working directory")
		}
		dir = parent
	}
}

// publish waits for the builds and publishes the image into the
// repository of every service that pulls from its own repository, the way
// `go run ./cmd/publish --env local --service <name> --builder go` does
// (imagebuild.ECRTarget; on the emulator, which has no registry, through
// PutImage). The tag is the service's image.tag when it names one (the
// service then deploys that tag, as configured); otherwise the default
// tag, and the published digest is pinned in the session's config
// (services.<name>.image.digest, as --write-config does; the environment
// file is left alone). It reports whether the config changed; Published is
// the digest of the first service's image.
func (s *Session) publish(ctx context.Context, bs builds) (bool, error) {
	changed, first, err := s.publishInto(ctx, bs, publishing(s.Cfg))
	s.Published = first
	return changed, err
}

// PublishService builds the reference app and publishes it into the one
// named service's repository, the way `go run ./cmd/publish --env local
// --service <name> --builder go` does, leaving every other service's
// image alone; it reports whether the session's config changed (the
// service's digest pinned, when it names no tag).
func (s *Session) PublishService(ctx context.Context, name string) (bool, error) {
	svc := s.Cfg.Services[name]
	if svc == nil {
		return false, fmt.Errorf("publishing: %s has no service %q", s.Cfg.Name, name)
	}
	bs := builds{svc.Architecture: s.startBuildFor(ctx, svc.Architecture)}
	changed, _, err := s.publishInto(ctx, bs, []*config.Service{svc})
	return changed, err
}

// publishInto waits for the builds and publishes into the services'
// repositories; it returns whether a digest was pinned and the first digest.
func (s *Session) publishInto(ctx context.Context, bs builds, services []*config.Service) (changed bool, first string, err error) {
	bs.wait()
	for _, svc := range services {
		b := bs[svc.Architecture]
		if b == nil {
			return false, first, fmt.Errorf("services.%s: no build for %s", svc.Name, svc.Architecture)
		}
		if b.err != nil {
			return false, first, fmt.Errorf("building the reference app: %w", b.err)
		}
		digest, err := b.img.Digest()
		if err != nil {
			return false, first, err
		}
		img := &svc.Image
		tag := img.Tag
		if tag == "" {
			tag = imagebuild.DefaultTag(b.src, digest)
		}
		target := &imagebuild.ECRTarget{Client: ecr.NewFromConfig(s.AWS()), Repository: img.Repository, ManifestOnly: true}
		pinned, err := target.Publish(ctx, b.img, tag)
		if err != nil {
			return false, first, fmt.Errorf("publishing the reference app into services.%s's repository: %w", svc.Name, err)
		}
		if first == "" {
			first = pinned.DigestStr()
		}
		if img.Tag != "" {
			continue
		}
		changed = changed || img.Digest != pinned.DigestStr()
		img.Digest = pinned.DigestStr()
	}
	return changed, first, nil
}

// publishing are the services that pull from their own repository (not
// an image URI elsewhere), in name order.
func publishing(cfg *config.Config) []*config.Service {
	var out []*config.Service
	cfg.Each(func(s *config.Service) {
		if s.Image.URI == "" {
			out = append(out, s)
		}
	})
	return out
}

// needsPublish: some service pulls from its own repository.
func needsPublish(cfg *config.Config) bool { return len(publishing(cfg)) > 0 }

// EmptyRepositories empties every service's repository (EmptyRepository).
func (s *Session) EmptyRepositories(ctx context.Context) error {
	for _, n := range s.Cfg.ServiceNames() {
		if err := s.EmptyRepository(ctx, s.Cfg.Services[n].Image.Repository); err != nil {
			return err
		}
	}
	return nil
}

// EmptyRepository deletes every image of a repository on the emulator: the repository has force_delete = false (Terraform never
// deletes images), so a teardown empties it deliberately first, as the
// README's teardown does with the AWS CLI.
func (s *Session) EmptyRepository(ctx context.Context, repository string) error {
	cli := ecr.NewFromConfig(s.AWS())
	repo := aws.String(repository)
	p := ecr.NewListImagesPaginator(cli, &ecr.ListImagesInput{RepositoryName: repo})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		var notFound *ecrtypes.RepositoryNotFoundException
		if errors.As(err, &notFound) {
			return nil // never created, or already gone
		}
		if err != nil {
			return fmt.Errorf("listing the images of %s: %w", *repo, err)
		}
		// By digest: an image listed once per tag goes at once.
		var ids []ecrtypes.ImageIdentifier
		seen := map[string]bool{}
		for _, id := range page.ImageIds {
			if d := aws.ToString(id.ImageDigest); d != "" && !seen[d] {
				seen[d] = true
				ids = append(ids, ecrtypes.ImageIdentifier{ImageDigest: id.ImageDigest})
			}
		}
		if len(ids) == 0 {
			continue
		}
		out, err := cli.BatchDeleteImage(ctx, &ecr.BatchDeleteImageInput{RepositoryName: repo, ImageIds: ids})
		if err != nil {
			return fmt.Errorf("emptying %s: %w", *repo, err)
		}
		if len(out.Failures) > 0 {
			return fmt.Errorf("emptying %s: %s", *repo, aws.ToString(out.Failures[0].FailureReason))
		}
	}
	return nil
}
