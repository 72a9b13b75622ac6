// Command benchrun measures, in one run on one machine, what users of this
// project wait for, and writes the results section of BENCHMARKS.md:
//
//  1. the floor: one empty stack with the AWS provider, synthesized in a
//     fresh process (bench/cmd/synthonce -mode floor);
//  2. the full app: every stack of every environment, the way main does
//     it, in a fresh process (synthonce -mode full);
//  3. their ratio and the project's cost per synthesized resource;
//  4. the peak RSS of the Go process and of the Node kernel processes;
//  5. the cold build (empty GOCACHE) and a warm rebuild after a change to a
//     construct, of the committed tree (git archive HEAD);
//  6. the short test suite's wall time, with the jsii kernel starts and
//     synths of every test package.
//
// Run it from the repository root:
//
//	go run ./bench/cmd/benchrun -o BENCHMARKS.md
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"selfhost/bench"
)

func main() {
	n := flag.Int("n", 5, "repetitions of each fresh-process synth (floor and full, interleaved)")
	cold := flag.Int("cold", 2, "cold builds (each with an empty GOCACHE)")
	warm := flag.Int("warm", 3, "warm rebuilds after a change to a construct")
	suite := flag.Bool("suite", true, "measure `go test -short -count=1 ./...`")
	out := flag.String("o", "", "splice the results between the benchrun markers of this file (else print them)")
	raw := flag.String("raw", "", "also write every sample as JSON to this file")
	lazy := flag.Bool("lazy", true, "also measure floor and full with the provider's lazy index (a what-if, see bench.LazyIndexJS)")
	flag.Parse()
	if err := run(*n, *cold, *warm, *suite, *lazy, *out, *raw); err != nil {
		fmt.Fprintln(os.Stderr, "benchrun:", err)
		os.Exit(1)
	}
}

var exe string // the synthonce helper

// measureLazy repeats the interleaved floor/full pairs with the lazy-index
// preload, and checks that the full output is byte-identical with and
// without it.
func measureLazy(r *bench.Report, src, tmp string, n int) error {
	js := filepath.Join(tmp, "lazy-index.js")
	if err := os.WriteFile(js, []byte(bench.LazyIndexJS), 0o644); err != nil {
		return err
	}
	env := map[string]string{"NODE_OPTIONS": bench.LazyNodeOptions(js)}
	plain, lazy := filepath.Join(tmp, "out-plain", "cdktf.out"), filepath.Join(tmp, "out-lazy", "cdktf.out")
	if _, err := bench.RunHelper(exe, src, "full", "-out", plain); err != nil {
		return err
	}
	if _, err := bench.RunHelperEnv(exe, src, "full", env, "-out", lazy); err != nil {
		return err
	}
	same, diff, err := bench.SameTree(plain, lazy)
	if err != nil {
		return err
	}
	r.LazySame, r.LazyDiff = &same, diff
	logf("lazy index: output identical: %v %s", same, diff)
	for i := 0; i < n; i++ {
		for _, mode := range []string{"floor", "full"} {
			s, err := bench.RunHelperEnv(exe, src, mode, env)
			if err != nil {
				return err
			}
			logf("lazy %s %d/%d: %.2fs, Go %d MB, Node %d MB", mode, i+1, n, s.WallMS/1000, s.GoHWM/1024, s.NodeHWM/1024)
			if mode == "floor" {
				r.LazyFloor = append(r.LazyFloor, s)
			} else {
				r.LazyFull = append(r.LazyFull, s)
			}
		}
	}
	return nil
}

func logf(format string, a ...any) {
	fmt.Fprintf(os.Stderr, "%s  "+format+"\n", append([]any{time.Now().UTC().Format("15:04:05")}, a...)...)
}

func run(n, coldReps, warmReps int, suite, lazy bool, out, raw string) error {
	repo, err := os.Getwd()
	if err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(repo, "go.mod")); err != nil {
		return fmt.Errorf("run from the repository root: %w", err)
	}
	tmp, err := os.MkdirTemp("", "benchrun-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	r := bench.Report{
		Date:      time.Now().UTC().Format("2006-01-02 15:04 MST"),
		Machine:   bench.Machine(),
		Go:        bench.Version("go", "version"),
		Node:      bench.Version("node", "--version"),
		Terraform: bench.Version("terraform", "version"),
		Command:   "go run ./bench/cmd/benchrun " + strings.Join(os.Args[1:], " "),
	}
	r.LoadStart, _ = bench.LoadAvg("/proc")
	logf("load average %s", r.LoadStart)

	src := filepath.Join(tmp, "src")
	if r.Commit, err = bench.CopyHead(repo, src); err != nil {
		return err
	}
	if n > 0 {
		var err error
		// The helper of the committed tree synthesizes the committed
		// environments, in the copy.
		exe, err = bench.BuildHelper(src, tmp)
		if err != nil {
			return err
		}
		for _, mode := range []string{"floor", "full"} {
			s, err := bench.RunHelper(exe, src, mode)
			if err != nil {
				return err
			}
			logf("warm-up %s: %.2fs (discarded)", mode, s.WallMS/1000)
		}
		// The project's own cost without the floor: synths repeated in one
		// process whose kernel is warm.
		for _, mode := range []string{"floor", "full"} {
			s, err := bench.RunHelper(exe, src, mode, "-again", "5")
			if err != nil {
				return err
			}
			logf("warm-kernel %s synths: %v ms", mode, s.WarmMS)
			if mode == "floor" {
				r.WarmFloor = s.WarmMS
			} else {
				r.WarmFull = s.WarmMS
			}
		}
		for i := 0; i < n; i++ {
			for _, mode := range []string{"floor", "full"} {
				s, err := bench.RunHelper(exe, src, mode)
				if err != nil {
					return err
				}
				logf("%s %d/%d: %.2fs, Go %d MB, Node %d MB, %d resources", mode, i+1, n, s.WallMS/1000, s.GoHWM/1024, s.NodeHWM/1024, s.Resources)
				if mode == "floor" {
					r.Floor = append(r.Floor, s)
				} else {
					r.Full = append(r.Full, s)
				}
			}
		}
	}
	if n > 0 && lazy {
		if err := measureLazy(&r, src, tmp, n); err != nil {
			return err
		}
	}
	if suite {
		s, err := bench.MeasureSuite(src, tmp, logf)
		if err != nil {
			// Keep what was measured so far.
			logf("test suite not measured: %v", err)
			r.Notes = append(r.Notes, "The test suite was not measured: "+strings.SplitN(err.Error(), "\n", 2)[0])
		} else if s.Failed {
			os.WriteFile(filepath.Join(repo, "bench-suite-output.txt"), []byte(s.Output), 0o644)
			logf("the suite failed; its output is in bench-suite-output.txt")
		}
		if err == nil {
			r.Suite = &s
		}
	}
	if coldReps > 0 {
		b, err := bench.MeasureBuilds(src, tmp, coldReps, warmReps, logf)
		if err != nil {
			return err
		}
		r.Builds = &b
	}
	r.LoadEnd, _ = bench.LoadAvg("/proc")
	logf("load average %s", r.LoadEnd)

	if raw != "" {
		b, _ := json.MarshalIndent(r, "", "  ")
		if err := os.WriteFile(raw, b, 0o644); err != nil {
			return err
		}
	}
	var buf bytes.Buffer
	r.Markdown(&buf)
	if out == "" {
		_, err := os.Stdout.Write(buf.Bytes())
		return err
	}
	return bench.Splice(out, buf.String())
}
