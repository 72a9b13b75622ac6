package imagebuild

import (
	"context"
	"fmt"
	"os/exec"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// Builder builds an image from local code.
type Builder interface {
	// Name names the builder in messages: "docker" or "go".
	Name() string
	// Build builds the image. scratch is an empty directory owned by the
	// caller, which must keep it until the image has been pushed.
	Build(ctx context.Context, scratch string) (v1.Image, error)
}

// OCI annotation keys used as image labels.
const (
	LabelRevision = "org.opencontainers.image.revision"
	LabelVersion  = "org.opencontainers.image.version"
	LabelSource   = "org.opencontainers.image.source"
	LabelTitle    = "org.opencontainers.image.title"
)

// Source describes the code an image is built from.
type Source struct {
	// Revision is the full git commit, empty outside a git work tree.
	Revision string
	// Dirty is true when the work tree has uncommitted changes.
	Dirty bool
}

// Version is a short form for the service's version string and image tags:
// the 12-character commit, "-dirty" when the tree has changes, "dev" without git.
func (s Source) Version() string {
	if s.Revision == "" {
		return "dev"
	}
	v := s.Revision
	if len(v) > 12 {
		v = v[:12]
	}
	if s.Dirty {
		v += "-dirty"
	}
	return v
}

// Labels are the OCI labels for the source: revision and version.
func (s Source) Labels() map[string]string {
	l := map[string]string{LabelVersion: s.Version()}
	if s.Revision != "" {
		l[LabelRevision] = s.Revision
	}
	return l
}

// GitSource reads the revision of the git work tree holding dir. Outside a
// work tree, or without git, it returns an empty Source and no error.
func GitSource(ctx context.Context, dir string) (Source, error) {
	git := func(args ...string) (string, error) {
		cmd := exec.CommandContext(ctx, "git", args...)
		cmd.Dir = dir
		out, err := cmd.Output()
		return strings.TrimSpace(string(out)), err
	}
	if _, err := exec.LookPath("git"); err != nil {
		return Source{}, nil
	}
	if inside, err := git("rev-parse", "--is-inside-work-tree"); err != nil || inside != "true" {
		return Source{}, nil
	}
	rev, err := git("rev-parse", "--verify", "HEAD")
	if err != nil {
		return Source{}, nil // a repository without commits
	}
	status, err := git("status", "--porcelain", "--untracked-files=no")
	if err != nil {
		return Source{}, fmt.Errorf("git status in %s: %w", dir, err)
	}
	return Source{Revision: rev, Dirty: status != ""}, nil
}

func mergeLabels(sets ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, s := range sets {
		for k, v := range s {
			out[k] = v
		}
	}
	return out
}
