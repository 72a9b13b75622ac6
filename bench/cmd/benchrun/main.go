// Command benchrun measures, in one run on one machine, what users of this
// project wait for, and writes the results section of BENCHMARKS.md:
//
//  1. the floor: one empty stack with the AWS provider, synthesized in a
//     fresh process (bench/cmd/synthonce -mode floor);
//  2. the full app: every stack of every environment, the way main does
//     it, in a fresh process (synthonce -mode full);
//  3. their ratio and the project's cost per synthesized resource, with
//     lazy provider loading (the default) and with normal loading;
//  4. the peak RSS of the Go process and of the Node kernel processes;
//  5. the cold build (empty GOCACHE) and a warm rebuild after a change to a
//     construct, of the committed tree (git archive HEAD);
//  6. the short test suite's wall time, with the jsii kernel starts and
//     synths of every test package;
//  7. how synth time and memory grow with environments and AZs.
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
	scale := flag.Int("scale", 3, "repetitions of each shape of the growth measurement (1, 4, 16 environments; 2 and 6 AZs); 0 skips it")
	flag.Parse()
	if err := run(*n, *cold, *warm, *scale, *suite, *out, *raw); err != nil {
		fmt.Fprintln(os.Stderr, "benchrun:", err)
		os.Exit(1)
	}
}

var exe string // the synthonce helper

// checkSame synthesizes the full app with lazy and with normal provider
// loading and records whether the outputs are byte-identical.
func checkSame(r *bench.Report, src, tmp string) error {
	plain, lazy := filepath.Join(tmp, "out-eager", "cdktf.out"), filepath.Join(tmp, "out-lazy", "cdktf.out")
	if _, err := bench.RunHelperEnv(exe, src, "full", bench.Eager, "-out", plain); err != nil {
		return err
	}
	if _, err := bench.RunHelper(exe, src, "full", "-out", lazy); err != nil {
		return err
	}
	same, diff, err := bench.SameTree(plain, lazy)
	if err != nil {
		return err
	}
	r.Same, r.Diff = &same, diff
	logf("lazy and eager output identical: %v %s", same, diff)
	return nil
}

// measureScale synthesizes 1, 4 and 16 copies of the production
// environment (3 AZs) and one copy with 2 and with 6 AZs, reps times each,
// interleaved.
func measureScale(r *bench.Report, src, tmp string, reps int) error {
	shapes := []bench.ScalePoint{{Envs: 1, AZs: 3}, {Envs: 4, AZs: 3}, {Envs: 16, AZs: 3}, {Envs: 1, AZs: 2}, {Envs: 1, AZs: 6}}
	dirs := make([]string, len(shapes))
	for i, p := range shapes {
		dirs[i] = filepath.Join(tmp, fmt.Sprintf("scale-%d-%d", p.Envs, p.AZs))
		if err := bench.WriteScaledEnvs(filepath.Join(src, "environments", "production.yaml"), dirs[i], p.Envs, p.AZs); err != nil {
			return err
		}
	}
	for rep := 0; rep < reps; rep++ {
		for i := range shapes {
			s, err := bench.RunHelper(exe, src, "full", "-env", dirs[i])
			if err != nil {
				return err
			}
			logf("scale %d env x %d AZ %d/%d: %.2fs, %d resources, Go+Node %d MB", shapes[i].Envs, shapes[i].AZs, rep+1, reps, s.WallMS/1000, s.Resources, (s.GoHWM+s.NodeHWM)/1024)
			shapes[i].Samples = append(shapes[i].Samples, s)
		}
	}
	r.Scale = shapes
	return nil
}

func logf(format string, a ...any) {
	fmt.Fprintf(os.Stderr, "%s  "+format+"\n", append([]any{time.Now().UTC().Format("15:04:05")}, a...)...)
}

func run(n, coldReps, warmReps, scaleReps int, suite bool, out, raw string) error {
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
		for _, env := range []map[string]string{nil, bench.Eager} {
			for _, mode := range []string{"floor", "full"} {
				s, err := bench.RunHelperEnv(exe, src, mode, env)
				if err != nil {
					return err
				}
				logf("warm-up %s %v: %.2fs (discarded)", mode, env, s.WallMS/1000)
			}
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
		// Interleaved: eager floor, floor, full, eager full, ...
		for i := 0; i < n; i++ {
			for _, m := range []struct {
				mode string
				env  map[string]string
				into *[]bench.Sample
			}{{"floor", bench.Eager, &r.EagerFloor}, {"floor", nil, &r.Floor}, {"full", nil, &r.Full}, {"full", bench.Eager, &r.EagerFull}} {
				s, err := bench.RunHelperEnv(exe, src, m.mode, m.env)
				if err != nil {
					return err
				}
				kind := "lazy"
				if m.env != nil {
					kind = "eager"
				}
				logf("%s %s %d/%d: %.2fs, Go %d MB, Node %d MB, %d resources", kind, m.mode, i+1, n, s.WallMS/1000, s.GoHWM/1024, s.NodeHWM/1024, s.Resources)
				*m.into = append(*m.into, s)
			}
		}
		if err := checkSame(&r, src, tmp); err != nil {
			return err
		}
		if scaleReps > 0 {
			if err := measureScale(&r, src, tmp, scaleReps); err != nil {
				return err
			}
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
