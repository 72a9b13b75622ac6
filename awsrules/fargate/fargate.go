// Package fargate holds Fargate's task size table, shared by config
// validation and the service construct.
package fargate

import "sort"

// Memory lists, per CPU units, the memory sizes (MiB) Fargate accepts.
var Memory = map[int][]int{
	256:   {512, 1024, 2048},
	512:   steps(1024, 4096, 1024),
	1024:  steps(2048, 8192, 1024),
	2048:  steps(4096, 16384, 1024),
	4096:  steps(8192, 30720, 1024),
	8192:  steps(16384, 61440, 4096),
	16384: steps(32768, 122880, 8192),
}

// CPUs are the CPU sizes Fargate accepts, ascending.
func CPUs() []int {
	cpus := make([]int, 0, len(Memory))
	for c := range Memory {
		cpus = append(cpus, c)
	}
	sort.Ints(cpus)
	return cpus
}

func steps(from, to, step int) []int {
	var out []int
	for m := from; m <= to; m += step {
		out = append(out, m)
	}
	return out
}

// Stop timeout of a Fargate container (SIGTERM to SIGKILL), in seconds,
// and what ECS uses when a container definition sets none.
// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDefinition.html
const (
	MinStopTimeout     = 2
	MaxStopTimeout     = 120
	DefaultStopTimeout = 30
)
