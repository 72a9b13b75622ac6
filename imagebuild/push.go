package imagebuild

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// Push uploads img to repo under tag and returns the pinned reference,
// repo@sha256:..., after checking that the registry serves that digest.
// auth nil is anonymous.
func Push(ctx context.Context, img v1.Image, repo name.Repository, tag string, auth authn.Authenticator) (name.Digest, error) {
	if auth == nil {
		auth = authn.Anonymous
	}
	digest, err := img.Digest()
	if err != nil {
		return name.Digest{}, fmt.Errorf("image digest: %w", err)
	}
	opts := []remote.Option{remote.WithContext(ctx), remote.WithAuth(auth), remote.WithTransport(LoopbackOnlyHTTP(remote.DefaultTransport))}
	ref := repo.Tag(tag)
	if err := remote.Write(ref, img, opts...); err != nil {
		return name.Digest{}, fmt.Errorf("push %s: %w", ref, err)
	}
	pinned := repo.Digest(digest.String())
	desc, err := remote.Head(pinned, opts...)
	if err != nil {
		return name.Digest{}, fmt.Errorf("checking the pushed image %s: %w", pinned, err)
	}
	if desc.Digest != digest {
		return name.Digest{}, fmt.Errorf("registry serves %s as %s, want %s", pinned, desc.Digest, digest)
	}
	return pinned, nil
}

// RegistryRepository is the repository repoName in a registry given as
// host[:port], optionally with an http:// or https:// scheme (a registry
// override). Plain HTTP is allowed only for loopback hosts.
func RegistryRepository(registry, repoName string) (name.Repository, error) {
	host, insecure := registry, false
	switch {
	case strings.HasPrefix(registry, "http://"):
		host, insecure = strings.TrimPrefix(registry, "http://"), true
	case strings.HasPrefix(registry, "https://"):
		host = strings.TrimPrefix(registry, "https://")
	}
	host = strings.TrimSuffix(host, "/")
	if host == "" || strings.Contains(host, "/") {
		return name.Repository{}, fmt.Errorf("registry %q: want host[:port], e.g. 127.0.0.1:5000", registry)
	}
	opts := []name.Option{name.StrictValidation}
	if insecure {
		if !IsLoopback(host) {
			return name.Repository{}, fmt.Errorf("registry %q: plain http is allowed only for 127.0.0.1, localhost or ::1", registry)
		}
		opts = append(opts, name.Insecure)
	}
	repo, err := name.NewRepository(host+"/"+repoName, opts...)
	if err != nil {
		return name.Repository{}, fmt.Errorf("repository %q in registry %q: %w", repoName, registry, err)
	}
	return repo, nil
}

// IsLoopback reports whether host (with or without a port) is localhost or
// a loopback IP address.
func IsLoopback(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// LoopbackOnlyHTTP wraps a transport so that it refuses plain-HTTP requests
// to any host but a loopback one. (go-containerregistry would otherwise fall
// back to HTTP for private-range registries.)
func LoopbackOnlyHTTP(rt http.RoundTripper) http.RoundTripper {
	return loopbackOnly{rt}
}

type loopbackOnly struct{ rt http.RoundTripper }

func (l loopbackOnly) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Scheme == "http" && !IsLoopback(req.URL.Host) {
		return nil, fmt.Errorf("refusing plain http to %s: insecure registries are allowed only on 127.0.0.1, localhost or ::1", req.URL.Host)
	}
	return l.rt.RoundTrip(req)
}
