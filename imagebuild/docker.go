package imagebuild

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// DockerBuilder builds with the Docker CLI and a Dockerfile. The engine only
// builds: the image is read back with `docker image save` and pushed by Push,
// so `docker login` is never needed.
type DockerBuilder struct {
	// Docker is the CLI (default "docker").
	Docker string
	// Context is the build context, the module's directory (default ".").
	Context string
	// Dockerfile is the Dockerfile's path (default "app/Dockerfile", relative
	// to the current directory as with docker build -f).
	Dockerfile string
	// Platform is the target platform (default "linux/amd64").
	Platform string
	// BuildArgs are passed as --build-arg (e.g. VERSION).
	BuildArgs map[string]string
	// Labels are passed as --label (e.g. Source.Labels()).
	Labels map[string]string
	// Stdout and Stderr receive docker's output (default os.Stderr for both,
	// keeping stdout for the result).
	Stdout, Stderr io.Writer
}

// Name implements Builder.
func (b *DockerBuilder) Name() string { return "docker" }

// DockerAvailable reports whether the Docker CLI reaches an engine, and why not.
func DockerAvailable(ctx context.Context, docker string) error {
	if docker == "" {
		docker = "docker"
	}
	if _, err := exec.LookPath(docker); err != nil {
		return fmt.Errorf("no %s CLI on PATH", docker)
	}
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, docker, "version", "--format", "{{.Server.Version}}").CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s reaches no engine: %s", docker, strings.TrimSpace(lastLine(string(out))))
	}
	return nil
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndex(s, "\n"); i >= 0 {
		return s[i+1:]
	}
	return s
}

// Build implements Builder: docker build, then docker image save into scratch.
func (b *DockerBuilder) Build(ctx context.Context, scratch string) (v1.Image, error) {
	docker, context_, dockerfile, platform := b.Docker, b.Context, b.Dockerfile, b.Platform
	if docker == "" {
		docker = "docker"
	}
	if context_ == "" {
		context_ = "."
	}
	if dockerfile == "" {
		dockerfile = filepath.Join("app", "Dockerfile")
	}
	if platform == "" {
		platform = "linux/amd64"
	}
	if _, err := os.Stat(dockerfile); err != nil {
		return nil, fmt.Errorf("docker builder: Dockerfile: %w", err)
	}
	stdout, stderr := b.Stdout, b.Stderr
	if stdout == nil {
		stdout = os.Stderr
	}
	if stderr == nil {
		stderr = os.Stderr
	}
	// A throwaway local tag; the registry tag is set by Push.
	rnd := make([]byte, 6)
	_, _ = rand.Read(rnd)
	tag := "selfhost-publish:build-" + hex.EncodeToString(rnd)

	args := []string{"build", "--platform", platform, "-f", dockerfile, "-t", tag}
	for _, k := range slices.Sorted(maps.Keys(b.BuildArgs)) {
		args = append(args, "--build-arg", k+"="+b.BuildArgs[k])
	}
	for _, k := range slices.Sorted(maps.Keys(b.Labels)) {
		args = append(args, "--label", k+"="+b.Labels[k])
	}
	args = append(args, context_)
	run := func(args ...string) error {
		cmd := exec.CommandContext(ctx, docker, args...)
		cmd.Stdout, cmd.Stderr = stdout, stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("%s %s: %w", docker, strings.Join(args, " "), err)
		}
		return nil
	}
	if err := run(args...); err != nil {
		return nil, err
	}
	archive := filepath.Join(scratch, "image.tar")
	saveErr := run("image", "save", "-o", archive, tag)
	_ = run("image", "rm", tag) // the local tag only; layers stay cached
	if saveErr != nil {
		return nil, saveErr
	}
	// The archive holds this one image; its recorded name varies with the
	// engine's image store, so it is not looked up by tag.
	img, err := tarball.ImageFromPath(archive, nil)
	if err != nil {
		return nil, fmt.Errorf("reading the image saved by docker: %w", err)
	}
	return img, nil
}
