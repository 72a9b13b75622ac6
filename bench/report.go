package bench

import (
	"fmt"
	"io"
	"os"
	"strings"
)

// Report is everything one driver run measured.
type Report struct {
	Date, Machine, Commit, Command string
	Go, Node, Terraform            string
	LoadStart, LoadEnd             string
	// Floor and Full are the synths as every path runs them (lazy provider
	// loading, synth.Prepare's default); EagerFloor and EagerFull load the
	// provider the normal way (EagerVar=1): the plain floor.
	Floor, Full           []Sample
	EagerFloor, EagerFull []Sample
	WarmFloor, WarmFull   []float64 // ms, repeated synths in one warm kernel
	Same                  *bool     // full output byte-identical lazy and eager
	Diff                  string
	Scale                 []ScalePoint
	Notes                 []string
	Builds                *BuildResult
	Suite                 *SuiteResult
}

// Targets of issues 7 and 14.
const (
	// TargetVsPlain: full synth / the plain (eager) floor.
	TargetVsPlain = 0.60
	// TargetRatio: full synth / the floor, both as every path runs them.
	TargetRatio      = 1.3
	TargetColdBuildS = 90.0
	TargetWarmBuildS = 5.0
	TargetPeakMB     = 700.0
	// TargetMarginalMS: one more environment.
	TargetMarginalMS = 150.0
)

func pick(ss []Sample, f func(Sample) float64) []float64 {
	out := make([]float64, len(ss))
	for i, s := range ss {
		out[i] = f(s)
	}
	return out
}

// PairRatios are full/floor wall times of the interleaved repetitions.
func PairRatios(floor, full []Sample) []float64 {
	var out []float64
	for i := 0; i < len(floor) && i < len(full); i++ {
		if floor[i].WallMS > 0 {
			out = append(out, full[i].WallMS/floor[i].WallMS)
		}
	}
	return out
}

func secs(ms float64) string { return fmt.Sprintf("%.2f s", ms/1000) }

func row(w io.Writer, name string, s Stats, f func(float64) string) {
	fmt.Fprintf(w, "| %s | %s | %s – %s | %.0f%% |\n", name, f(s.Median), f(s.Min), f(s.Max), 100*s.RelSpread)
}

func mb(kb float64) string { return fmt.Sprintf("%.0f MB", kb/1024) }

func metNot(ok bool) string {
	if ok {
		return "**met**"
	}
	return "**not met**"
}

// Markdown writes the results section of BENCHMARKS.md.
func (r Report) Markdown(w io.Writer) {
	fmt.Fprintf(w, "Measured %s on %s, commit `%s`.\n\n", r.Date, r.Machine, r.Commit)
	fmt.Fprintf(w, "- %s; Node %s; %s\n", r.Go, r.Node, r.Terraform)
	fmt.Fprintf(w, "- command: `%s`\n", r.Command)
	fmt.Fprintf(w, "- load average (1/5/15 min) at start: %s; at end: %s\n\n", r.LoadStart, r.LoadEnd)

	var ratio, perRes, peakMB float64
	var res int
	if len(r.Floor) > 0 && len(r.Full) > 0 {
		fw := Summarize(pick(r.Floor, func(s Sample) float64 { return s.WallMS }))
		uw := Summarize(pick(r.Full, func(s Sample) float64 { return s.WallMS }))
		res = r.Full[0].Resources
		ratio = uw.Median / fw.Median
		pr := Summarize(PairRatios(r.Floor, r.Full))
		fmt.Fprintf(w, "### Synth, each in a fresh process, as every path runs it (lazy provider loading; %d repetitions of each, interleaved with the eager ones below, after one discarded warm-up of each)\n\n", len(r.Floor))
		fmt.Fprintln(w, "| measurement | median | min – max | spread (max−min)/median |")
		fmt.Fprintln(w, "|---|---|---|---|")
		row(w, "1. floor: exec → exit (one empty stack + AWS provider)", fw, secs)
		row(w, fmt.Sprintf("2. full app: exec → exit (%d stacks, %d resources)", r.Full[0].Stacks, res), uw, secs)
		fmt.Fprintf(w, "| 3. ratio full/floor (of the medians) | %.2f | | |\n", ratio)
		row(w, "3. ratio full/floor (per interleaved pair)", pr, func(x float64) string { return fmt.Sprintf("%.2f", x) })
		if res > 0 {
			perRes = (uw.Median - fw.Median) / float64(res)
			fmt.Fprintf(w, "| 3. project overhead per resource ((full − floor)/%d) | %.1f ms | | |\n", res, perRes)
		}
		if len(r.WarmFull) > 0 && len(r.WarmFloor) > 0 && res > 0 {
			wf, wu := Summarize(r.WarmFloor), Summarize(r.WarmFull)
			ms := func(x float64) string { return fmt.Sprintf("%.0f ms", x) }
			row(w, fmt.Sprintf("floor synth again in a warm kernel (%d, same process)", wf.N), wf, ms)
			row(w, fmt.Sprintf("full synth again in a warm kernel (%d, same process)", wu.N), wu, ms)
			fmt.Fprintf(w, "| 3. project cost per resource, warm kernel ((full − floor)/%d) | %.2f ms | | |\n", res, (wu.Median-wf.Median)/float64(res))
		}
		fmt.Fprintln(w)
		fmt.Fprintln(w, "Where the time goes (medians, in-process, ms): `app` = synth.Run up to the build callback (jsii kernel start, cdktf and constructs assemblies); `build` = the stacks (the first AWS call loads the AWS assembly); `synth` = app.Synth and the rename; `close` = kernel shutdown; the rest of exec → exit is process start, the re-exec of `synth.Prepare` and Go init.")
		fmt.Fprintln(w)
		fmt.Fprintln(w, "| mode | exec → exit | in process | app | build | synth | close |")
		fmt.Fprintln(w, "|---|---|---|---|---|---|---|")
		for _, m := range []struct {
			name string
			ss   []Sample
		}{{"floor", r.Floor}, {"full", r.Full}} {
			med := func(f func(Sample) float64) float64 { return Summarize(pick(m.ss, f)).Median }
			fmt.Fprintf(w, "| %s | %.0f | %.0f | %.0f | %.0f | %.0f | %.0f |\n", m.name,
				med(func(s Sample) float64 { return s.WallMS }), med(func(s Sample) float64 { return s.InProcessMS }),
				med(func(s Sample) float64 { return s.AppMS }), med(func(s Sample) float64 { return s.BuildMS }),
				med(func(s Sample) float64 { return s.SynthMS }), med(func(s Sample) float64 { return s.CloseMS }))
		}
		fmt.Fprintln(w)

		fmt.Fprintf(w, "### 4. Peak memory (VmHWM from /proc, read right after the synth while the kernel runs; %d repetitions)\n\n", len(r.Full))
		fmt.Fprintln(w, "| process | floor median | full median | full min – max |")
		fmt.Fprintln(w, "|---|---|---|---|")
		for _, m := range []struct {
			name string
			f    func(Sample) float64
		}{
			{"Go (synthonce)", func(s Sample) float64 { return float64(s.GoHWM) }},
			{fmt.Sprintf("Node kernel (%d processes: wrapper + program.js, summed)", len(r.Full[0].NodeProcs)), func(s Sample) float64 { return float64(s.NodeHWM) }},
			{"total Go + Node", func(s Sample) float64 { return float64(s.GoHWM + s.NodeHWM) }},
		} {
			fl, fu := Summarize(pick(r.Floor, m.f)), Summarize(pick(r.Full, m.f))
			fmt.Fprintf(w, "| %s | %s | %s | %s – %s |\n", m.name, mb(fl.Median), mb(fu.Median), mb(fu.Min), mb(fu.Max))
		}
		peakMB = Summarize(pick(r.Full, func(s Sample) float64 { return float64(s.GoHWM + s.NodeHWM) })).Max / 1024
		fmt.Fprintln(w)
	}

	var vsPlain float64
	if len(r.EagerFloor) > 0 && len(r.EagerFull) > 0 && len(r.Floor) > 0 && len(r.Full) > 0 {
		wall := func(s Sample) float64 { return s.WallMS }
		mem := func(s Sample) float64 { return float64(s.GoHWM + s.NodeHWM) }
		ef, eu := Summarize(pick(r.EagerFloor, wall)), Summarize(pick(r.EagerFull, wall))
		lf, lu := Summarize(pick(r.Floor, wall)), Summarize(pick(r.Full, wall))
		vsPlain = lu.Median / ef.Median
		same := "not checked"
		if r.Same != nil {
			same = "yes"
			if !*r.Same {
				same = "**no**: " + r.Diff
			}
		}
		fmt.Fprintf(w, "### Lazy provider loading (the default) against normal loading (%d repetitions each, interleaved, same run)\n\n", len(r.EagerFloor))
		fmt.Fprintln(w, "Normal loading: `"+EagerVar+"=1`, which `synth.Prepare` honours by leaving the preload out; the kernel then requires the provider's `lib/index.js` and with it all ~2,100 resource modules. Full synth output byte-identical between the two: "+same+".")
		fmt.Fprintln(w)
		fmt.Fprintln(w, "| | normal loading | lazy (default) | change |")
		fmt.Fprintln(w, "|---|---|---|---|")
		ch := func(a, b float64) string { return fmt.Sprintf("%+.0f%%", 100*(b-a)/a) }
		fmt.Fprintf(w, "| floor, exec → exit (median) | %s | %s | %s |\n", secs(ef.Median), secs(lf.Median), ch(ef.Median, lf.Median))
		fmt.Fprintf(w, "| full, exec → exit (median) | %s | %s (%s – %s) | %s |\n", secs(eu.Median), secs(lu.Median), secs(lu.Min), secs(lu.Max), ch(eu.Median, lu.Median))
		fmt.Fprintf(w, "| ratio full/floor | %.2f | %.2f | |\n", eu.Median/ef.Median, lu.Median/lf.Median)
		fmt.Fprintf(w, "| full vs the plain (normal-loading) floor | %.2f | %.2f | |\n", eu.Median/ef.Median, vsPlain)
		pm, lm := Summarize(pick(r.EagerFull, mem)).Max, Summarize(pick(r.Full, mem)).Max
		fmt.Fprintf(w, "| full, peak Go + Node (max) | %s | %s | %s |\n", mb(pm), mb(lm), ch(pm, lm))
		fmt.Fprintln(w)
	}

	marginal, marginalOK := MarginalMS(r.Scale, 3)
	if len(r.Scale) > 0 {
		wall := func(s Sample) float64 { return s.WallMS }
		mem := func(s Sample) float64 { return float64(s.GoHWM + s.NodeHWM) }
		fmt.Fprintf(w, "### 7. How cost grows (copies of `environments/production.yaml`, full synth in a fresh process, %d repetitions each, interleaved)\n\n", len(r.Scale[0].Samples))
		fmt.Fprintln(w, "| environments | AZs each | stacks | resources | exec → exit (median) | min – max | peak Go + Node (max) |")
		fmt.Fprintln(w, "|---|---|---|---|---|---|---|")
		top := 0.0
		for _, p := range r.Scale {
			if len(p.Samples) == 0 {
				continue
			}
			t := Summarize(pick(p.Samples, wall))
			top = max(top, t.Median)
			fmt.Fprintf(w, "| %d | %d | %d | %d | %s | %s – %s | %s |\n", p.Envs, p.AZs, p.Samples[0].Stacks, p.Samples[0].Resources,
				secs(t.Median), secs(t.Min), secs(t.Max), mb(Summarize(pick(p.Samples, mem)).Max))
		}
		fmt.Fprintln(w)
		if marginalOK {
			fmt.Fprintf(w, "One more environment (3 AZs) adds **%.0f ms** ((median at the most − median at the fewest environments) / the difference in count).\n\n", marginal)
		}
		fmt.Fprintln(w, "```")
		fmt.Fprintln(w, "full synth, exec → exit (median)")
		for _, p := range r.Scale {
			if len(p.Samples) == 0 {
				continue
			}
			t := Summarize(pick(p.Samples, wall)).Median
			fmt.Fprintf(w, "%2d env × %d AZ │%-40s %s\n", p.Envs, p.AZs, bar(t, top, 40), secs(t))
		}
		fmt.Fprintln(w, "```")
		fmt.Fprintln(w)
	}

	var cold, warm Stats
	if r.Builds != nil {
		cold, warm = Summarize(r.Builds.Cold), Summarize(r.Builds.Warm)
		fmt.Fprintln(w, "### 5. Build of the main binary (`go build -o <tmp> .`, what `go run .` compiles)")
		fmt.Fprintln(w)
		fmt.Fprintln(w, "| build | n | median | min – max |")
		fmt.Fprintln(w, "|---|---|---|---|")
		s := func(x float64) string { return fmt.Sprintf("%.1f s", x) }
		fmt.Fprintf(w, "| cold: empty GOCACHE, module cache present | %d | %s | %s – %s |\n", cold.N, s(cold.Median), s(cold.Min), s(cold.Max))
		fmt.Fprintf(w, "| warm: after a content change to `%s` | %d | %s | %s – %s |\n", EditFile, warm.N, s(warm.Median), s(warm.Min), s(warm.Max))
		fmt.Fprintln(w)
	}

	floorS := 0.0
	if len(r.Floor) > 0 {
		floorS = Summarize(pick(r.Floor, func(s Sample) float64 { return s.WallMS })).Median / 1000
	}
	if r.Suite != nil {
		k, n := r.Suite.Totals()
		fmt.Fprintf(w, "### 6. Test suite: `%s` (test binaries compiled beforehand)\n\n", r.Suite.Command)
		status := "passed"
		if r.Suite.Failed {
			status = "FAILED (see the package rows)"
		}
		fmt.Fprintf(w, "Wall time **%.1f s** (%s; `go test` runs 2 packages at a time on 2 cores); %d jsii kernel starts (each pays the floor) and %d top-level cdktf synths (`App.synth`, `Testing.synth*`), counted by a Node preload.\n\n", r.Suite.Seconds, status, k, n)
		fmt.Fprintln(w, "| package | result | time (go test) | time − one floor | kernel starts | synths |")
		fmt.Fprintln(w, "|---|---|---|---|---|---|")
		for _, p := range r.Suite.Packages {
			if p.Result == "no tests" && p.Kernels == 0 {
				continue
			}
			over := ""
			if p.Kernels > 0 && floorS > 0 {
				over = fmt.Sprintf("%+.1f s", p.Seconds-float64(p.Kernels)*floorS)
			}
			fmt.Fprintf(w, "| %s | %s | %.1f s | %s | %d | %d |\n", p.Package, p.Result, p.Seconds, over, p.Kernels, p.Synths)
		}
		fmt.Fprintln(w)
	}

	for _, n := range r.Notes {
		fmt.Fprintf(w, "**Note:** %s\n\n", n)
	}
	fmt.Fprintln(w, "### Targets")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| target | measured | |")
	fmt.Fprintln(w, "|---|---|---|")
	if vsPlain > 0 {
		fmt.Fprintf(w, "| full synth ≤ %.2f × the plain floor | %.2f × (median full / median normal-loading floor) | %s |\n", TargetVsPlain, vsPlain, metNot(vsPlain <= TargetVsPlain))
	}
	if ratio > 0 {
		fmt.Fprintf(w, "| full synth ≤ %.2f × floor (both lazy) | %.2f × (median full / median floor) | %s |\n", TargetRatio, ratio, metNot(ratio <= TargetRatio))
		fmt.Fprintf(w, "| synth peak memory (Go + Node) ≤ %.0f MB | %.0f MB (max of the full synths) | %s |\n", TargetPeakMB, peakMB, metNot(peakMB <= TargetPeakMB))
	}
	if marginalOK {
		fmt.Fprintf(w, "| one more environment ≤ %.0f ms | %.0f ms | %s |\n", TargetMarginalMS, marginal, metNot(marginal <= TargetMarginalMS))
	}
	if r.Builds != nil {
		fmt.Fprintf(w, "| cold build ≤ %.0f s | %.1f s (median) | %s |\n", TargetColdBuildS, cold.Median, metNot(cold.Median <= TargetColdBuildS))
		fmt.Fprintf(w, "| warm rebuild ≤ %.0f s | %.1f s (median) | %s |\n", TargetWarmBuildS, warm.Median, metNot(warm.Median <= TargetWarmBuildS))
	}
	if r.Suite != nil {
		var multiK, multiS []string
		pk := 0
		for _, p := range r.Suite.Packages {
			if p.Kernels > 0 {
				pk++
			}
			if p.Kernels > 1 {
				multiK = append(multiK, fmt.Sprintf("%s (%d)", p.Package, p.Kernels))
			}
			if p.Synths > 1 {
				multiS = append(multiS, fmt.Sprintf("%s (%d)", p.Package, p.Synths))
			}
		}
		k, n := r.Suite.Totals()
		detail := fmt.Sprintf("%d kernel starts in %d packages", k, pk)
		if len(multiK) > 0 {
			detail += "; more than one in " + strings.Join(multiK, ", ")
		}
		fmt.Fprintf(w, "| one floor (kernel start) per test binary | %s | %s |\n", detail, metNot(len(multiK) == 0))
		detail = fmt.Sprintf("%d synths in %d packages", n, pk)
		if len(multiS) > 0 {
			detail += "; more than one in " + strings.Join(multiS, ", ")
		}
		fmt.Fprintf(w, "| one synth per test binary | %s | %s |\n", detail, metNot(len(multiS) == 0))
	}
	fmt.Fprintln(w)
}

// Markers delimit the generated section of BENCHMARKS.md.
const (
	BeginMarker = "<!-- benchrun:begin -->"
	EndMarker   = "<!-- benchrun:end -->"
)

// Splice replaces the text between the markers in file with section (or
// appends the markers and section when the file has none).
func Splice(file, section string) error {
	old, err := os.ReadFile(file)
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	s := string(old)
	block := BeginMarker + "\n" + section + EndMarker + "\n"
	i, j := strings.Index(s, BeginMarker), strings.Index(s, EndMarker)
	if i >= 0 && j > i {
		s = s[:i] + block + strings.TrimPrefix(s[j+len(EndMarker):], "\n")
	} else {
		if s != "" && !strings.HasSuffix(s, "\n") {
			s += "\n"
		}
		s += block
	}
	return os.WriteFile(file, []byte(s), 0o644)
}
