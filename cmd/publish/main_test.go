package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"selfhost/emulator"
	"selfhost/imagebuild"
)

const root = "../.." // the module, built by the go builder

func TestPublishToRegistryAndWriteConfig(t *testing.T) {
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	t.Cleanup(srv.Close)
	host := strings.TrimPrefix(srv.URL, "http://")

	cfgPath := filepath.Join(t.TempDir(), "staging.yaml")
	before := "# staging\nname: staging\nservices:\n  web:\n    image:\n      repository: web # ECR repository\n      digest: \"\"\n  worker:\n    image:\n      digest: \"\"\n"
	if err := os.WriteFile(cfgPath, []byte(before), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"--config", cfgPath, "--service", "web", "--write-config", "--builder", "go", "--context", root,
		"--registry", "http://" + host, "--tag", "candidate"}, &stdout, &stderr)
	if err != nil {
		t.Fatalf("publish: %v\n%s", err, stderr.String())
	}
	digest := strings.TrimSpace(stdout.String())
	if !imagebuild.DigestPattern.MatchString(digest) {
		t.Fatalf("stdout %q is not a digest", stdout.String())
	}
	// The registry has the image under the repository from the file, by tag and digest.
	ref, err := name.ParseReference(host + "/web:candidate")
	if err != nil {
		t.Fatal(err)
	}
	desc, err := remote.Head(ref)
	if err != nil {
		t.Fatal(err)
	}
	if desc.Digest.String() != digest {
		t.Errorf("web:candidate is %s, printed %s", desc.Digest, digest)
	}
	if !strings.Contains(stderr.String(), "pushed "+host+"/web@"+digest) {
		t.Errorf("stderr lacks the pinned reference:\n%s", stderr.String())
	}
	want := strings.Replace(before, `digest: ""`, `digest: "`+digest+`"`, 1)
	if got, _ := os.ReadFile(cfgPath); string(got) != want {
		t.Errorf("environment file:\n%s\nwant\n%s", got, want)
	}
}

// With more than one service, --service is required and must name one of
// them; the error lists the names, before anything is built or called.
func TestPublishNeedsTheService(t *testing.T) {
	cfgPath := filepath.Join(t.TempDir(), "dev.yaml")
	if err := os.WriteFile(cfgPath, []byte("name: dev\nservices:\n  api: {}\n  console: {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for args, want := range map[string]string{
		"":                  "has 2 services; name one with --service (one of api, console)",
		"--service=worker":  `--service "worker" is not a service of ` + cfgPath + `; want one of api, console`,
		"--service=console": "", // gets past the choice (then fails on the registry)
	} {
		var stdout, stderr bytes.Buffer
		a := []string{"--config", cfgPath, "--registry", "http://", "--builder", "go"}
		if args != "" {
			a = append(a, args)
		}
		err := run(context.Background(), a, &stdout, &stderr)
		var usage usageError
		if want == "" {
			if err == nil || strings.Contains(err.Error(), "--service") {
				t.Errorf("%s: error %v; want one past the service choice", args, err)
			}
			continue
		}
		if !errors.As(err, &usage) || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want a usage error with %q", args, err, want)
		}
	}
}

func TestPublishStopsBeforeBuildingWhenTheECRRepositoryIsMissing(t *testing.T) {
	srv := emulator.StartT(t)
	for k, v := range srv.Env("us-east-1") {
		t.Setenv(k, v)
	}
	t.Setenv("AWS_ENDPOINT_URL", "") // the endpoint comes from the environment file
	cfgPath := filepath.Join(t.TempDir(), "dev.yaml")
	if err := os.WriteFile(cfgPath, []byte("name: dev\nregion: us-east-1\naws:\n  endpoint: "+srv.Endpoint()+"\nservices:\n  api: {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"--config", cfgPath, "--builder", "go", "--context", root}, &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), `ECR repository "selfhost-dev-api" does not exist`) {
		t.Fatalf("error %v, want the missing repository named", err)
	}
	if strings.Contains(stderr.String(), "building") || stdout.Len() != 0 {
		t.Errorf("built or printed despite the missing repository:\n%s%s", stdout.String(), stderr.String())
	}
}

func TestPublishUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "--env"},
		{[]string{"--repository", "x", "--write-config"}, "--write-config needs"},
		{[]string{"--repository", "x", "--builder", "podman"}, `--builder "podman"`},
		{[]string{"--repository", "x", "--tag", "a b"}, "not a valid image tag"},
		{[]string{"--repository", "x", "--registry", "http://10.0.0.5:5000"}, "only for 127.0.0.1"},
		{[]string{"--repository", "x", "extra"}, "unexpected arguments"},
	} {
		err := run(context.Background(), tc.args, io.Discard, io.Discard)
		var usage usageError
		if !errors.As(err, &usage) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want a usage error with %q", tc.args, err, tc.want)
		}
	}
	if err := run(context.Background(), []string{"--env", "nosuchenv", "--context", t.TempDir()}, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "nosuchenv.yaml") {
		t.Errorf("missing environment file: %v", err)
	}
}
