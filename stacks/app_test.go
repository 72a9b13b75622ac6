package stacks

import (
	"slices"
	"testing"

	"maps"

	"selfhost/config"
)

// Every part of the topology has a builder, and every builder a part.
func TestEveryPartHasABuilder(t *testing.T) {
	got, want := slices.Sorted(maps.Keys(builders)), slices.Sorted(slices.Values(config.Parts))
	if !slices.Equal(got, want) {
		t.Errorf("builders for %v, config.Parts %v: keep them the same", got, want)
	}
}
