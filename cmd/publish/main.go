// Command publish builds a service's image from local code, pushes it to the
// service's ECR repository and prints its digest, which the service stack
// pins (repository@sha256:...) so every task runs the same immutable image.
//
//	go run ./cmd/publish --env production --service api                 # build, push, print the digest
//	go run ./cmd/publish --env production --service api --write-config  # ... and set services.api.image.digest
//
// --service names the service (required when the environment has more than
// one). The builder is Docker (app/Dockerfile) when a Docker engine answers, else
// the daemonless Go builder (--builder go forces it). The repository is
// services.<name>.image.repository of environments/<env>.yaml, or its default
// (<project>-<env>-<name>; <project>-<env> with adopt_single_service);
// its URI comes from ECR (DescribeRepositories) and the registry credentials
// from GetAuthorizationToken. --registry pushes to another registry instead,
// without calling AWS (plain http only on loopback).
//
// stdout gets the digest alone (sha256:...); progress goes to stderr.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"selfhost/imagebuild"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	var usage usageError
	switch {
	case errors.Is(err, flag.ErrHelp):
		os.Exit(0)
	case errors.As(err, &usage):
		fmt.Fprintln(os.Stderr, "publish:", err)
		os.Exit(2)
	case err != nil:
		fmt.Fprintln(os.Stderr, "publish:", err)
		os.Exit(1)
	}
}

type usageError struct{ error }

// options are the command-line flags.
type options struct {
	env, configPath, service, builder, repository, registry, region, endpoint, tag string
	pkg, dockerfile, buildContext, platform, base                                  string
	port                                                                           int
	writeConfig                                                                    bool
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("publish", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.env, "env", "", "environment name; reads environments/<env>.yaml")
	fs.StringVar(&o.configPath, "config", "", "environment file (default environments/<env>.yaml)")
	fs.StringVar(&o.service, "service", "", "the service to publish (services.<name>; required when the environment has more than one)")
	fs.BoolVar(&o.writeConfig, "write-config", false, "set services.<name>.image.digest in the environment file")
	fs.StringVar(&o.builder, "builder", "auto", "auto (docker if an engine answers, else go), docker or go")
	fs.StringVar(&o.repository, "repository", "", "ECR repository name (default services.<name>.image.repository, else its default)")
	fs.StringVar(&o.registry, "registry", "", "push to this registry (host[:port], http:// only for loopback) instead of ECR; no AWS calls")
	fs.StringVar(&o.region, "region", "", "AWS region (default the environment's region, else AWS_REGION)")
	fs.StringVar(&o.endpoint, "endpoint", "", "ECR API endpoint, e.g. an emulator (default aws.endpoint of the environment, else AWS_ENDPOINT_URL)")
	fs.StringVar(&o.tag, "tag", "", "image tag (default the git commit, with a digest suffix when the tree is dirty)")
	fs.StringVar(&o.pkg, "package", "./app", "go builder: main package to build")
	fs.StringVar(&o.dockerfile, "dockerfile", filepath.Join("app", "Dockerfile"), "docker builder: Dockerfile")
	fs.StringVar(&o.buildContext, "context", ".", "module directory: docker build context, go build directory")
	fs.StringVar(&o.platform, "platform", "linux/amd64", "target platform os/arch[/variant]")
	fs.StringVar(&o.base, "base", "", "go builder: base image (default empty, like FROM scratch)")
	fs.IntVar(&o.port, "port", 8080, "go builder: exposed port")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: go run ./cmd/publish --env ENV [--service NAME] [--write-config] [flags]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return o, err
		}
		return o, usageError{err}
	}
	if fs.NArg() > 0 {
		return o, usageError{fmt.Errorf("unexpected arguments %q", fs.Args())}
	}
	if o.env == "" && o.configPath == "" && o.repository == "" {
		return o, usageError{errors.New("name the environment (--env) or the repository (--repository)")}
	}
	if o.writeConfig && o.env == "" && o.configPath == "" {
		return o, usageError{errors.New("--write-config needs --env or --config")}
	}
	if o.configPath == "" && o.env != "" {
		o.configPath = filepath.Join(o.buildContext, "environments", o.env+".yaml")
	}
	switch o.builder {
	case "auto", "docker", "go":
	default:
		return o, usageError{fmt.Errorf("--builder %q: want auto, docker or go", o.builder)}
	}
	if o.tag != "" && !imagebuild.ValidTag(o.tag) {
		return o, usageError{fmt.Errorf("--tag %q is not a valid image tag", o.tag)}
	}
	return o, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	logf := func(format string, a ...any) { fmt.Fprintf(stderr, format+"\n", a...) }

	var envFile imagebuild.EnvFile
	if o.configPath != "" {
		if envFile, err = imagebuild.ReadEnvFile(o.configPath); err != nil {
			return fmt.Errorf("environment file: %w", err)
		}
	}
	envName := o.env
	if envName == "" {
		envName = envFile.Name
	}
	var svc imagebuild.ServiceSettings
	if o.configPath != "" && (o.repository == "" || o.writeConfig) {
		if o.service, err = chooseService(o.service, o.configPath, envFile); err != nil {
			return err
		}
		svc = envFile.Services[o.service]
	}
	repoName := o.repository
	if repoName == "" {
		repoName = svc.Image.Repository
	}
	if repoName == "" {
		if envName == "" || o.service == "" {
			return usageError{errors.New("no repository: pass --repository, or --env and --service")}
		}
		repoName = imagebuild.DefaultRepositoryName(envFile.Project, envName, o.service, svc.AdoptSingleService)
	}

	// Where to push, with which credentials: before building, to fail fast.
	dest, err := target(ctx, o, envFile, repoName, stderr, logf)
	if err != nil {
		return err
	}

	platform, err := v1.ParsePlatform(o.platform)
	if err != nil || platform.OS == "" || platform.Architecture == "" {
		return usageError{fmt.Errorf("--platform %q: want os/arch[/variant], e.g. linux/amd64", o.platform)}
	}
	src, err := imagebuild.GitSource(ctx, o.buildContext)
	if err != nil {
		return err
	}
	builder, err := chooseBuilder(ctx, o, src, platform, logf)
	if err != nil {
		return err
	}
	scratch, err := os.MkdirTemp("", "publish-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(scratch)

	logf("building %s (revision %s) with the %s builder for %s", o.pkg, src.Version(), builder.Name(), o.platform)
	img, err := builder.Build(ctx, scratch)
	if err != nil {
		return err
	}
	digest, err := img.Digest()
	if err != nil {
		return err
	}
	tag := o.tag
	if tag == "" {
		tag = imagebuild.DefaultTag(src, digest)
	}
	pinned, err := dest.publish(ctx, img, tag)
	if err != nil {
		return err
	}
	logf("pushed %s", pinned)
	fmt.Fprintln(stdout, pinned.DigestStr())

	if o.writeConfig {
		if err := imagebuild.SetImageDigest(o.configPath, o.service, pinned.DigestStr()); err != nil {
			return fmt.Errorf("writing the digest into the environment file: %w", err)
		}
		logf("set services.%s.image.digest in %s", o.service, o.configPath)
		if svc.Image.URI != "" {
			logf("note: %s also sets services.%s.image.uri (%s); check which one the service stack uses", o.configPath, o.service, svc.Image.URI)
		}
	}
	return nil
}

// chooseService is the service to publish: the one named (which must be
// one of the file's), or the file's only service.
func chooseService(name, path string, f imagebuild.EnvFile) (string, error) {
	names := slices.Sorted(maps.Keys(f.Services))
	switch {
	case len(names) == 0:
		return "", fmt.Errorf("%s has no services: (an older file with service:? see the README's migration note)", path)
	case name == "" && len(names) == 1:
		return names[0], nil
	case name == "":
		return "", usageError{fmt.Errorf("%s has %d services; name one with --service (one of %s)", path, len(names), strings.Join(names, ", "))}
	case !slices.Contains(names, name):
		return "", usageError{fmt.Errorf("--service %q is not a service of %s; want one of %s", name, path, strings.Join(names, ", "))}
	}
	return name, nil
}

// destination is where the image goes: the environment's ECR repository
// (imagebuild.ECRTarget: the image's own tag and its pin tag), or a
// registry override (the one tag).
type destination struct {
	ecr      *imagebuild.ECRTarget
	repo     name.Repository
	auth     authn.Authenticator
	logf     func(string, ...any)
	override bool
}

func (d destination) publish(ctx context.Context, img v1.Image, tag string) (name.Digest, error) {
	if !d.override {
		return d.ecr.Publish(ctx, img, tag)
	}
	d.logf("pushing %s:%s", d.repo, tag)
	return imagebuild.Push(ctx, img, d.repo, tag, d.auth)
}

// target resolves the repository to push to and its credentials. An ECR
// API endpoint on loopback is an emulator: it has no registry, so the image
// is registered through ECR's PutImage (imagebuild.ECRTarget.ManifestOnly).
func target(ctx context.Context, o options, envFile imagebuild.EnvFile, repoName string, stderr io.Writer, logf func(string, ...any)) (destination, error) {
	if o.registry != "" {
		repo, err := imagebuild.RegistryRepository(o.registry, repoName)
		if err != nil {
			return destination{}, usageError{err}
		}
		logf("registry override: pushing to %s without ECR", repo)
		return destination{repo: repo, auth: authn.Anonymous, logf: logf, override: true}, nil
	}
	region, endpoint := firstNonEmpty(o.region, envFile.Region), firstNonEmpty(o.endpoint, envFile.AWS.Endpoint)
	client, err := imagebuild.NewECRClient(ctx, region, endpoint)
	if err != nil {
		return destination{}, err
	}
	t := &imagebuild.ECRTarget{Client: client, Repository: repoName, ManifestOnly: imagebuild.IsLoopbackEndpoint(endpoint), Log: stderr}
	if _, err := t.Resolve(ctx); err != nil {
		return destination{}, err
	}
	return destination{ecr: t, logf: logf}, nil
}

func chooseBuilder(ctx context.Context, o options, src imagebuild.Source, platform *v1.Platform, logf func(string, ...any)) (imagebuild.Builder, error) {
	kind := o.builder
	if kind == "auto" {
		if err := imagebuild.DockerAvailable(ctx, ""); err != nil {
			logf("no Docker engine (%v): using the daemonless go builder", err)
			kind = "go"
		} else {
			kind = "docker"
		}
	}
	if kind == "docker" {
		if o.base != "" {
			return nil, usageError{errors.New("--base is for the go builder; the docker builder takes its base from the Dockerfile")}
		}
		return &imagebuild.DockerBuilder{
			Context: o.buildContext, Dockerfile: o.dockerfile, Platform: o.platform,
			BuildArgs: map[string]string{"VERSION": src.Version()},
			Labels:    src.Labels(),
		}, nil
	}
	b := &imagebuild.GoBuilder{
		Dir: o.buildContext, Package: o.pkg,
		OS: platform.OS, Arch: platform.Architecture, Variant: platform.Variant,
		Port: o.port, Labels: src.Labels(), Version: src.Version(),
	}
	if o.base != "" {
		ref, err := name.ParseReference(o.base)
		if err != nil {
			return nil, usageError{fmt.Errorf("--base %q: %w", o.base, err)}
		}
		base, err := remote.Image(ref, remote.WithContext(ctx), remote.WithPlatform(*platform),
			remote.WithAuthFromKeychain(authn.DefaultKeychain), remote.WithTransport(imagebuild.LoopbackOnlyHTTP(remote.DefaultTransport)))
		if err != nil {
			return nil, fmt.Errorf("base image %s: %w", o.base, err)
		}
		b.Base = base
	}
	return b, nil
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v = strings.TrimSpace(v); v != "" {
			return v
		}
	}
	return ""
}
