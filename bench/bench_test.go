package bench_test

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"selfhost/bench"
	"selfhost/bench/synthrun"
	"selfhost/config"
	_ "selfhost/internal/golden" // every test binary accepts -update
	"selfhost/internal/synth"
)

// The benchmarks below synthesize in this process too (BenchmarkFullInProcess).
var tmpDir string

func TestMain(m *testing.M) {
	synth.Prepare()
	code := func() int {
		d, err := os.MkdirTemp("", "bench-test-")
		if err != nil {
			panic(err)
		}
		defer os.RemoveAll(d)
		tmpDir = d
		return m.Run()
	}()
	synth.Close()
	os.Exit(code)
}

const repo = ".." // go test runs in bench/

var (
	helperOnce sync.Once
	helperExe  string
	helperErr  error
)

func helper(tb testing.TB) string {
	tb.Helper()
	helperOnce.Do(func() { helperExe, helperErr = bench.BuildHelper(repo, tmpDir) })
	if helperErr != nil {
		tb.Fatal(helperErr)
	}
	return helperExe
}

func TestParseStatus(t *testing.T) {
	b, err := os.ReadFile("testdata/proc/201/status")
	if err != nil {
		t.Fatal(err)
	}
	p, err := bench.ParseStatus(b)
	if err != nil {
		t.Fatal(err)
	}
	want := bench.Proc{PID: 201, PPID: 200, Comm: "node", VmHWM: 1014792, VmRSS: 1014000, Status: "S (sleeping)"}
	if p != want {
		t.Errorf("got %+v, want %+v", p, want)
	}
	if _, err := bench.ParseStatus([]byte("Name:\tx\n")); err == nil {
		t.Error("a status without Pid parsed")
	}
	if _, err := bench.ParseStatus([]byte("Pid:\t1\nVmHWM:\t3 MB\n")); err == nil {
		t.Error("a VmHWM not in kB parsed")
	}
	// The real thing parses too.
	self, err := bench.ReadProc("/proc", os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if self.PID != os.Getpid() || self.VmHWM <= 0 {
		t.Errorf("/proc/self: %+v", self)
	}
}

// The fixture: 100 (synthonce) -> 200 (node wrapper) -> 201 (node
// program.js); 300 is someone else's.
func TestDescendantsFindTheNodeGrandchild(t *testing.T) {
	ps, err := bench.Descendants("testdata/proc", 100)
	if err != nil {
		t.Fatal(err)
	}
	var pids []int
	for _, p := range ps {
		pids = append(pids, p.PID)
	}
	if len(pids) != 2 || pids[0] != 200 || pids[1] != 201 {
		t.Fatalf("descendants %v, want [200 201]", pids)
	}
	nodes := bench.NodeProcs(ps)
	if got := bench.SumHWM(nodes); got != 51208+1014792 {
		t.Errorf("node VmHWM %d", got)
	}
	la, err := bench.LoadAvg("testdata/proc")
	if err != nil || la != "4.84 4.34 4.19" {
		t.Errorf("loadavg %q, %v", la, err)
	}
}

func TestSummarize(t *testing.T) {
	s := bench.Summarize([]float64{5, 1, 4, 2, 3})
	if s.Median != 3 || s.Min != 1 || s.Max != 5 || s.N != 5 || s.RelSpread != 4.0/3 {
		t.Errorf("%+v", s)
	}
	if s := bench.Summarize([]float64{4, 2}); s.Median != 3 {
		t.Errorf("even median %v", s.Median)
	}
	if s := bench.Summarize(nil); s.N != 0 {
		t.Errorf("%+v", s)
	}
}

func TestParseGoTestAndCounts(t *testing.T) {
	out := "ok  \tselfhost\t41.234s\n?   \tselfhost/app\t[no test files]\n--- FAIL: TestX (0.00s)\nFAIL\nFAIL\tselfhost/config\t0.5s\nok  \tselfhost/stacks\t(cached)\n"
	runs := bench.ParseGoTest([]byte(out))
	if len(runs) != 3 || runs[0].Seconds != 41.234 || runs[1].Result != "no tests" || runs[2].Result != "FAIL" {
		t.Errorf("%+v", runs)
	}
	k, s, err := bench.ParseCounts([]byte(`{"kind":"kernel","cwd":"/a","pid":1}
{"kind":"synth","what":"synth","cwd":"/a","pid":1}
{"kind":"synth","what":"synth","cwd":"/a","pid":1}

`))
	if err != nil || k["/a"] != 1 || s["/a"] != 2 {
		t.Errorf("%v %v %v", k, s, err)
	}
}

// The preload counts a kernel (a process running a program.js) and the
// top-level synths of a module shaped like cdktf, not the nested ones.
func TestCounterJS(t *testing.T) {
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("no node")
	}
	d := t.TempDir()
	os.WriteFile(filepath.Join(d, "count.js"), []byte(bench.CounterJS), 0o644)
	os.Mkdir(filepath.Join(d, "fakecdktf"), 0o755)
	os.WriteFile(filepath.Join(d, "fakecdktf", "index.js"), []byte(`
class App { synth() { return Testing.synth(); } }
class Testing { static synth() { return 'x'; } static fullSynth() { return new App().synth(); } }
module.exports = { App, Testing };
`), 0o644)
	os.WriteFile(filepath.Join(d, "program.js"), []byte(`
const c = require('./fakecdktf');
new c.App().synth(); c.Testing.synth(); c.Testing.fullSynth();
`), 0o644)
	counts := filepath.Join(d, "counts.jsonl")
	cmd := exec.Command("node", "--require", filepath.Join(d, "count.js"), filepath.Join(d, "program.js"))
	cmd.Dir = d
	cmd.Env = bench.Env(map[string]string{"SELFHOST_BENCH_COUNT": counts, "NODE_OPTIONS": ""}) // not the suite's preload
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	b, _ := os.ReadFile(counts)
	k, s, err := bench.ParseCounts(b)
	if err != nil {
		t.Fatal(err)
	}
	if k[d] != 1 || s[d] != 3 {
		t.Errorf("kernels %v synths %v, want 1 and 3 in %s\n%s", k, s, d, b)
	}
}

func TestSplice(t *testing.T) {
	f := filepath.Join(t.TempDir(), "B.md")
	os.WriteFile(f, []byte("# Title\nprose\n"), 0o644)
	if err := bench.Splice(f, "one\n"); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(f, append(mustRead(t, f), []byte("after\n")...), 0o644)
	if err := bench.Splice(f, "two\n"); err != nil {
		t.Fatal(err)
	}
	want := "# Title\nprose\n" + bench.BeginMarker + "\ntwo\n" + bench.EndMarker + "\nafter\n"
	if got := string(mustRead(t, f)); got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

func mustRead(t *testing.T, f string) []byte {
	t.Helper()
	b, err := os.ReadFile(f)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// One floor and one full synth through the helper, each in a fresh
// process, and the report they make. Checks that the code runs, never a
// timing. Skipped with -short: two fresh kernels cost two floors.
func TestHelperFloorAndFull(t *testing.T) {
	if testing.Short() {
		t.Skip("two fresh-process synths; skipped with -short")
	}
	exe := helper(t)
	floor, err := bench.RunHelper(exe, repo, "floor")
	if err != nil {
		t.Fatal(err)
	}
	full, err := bench.RunHelper(exe, repo, "full")
	if err != nil {
		t.Fatal(err)
	}
	if floor.Stacks != 1 || floor.Resources != 0 {
		t.Errorf("floor: %d stacks, %d resources", floor.Stacks, floor.Resources)
	}
	envs, err := config.LoadDir(filepath.Join(repo, "environments"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := len(envs) * len(config.Parts); full.Stacks != want || full.Resources == 0 {
		t.Errorf("full: %d stacks, %d resources; want %d stacks (every part of every environment)", full.Stacks, full.Resources, want)
	}
	for _, s := range []bench.Sample{floor, full} {
		if s.WallMS <= 0 || s.GoHWM <= 0 || s.NodeHWM <= 0 || len(s.NodeProcs) == 0 {
			t.Errorf("%s: %+v", s.Mode, s)
		}
	}
	r := bench.Report{Floor: []bench.Sample{floor}, Full: []bench.Sample{full}}
	var md bytes.Buffer
	r.Markdown(&md)
	for _, want := range []string{"full synth ≤ 1.30 × floor (both lazy)", "Node kernel", "overhead per resource"} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, md.String())
		}
	}
}

// Each iteration is a synth in a fresh process, as users run it.
func BenchmarkFloorFreshProcess(b *testing.B) { benchFresh(b, "floor") }
func BenchmarkFullFreshProcess(b *testing.B)  { benchFresh(b, "full") }

func benchFresh(b *testing.B, mode string) {
	exe := helper(b)
	b.ResetTimer()
	var goKB, nodeKB int64
	for i := 0; i < b.N; i++ {
		s, err := bench.RunHelper(exe, repo, mode)
		if err != nil {
			b.Fatal(err)
		}
		goKB, nodeKB = max(goKB, s.GoHWM), max(nodeKB, s.NodeHWM)
	}
	b.ReportMetric(float64(goKB)/1024, "go-peak-MB")
	b.ReportMetric(float64(nodeKB)/1024, "node-peak-MB")
}

// The full synth with the kernel of this process already warm (the first
// iteration pays the kernel start and assembly loads): the project's own
// cost, without the floor. This is not what a user waits for.
func BenchmarkFullInProcess(b *testing.B) {
	var res int
	for i := 0; i < b.N; i++ {
		out := filepath.Join(b.TempDir(), "cdktf.out")
		if _, err := synthrun.Full(filepath.Join(repo, "environments"), out, io.Discard); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		c, err := synthrun.Count(out)
		if err != nil {
			b.Fatal(err)
		}
		res = c.Resources
		b.StartTimer()
	}
	b.ReportMetric(float64(res), "resources")
}

// The report states every target with its verdict (made-up numbers; no
// timing is checked).
func TestMarkdownTargets(t *testing.T) {
	s := func(mode string, ms float64, res int) bench.Sample {
		return bench.Sample{Mode: mode, WallMS: ms, Stacks: 8, Resources: res, GoHWM: 50 << 10, NodeHWM: 1000 << 10, NodeProcs: []bench.Proc{{}, {}}}
	}
	r := bench.Report{
		EagerFloor: []bench.Sample{s("floor", 4000, 0), s("floor", 4200, 0)},
		EagerFull:  []bench.Sample{s("full", 4400, 172), s("full", 4600, 172)},
		WarmFloor:  []float64{5, 6}, WarmFull: []float64{300, 320},
		Floor: []bench.Sample{s("floor", 2000, 0), s("floor", 2000, 0)},
		Full:  []bench.Sample{s("full", 2600, 172), s("full", 2600, 172)},
		Scale: []bench.ScalePoint{
			{Envs: 1, AZs: 3, Samples: []bench.Sample{s("full", 2000, 86)}},
			{Envs: 16, AZs: 3, Samples: []bench.Sample{s("full", 5000, 1376)}},
			{Envs: 1, AZs: 6, Samples: []bench.Sample{s("full", 2100, 120)}},
		},
		Builds: &bench.BuildResult{Cold: []float64{80}, Warm: []float64{3, 6, 7}},
		Suite: &bench.SuiteResult{Command: "go test", Seconds: 60, Packages: []bench.PackageRun{
			{Package: "a", Result: "ok", Seconds: 5, Kernels: 1, Synths: 3},
			{Package: "b", Result: "ok", Seconds: 9, Kernels: 2, Synths: 2},
		}},
	}
	var md bytes.Buffer
	r.Markdown(&md)
	for _, want := range []string{
		"| full synth ≤ 0.60 × the plain floor | 0.63 × (median full / median normal-loading floor) | **not met** |",
		"| full synth ≤ 1.30 × floor (both lazy) | 1.30 × (median full / median floor) | **met** |",
		"| synth peak memory (Go + Node) ≤ 700 MB | 1050 MB (max of the full synths) | **not met** |",
		"| one more environment ≤ 150 ms | 200 ms | **not met** |",
		"| cold build ≤ 90 s | 80.0 s (median) | **met** |",
		"| warm rebuild ≤ 5 s | 6.0 s (median) | **not met** |",
		"| one floor (kernel start) per test binary | 3 kernel starts in 2 packages; more than one in b (2) | **not met** |",
		"| one synth per test binary | 5 synths in 2 packages; more than one in a (3), b (2) | **not met** |",
		"| a | ok | 5.0 s | +3.0 s | 1 | 3 |",
		"| full, exec → exit (median) | 4.50 s | 2.60 s (2.60 s – 2.60 s) | -42% |",
		"| ratio full/floor | 1.10 | 1.30 | |",
		"| 16 | 3 | 8 | 1376 | 5.00 s | 5.00 s – 5.00 s | 1050 MB |",
		"16 env × 3 AZ │████████████████████████████████████████ 5.00 s",
	} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, md.String())
		}
	}
}

// The growth measurement's environments are valid configurations with the
// asked number of environments and AZs.
func TestWriteScaledEnvs(t *testing.T) {
	dir := t.TempDir()
	if err := bench.WriteScaledEnvs(filepath.Join(repo, "environments", "production.yaml"), dir, 3, 6); err != nil {
		t.Fatal(err)
	}
	cfgs, err := config.LoadDir(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	buckets := map[string]bool{}
	for _, c := range cfgs {
		buckets[c.State.Bucket] = true
		if n := len(c.AZNames()); n != 6 {
			t.Errorf("%s: %d AZs, want 6", c.Name, n)
		}
	}
	if len(cfgs) != 3 || len(buckets) != 3 {
		t.Errorf("%d environments, %d state buckets; want 3 and 3", len(cfgs), len(buckets))
	}
}

func TestSameTree(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	for _, d := range []string{a, b} {
		os.MkdirAll(filepath.Join(d, "s"), 0o755)
		os.WriteFile(filepath.Join(d, "s", "f.json"), []byte("{}"), 0o644)
	}
	if same, diff, err := bench.SameTree(a, b); !same || err != nil {
		t.Errorf("equal trees: %v %s %v", same, diff, err)
	}
	os.WriteFile(filepath.Join(b, "s", "f.json"), []byte("{ }"), 0o644)
	if same, diff, _ := bench.SameTree(a, b); same || diff != "s/f.json differs" {
		t.Errorf("changed file: %v %q", same, diff)
	}
	os.WriteFile(filepath.Join(b, "g"), nil, 0o644)
	os.WriteFile(filepath.Join(b, "s", "f.json"), []byte("{}"), 0o644)
	if same, _, _ := bench.SameTree(a, b); same {
		t.Error("extra file not seen")
	}
}
