// Command selfhost synthesizes the Terraform JSON of every environment in
// environments/ (or those named in SELFHOST_ENV, comma-separated) into
// cdktf.out/. It only wires: config -> stacks -> synth.
package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"selfhost/config"
	"selfhost/guardrails"
	"selfhost/internal/synth"
	"selfhost/stacks"
)

func main() {
	synth.Prepare()
	code := run(os.Getenv, os.Stderr)
	synth.Close()
	os.Exit(code)
}

// run synthesizes and returns the exit code. Configuration errors are found
// before anything is written.
func run(getenv func(string) string, stderr io.Writer) int {
	guardrails.Output = stderr // findings that are warnings
	dir := getenv("SELFHOST_ENVIRONMENTS")
	if dir == "" {
		dir = "environments"
	}
	var only []string
	for _, s := range strings.Split(getenv("SELFHOST_ENV"), ",") {
		if s = strings.TrimSpace(s); s != "" {
			only = append(only, s)
		}
	}
	cfgs, err := config.LoadDir(dir, only)
	if err != nil {
		fmt.Fprintln(stderr, "error:", err)
		return 1
	}
	for _, c := range cfgs {
		for _, w := range c.Warnings {
			fmt.Fprintln(stderr, "warning:", w)
		}
	}
	outdir := getenv("CDKTF_OUTDIR")
	if outdir == "" {
		outdir = synth.DefaultOutdir
	}
	if err := synth.Run(outdir, stacks.Builder(cfgs)); err != nil {
		fmt.Fprintln(stderr, "error:", err)
		return 1
	}
	return 0
}
