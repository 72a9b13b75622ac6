// Package bench measures what users of this project wait for: a synth in a
// fresh process (against the floor of loading the AWS provider assembly in
// the jsii kernel), the peak memory of the Go process and its Node kernel,
// the cold and warm build, and the short test suite. The driver is
// bench/cmd/benchrun; each synth runs in a fresh process of the helper
// bench/cmd/synthonce, because a process that reuses a warm jsii kernel
// hides the few seconds every real run pays.
package bench

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Proc is one process as /proc shows it.
type Proc struct {
	PID    int    `json:"pid"`
	PPID   int    `json:"ppid"`
	Comm   string `json:"comm"`
	VmHWM  int64  `json:"vmhwm_kb"` // peak resident set size
	VmRSS  int64  `json:"vmrss_kb"`
	Status string `json:"-"`
}

// ParseStatus reads the fields of a /proc/<pid>/status file that Proc holds.
// Memory values are in kB, as the kernel prints them.
func ParseStatus(data []byte) (Proc, error) {
	var p Proc
	sc := bufio.NewScanner(bytes.NewReader(data))
	seen := 0
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		var err error
		switch k {
		case "Name":
			p.Comm = v
		case "Pid":
			p.PID, err = strconv.Atoi(v)
			seen++
		case "PPid":
			p.PPID, err = strconv.Atoi(v)
		case "VmHWM":
			p.VmHWM, err = kB(v)
		case "VmRSS":
			p.VmRSS, err = kB(v)
		case "State":
			p.Status = v
		}
		if err != nil {
			return p, fmt.Errorf("status field %s: %w", k, err)
		}
	}
	if seen == 0 {
		return p, fmt.Errorf("no Pid field in status")
	}
	return p, sc.Err()
}

func kB(v string) (int64, error) {
	n, unit, _ := strings.Cut(v, " ")
	if unit != "" && unit != "kB" {
		return 0, fmt.Errorf("unit %q, want kB", unit)
	}
	return strconv.ParseInt(n, 10, 64)
}

// ReadProc reads /proc/<pid>/status under root (normally "/proc").
func ReadProc(root string, pid int) (Proc, error) {
	b, err := os.ReadFile(filepath.Join(root, strconv.Itoa(pid), "status"))
	if err != nil {
		return Proc{}, err
	}
	return ParseStatus(b)
}

// Descendants returns every live descendant of pid under root, found by
// scanning the PPid of every process (so grandchildren, such as the Node
// process the jsii runtime wrapper spawns, are included), sorted by pid.
func Descendants(root string, pid int) ([]Proc, error) {
	entries, err := os.ReadDir(root)
	if err != nil {
		return nil, err
	}
	children := map[int][]Proc{}
	for _, e := range entries {
		n, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		p, err := ReadProc(root, n)
		if err != nil {
			continue // gone meanwhile, or not a process
		}
		children[p.PPID] = append(children[p.PPID], p)
	}
	var out []Proc
	queue := []int{pid}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		for _, c := range children[cur] {
			out = append(out, c)
			queue = append(queue, c.PID)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].PID < out[j].PID })
	return out, nil
}

// NodeProcs keeps the Node processes of ps (the jsii kernel: a wrapper and
// the program it spawns).
func NodeProcs(ps []Proc) []Proc {
	var out []Proc
	for _, p := range ps {
		if p.Comm == "node" || strings.HasPrefix(p.Comm, "node") {
			out = append(out, p)
		}
	}
	return out
}

// SumHWM adds the peak RSS of ps. Each process peaks at its own moment, so
// the sum bounds the combined peak from above.
func SumHWM(ps []Proc) int64 {
	var n int64
	for _, p := range ps {
		n += p.VmHWM
	}
	return n
}

// LoadAvg reads the 1, 5 and 15 minute load averages from /proc/loadavg.
func LoadAvg(root string) (string, error) {
	b, err := os.ReadFile(filepath.Join(root, "loadavg"))
	if err != nil {
		return "", err
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "", fmt.Errorf("loadavg %q", b)
	}
	return strings.Join(f[:3], " "), nil
}
