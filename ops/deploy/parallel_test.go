package deploy

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// The scheduler behind PlanAll and Drift: jobs of one stack never overlap
// and keep their order, jobs of different stacks do overlap, never more
// than Parallel at once, and each error lands at its job's index.
func TestRunSchedule(t *testing.T) {
	old := Parallel
	Parallel = 2
	t.Cleanup(func() { Parallel = old })

	var mu sync.Mutex
	running, most := map[string]int{}, 0
	total := 0
	var order []string
	// The first network and the first service job wait for each other, so
	// they must run at once (each also when the other ran first and ended,
	// which a loaded machine made happen when only one waited).
	networkStarted, serviceStarted := make(chan struct{}), make(chan struct{})
	var jobs []Job
	for i, st := range []string{"network", "service", "network", "data", "network", "service"} {
		jobs = append(jobs, Job{Stack: st, run: func(context.Context) error {
			mu.Lock()
			running[st]++
			total++
			if running[st] > 1 {
				t.Errorf("two jobs of %s at once", st)
			}
			most = max(most, total)
			order = append(order, fmt.Sprint(st, i))
			mu.Unlock()
			switch i {
			case 0:
				close(networkStarted)
				meet(t, serviceStarted, "the first service job never ran beside the first network job")
			case 1:
				close(serviceStarted)
				meet(t, networkStarted, "the first network job never ran beside the first service job")
			}
			mu.Lock()
			running[st]--
			total--
			mu.Unlock()
			if i == 3 {
				return errors.New("data failed")
			}
			return nil
		}})
	}
	errs := run(context.Background(), jobs)
	for i, err := range errs {
		if (err != nil) != (i == 3) {
			t.Errorf("job %d: err %v", i, err)
		}
	}
	if most != 2 {
		t.Errorf("at most %d jobs at once, want Parallel = 2", most)
	}
	var network []string
	for _, o := range order {
		if strings.HasPrefix(o, "network") {
			network = append(network, o)
		}
	}
	if fmt.Sprint(network) != "[network0 network2 network4]" {
		t.Errorf("network jobs ran in the order %v", network)
	}
}

// meet waits for the other job of a pair to have started, or fails.
func meet(t *testing.T, started <-chan struct{}, msg string) {
	select {
	case <-started:
	case <-time.After(10 * time.Second):
		t.Error(msg)
	}
}
