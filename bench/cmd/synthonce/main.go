// Command synthonce runs one synth in this (fresh) process and prints one
// JSON line of timings and peak memory, for the benchmark driver
// (bench/cmd/benchrun) to exec repeatedly.
//
//	synthonce -mode floor                   # one empty stack + the AWS provider
//	synthonce -mode full -env environments  # every stack, as main synthesizes it
//
// Like main it calls synth.Prepare first (which re-executes the program
// once to set the kernel's environment) and synth.Close last. The
// peak RSS (VmHWM) of the Node kernel processes is read while they still run,
// right after the synth.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"selfhost/bench"
	"selfhost/bench/synthrun"
	"selfhost/internal/synth"
)

func main() {
	synth.Prepare()
	start := time.Now()
	mode := flag.String("mode", "full", "floor (one empty stack with the AWS provider) or full (every environment)")
	envDir := flag.String("env", "environments", "environments folder (full mode)")
	keep := flag.String("out", "", "write the output here instead of a temporary folder that is removed")
	again := flag.Int("again", 0, "after the measured synth, synthesize this many more times in the now warm kernel and report their times (warm_ms)")
	flag.Parse()

	s, err := once(*mode, *envDir, *keep, start)
	for i := 0; err == nil && i < *again; i++ {
		var ms float64
		ms, err = warm(*mode, *envDir)
		s.WarmMS = append(s.WarmMS, ms)
	}
	closeStart := time.Now()
	synth.Close()
	s.CloseMS = float64(time.Since(closeStart).Microseconds()) / 1000
	if err != nil {
		fmt.Fprintln(os.Stdout, `{"error":`+quote(err.Error())+`}`)
		os.Exit(1)
	}
	if err := json.NewEncoder(os.Stdout).Encode(s); err != nil {
		os.Exit(1)
	}
}

func once(mode, envDir, keep string, start time.Time) (bench.Sample, error) {
	s := bench.Sample{Mode: mode}
	tmp, err := os.MkdirTemp("", "synthonce-")
	if err != nil {
		return s, err
	}
	defer os.RemoveAll(tmp)
	outdir := filepath.Join(tmp, "cdktf.out")
	if keep != "" {
		outdir = keep
	}
	var p synthrun.Phases
	switch mode {
	case "floor":
		p, err = synthrun.Floor(outdir)
	case "full":
		p, err = synthrun.Full(envDir, outdir, io.Discard)
	default:
		return s, fmt.Errorf("mode %q: want floor or full", mode)
	}
	if err != nil {
		return s, err
	}
	s.InProcessMS = float64(time.Since(start).Microseconds()) / 1000
	s.AppMS, s.BuildMS, s.SynthMS, s.RunMS = p.App, p.Build, p.Synth, p.Total

	// Peak memory while the kernel still runs.
	self, err := bench.ReadProc("/proc", os.Getpid())
	if err != nil {
		return s, err
	}
	s.GoHWM = self.VmHWM
	desc, err := bench.Descendants("/proc", os.Getpid())
	if err != nil {
		return s, err
	}
	s.NodeProcs = bench.NodeProcs(desc)
	s.NodeHWM = bench.SumHWM(s.NodeProcs)

	c, err := synthrun.Count(outdir)
	if err != nil {
		return s, err
	}
	s.Stacks, s.Resources, s.DataSources, s.Outputs, s.JSONBytes = c.Stacks, c.Resources, c.DataSources, c.Outputs, c.Bytes
	return s, nil
}

// warm repeats a synth in the warm kernel and returns its time in ms.
func warm(mode, envDir string) (float64, error) {
	tmp, err := os.MkdirTemp("", "synthonce-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(tmp)
	outdir := filepath.Join(tmp, "cdktf.out")
	var p synthrun.Phases
	if mode == "floor" {
		p, err = synthrun.Floor(outdir)
	} else {
		p, err = synthrun.Full(envDir, outdir, io.Discard)
	}
	return p.Total, err
}

func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
