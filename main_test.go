package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-exec/tfexec"

	"selfhost/config"
	"selfhost/internal/golden"
	"selfhost/internal/synth"
	"selfhost/internal/tfrun"
)

// outdir holds the one synth of the reference environments that every test
// in this package reads (a synth costs seconds of jsii start-up).
var outdir string

func TestMain(m *testing.M) {
	synth.Prepare()
	if dir := os.Getenv(synthToVar); dir != "" { // a child of TestLazyProviderSameOutput
		code := synthTo(dir)
		synth.Close()
		os.Exit(code)
	}
	code := func() int {
		tmp, err := os.MkdirTemp("", "selfhost-test-")
		if err != nil {
			panic(err)
		}
		defer os.RemoveAll(tmp)
		outdir = filepath.Join(tmp, "cdktf.out")
		var stderr bytes.Buffer
		if code := run(env(map[string]string{"CDKTF_OUTDIR": outdir}), &stderr); code != 0 {
			os.Stderr.WriteString("synth of the reference environments failed: " + stderr.String())
			return 1
		}
		return m.Run()
	}()
	synth.Close()
	os.Exit(code)
}

// env is a getenv over a fixed map.
func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func stackNames(t *testing.T) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(outdir, "stacks"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names
}

func TestSynthWritesEveryStackOfEveryEnvironment(t *testing.T) {
	got := strings.Join(stackNames(t), " ")
	var names []string
	for _, env := range []string{"local", "production"} {
		for _, part := range config.Parts {
			names = append(names, env+"-"+part)
		}
	}
	sort.Strings(names)
	want := strings.Join(names, " ") // local-dns local-network ... production-state
	if got != want {
		t.Errorf("stacks = %s, want %s", got, want)
	}
}

// Snapshots of the synthesized JSON, reviewed like code.
func TestSnapshots(t *testing.T) {
	for _, s := range stackNames(t) {
		got, err := os.ReadFile(filepath.Join(outdir, "stacks", s, "cdk.tf.json"))
		if err != nil {
			t.Fatal(err)
		}
		golden.Check(t, filepath.Join("testdata", "snapshots", s+".json"), got)
	}
}

// No machine-specific path may reach the synthesized output.
func TestNoMachinePaths(t *testing.T) {
	wd, _ := os.Getwd()
	home, _ := os.UserHomeDir()
	needles := []string{filepath.Dir(outdir), wd, home, os.TempDir()}
	err := filepath.WalkDir(outdir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, n := range needles {
			if n != "" && n != "/" && bytes.Contains(b, []byte(n)) {
				t.Errorf("%s contains the machine path %s", p, n)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func readStack(t *testing.T, name string) map[string]any {
	t.Helper()
	return readStackIn(t, outdir, name)
}

// readStackIn reads the cdk.tf.json of stack name synthesized into out.
func readStackIn(t *testing.T, out, name string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(out, "stacks", name, "cdk.tf.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

func TestBackendsAndProviderConstraint(t *testing.T) {
	for _, env := range []string{"production", "local"} {
		net := readStack(t, env+"-network")
		tf := net["terraform"].(map[string]any)
		s3 := tf["backend"].(map[string]any)["s3"].(map[string]any)
		if s3["use_lockfile"] != true || s3["encrypt"] != true || s3["key"] != "selfhost/"+env+"-network.tfstate" {
			t.Errorf("%s-network backend: %v", env, s3)
		}
		if v := tf["required_providers"].(map[string]any)["aws"].(map[string]any)["version"]; v != "~> 5.99" {
			t.Errorf("%s-network provider constraint %v, want ~> 5.99 (admits 5.99.1 and 5.100.0)", env, v)
		}
		state := readStack(t, env+"-state")
		local := state["terraform"].(map[string]any)["backend"].(map[string]any)["local"].(map[string]any)
		if local["path"] != "../../../.state/"+env+"-state.tfstate" {
			t.Errorf("%s-state bootstrap state at %v", env, local["path"])
		}
	}
}

// A broken environment gives its error, exit 1, and writes nothing.
func TestBadEnvironmentWritesNothing(t *testing.T) {
	dir := t.TempDir()
	envs := filepath.Join(dir, "environments")
	os.Mkdir(envs, 0o755)
	os.WriteFile(filepath.Join(envs, "prod.yaml"), []byte("name: prod\nregion: us-east-1\nnetwork: {vpc_cidr: 10.0.0.0/8}\nstate: {bucket: b-prod}\n"), 0o644)
	out := filepath.Join(dir, "cdktf.out")
	var stderr bytes.Buffer
	code := run(env(map[string]string{"SELFHOST_ENVIRONMENTS": envs, "CDKTF_OUTDIR": out}), &stderr)
	if code == 0 {
		t.Fatal("exit 0 for a broken environment")
	}
	want := `prod.yaml: network.vpc_cidr: "10.0.0.0/8" has prefix /8; AWS VPCs must be /16 to /24`
	if !strings.Contains(stderr.String(), want) {
		t.Errorf("stderr %q lacks %q", stderr.String(), want)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("something was written beside the environments: %v", entries)
	}
}

// Every synthesized stack is valid Terraform for the pinned provider
// (offline through the mirror when one is present). Terraform runs in
// parallel; nothing here touches jsii.
func TestTerraformValidate(t *testing.T) {
	if testing.Short() {
		t.Skip("terraform validate loads the 700 MB provider per stack; skipped with -short")
	}
	for _, s := range stackNames(t) {
		s := s
		t.Run(s, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			r, err := tfrun.New(filepath.Join(outdir, "stacks", s), nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := r.Init(ctx, tfexec.Backend(false)); err != nil {
				t.Fatal(err)
			}
			if err := r.Validate(ctx); err != nil {
				t.Fatal(err)
			}
		})
	}
}
