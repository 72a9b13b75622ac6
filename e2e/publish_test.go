package e2e

import (
	"io"
	"log"
	"net/http/httptest"
	"testing"

	"github.com/google/go-containerregistry/pkg/registry"

	"selfhost/imagebuild"
)

// publishReferenceApp builds the reference service daemonlessly, pushes it
// to a registry on 127.0.0.1 (moto serves no registry API) and returns the
// pushed digest: what `cmd/publish --builder go` pins in an environment.
func publishReferenceApp(t *testing.T) string {
	t.Helper()
	img, err := (&imagebuild.GoBuilder{Dir: "..", Package: "./app", Stderr: io.Discard}).Build(t.Context(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	t.Cleanup(srv.Close)
	repo, err := imagebuild.RegistryRepository(srv.URL, "selfhost-local")
	if err != nil {
		t.Fatal(err)
	}
	ref, err := imagebuild.Push(t.Context(), img, repo, "e2e", nil)
	if err != nil {
		t.Fatal(err)
	}
	return ref.DigestStr()
}
