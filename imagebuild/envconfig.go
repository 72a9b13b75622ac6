package imagebuild

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"
)

// EnvFile is what publishing reads from an environment file
// (environments/<env>.yaml). Other keys are ignored here: the config package
// validates the file.
type EnvFile struct {
	Name    string `yaml:"name"`
	Project string `yaml:"project"`
	Region  string `yaml:"region"`
	AWS     struct {
		Endpoint string `yaml:"endpoint"`
	} `yaml:"aws"`
	Services map[string]ServiceSettings `yaml:"services"`
}

// ServiceSettings is what publishing reads of services.<name>.
type ServiceSettings struct {
	Image              ImageSettings `yaml:"image"`
	AdoptSingleService bool          `yaml:"adopt_single_service"`
}

// ImageSettings is the services.<name>.image section.
type ImageSettings struct {
	// Repository is the ECR repository's name; empty is the environment's own.
	Repository string `yaml:"repository"`
	Tag        string `yaml:"tag"`
	Digest     string `yaml:"digest"`
	// URI is a full image reference, an alternative to repository+digest.
	URI string `yaml:"uri"`
}

// ReadEnvFile reads the parts of an environment file used for publishing.
func ReadEnvFile(path string) (EnvFile, error) {
	var f EnvFile
	data, err := os.ReadFile(path)
	if err != nil {
		return f, err
	}
	if err := yaml.Unmarshal(data, &f); err != nil {
		return f, fmt.Errorf("%s: %w", path, err)
	}
	return f, nil
}

// DigestPattern is the form of an image digest.
var DigestPattern = regexp.MustCompile(`^sha256:[0-9a-f]{64}$`)

// SetImageDigest sets services.<service>.image.digest in the YAML file at
// path, creating the image mapping or the digest key if missing (the
// service itself must be there). When the key already has a value only
// that value's text changes, so comments, blank lines and layout stay as
// they were; otherwise the file is re-encoded from its node tree, which
// keeps comments but not blank lines. The file is replaced atomically
// (temporary file in the same directory, then rename) and keeps its
// permissions.
func SetImageDigest(path, service, digest string) error {
	if !DigestPattern.MatchString(digest) {
		return fmt.Errorf("digest %q is not sha256:<64 hex digits>", digest)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	out, err := setDigest(data, service, digest)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return writeAtomic(path, out)
}

func setDigest(data []byte, service, digest string) ([]byte, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, errors.New("the top level is not a mapping")
	}
	node := doc.Content[0]
	for _, key := range []string{"services", service} {
		child, err := mappingValue(node, key)
		if err != nil {
			return nil, err
		}
		if child == nil || child.Kind != yaml.MappingNode {
			return nil, fmt.Errorf("has no services.%s mapping; add the service first", service)
		}
		node = child
	}
	created := false
	child, err := mappingValue(node, "image")
	switch {
	case err != nil:
		return nil, err
	case child == nil:
		child = &yaml.Node{Kind: yaml.MappingNode}
		node.Content = append(node.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: "image"}, child)
		created = true
	case child.Kind == yaml.ScalarNode && child.Tag == "!!null": // "image:" with no value
		*child = yaml.Node{Kind: yaml.MappingNode}
		created = true
	case child.Kind != yaml.MappingNode:
		return nil, fmt.Errorf("services.%s.image is not a mapping (line %d)", service, child.Line)
	}
	node = child
	value, err := mappingValue(node, "digest")
	if err != nil {
		return nil, err
	}
	if value != nil && !created {
		if out, ok := spliceScalar(data, value, service, digest); ok {
			return out, nil
		}
	}
	if value == nil {
		node.Content = append(node.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: "digest"}, &yaml.Node{})
		value = node.Content[len(node.Content)-1]
	} else if value.Kind != yaml.ScalarNode {
		return nil, fmt.Errorf("services.%s.image.digest is not a scalar (line %d)", service, value.Line)
	}
	*value = yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: digest, Style: yaml.DoubleQuotedStyle,
		LineComment: value.LineComment, HeadComment: value.HeadComment, FootComment: value.FootComment}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(indentOf(data))
	if err := enc.Encode(&doc); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// mappingValue returns the value of key in a mapping node, nil if absent.
func mappingValue(m *yaml.Node, key string) (*yaml.Node, error) {
	var found *yaml.Node
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			if found != nil {
				return nil, fmt.Errorf("key %q appears twice (line %d)", key, m.Content[i].Line)
			}
			found = m.Content[i+1]
		}
	}
	if found != nil && found.Kind == yaml.AliasNode {
		return nil, fmt.Errorf("key %q is an alias (line %d): edit it by hand", key, found.Line)
	}
	return found, nil
}

// spliceScalar replaces a one-line scalar's text in data with a quoted
// value; ok is false when the scalar's extent cannot be found exactly.
func spliceScalar(data []byte, n *yaml.Node, service, value string) ([]byte, bool) {
	if n.Kind != yaml.ScalarNode || n.Line < 1 || n.Column < 1 || n.Value == "" && n.Style == 0 {
		return nil, false
	}
	lines := bytes.SplitAfter(data, []byte("\n"))
	if n.Line > len(lines) {
		return nil, false
	}
	line := string(lines[n.Line-1])
	runes := []rune(line) // yaml columns count characters
	if n.Column-1 > len(runes) {
		return nil, false
	}
	start := len(string(runes[:n.Column-1]))
	rest := line[start:]
	var end int
	switch n.Style {
	case yaml.DoubleQuotedStyle:
		if !strings.HasPrefix(rest, `"`) || strings.Contains(n.Value, `"`) || strings.Contains(rest, `\`) {
			return nil, false
		}
		i := strings.Index(rest[1:], `"`)
		if i < 0 {
			return nil, false
		}
		end = i + 2
	case yaml.SingleQuotedStyle:
		if !strings.HasPrefix(rest, `'`) || strings.Contains(n.Value, `'`) {
			return nil, false
		}
		i := strings.Index(rest[1:], `'`)
		if i < 0 {
			return nil, false
		}
		end = i + 2
	case 0: // plain
		if !strings.HasPrefix(rest, n.Value) {
			return nil, false
		}
		end = len(n.Value)
	default:
		return nil, false
	}
	var out bytes.Buffer
	for i := 0; i < n.Line-1; i++ {
		out.Write(lines[i])
	}
	out.WriteString(line[:start] + `"` + value + `"` + rest[end:])
	for _, l := range lines[n.Line:] {
		out.Write(l)
	}
	// The edit must mean what we meant.
	var check EnvFile
	if err := yaml.Unmarshal(out.Bytes(), &check); err != nil || check.Services[service].Image.Digest != value {
		return nil, false
	}
	return out.Bytes(), true
}

// indentOf guesses the file's indentation: the first indented key's.
func indentOf(data []byte) int {
	for _, l := range strings.Split(string(data), "\n") {
		trimmed := strings.TrimLeft(l, " ")
		if n := len(l) - len(trimmed); n > 0 && trimmed != "" && !strings.HasPrefix(trimmed, "#") && !strings.HasPrefix(trimmed, "-") {
			if n >= 2 && n <= 8 {
				return n
			}
			break
		}
	}
	return 2
}

// writeAtomic replaces path with data through a temporary file in the same
// directory, keeping the file's mode.
func writeAtomic(path string, data []byte) error {
	mode := os.FileMode(0o644)
	if fi, err := os.Stat(path); err == nil {
		mode = fi.Mode().Perm()
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
