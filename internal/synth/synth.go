// Package synth runs a cdktf app at the edge of the program: it starts the
// jsii kernel the way every synth of this project needs it (Prepare: lazy
// loading of the AWS provider, no Node end-of-life banner for the Node
// version this project is tested on; see kernel.go), turns jsii panics into
// errors, and writes the output atomically (a failed synth leaves the
// previous output untouched).
package synth

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
)

// DefaultOutdir is where cdktf and its CLI expect the output.
const DefaultOutdir = "cdktf.out"

// Outdir is the output folder: CDKTF_OUTDIR when the cdktf CLI runs us,
// else cdktf.out.
func Outdir() string {
	if d := os.Getenv("CDKTF_OUTDIR"); d != "" {
		return d
	}
	return DefaultOutdir
}

// kernel serializes the synths of a process: jsii is not goroutine-safe.
var kernel sync.Mutex

// Run creates an app, lets build add stacks, synthesizes it into a fresh
// temporary folder beside outdir, runs the checks build registered
// (AddCheck) on what was written, and then replaces outdir with it. On any
// error, including a jsii panic or a failed check, outdir is left as it was.
//
// Goroutines may call Run at once (the parallel end-to-end tests do): it
// runs one synth at a time. build must not hand jsii objects to code that
// runs after Run returns.
func Run(outdir string, build func(cdktf.App) error) (err error) {
	kernel.Lock()
	defer kernel.Unlock()
	outdir = filepath.Clean(outdir)
	parent := filepath.Dir(outdir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(outdir)+".tmp-")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			os.RemoveAll(tmp)
		}
	}()
	defer func() { runApp, runChecks = nil, nil }()
	if err := Guard(func() error {
		app := cdktf.NewApp(&cdktf.AppConfig{Outdir: jsii.String(tmp)})
		runApp = app
		if err := build(app); err != nil {
			return err
		}
		app.Synth()
		return nil
	}); err != nil {
		return err
	}
	if err := checkOutput(tmp); err != nil {
		return err
	}
	return replaceDir(tmp, outdir)
}

// checkOutput runs the registered checks on the synthesized folder dir and
// records their warnings in its manifest; a panic in a check is an error.
func checkOutput(dir string) (err error) {
	if len(runChecks) == 0 {
		return nil
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("synth failed: checking the output: %v", r)
		}
	}()
	out, err := readOutput(dir)
	if err != nil {
		return fmt.Errorf("synth failed: reading the output to check it: %w", err)
	}
	for _, c := range runChecks {
		if err := c(out); err != nil {
			return fmt.Errorf("synth failed: %w", err)
		}
	}
	if err := out.writeWarnings(); err != nil {
		return fmt.Errorf("synth failed: %w", err)
	}
	return nil
}

// Guard runs f and turns a panic (jsii reports errors as panics) into an error.
func Guard(f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			msg := fmt.Sprint(r)
			if e, ok := r.(error); ok {
				msg = e.Error()
			}
			err = fmt.Errorf("synth failed: %s", strings.TrimSpace(msg))
		}
	}()
	return f()
}

// replaceDir moves src into dst's place, removing the old dst only after the
// new one is in place.
func replaceDir(src, dst string) error {
	old := ""
	if _, err := os.Stat(dst); err == nil {
		old = src + ".old"
		if err := os.Rename(dst, old); err != nil {
			return fmt.Errorf("replacing %s: %w", dst, err)
		}
	}
	if err := os.Rename(src, dst); err != nil {
		if old != "" {
			os.Rename(old, dst)
		}
		return fmt.Errorf("replacing %s: %w", dst, err)
	}
	if old != "" {
		return os.RemoveAll(old)
	}
	return nil
}

// Close shuts the jsii kernel down; call it last, right before exiting.
//
// jsii-runtime-go 1.112 waits for its Node child from two goroutines; the
// loser of that race prints a spurious "Runtime process exited abnormally:
// waitid: no child processes" after a clean exit (the cdktf CLI shows it as
// an ERROR). Our output is complete by now, so stderr is pointed at the null
// device for the shutdown and not restored.
func Close() {
	if null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0); err == nil {
		os.Stderr = null
	}
	jsii.Close()
}

// TestMain runs a test binary's tests between Prepare and Close,
// so the binary starts one jsii kernel and shuts it down, then exits with
// the tests' code. Use it as: func TestMain(m *testing.M) { synth.TestMain(m) }.
//
// The binary's temporary files go to a folder of its own, removed at the
// end: cdktf's Testing helpers synthesize into a new cdktf.outdir.* folder
// of the temporary directory each and never remove it.
func TestMain(m interface{ Run() int }) {
	Prepare() // first: it may re-exec the binary
	tmp, err := os.MkdirTemp("", "selfhost-test-")
	if err == nil {
		os.Setenv("TMPDIR", tmp) // the kernel starts with the first jsii call
	}
	code := m.Run()
	Close()
	if err == nil {
		os.RemoveAll(tmp)
	}
	os.Exit(code)
}
