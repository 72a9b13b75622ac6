package bench

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// BannerVar is the jsii banner variable that synth.Prepare sets
// before re-executing the program.
const BannerVar = "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION"

// EagerVar is synth.EagerVar (not imported: the driver does not link the
// jsii runtime). Set to 1, the helper loads the AWS provider the normal
// way: the plain floor.
const EagerVar = "SELFHOST_EAGER_PROVIDER"

// Eager is the environment of a helper run with normal provider loading.
var Eager = map[string]string{EagerVar: "1"}

// Sample is one synth in a fresh process: what synthonce prints, plus the
// wall time the driver saw from exec to exit.
type Sample struct {
	Mode string `json:"mode"`
	// WallMS is exec to exit as the driver saw it: what a user waits for.
	WallMS float64 `json:"wall_ms,omitempty"`
	// InProcessMS is from main (after the banner re-exec) to the end of
	// the synth; CloseMS is the kernel shutdown after it.
	InProcessMS float64 `json:"in_process_ms"`
	CloseMS     float64 `json:"close_ms"`
	AppMS       float64 `json:"app_ms"`
	BuildMS     float64 `json:"build_ms"`
	SynthMS     float64 `json:"synth_ms"`
	RunMS       float64 `json:"run_ms"`
	// WarmMS are further synths in the same, now warm, kernel (-again).
	WarmMS []float64 `json:"warm_ms,omitempty"`

	GoHWM     int64  `json:"go_vmhwm_kb"`
	NodeHWM   int64  `json:"node_vmhwm_kb"`
	NodeProcs []Proc `json:"node_procs"`

	Stacks      int `json:"stacks"`
	Resources   int `json:"resources"`
	DataSources int `json:"data_sources"`
	Outputs     int `json:"outputs"`
	JSONBytes   int `json:"json_bytes"`
}

// Stats summarises repeated measurements.
type Stats struct {
	N                 int
	Median, Min, Max  float64
	RelSpread         float64 // (max-min)/median
	P25, P75, Samples []float64
}

// Summarize computes the median and spread of xs.
func Summarize(xs []float64) Stats {
	s := Stats{N: len(xs)}
	if len(xs) == 0 {
		return s
	}
	v := append([]float64(nil), xs...)
	sort.Float64s(v)
	s.Samples = append([]float64(nil), xs...)
	s.Min, s.Max = v[0], v[len(v)-1]
	s.Median = quantile(v, 0.5)
	if s.Median != 0 {
		s.RelSpread = (s.Max - s.Min) / s.Median
	}
	return s
}

// quantile of sorted v by linear interpolation.
func quantile(v []float64, q float64) float64 {
	pos := q * float64(len(v)-1)
	lo := int(math.Floor(pos))
	hi := int(math.Ceil(pos))
	return v[lo] + (v[hi]-v[lo])*(pos-float64(lo))
}

// Env returns os.Environ() with the keys of set replaced (an empty value
// removes the key).
func Env(set map[string]string) []string {
	var out []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if _, ok := set[k]; ok {
			continue
		}
		out = append(out, kv)
	}
	for k, v := range set {
		if v != "" {
			out = append(out, k+"="+v)
		}
	}
	return out
}

// BuildHelper builds bench/cmd/synthonce of the module at repo into dir
// and returns the binary's path.
func BuildHelper(repo, dir string) (string, error) {
	exe := filepath.Join(dir, "synthonce")
	cmd := exec.Command("go", "build", "-o", exe, "./bench/cmd/synthonce")
	cmd.Dir = repo
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./bench/cmd/synthonce: %v\n%s", err, out)
	}
	return exe, nil
}

// RunHelper execs the synthonce binary once in a fresh process (working
// directory repo, so -env is relative to it) and returns its sample with
// the wall time. The banner variable, NODE_OPTIONS and EagerVar are removed
// from its environment so it starts as `go run .` does in a plain shell
// (and re-executes once in synth.Prepare).
func RunHelper(exe, repo, mode string, extra ...string) (Sample, error) {
	return RunHelperEnv(exe, repo, mode, nil, extra...)
}

// RunHelperEnv is RunHelper with environment variables set (or removed,
// with an empty value) for the helper.
func RunHelperEnv(exe, repo, mode string, env map[string]string, extra ...string) (Sample, error) {
	cmd := exec.Command(exe, append([]string{"-mode", mode, "-env", "environments"}, extra...)...)
	cmd.Dir = repo
	set := map[string]string{BannerVar: "", "NODE_OPTIONS": "", EagerVar: ""}
	for k, v := range env {
		set[k] = v
	}
	cmd.Env = Env(set)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	var s Sample
	if jerr := json.Unmarshal(bytes.TrimSpace(lastLine(stdout.Bytes())), &s); jerr != nil || err != nil {
		return s, fmt.Errorf("synthonce -mode %s: %v %v\nstdout: %s\nstderr: %s", mode, err, jerr, stdout.Bytes(), stderr.Bytes())
	}
	if s.Mode != mode {
		return s, fmt.Errorf("synthonce -mode %s printed mode %q: %s", mode, s.Mode, stdout.Bytes())
	}
	s.WallMS = float64(wall.Microseconds()) / 1000
	return s, nil
}

func lastLine(b []byte) []byte {
	b = bytes.TrimRight(b, "\n")
	if i := bytes.LastIndexByte(b, '\n'); i >= 0 {
		return b[i+1:]
	}
	return b
}

// Version runs a command and returns the first line of its standard
// output (Terraform warns about its CLI configuration on stderr).
func Version(name string, args ...string) string {
	out, err := exec.Command(name, args...).Output()
	if err != nil {
		return "unavailable"
	}
	return strings.TrimSpace(strings.SplitN(string(out), "\n", 2)[0])
}

// Machine describes the cores and memory from /proc.
func Machine() string {
	cores := 0
	model := ""
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(l, "processor") {
				cores++
			}
			if model == "" && strings.HasPrefix(l, "model name") {
				_, model, _ = strings.Cut(l, ":")
				model = strings.TrimSpace(model)
			}
		}
	}
	mem := ""
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(l, "MemTotal:") {
				var kb int64
				fmt.Sscanf(strings.TrimSpace(strings.TrimPrefix(l, "MemTotal:")), "%d", &kb)
				mem = fmt.Sprintf("%.1f GiB", float64(kb)/(1<<20))
			}
		}
	}
	return fmt.Sprintf("%d cores (%s), %s RAM", cores, model, mem)
}
