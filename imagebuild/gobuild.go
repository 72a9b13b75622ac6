package imagebuild

import (
	"archive/tar"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// GoBuilder builds an image without a Docker engine: a static Go binary
// layered on Base. The zero value of every field but Package has a default.
type GoBuilder struct {
	// Dir is where `go build` runs: the module's directory (default ".").
	Dir string
	// Package is the main package to build, e.g. "./app".
	Package string
	// OS and Arch are the target platform (default linux and amd64);
	// Variant is e.g. "v7" for arm.
	OS, Arch, Variant string
	// Base is the image the binary is layered on; nil is an empty image
	// (like FROM scratch). Its config (env, labels, ...) is kept.
	Base v1.Image
	// Entrypoint is the binary's path in the image (default "/app").
	Entrypoint string
	// User runs the binary (default "65532:65532", non-root).
	User string
	// Port is exposed as <Port>/tcp and set as PORT in the environment (default 8080).
	Port int
	// Env is added to the image's environment, as KEY=VALUE.
	Env []string
	// Labels are added to the image's labels (e.g. Source.Labels()).
	Labels map[string]string
	// VersionVar is the string variable set to Version by -ldflags -X
	// (default "main.version"); Version is skipped when empty.
	VersionVar, Version string
	// Stderr receives the compiler's output (default os.Stderr).
	Stderr io.Writer
}

// Name implements Builder.
func (b *GoBuilder) Name() string { return "go" }

func (b *GoBuilder) defaults() GoBuilder {
	c := *b
	def := func(s *string, v string) {
		if *s == "" {
			*s = v
		}
	}
	def(&c.Dir, ".")
	def(&c.OS, "linux")
	def(&c.Arch, "amd64")
	def(&c.Entrypoint, "/app")
	def(&c.User, "65532:65532")
	def(&c.VersionVar, "main.version")
	if c.Port == 0 {
		c.Port = 8080
	}
	if c.Stderr == nil {
		c.Stderr = os.Stderr
	}
	return c
}

// Build implements Builder: go build into scratch, then layer and configure.
func (b *GoBuilder) Build(ctx context.Context, scratch string) (v1.Image, error) {
	c := b.defaults()
	if c.Package == "" {
		return nil, fmt.Errorf("go builder: no package to build (e.g. ./app)")
	}
	if !path.IsAbs(c.Entrypoint) {
		return nil, fmt.Errorf("go builder: entrypoint %q must be an absolute path in the image", c.Entrypoint)
	}
	if c.Port < 1 || c.Port > 65535 {
		return nil, fmt.Errorf("go builder: port %d is not 1-65535", c.Port)
	}
	bin, err := c.compile(ctx, scratch)
	if err != nil {
		return nil, err
	}
	layer, err := binaryLayer(bin, c.Entrypoint)
	if err != nil {
		return nil, err
	}
	return c.image(layer)
}

// compile runs go build and returns the binary's path.
func (c GoBuilder) compile(ctx context.Context, scratch string) (string, error) {
	out := filepath.Join(scratch, "app")
	ldflags := "-s -w"
	if c.Version != "" {
		ldflags += " -X " + c.VersionVar + "=" + c.Version
	}
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-buildvcs=false", "-ldflags", ldflags, "-o", out, c.Package)
	cmd.Dir = c.Dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+c.OS, "GOARCH="+c.Arch)
	if c.Variant != "" && c.Arch == "arm" {
		cmd.Env = append(cmd.Env, "GOARM="+strings.TrimPrefix(c.Variant, "v"))
	}
	cmd.Stdout, cmd.Stderr = c.Stderr, c.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("go build %s for %s/%s in %s: %w", c.Package, c.OS, c.Arch, c.Dir, err)
	}
	return out, nil
}

// epoch is every file's modification time: layers are reproducible.
var epoch = time.Unix(0, 0)

// binaryLayer is a layer holding the binary at entrypoint (root-owned,
// 0755) and a world-writable /tmp.
func binaryLayer(bin, entrypoint string) (v1.Layer, error) {
	data, err := os.ReadFile(bin)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	dir := func(name string, mode int64) error {
		return tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: name + "/", Mode: mode, ModTime: epoch, Format: tar.FormatPAX})
	}
	if err := dir("tmp", 0o1777); err != nil {
		return nil, err
	}
	rel := strings.TrimPrefix(path.Clean(entrypoint), "/")
	var parents []string
	for d := path.Dir(rel); d != "."; d = path.Dir(d) {
		parents = append([]string{d}, parents...)
	}
	for _, d := range parents {
		if d == "tmp" {
			continue
		}
		if err := dir(d, 0o755); err != nil {
			return nil, err
		}
	}
	if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: rel, Mode: 0o755, Size: int64(len(data)), ModTime: epoch, Format: tar.FormatPAX}); err != nil {
		return nil, err
	}
	if _, err := tw.Write(data); err != nil {
		return nil, err
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	layerTar := buf.Bytes()
	return tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(layerTar)), nil
	}, tarball.WithMediaType(types.OCILayer))
}

// image layers the binary on the base and sets the config.
func (c GoBuilder) image(layer v1.Layer) (v1.Image, error) {
	base := c.Base
	if base == nil {
		base = mutate.ConfigMediaType(mutate.MediaType(empty.Image, types.OCIManifestSchema1), types.OCIConfigJSON)
	} else if mt, err := base.MediaType(); err != nil {
		return nil, fmt.Errorf("base image: %w", err)
	} else if mt == types.DockerManifestSchema2 {
		// Keep the base's Docker media types consistent.
		l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return layer.Uncompressed() }, tarball.WithMediaType(types.DockerLayer))
		if err != nil {
			return nil, err
		}
		layer = l
	}
	img, err := mutate.Append(base, mutate.Addendum{
		Layer:   layer,
		History: v1.History{CreatedBy: "selfhost imagebuild: go build " + c.Package, Created: v1.Time{Time: epoch}},
	})
	if err != nil {
		return nil, err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture, cf.Variant = c.OS, c.Arch, c.Variant
	cf.Created = v1.Time{Time: epoch}
	cfg := &cf.Config
	cfg.Entrypoint = []string{c.Entrypoint}
	cfg.Cmd = nil
	cfg.User = c.User
	cfg.WorkingDir = "/"
	port := strconv.Itoa(c.Port) + "/tcp"
	cfg.ExposedPorts = map[string]struct{}{port: {}}
	cfg.Env = setEnv(cfg.Env, append([]string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "PORT=" + strconv.Itoa(c.Port)}, c.Env...), len(cfg.Env) > 0)
	cfg.Labels = mergeLabels(cfg.Labels, c.Labels)
	cfg.Healthcheck = nil // ECS's container health check is in the task definition
	return mutate.ConfigFile(img, cf)
}

// setEnv sets each KEY=VALUE of add in env. When keepBase is true a key
// already in env (from the base image) wins for PATH only.
func setEnv(env, add []string, keepBase bool) []string {
	out := append([]string(nil), env...)
	index := map[string]int{}
	for i, kv := range out {
		k, _, _ := strings.Cut(kv, "=")
		index[k] = i
	}
	for _, kv := range add {
		k, _, _ := strings.Cut(kv, "=")
		if i, ok := index[k]; ok {
			if k == "PATH" && keepBase {
				continue
			}
			out[i] = kv
			continue
		}
		index[k] = len(out)
		out = append(out, kv)
	}
	return out
}
