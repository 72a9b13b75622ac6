package e2e

import (
	"context"
	"io"
	"log"
	"net/http/httptest"

	"github.com/google/go-containerregistry/pkg/registry"

	"selfhost/imagebuild"
)

// publishReferenceApp builds the reference service daemonlessly in work,
// pushes it to a registry on 127.0.0.1 (moto serves no registry API) and
// returns the pushed digest: what `cmd/publish --builder go` pins in an
// environment. It runs no jsii, so it may run beside a deploy.
func publishReferenceApp(ctx context.Context, work string) (string, error) {
	img, err := (&imagebuild.GoBuilder{Dir: "..", Package: "./app", Stderr: io.Discard}).Build(ctx, work)
	if err != nil {
		return "", err
	}
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	defer srv.Close()
	repo, err := imagebuild.RegistryRepository(srv.URL, "selfhost-local")
	if err != nil {
		return "", err
	}
	ref, err := imagebuild.Push(ctx, img, repo, "e2e", nil)
	if err != nil {
		return "", err
	}
	return ref.DigestStr(), nil
}
