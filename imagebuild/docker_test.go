package imagebuild

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// fakeDocker installs a docker CLI stand-in that logs its arguments and
// answers `image save -o FILE TAG` with the archive at saved.
func fakeDocker(t *testing.T, saved string, engine bool) (cli, argLog string) {
	t.Helper()
	dir := t.TempDir()
	argLog = filepath.Join(dir, "args")
	cli = filepath.Join(dir, "docker")
	version := "echo 28.2.2"
	if !engine {
		version = "echo 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock.' >&2; exit 1"
	}
	script := `#!/bin/sh
echo "$*" >> '` + argLog + `'
case "$1 $2" in
"version --format") ` + version + ` ;;
"image save") cp '` + saved + `' "$4" ;;
esac
`
	if err := os.WriteFile(cli, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return cli, argLog
}

func TestDockerBuilder(t *testing.T) {
	want, err := random.Image(512, 2)
	if err != nil {
		t.Fatal(err)
	}
	saved := filepath.Join(t.TempDir(), "saved.tar")
	if err := tarball.WriteToFile(saved, name.MustParseReference("selfhost-publish:x"), want); err != nil {
		t.Fatal(err)
	}
	cli, argLog := fakeDocker(t, saved, true)
	if err := DockerAvailable(context.Background(), cli); err != nil {
		t.Fatalf("DockerAvailable: %v", err)
	}

	b := &DockerBuilder{Docker: cli, Context: "..", Dockerfile: filepath.Join("..", "app", "Dockerfile"), Platform: "linux/arm64",
		BuildArgs: map[string]string{"VERSION": "0123456789ab"}, Labels: Source{Revision: testRevision}.Labels()}
	img, err := b.Build(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	got, _ := img.Digest()
	wantDigest, _ := want.Digest()
	if got != wantDigest {
		t.Errorf("image read back %s, want %s", got, wantDigest)
	}
	logged, err := os.ReadFile(argLog)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(logged)), "\n")
	if len(lines) != 4 {
		t.Fatalf("docker calls:\n%s\nwant version, build, image save, image rm", logged)
	}
	build := lines[1]
	for _, want := range []string{"build --platform linux/arm64 -f ../app/Dockerfile -t selfhost-publish:build-",
		"--build-arg VERSION=0123456789ab", "--label " + LabelRevision + "=" + testRevision, " .."} {
		if !strings.Contains(build, want) {
			t.Errorf("docker %s\nlacks %q", build, want)
		}
	}
	tag := strings.Fields(build)[6]
	if !strings.HasPrefix(lines[2], "image save -o ") || !strings.HasSuffix(lines[2], " "+tag) || lines[3] != "image rm "+tag {
		t.Errorf("after build: %q, %q", lines[2], lines[3])
	}
}

func TestDockerWithoutEngine(t *testing.T) {
	cli, _ := fakeDocker(t, "/nonexistent", false)
	err := DockerAvailable(context.Background(), cli)
	if err == nil || !strings.Contains(err.Error(), "Cannot connect to the Docker daemon") {
		t.Errorf("no engine: %v", err)
	}
	if err := DockerAvailable(context.Background(), filepath.Join(t.TempDir(), "docker")); err == nil || !strings.Contains(err.Error(), "CLI") {
		t.Errorf("no CLI: %v", err)
	}
}

func TestDockerfile(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "app", "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	df := string(data)
	for _, want := range []string{"CGO_ENABLED=0", "-trimpath", "USER 65532:65532", "EXPOSE 8080", `ENTRYPOINT ["/app"]`, "-X main.version=${VERSION}"} {
		if !strings.Contains(df, want) {
			t.Errorf("app/Dockerfile lacks %q", want)
		}
	}
	for _, line := range strings.Split(df, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "HEALTHCHECK") {
			t.Error("app/Dockerfile has a HEALTHCHECK; the task definition owns the health check")
		}
	}
}
