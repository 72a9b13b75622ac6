package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
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

// Extensions of environment files (lower case only: staging.YAML is refused
// with a hint rather than skipped).
var Extensions = []string{".yaml", ".yml", ".json"}

// LoadDir loads every *.yaml / *.yml / *.json environment file in dir, sorted
// by name. With only non-empty, it loads just those environment names (an
// unknown name is an error). Every problem of every file is reported at
// once, each naming its file: entries that are not regular files, extensions
// in the wrong case, two files of one environment, and names two files would
// derive alike.
func LoadDir(dir string, only []string) ([]*Config, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, &Error{[]Problem{{File: dir, Msg: "cannot be read (" + ioProblem(err) + "); want the folder of environment files (SELFHOST_ENVIRONMENTS, default environments)"}}}
	}
	all := &Error{}
	bad := func(file, msg string) { all.Problems = append(all.Problems, Problem{File: file, Msg: msg}) }
	byName := map[string]string{}
	var names []string
	for _, e := range entries {
		file := filepath.Join(dir, e.Name())
		ext := filepath.Ext(e.Name())
		n := strings.TrimSuffix(e.Name(), ext)
		if !slices.Contains(Extensions, ext) {
			if slices.Contains(Extensions, strings.ToLower(ext)) {
				bad(file, fmt.Sprintf("extension %q is not recognised; rename the file to %s%s (extensions are lower case: .yaml, .yml or .json)", ext, n, strings.ToLower(ext)))
			}
			continue // README.md, .gitkeep, ...
		}
		if msg := notRegular(e.Type()); msg != "" {
			bad(file, msg)
			continue
		}
		if prev, dup := byName[n]; dup {
			bad(prev, fmt.Sprintf("environment %q is also defined by %s; keep one file per environment", n, file))
			bad(file, fmt.Sprintf("environment %q is also defined by %s; keep one file per environment", n, prev))
			continue
		}
		byName[n] = file
		names = append(names, n)
	}
	sort.Strings(names)
	if len(names) == 0 && len(all.Problems) == 0 {
		return nil, &Error{[]Problem{{File: dir, Msg: "no environment files; want at least one <name>.yaml, <name>.yml or <name>.json (see environments/production.yaml)"}}}
	}
	if len(only) > 0 {
		for _, n := range only {
			if _, ok := byName[n]; !ok {
				bad(dir, fmt.Sprintf("environment %q not found; have: %s", n, strings.Join(names, ", ")))
			}
		}
		if len(all.Problems) > 0 {
			return nil, all
		}
		names = only
	}
	var cfgs []*Config
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
	all.Problems = append(all.Problems, collisions(cfgs)...)
	if len(all.Problems) > 0 {
		sortProblems(all.Problems)
		return nil, all
	}
	return cfgs, nil
}

// sortProblems orders problems by file, keeping each file's own order.
func sortProblems(ps []Problem) {
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].File < ps[j].File })
}

// notRegular says why an entry of this type cannot be an environment file,
// or "" for a regular file. A named pipe would block the read forever.
func notRegular(m fs.FileMode) string {
	switch {
	case m.IsRegular():
		return ""
	case m&fs.ModeSymlink != 0:
		return "is a symbolic link; want a regular file (copy the file into the folder)"
	case m.IsDir():
		return "is a folder; want a regular YAML or JSON file"
	case m&fs.ModeNamedPipe != 0:
		return "is a named pipe; want a regular YAML or JSON file"
	case m&fs.ModeSocket != 0:
		return "is a socket; want a regular YAML or JSON file"
	case m&fs.ModeDevice != 0:
		return "is a device; want a regular YAML or JSON file"
	}
	return "is not a regular file; want a regular YAML or JSON file"
}

// LoadFile reads, strictly decodes, defaults and validates one environment
// file. It refuses anything but a regular file before opening it.
func LoadFile(path string) (*Config, error) {
	info, err := os.Lstat(path)
	if err != nil {
		return nil, &Error{[]Problem{{File: path, Msg: "cannot be read (" + ioProblem(err) + "); want a readable YAML or JSON file"}}}
	}
	if msg := notRegular(info.Mode().Type()); msg != "" {
		return nil, &Error{[]Problem{{File: path, Msg: msg}}}
	}
	if info.Size() > MaxFileSize {
		return nil, &Error{[]Problem{{File: path, Msg: fmt.Sprintf("file is %d bytes; at most %d allowed", info.Size(), MaxFileSize)}}}
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, &Error{[]Problem{{File: path, Msg: "cannot be read (" + ioProblem(err) + "); want a readable YAML or JSON file"}}}
	}
	defer f.Close()
	if info, err := f.Stat(); err != nil || !info.Mode().IsRegular() {
		return nil, &Error{[]Problem{{File: path, Msg: "changed while being read; want a regular YAML or JSON file"}}}
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, &Error{[]Problem{{File: path, Msg: "cannot be read (" + ioProblem(err) + "); want a readable YAML or JSON file"}}}
	}
	if len(data) > MaxFileSize {
		return nil, &Error{[]Problem{{File: path, Msg: fmt.Sprintf("file is more than %d bytes; at most %d allowed", MaxFileSize, MaxFileSize)}}}
	}
	return Parse(path, data)
}

// Parse decodes and validates one environment file's bytes (JSON is YAML).
func Parse(path string, data []byte) (*Config, error) {
	fail := func(msg string) (*Config, error) { return nil, &Error{[]Problem{{File: path, Msg: msg}}} }
	data = bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF")) // a UTF-8 byte-order mark, as some editors write
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
		return fail("not valid YAML/JSON: " + oneLine(strings.TrimPrefix(err.Error(), "yaml: ")))
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
		return fail("cannot decode: " + oneLine(strings.TrimPrefix(err.Error(), "yaml: ")))
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
			if hint, moved := movedKeys[sub]; !ok && moved {
				report(sub, hint)
				continue
			}
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
			if k := n.Content[i]; k.Kind != yaml.ScalarNode || k.Tag == "!!null" {
				report(path, fmt.Sprintf("has a key that is %s; keys must be text", kindName(k)))
				continue
			}
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
	case reflect.Float64:
		if n.Kind != yaml.ScalarNode || (n.Tag != "!!int" && n.Tag != "!!float") {
			report(path, fmt.Sprintf("must be a number, not %s", kindName(n)))
		}
	case reflect.Bool:
		if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" {
			report(path, fmt.Sprintf("must be true or false, not %s", kindName(n)))
		}
	}
}

// movedKeys are keys of earlier versions, with how to move them.
var movedKeys = map[string]string{"service": MovedSingleServiceHint}

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

// oneLine joins a multi-line decoder message into one line.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// ioProblem names what went wrong reading a path, without repeating it.
func ioProblem(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return err.Error()
}
