package imagebuild

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// PinTag is the tag every published image gets besides its own: the digest
// it names, as a tag (sha256-<hex>). It is never moved (pushing it again can
// only name the same image), so an image publish pushed stays tagged even
// in a MUTABLE repository after its other tag moved on, and the
// repository's lifecycle policy, which expires untagged images only, never
// expires it (constructs/registry).
func PinTag(digest v1.Hash) string { return digest.Algorithm + "-" + digest.Hex }

// ECRClient is the part of the ECR API a publish uses.
type ECRClient interface {
	ECRAPI
	PutImage(context.Context, *ecr.PutImageInput, ...func(*ecr.Options)) (*ecr.PutImageOutput, error)
}

// ECRTarget is one ECR repository to publish into.
type ECRTarget struct {
	Client     ECRClient
	Repository string
	// ManifestOnly registers the image through ECR's PutImage API instead of
	// pushing it through the registry: for an emulator (aws.endpoint), which
	// serves the ECR API but no registry. The repository then knows the
	// image's digest and tags (what a task definition pins and the
	// emulator's ECS checks); its layers are not uploaded. On AWS PutImage
	// needs the layers first, so this is never used there.
	ManifestOnly bool
	// Log receives progress (nil: discarded).
	Log io.Writer

	repo name.Repository
	auth authn.Authenticator
}

func (t *ECRTarget) logf(format string, a ...any) {
	if t.Log != nil {
		fmt.Fprintf(t.Log, format+"\n", a...)
	}
}

// Resolve looks the repository up and logs in (not needed with
// ManifestOnly): before building, to fail fast.
func (t *ECRTarget) Resolve(ctx context.Context) (name.Repository, error) {
	repo, err := ECRRepository(ctx, t.Client, t.Repository)
	if err != nil {
		return name.Repository{}, err
	}
	t.repo = repo
	if t.ManifestOnly {
		t.logf("ECR repository %s (emulator: the image's manifest is registered through PutImage)", repo)
		return repo, nil
	}
	host, auth, err := ECRLogin(ctx, t.Client)
	if err != nil {
		return name.Repository{}, err
	}
	t.auth = auth
	t.logf("ECR repository %s (logged in to %s)", repo, host)
	return repo, nil
}

// Publish puts img into the repository under tag and PinTag, and returns
// the pinned reference (repository@sha256:...).
func (t *ECRTarget) Publish(ctx context.Context, img v1.Image, tag string) (name.Digest, error) {
	if t.repo.Name() == "" {
		if _, err := t.Resolve(ctx); err != nil {
			return name.Digest{}, err
		}
	}
	digest, err := img.Digest()
	if err != nil {
		return name.Digest{}, fmt.Errorf("image digest: %w", err)
	}
	tags := []string{tag}
	if pin := PinTag(digest); pin != tag {
		tags = append(tags, pin)
	}
	if t.ManifestOnly {
		return t.putManifest(ctx, img, digest, tags)
	}
	t.logf("pushing %s:%s", t.repo, tag)
	pinned, err := Push(ctx, img, t.repo, tag, t.auth)
	if err != nil {
		return name.Digest{}, err
	}
	opts := []remote.Option{remote.WithContext(ctx), remote.WithAuth(t.auth), remote.WithTransport(LoopbackOnlyHTTP(remote.DefaultTransport))}
	for _, extra := range tags[1:] {
		if err := remote.Tag(t.repo.Tag(extra), img, opts...); err != nil {
			return name.Digest{}, fmt.Errorf("tagging %s as %s: %w", pinned, extra, err)
		}
	}
	return pinned, nil
}

func (t *ECRTarget) putManifest(ctx context.Context, img v1.Image, digest v1.Hash, tags []string) (name.Digest, error) {
	manifest, err := img.RawManifest()
	if err != nil {
		return name.Digest{}, fmt.Errorf("image manifest: %w", err)
	}
	mt, err := img.MediaType()
	if err != nil {
		return name.Digest{}, fmt.Errorf("image media type: %w", err)
	}
	for _, tag := range tags {
		t.logf("registering %s:%s (PutImage)", t.repo, tag)
		out, err := t.Client.PutImage(ctx, &ecr.PutImageInput{
			RepositoryName:         aws.String(t.Repository),
			ImageManifest:          aws.String(string(manifest)),
			ImageManifestMediaType: aws.String(string(mt)),
			ImageDigest:            aws.String(digest.String()),
			ImageTag:               aws.String(tag),
		})
		var exists *ecrtypes.ImageAlreadyExistsException
		switch {
		case errors.As(err, &exists): // the tag already names this manifest
		case err != nil:
			return name.Digest{}, fmt.Errorf("ECR PutImage %s:%s: %w", t.Repository, tag, err)
		case out.Image == nil || out.Image.ImageId == nil || aws.ToString(out.Image.ImageId.ImageDigest) != digest.String():
			return name.Digest{}, fmt.Errorf("ECR PutImage %s:%s: the repository does not record the image as %s", t.Repository, tag, digest)
		}
	}
	return t.repo.Digest(digest.String()), nil
}

// IsLoopbackEndpoint reports whether an AWS endpoint URL is on loopback:
// an emulator's, whose ECR has no registry (ManifestOnly).
func IsLoopbackEndpoint(endpoint string) bool {
	u, err := url.Parse(endpoint)
	return err == nil && u.Host != "" && IsLoopback(u.Host)
}
