package main

import (
	"bytes"
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"

	"selfhost/config"
)

// setFlags collects repeated -set KEY=VALUE flags.
type setFlags []string

func (s *setFlags) String() string { return strings.Join(*s, " ") }

func (s *setFlags) Set(v string) error {
	if _, _, err := splitSet(v); err != nil {
		return err
	}
	*s = append(*s, v)
	return nil
}

// splitSet splits "network.vpc_cidr=10.1.0.0/16" into its dotted path and
// its value.
func splitSet(s string) ([]string, string, error) {
	key, value, ok := strings.Cut(s, "=")
	key = strings.TrimSpace(key)
	if !ok || key == "" {
		return nil, "", fmt.Errorf("%q: want KEY=VALUE, e.g. network.flow_log_retention_days=30", s)
	}
	path := strings.Split(key, ".")
	for _, p := range path {
		if p == "" {
			return nil, "", fmt.Errorf("%q: empty part in the dotted key %q", s, key)
		}
	}
	return path, value, nil
}

// applyOverrides sets each KEY=VALUE of sets in the environment file's YAML
// and returns the resulting file, validated by config.Parse like any
// environment file. KEY is a dotted path of YAML keys (tags.team,
// network.subnets.private_newbits); missing mappings on the way are added.
// VALUE is read as YAML, so 30 is a number, true a boolean and
// [10.0.0.0/8, 192.168.0.0/16] a list; an empty VALUE removes the key (its
// default applies again).
func applyOverrides(file string, data []byte, sets []string) (*config.Config, []byte, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", file, err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, nil, fmt.Errorf("%s: top level is not a mapping", file)
	}
	for _, s := range sets {
		path, raw, err := splitSet(s)
		if err != nil {
			return nil, nil, err
		}
		var value *yaml.Node
		if strings.TrimSpace(raw) != "" {
			var v yaml.Node
			if err := yaml.Unmarshal([]byte(raw), &v); err != nil {
				return nil, nil, fmt.Errorf("-set %s: value is not YAML: %w", s, err)
			}
			if len(v.Content) != 1 {
				return nil, nil, fmt.Errorf("-set %s: want one value", s)
			}
			value = v.Content[0]
			value.Style &^= yaml.LiteralStyle | yaml.FoldedStyle
		}
		if err := setPath(doc.Content[0], path, value); err != nil {
			return nil, nil, fmt.Errorf("-set %s: %w", s, err)
		}
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return nil, nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, nil, err
	}
	cfg, err := config.Parse(file, buf.Bytes())
	if err != nil {
		return nil, nil, err
	}
	return cfg, buf.Bytes(), nil
}

// setPath sets (value != nil) or removes (value == nil) the key at path
// under the mapping m.
func setPath(m *yaml.Node, path []string, value *yaml.Node) error {
	for i, key := range path {
		last := i == len(path)-1
		idx := -1
		for j := 0; j+1 < len(m.Content); j += 2 {
			if m.Content[j].Value == key {
				idx = j
				break
			}
		}
		switch {
		case last && value == nil:
			if idx >= 0 {
				m.Content = append(m.Content[:idx], m.Content[idx+2:]...)
			}
			return nil
		case last:
			if idx >= 0 {
				m.Content[idx+1] = value
			} else {
				m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}, value)
			}
			return nil
		case idx < 0:
			if value == nil {
				return nil // nothing to remove
			}
			child := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
			m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}, child)
			m = child
		default:
			child := m.Content[idx+1]
			if child.Kind != yaml.MappingNode {
				return fmt.Errorf("%s is not a mapping", strings.Join(path[:i+1], "."))
			}
			m = child
		}
	}
	return nil
}
