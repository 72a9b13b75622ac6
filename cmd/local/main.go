// Command local deploys the local environment onto a moto AWS emulator on
// 127.0.0.1 with Terraform: every stack in dependency order, the reference
// app published into the repository between <env>-registry and
// <env>-service (the README's first-deploy sequence), a re-plan that must
// show no changes, the outputs, then (unless -keep) a destroy (the
// repository emptied first) and the deliberate teardown of the state
// bucket. The emulator is stopped at the end.
//
//	go run ./cmd/local            # deploy, re-plan, destroy
//	go run ./cmd/local -keep      # deploy and keep the emulator up until Ctrl-C
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"selfhost/internal/synth"
	"selfhost/ops/localenv"
)

func main() {
	synth.Prepare()
	envFile := flag.String("env", "environments/local.yaml", "the emulator environment to deploy")
	keep := flag.Bool("keep", false, "keep the deployment and the emulator running until interrupted")
	verbose := flag.Bool("v", false, "stream Terraform's output")
	flag.Parse()
	code := run(*envFile, *keep, *verbose)
	synth.Close()
	os.Exit(code)
}

func run(envFile string, keep, verbose bool) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var log io.Writer
	if verbose {
		log = os.Stderr
	}
	step := func(format string, a ...any) { fmt.Fprintf(os.Stderr, "==> "+format+"\n", a...) }
	fail := func(err error) int { fmt.Fprintln(os.Stderr, "error:", err); return 1 }

	t0 := time.Now()
	s, err := localenv.Start(ctx, envFile, log)
	if err != nil {
		return fail(err)
	}
	defer s.Close()
	step("emulator (moto) on %s, log %s", s.Srv.Endpoint(), s.Srv.LogPath())

	env, outputs, err := s.Deploy(ctx, step)
	if err != nil {
		return fail(err)
	}
	for _, l := range localenv.OutputLines(env, outputs) {
		fmt.Println(l)
	}

	if keep {
		// The session's stacks name the emulator in their backends only
		// (localenv.Session.Emulate): the provider, like the aws CLI,
		// needs these variables.
		vars := s.Srv.Env(s.Cfg.Region)
		var exports []string
		for _, k := range []string{"AWS_ENDPOINT_URL", "AWS_CA_BUNDLE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION"} {
			exports = append(exports, k+"="+vars[k])
		}
		step("deployed; the emulator runs until Ctrl-C. To reach it (the aws CLI, or terraform in %s/<stack>):\nexport %s",
			filepath.Join(env.Outdir, "stacks"), strings.Join(exports, " "))
		<-ctx.Done()
		return 0
	}
	t2 := time.Now()
	step("destroy")
	if err := s.Teardown(ctx, env); err != nil {
		return fail(err)
	}
	step("destroyed in %s; total %s", time.Since(t2).Round(time.Second), time.Since(t0).Round(time.Second))
	return 0
}
