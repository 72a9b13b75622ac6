package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// MaxFileSize bounds an environment file; anything larger is refused unread.
const MaxFileSize = 1 << 20

// Problem is one thing wrong with one environment file.
type Problem struct {
	File  string // path of the environment file
	Field string // dotted field path, e.g. network.vpc_cidr ("" for the whole file)
	Msg   string // what is wrong and what is allowed
}

func (p Problem) String() string {
	if p.Field == "" {
		return fmt.Sprintf("%s: %s", p.File, p.Msg)
	}
	return fmt.Sprintf("%s: %s: %s", p.File, p.Field, p.Msg)
}

// Error lists every problem found, one per line.
type Error struct{ Problems []Problem }

func (e *Error) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return fmt.Sprintf("invalid configuration (%d problem(s)):\n  %s", len(lines), strings.Join(lines, "\n  "))
}

// LoadDir loads every *.yaml / *.yml / *.json environment file in dir, sorted
// by name. With only non-empty, it loads just those environment names (an
// unknown name is an error).
func LoadDir(dir string, only []string) ([]*Config, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("reading environments: %w", err)
	}
	byName := map[string]string{}
	var names []string
	for _, e := range entries {
		ext := filepath.Ext(e.Name())
		if e.IsDir() || (ext != ".yaml" && ext != ".yml" && ext != ".json") {
			continue
		}
		n := strings.TrimSuffix(e.Name(), ext)
		if prev, dup := byName[n]; dup {
			return nil, fmt.Errorf("environment %q is defined twice: %s and %s", n, prev, e.Name())
		}
		byName[n] = filepath.Join(dir, e.Name())
		names = append(names, n)
	}
	sort.Strings(names)
	if len(only) > 0 {
		for _, n := range only {
			if _, ok := byName[n]; !ok {
				return nil, fmt.Errorf("environment %q not found in %s (have: %s)", n, dir, strings.Join(names, ", "))
			}
		}
		names = only
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("no environment files (*.yaml, *.yml, *.json) in %s", dir)
	}
	var cfgs []*Config
	all := &Error{}
	for _, n := range names {
		c, err := LoadFile(byName[n])
		var ce *Error
		switch {
		case errors.As(err, &ce):
			all.Problems = append(all.Problems, ce.Problems...)
		case err != nil:
			return nil, err
		default:
			cfgs = append(cfgs, c)
		}
	}
	if len(all.Problems) > 0 {
		return nil, all
	}
	return cfgs, nil
}

// LoadFile reads, strictly decodes, defaults and validates one environment file.
func LoadFile(path string) (*Config, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("reading environment: %w", err)
	}
	if info.Size() > MaxFileSize {
		return nil, &Error{[]Problem{{File: path, Msg: fmt.Sprintf("file is %d bytes; at most %d allowed", info.Size(), MaxFileSize)}}}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading environment: %w", err)
	}
	return Parse(path, data)
}

// Parse decodes and validates one environment file's bytes (JSON is YAML).
func Parse(path string, data []byte) (*Config, error) {
	fail := func(msg string) (*Config, error) { return nil, &Error{[]Problem{{File: path, Msg: msg}}} }
	if !utf8.Valid(data) {
		return fail("file is not UTF-8 text")
	}
	if bytes.IndexByte(data, 0) >= 0 {
		return fail("file contains a NUL byte; want UTF-8 YAML or JSON text")
	}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return fail("file is empty; want a YAML or JSON mapping with at least name, region and state.bucket")
		}
		return fail("not valid YAML/JSON: " + strings.TrimPrefix(err.Error(), "yaml: "))
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return fail("file holds more than one YAML document; want exactly one")
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	if root.Kind != yaml.MappingNode {
		return fail("top level must be a mapping (key: value), not " + kindName(root))
	}

	cfg := Defaults()
	var probs []Problem
	checkShape(root, reflect.TypeOf(cfg), "", func(field, msg string) {
		probs = append(probs, Problem{File: path, Field: field, Msg: msg})
	})
	if len(probs) > 0 {
		return nil, &Error{probs}
	}
	if err := root.Decode(&cfg); err != nil {
		return fail("cannot decode: " + strings.TrimPrefix(err.Error(), "yaml: "))
	}
	cfg.File = path
	applyDefaults(&cfg)
	if probs := validate(&cfg); len(probs) > 0 {
		return nil, &Error{probs}
	}
	return &cfg, nil
}

// checkShape walks the YAML tree against the Go type and reports unknown keys
// and values of the wrong kind with their field path and what is allowed.
func checkShape(n *yaml.Node, t reflect.Type, path string, report func(field, msg string)) {
	if n.Kind == yaml.AliasNode {
		report(path, "YAML aliases are not supported; write the value out")
		return
	}
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		report(path, "is empty (null); remove the key to use the default, or give a value")
		return
	}
	switch t.Kind() {
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			report(path, fmt.Sprintf("must be a mapping, not %s", kindName(n)))
			return
		}
		fields := map[string]reflect.Type{}
		var allowed []string
		for i := 0; i < t.NumField(); i++ {
			tag := strings.Split(t.Field(i).Tag.Get("yaml"), ",")[0]
			if tag == "" || tag == "-" {
				continue
			}
			fields[tag] = t.Field(i).Type
			allowed = append(allowed, tag)
		}
		seen := map[string]bool{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			key := k.Value
			sub := join(path, key)
			if seen[key] {
				report(sub, "is given twice")
				continue
			}
			seen[key] = true
			ft, ok := fields[key]
			if !ok {
				report(sub, fmt.Sprintf("unknown field; allowed: %s", strings.Join(allowed, ", ")))
				continue
			}
			checkShape(v, ft, sub, report)
		}
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			report(path, fmt.Sprintf("must be a mapping, not %s", kindName(n)))
			return
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			checkShape(n.Content[i+1], t.Elem(), join(path, n.Content[i].Value), report)
		}
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			report(path, fmt.Sprintf("must be a list, not %s", kindName(n)))
			return
		}
		for i, e := range n.Content {
			checkShape(e, t.Elem(), fmt.Sprintf("%s[%d]", path, i), report)
		}
	case reflect.String:
		if n.Kind != yaml.ScalarNode || (n.Tag != "!!str" && n.Tag != "!!int" && n.Tag != "!!float") {
			report(path, fmt.Sprintf("must be a string, not %s", kindName(n)))
		}
	case reflect.Int:
		if n.Kind != yaml.ScalarNode || n.Tag != "!!int" {
			report(path, fmt.Sprintf("must be a whole number, not %s", kindName(n)))
		}
	case reflect.Bool:
		if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" {
			report(path, fmt.Sprintf("must be true or false, not %s", kindName(n)))
		}
	}
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!str":
			return fmt.Sprintf("the string %q", n.Value)
		case "!!int", "!!float":
			return "the number " + n.Value
		case "!!bool":
			return "the boolean " + n.Value
		case "!!null":
			return "null"
		}
		return fmt.Sprintf("%q", n.Value)
	}
	return "an unsupported YAML node"
}
