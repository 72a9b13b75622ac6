package imagebuild

import (
	"strings"

	"selfhost/config"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// DefaultProject is the project name when an environment file names none
// (config.Defaults' project).
const DefaultProject = "selfhost"

// DefaultRepositoryName is the ECR repository of a service whose
// image.repository is empty: config.DefaultRepository.
func DefaultRepositoryName(project, env, service string, adopt bool) string {
	if project == "" {
		project = DefaultProject
	}
	return config.DefaultRepository(project+"-"+env, service, adopt)
}

// DefaultTag is the registry tag of an image: the 12-character commit for a
// clean work tree; for a dirty one or outside git, a suffix from the image
// digest keeps tags unique (ECR repositories may have immutable tags).
func DefaultTag(src Source, digest v1.Hash) string {
	short := digest.Hex
	if len(short) > 12 {
		short = short[:12]
	}
	switch {
	case src.Revision == "":
		return "build-" + short
	case src.Dirty:
		return src.Version() + "-" + short
	default:
		return src.Version()
	}
}

// ValidTag reports whether s is a valid image tag.
func ValidTag(s string) bool {
	if s == "" || len(s) > 128 || strings.HasPrefix(s, ".") || strings.HasPrefix(s, "-") {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '.' || r == '-') {
			return false
		}
	}
	return true
}
