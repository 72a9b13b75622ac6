package bench

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// CopyHead extracts the committed tree (HEAD) of the repository at repo
// into dst with `git archive`, so that builds and tests measure a
// reproducible tree rather than whatever is being edited in the working
// copy, and links node_modules (untracked) when the repository has one.
func CopyHead(repo, dst string) (string, error) {
	rev, err := exec.Command("git", "-C", repo, "rev-parse", "--short", "HEAD").Output()
	if err != nil {
		return "", fmt.Errorf("git rev-parse: %v", err)
	}
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return "", err
	}
	cmd := exec.Command("sh", "-c", `git -C "$1" archive --format=tar HEAD | tar -x -C "$2"`, "sh", repo, dst)
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("git archive: %v\n%s", err, out)
	}
	if _, err := os.Stat(filepath.Join(repo, "node_modules")); err == nil {
		os.Symlink(filepath.Join(repo, "node_modules"), filepath.Join(dst, "node_modules"))
	}
	return strings.TrimSpace(string(rev)), nil
}

// timed runs a command in dir with env and returns its wall time.
func timed(dir string, env []string, name string, args ...string) (time.Duration, []byte, error) {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = env
	start := time.Now()
	out, err := cmd.CombinedOutput()
	d := time.Since(start)
	if err != nil {
		return d, out, fmt.Errorf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return d, out, nil
}

// EditFile is the construct file the warm rebuild changes.
const EditFile = "constructs/network/network.go"

// BuildResult holds the build measurements in seconds.
type BuildResult struct {
	Cold, Warm []float64
}

// MeasureBuilds measures, in the tree src, `go build -o <tmp> .` (the
// binary `go run .` builds) cold and warm:
//
//   - cold: an empty, fresh GOCACHE per repetition, the module cache as it
//     is (modules downloaded, nothing compiled), -mod=readonly;
//   - warm: in the cache the first cold build filled, EditFile gets a new
//     unexported function with a value unique to the repetition appended
//     (a real content change: Go's cache keys on content, so touching the
//     mtime alone rebuilds nothing), then the same build.
func MeasureBuilds(src, tmp string, coldReps, warmReps int, logf func(string, ...any)) (BuildResult, error) {
	var r BuildResult
	bin := filepath.Join(tmp, "selfhost.bin")
	var firstCache string
	for i := 0; i < coldReps; i++ {
		cache := filepath.Join(tmp, fmt.Sprintf("gocache-%d", i))
		env := Env(map[string]string{"GOCACHE": cache, "GOFLAGS": "-mod=readonly -buildvcs=false"})
		d, _, err := timed(src, env, "go", "build", "-o", bin, ".")
		if err != nil {
			return r, err
		}
		logf("cold build %d: %.1fs", i+1, d.Seconds())
		r.Cold = append(r.Cold, d.Seconds())
		if i == 0 {
			firstCache = cache
		} else {
			os.RemoveAll(cache)
		}
	}
	if firstCache == "" {
		return r, nil
	}
	env := Env(map[string]string{"GOCACHE": firstCache, "GOFLAGS": "-mod=readonly -buildvcs=false"})
	file := filepath.Join(src, EditFile)
	orig, err := os.ReadFile(file)
	if err != nil {
		return r, err
	}
	defer os.WriteFile(file, orig, 0o644)
	stamp := time.Now().UnixNano()
	for i := 0; i < warmReps; i++ {
		edit := fmt.Sprintf("%s\nfunc benchEdit() int64 { return %d }\n", orig, stamp+int64(i))
		if err := os.WriteFile(file, []byte(edit), 0o644); err != nil {
			return r, err
		}
		d, _, err := timed(src, env, "go", "build", "-o", bin, ".")
		if err != nil {
			return r, err
		}
		logf("warm rebuild %d: %.2fs", i+1, d.Seconds())
		r.Warm = append(r.Warm, d.Seconds())
	}
	os.RemoveAll(firstCache)
	return r, nil
}

// CounterJS is a Node preload (NODE_OPTIONS=--require) that appends one
// JSON line per jsii kernel start ("kernel", in the kernel's program.js
// process) and per top-level cdktf synth ("synth": App.synth and the
// Testing.synth* helpers) to the file named by SELFHOST_BENCH_COUNT, with
// the working directory (the test package's folder under go test).
const CounterJS = `'use strict';
const fs = require('fs');
const Module = require('module');
const file = process.env.SELFHOST_BENCH_COUNT;
if (file && /program\.js$/.test(process.argv[1] || '')) {
  const log = (kind, what) => { try { fs.appendFileSync(file, JSON.stringify({ kind, what, cwd: process.cwd(), pid: process.pid }) + '\n'); } catch (e) {} };
  log('kernel', '');
  let depth = 0;
  const wrap = (obj, name) => {
    const f = obj && obj[name];
    if (typeof f !== 'function') return;
    obj[name] = function (...args) {
      if (depth === 0) log('synth', name);
      depth++;
      try { return f.apply(this, args); } finally { depth--; }
    };
  };
  const seen = new WeakSet();
  const load = Module._load;
  Module._load = function (request, parent, isMain) {
    const m = load.apply(this, arguments);
    try {
      if (m && typeof m === 'object' && !seen.has(m) && typeof m.App === 'function' && typeof m.Testing === 'function' && m.App.prototype && typeof m.App.prototype.synth === 'function') {
        seen.add(m);
        wrap(m.App.prototype, 'synth');
        for (const n of ['synth', 'synthScope', 'fullSynth', 'synthHcl']) wrap(m.Testing, n);
      }
    } catch (e) {}
    return m;
  };
}
`

// PackageRun is one test package of a suite run.
type PackageRun struct {
	Package string
	Result  string // ok, FAIL, no tests
	Seconds float64
	Kernels int // jsii kernel starts (each pays the floor)
	Synths  int // top-level cdktf synths
}

// SuiteResult is one `go test` run of the whole module.
type SuiteResult struct {
	Command  string
	Seconds  float64
	Packages []PackageRun
	Failed   bool
	Output   string
}

// Totals adds the kernels and synths of every package.
func (s SuiteResult) Totals() (kernels, synths int) {
	for _, p := range s.Packages {
		kernels += p.Kernels
		synths += p.Synths
	}
	return
}

var testLine = regexp.MustCompile(`^(ok|FAIL|\?)\s+(\S+)\s+(?:([0-9.]+)s|\[no test files\])`)

// ParseGoTest reads the package summary lines of `go test` output.
func ParseGoTest(out []byte) []PackageRun {
	var runs []PackageRun
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		m := testLine.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		p := PackageRun{Package: m[2], Result: m[1]}
		if m[1] == "?" {
			p.Result = "no tests"
		}
		p.Seconds, _ = strconv.ParseFloat(m[3], 64)
		runs = append(runs, p)
	}
	return runs
}

// CountEvent is one line CounterJS writes.
type CountEvent struct {
	Kind string `json:"kind"`
	What string `json:"what"`
	Cwd  string `json:"cwd"`
	PID  int    `json:"pid"`
}

// ParseCounts reads CounterJS's file into kernels and synths per folder.
func ParseCounts(data []byte) (kernels, synths map[string]int, err error) {
	kernels, synths = map[string]int{}, map[string]int{}
	for _, l := range bytes.Split(data, []byte("\n")) {
		if len(bytes.TrimSpace(l)) == 0 {
			continue
		}
		var e CountEvent
		if err := json.Unmarshal(l, &e); err != nil {
			return nil, nil, fmt.Errorf("counter line %q: %v", l, err)
		}
		switch e.Kind {
		case "kernel":
			kernels[e.Cwd]++
		case "synth":
			synths[e.Cwd]++
		}
	}
	return kernels, synths, nil
}

// MeasureSuite runs `go test -short -count=1 ./...` in src (its test
// binaries compiled beforehand with `-exec true`, so the wall time is the
// suite, not the compiler) with CounterJS preloaded into every Node
// process, and returns the wall time with the kernel starts and synths of
// every package.
func MeasureSuite(src, tmp string, logf func(string, ...any)) (SuiteResult, error) {
	r := SuiteResult{Command: "go test -short -count=1 ./..."}
	js := filepath.Join(tmp, "count.js")
	counts := filepath.Join(tmp, "counts.jsonl")
	if err := os.WriteFile(js, []byte(CounterJS), 0o644); err != nil {
		return r, err
	}
	os.Remove(counts)
	plain := os.Environ()
	d, _, err := timed(src, plain, "go", "test", "-short", "-count=1", "-exec", "true", "./...")
	if err != nil {
		return r, fmt.Errorf("compiling the test binaries: %w", err)
	}
	logf("test binaries compiled in %.1fs (not part of the suite time)", d.Seconds())
	env := Env(map[string]string{
		"SELFHOST_BENCH_COUNT": counts,
		// jsii sets --max-old-space-size=4069 itself unless NODE_OPTIONS is
		// set; keep it.
		"NODE_OPTIONS": "--max-old-space-size=4069 --require " + js,
	})
	cmd := exec.Command("go", "test", "-short", "-count=1", "./...")
	cmd.Dir = src
	cmd.Env = env
	start := time.Now()
	out, err := cmd.CombinedOutput()
	r.Seconds = time.Since(start).Seconds()
	r.Output = string(out)
	r.Failed = err != nil
	logf("suite: %.1fs (failed: %v)", r.Seconds, r.Failed)
	r.Packages = ParseGoTest(out)

	dirs := map[string]string{} // folder -> import path
	lo, err := exec.Command("sh", "-c", `cd "$1" && go list -f '{{.Dir}} {{.ImportPath}}' ./...`, "sh", src).Output()
	if err != nil {
		return r, fmt.Errorf("go list: %v", err)
	}
	for _, l := range strings.Split(strings.TrimSpace(string(lo)), "\n") {
		if dir, ip, ok := strings.Cut(l, " "); ok {
			dirs[dir] = ip
		}
	}
	data, _ := os.ReadFile(counts)
	kernels, synths, err := ParseCounts(data)
	if err != nil {
		return r, err
	}
	byPkg := map[string]*PackageRun{}
	for i := range r.Packages {
		byPkg[r.Packages[i].Package] = &r.Packages[i]
	}
	attach := func(m map[string]int, set func(*PackageRun, int)) {
		for dir, n := range m {
			ip, ok := dirs[dir]
			if !ok {
				ip = dir
			}
			p := byPkg[ip]
			if p == nil {
				r.Packages = append(r.Packages, PackageRun{Package: ip, Result: "?"})
				p = &r.Packages[len(r.Packages)-1]
				byPkg = map[string]*PackageRun{}
				for i := range r.Packages {
					byPkg[r.Packages[i].Package] = &r.Packages[i]
				}
				p = byPkg[ip]
			}
			set(p, n)
		}
	}
	attach(kernels, func(p *PackageRun, n int) { p.Kernels = n })
	attach(synths, func(p *PackageRun, n int) { p.Synths = n })
	sort.Slice(r.Packages, func(i, j int) bool { return r.Packages[i].Package < r.Packages[j].Package })
	return r, nil
}
