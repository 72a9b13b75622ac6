package planreport

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	tfjson "github.com/hashicorp/terraform-json"

	"selfhost/config"
)

// Plan is terraform-json's plan type, the decoded `terraform show -json`.
type Plan = tfjson.Plan

// Stack is the plan of one Terraform stack.
type Stack struct {
	// Name is the stack name, e.g. "production-network".
	Name string
	// Plan is the decoded `terraform show -json` output.
	Plan *tfjson.Plan
}

// ParsePlan decodes the output of `terraform show -json PLANFILE`. It rejects
// input that is not a single JSON object, lacks a supported format_version,
// or is the JSON of a state rather than a plan.
func ParsePlan(data []byte) (*tfjson.Plan, error) {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return nil, errors.New("empty input, expected the JSON of `terraform show -json PLANFILE`")
	}
	if trimmed[0] != '{' {
		return nil, errors.New("not a JSON object, expected the JSON of `terraform show -json PLANFILE`")
	}
	var plan tfjson.Plan
	plan.UseJSONNumber(true)
	// tfjson.Plan.UnmarshalJSON decodes the first JSON value and validates
	// the format version; anything after that value is an error here.
	if err := plan.UnmarshalJSON(trimmed); err != nil {
		return nil, fmt.Errorf("invalid plan JSON: %w", err)
	}
	if err := checkSingleValue(trimmed); err != nil {
		return nil, err
	}
	if plan.PlannedValues == nil && plan.ResourceChanges == nil && plan.Config == nil && plan.PriorState == nil {
		return nil, errors.New("no planned_values, resource_changes or configuration: " +
			"this looks like state JSON (`terraform show -json` without a plan file), not a plan")
	}
	for i, rc := range plan.ResourceChanges {
		if rc == nil || rc.Change == nil {
			return nil, fmt.Errorf("invalid plan JSON: resource_changes[%d] has no change", i)
		}
	}
	return &plan, nil
}

// checkSingleValue reports trailing data after the first JSON value.
func checkSingleValue(data []byte) error {
	dec := newDecoder(data)
	var skip any
	if err := dec.Decode(&skip); err != nil {
		return fmt.Errorf("invalid plan JSON: %w", err)
	}
	if dec.More() {
		return errors.New("invalid plan JSON: unexpected data after the plan object")
	}
	return nil
}

// LoadFile reads one plan JSON file. The stack name is the file name without
// its ".json" extension.
func LoadFile(path string) (Stack, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Stack{}, err
	}
	plan, err := ParsePlan(data)
	if err != nil {
		return Stack{}, fmt.Errorf("%s: %w", path, err)
	}
	return Stack{Name: StackName(path), Plan: plan}, nil
}

// StackName derives a stack name from a plan file name: "dir/production-dns.json"
// becomes "production-dns".
func StackName(path string) string {
	return strings.TrimSuffix(filepath.Base(path), ".json")
}

// LoadPaths reads plan JSON files. Each path is a file, or a directory whose
// *.json files are all read. The stacks come back in [SortStacks] order; two
// files with the same stack name are an error.
func LoadPaths(paths []string) ([]Stack, error) {
	if len(paths) == 0 {
		return nil, errors.New("no plan files given")
	}
	var files []string
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !info.IsDir() {
			files = append(files, p)
			continue
		}
		matches, err := filepath.Glob(filepath.Join(p, "*.json"))
		if err != nil {
			return nil, err
		}
		if len(matches) == 0 {
			return nil, fmt.Errorf("%s: no *.json plan files in directory", p)
		}
		files = append(files, matches...)
	}
	seen := map[string]string{}
	var stacks []Stack
	for _, f := range files {
		s, err := LoadFile(f)
		if err != nil {
			return nil, err
		}
		if prev, ok := seen[s.Name]; ok {
			return nil, fmt.Errorf("stack %q given twice: %s and %s", s.Name, prev, f)
		}
		seen[s.Name] = f
		stacks = append(stacks, s)
	}
	SortStacks(stacks)
	return stacks, nil
}

// stackRank is the position of a stack's part in config.Parts (the
// deployment order), or len(config.Parts) for any other stack.
func stackRank(name string) int {
	if part, ok := config.PartOf(name); ok {
		return slices.Index(config.Parts, part)
	}
	return len(config.Parts)
}

// SortStacks orders stacks by dependency: names ending in a part of
// config.Parts first (in that order), then the others alphabetically.
func SortStacks(stacks []Stack) {
	sort.SliceStable(stacks, func(i, j int) bool {
		ri, rj := stackRank(stacks[i].Name), stackRank(stacks[j].Name)
		if ri != rj {
			return ri < rj
		}
		return stacks[i].Name < stacks[j].Name
	})
}
