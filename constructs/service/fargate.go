package service

// Fargate's task sizes and CPU architectures.

import (
	"fmt"
	"slices"

	"selfhost/awsrules"
	"selfhost/awsrules/fargate"
)

// CPU architectures.
const (
	X86_64 = "X86_64"
	ARM64  = "ARM64"
)

// FargateCPUs are the CPU sizes Fargate allows, ascending.
func FargateCPUs() []int { return fargate.CPUs() }

// ValidateFargateSize checks a CPU/memory pair against Fargate's table.
func ValidateFargateSize(cpu, memoryMiB int) error {
	mems, ok := fargate.Memory[cpu]
	if !ok {
		return fmt.Errorf("service: CPU %d is not a Fargate CPU size; want one of %s", cpu, awsrules.JoinInts(FargateCPUs()))
	}
	if slices.Contains(mems, memoryMiB) {
		return nil
	}
	lo, hi := mems[0], mems[len(mems)-1]
	if len(mems) <= 4 {
		return fmt.Errorf("service: MemoryMiB %d is not allowed with CPU %d; want one of %s", memoryMiB, cpu, awsrules.JoinInts(mems))
	}
	return fmt.Errorf("service: MemoryMiB %d is not allowed with CPU %d; want %d to %d in steps of %d", memoryMiB, cpu, lo, hi, mems[1]-mems[0])
}
