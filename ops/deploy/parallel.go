package deploy

import (
	"context"
	"runtime"
	"sync"

	tfjson "github.com/hashicorp/terraform-json"
)

// Parallel is how many Terraform commands PlanAll and Drift run at once:
// the number of CPUs, at least 2 (a plan also waits on the API it
// refreshes from) and at most 4.
var Parallel = min(max(runtime.NumCPU(), 2), 4)

// Job is one plan of PlanAll: a stack of a synthesized environment.
type Job struct {
	Env   *Env
	Stack string

	run func(context.Context) error // PlanAll's, or Drift's
}

// Planned is the outcome of one Job.
type Planned struct {
	Plan *tfjson.Plan
	Err  error
}

// PlanAll plans every job (as PlanJSON) and returns the results in the
// order of jobs. The plans are independent Terraform processes (no jsii),
// so they run side by side, Parallel at a time, except that the jobs of
// one stack name run one after another in the order given: two folders of
// one stack share a state, and its lock lets one command in at a time.
func PlanAll(ctx context.Context, jobs []Job) []Planned {
	out := make([]Planned, len(jobs))
	runs := make([]Job, len(jobs))
	for i, j := range jobs {
		runs[i] = j
		runs[i].run = func(ctx context.Context) (err error) {
			out[i].Plan, err = j.Env.PlanJSON(ctx, j.Stack)
			return err
		}
	}
	for i, err := range run(ctx, runs) {
		out[i].Err = err
	}
	return out
}

// run runs jobs: one goroutine per stack name, which runs that stack's
// jobs in order, each when one of Parallel slots is free. It returns each
// job's error, in the order of jobs.
func run(ctx context.Context, jobs []Job) []error {
	errs := make([]error, len(jobs))
	byStack := map[string][]int{}
	var order []string
	for i, j := range jobs {
		if _, ok := byStack[j.Stack]; !ok {
			order = append(order, j.Stack)
		}
		byStack[j.Stack] = append(byStack[j.Stack], i)
	}
	slots := make(chan struct{}, Parallel)
	var wg sync.WaitGroup
	for _, st := range order {
		wg.Add(1)
		go func(idx []int) {
			defer wg.Done()
			for _, i := range idx {
				slots <- struct{}{}
				errs[i] = jobs[i].run(ctx)
				<-slots
			}
		}(byStack[st])
	}
	wg.Wait()
	return errs
}
