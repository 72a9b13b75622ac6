package imagebuild

import (
	"context"
	"encoding/base64"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// On the emulator the image is registered through PutImage: the repository
// then holds its digest under its tag and its pin tag, and a second publish
// of the same image is fine.
func TestECRTargetManifestOnlyAgainstEmulator(t *testing.T) {
	srv := useEmulator(t, "eu-west-1")
	ctx := context.Background()
	client, err := NewECRClient(ctx, "", srv.Endpoint())
	if err != nil {
		t.Fatal(err)
	}
	if !IsLoopbackEndpoint(srv.Endpoint()) || IsLoopbackEndpoint("https://api.ecr.eu-west-1.amazonaws.com") {
		t.Fatal("IsLoopbackEndpoint: want the emulator's endpoint only")
	}
	if _, err := client.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String("web"), ImageTagMutability: ecrtypes.ImageTagMutabilityImmutable}); err != nil {
		t.Fatal(err)
	}
	img, err := random.Image(64, 1)
	if err != nil {
		t.Fatal(err)
	}
	digest, _ := img.Digest()
	target := &ECRTarget{Client: client, Repository: "web", ManifestOnly: true}
	for range 2 {
		pinned, err := target.Publish(ctx, img, "v1")
		if err != nil {
			t.Fatal(err)
		}
		if pinned.DigestStr() != digest.String() {
			t.Errorf("pinned %s, want %s", pinned, digest)
		}
	}
	out, err := client.DescribeImages(ctx, &ecr.DescribeImagesInput{RepositoryName: aws.String("web")})
	if err != nil || len(out.ImageDetails) != 1 {
		t.Fatalf("images %+v (%v), want one", out, err)
	}
	d := out.ImageDetails[0]
	slices.Sort(d.ImageTags)
	if aws.ToString(d.ImageDigest) != digest.String() || !slices.Equal(d.ImageTags, []string{PinTag(digest), "v1"}) {
		t.Errorf("image %s tags %v, want %s tags [%s v1]", aws.ToString(d.ImageDigest), d.ImageTags, digest, PinTag(digest))
	}
}

// fakeECR answers for one repository of a registry on loopback.
type fakeECR struct {
	ECRClient
	uri string
}

func (f fakeECR) DescribeRepositories(context.Context, *ecr.DescribeRepositoriesInput, ...func(*ecr.Options)) (*ecr.DescribeRepositoriesOutput, error) {
	return &ecr.DescribeRepositoriesOutput{Repositories: []ecrtypes.Repository{{RepositoryUri: aws.String(f.uri)}}}, nil
}

func (f fakeECR) GetAuthorizationToken(context.Context, *ecr.GetAuthorizationTokenInput, ...func(*ecr.Options)) (*ecr.GetAuthorizationTokenOutput, error) {
	return &ecr.GetAuthorizationTokenOutput{AuthorizationData: []ecrtypes.AuthorizationData{{
		AuthorizationToken: aws.String(base64.StdEncoding.EncodeToString([]byte("AWS:secret"))),
		ProxyEndpoint:      aws.String("https://" + f.uri),
	}}}, nil
}

// Through a registry the image is pushed under its tag, and tagged with its
// pin tag: both name the digest.
func TestECRTargetPushTagsThePin(t *testing.T) {
	host := startRegistry(t)
	ctx := context.Background()
	img, err := random.Image(64, 1)
	if err != nil {
		t.Fatal(err)
	}
	digest, _ := img.Digest()
	target := &ECRTarget{Client: fakeECR{uri: host + "/web"}, Repository: "web"}
	pinned, err := target.Publish(ctx, img, "abc123")
	if err != nil {
		t.Fatal(err)
	}
	if pinned.DigestStr() != digest.String() {
		t.Errorf("pinned %s, want %s", pinned, digest)
	}
	for _, tag := range []string{"abc123", PinTag(digest)} {
		ref, _ := name.ParseReference(host + "/web:" + tag)
		desc, err := remote.Head(ref)
		if err != nil || desc.Digest != digest {
			t.Errorf("tag %s: %v (%v), want %s", tag, desc, err, digest)
		}
	}
}
