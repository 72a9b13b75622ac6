package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"selfhost/internal/synth"
)

// synthToVar makes this test binary synthesize the reference environments
// into the named folder and exit (see TestMain), with the environment the
// caller gave it.
const synthToVar = "SELFHOST_TEST_SYNTH_TO"

// synthTo synthesizes every environment into dir the way main does, and
// records the NODE_OPTIONS the kernel ran with in dir/../node_options.
func synthTo(dir string) int {
	if err := os.WriteFile(filepath.Join(filepath.Dir(dir), "node_options"), []byte(os.Getenv("NODE_OPTIONS")), 0o644); err != nil {
		os.Stderr.WriteString(err.Error() + "\n")
		return 1
	}
	return run(env(map[string]string{"CDKTF_OUTDIR": dir}), os.Stderr)
}

// The kernel preload (synth.Prepare's default: lazy provider loading, no
// stack trace per cdktf token) changes nothing in the output: the shared
// synth of TestMain is byte-identical, file for file, to a synth of every
// reference environment in a child process without the preload
// (synth.EagerVar=1: the provider loaded the normal way, cdktf's token
// stack traces captured). The child pays the
// plain floor (~5 s): skipped with -short, like terraform validate; CI runs
// it.
func TestLazyProviderSameOutput(t *testing.T) {
	if testing.Short() {
		t.Skip("a second synth with normal provider loading (~5 s); skipped with -short")
	}
	js, err := synth.PreloadFile()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(os.Getenv("NODE_OPTIONS"), js) {
		t.Fatalf("this process runs without the lazy-index preload: NODE_OPTIONS=%q", os.Getenv("NODE_OPTIONS"))
	}
	tmp := t.TempDir()
	eager := filepath.Join(tmp, "cdktf.out")
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), synthToVar+"="+eager, synth.EagerVar+"=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("eager synth: %v\n%s", err, out)
	}
	opts, err := os.ReadFile(filepath.Join(tmp, "node_options"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(opts, []byte(js)) {
		t.Fatalf("the eager synth ran with the preload: NODE_OPTIONS=%q", opts)
	}
	want := readTree(t, eager)
	got := readTree(t, outdir)
	if len(want) == 0 {
		t.Fatal("the eager synth wrote nothing")
	}
	for name, w := range want {
		g, ok := got[name]
		switch {
		case !ok:
			t.Errorf("%s: only in the eager synth", name)
		case !bytes.Equal(g, w):
			t.Errorf("%s: differs between lazy and eager provider loading", name)
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("%s: only in the lazy synth", name)
		}
	}
}

// readTree reads every file under root, keyed by its slash path below root.
func readTree(t *testing.T, root string) map[string][]byte {
	t.Helper()
	m := map[string][]byte{}
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		m[filepath.ToSlash(rel)], err = os.ReadFile(p)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}
