// Package tfrun drives the Terraform CLI for tests and tools.
//
// It wraps github.com/hashicorp/terraform-exec with what this project
// needs everywhere: a generated CLI configuration that installs the
// hashicorp providers from a local mirror when one exists (so init works
// offline; see FindMirror and CLIConfig), an environment built from the
// current one plus caller overrides (for instance emulator credentials),
// and errors that carry the useful tail of Terraform's output rather than
// all of it.
//
//	r, err := tfrun.New("cdktf.out/stacks/network", srv.Env("eu-west-1"))
//	err = r.Init(ctx)
//	err = r.Apply(ctx)
//	changes, err := r.Plan(ctx, "")
//
// A Runner is not safe for concurrent use.
package tfrun

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/hashicorp/terraform-exec/tfexec"
	tfjson "github.com/hashicorp/terraform-json"
)

// Runner runs Terraform commands in one working directory.
type Runner struct {
	// Dir is the Terraform working directory.
	Dir string
	// CLIConfigFile is the generated CLI configuration (TF_CLI_CONFIG_FILE).
	CLIConfigFile string
	// Mirror is the provider mirror in use, "" for the public registry.
	Mirror string

	tf  *tfexec.Terraform
	out output
}

// New prepares a Runner for workdir. It finds terraform on PATH, writes
// the CLI configuration to workdir/.terraform/selfhost.tfrc and builds the
// environment for every command: the current process environment, then
// env on top (an entry with an empty value removes that variable, which is
// how emulator.Server.Env keeps profiles and other credentials out), then
// TF_CLI_CONFIG_FILE and CHECKPOINT_DISABLE=1. terraform-exec sets
// TF_IN_AUTOMATION=1 and manages TF_LOG*, TF_WORKSPACE, TF_CLI_ARGS* and
// TF_VAR_* itself: inherited values of those are dropped, and passing them
// in env is an error (use tfexec.Var options instead of TF_VAR_*).
func New(workdir string, env map[string]string) (*Runner, error) {
	if bad := tfexec.ProhibitedEnv(env); len(bad) > 0 {
		sort.Strings(bad)
		return nil, fmt.Errorf("tfrun: these variables are managed by terraform-exec and cannot be passed: %s", strings.Join(bad, ", "))
	}
	dir, err := filepath.Abs(workdir)
	if err != nil {
		return nil, err
	}
	if !isDir(dir) {
		return nil, fmt.Errorf("tfrun: working directory %s does not exist", dir)
	}
	bin, err := exec.LookPath("terraform")
	if err != nil {
		return nil, fmt.Errorf("tfrun: terraform is not on PATH (install Terraform >= 1.10): %w", err)
	}
	cfg, mirror, err := CLIConfig(filepath.Join(dir, ".terraform"))
	if err != nil {
		return nil, fmt.Errorf("tfrun: %w", err)
	}
	tf, err := tfexec.NewTerraform(dir, bin)
	if err != nil {
		return nil, fmt.Errorf("tfrun: %w", err)
	}

	full := map[string]string{}
	for _, kv := range os.Environ() {
		k, v, _ := strings.Cut(kv, "=")
		full[k] = v
	}
	for k, v := range env {
		if v == "" {
			delete(full, k)
		} else {
			full[k] = v
		}
	}
	full["TF_CLI_CONFIG_FILE"] = cfg
	if _, ok := env["CHECKPOINT_DISABLE"]; !ok {
		full["CHECKPOINT_DISABLE"] = "1"
	}
	if err := tf.SetEnv(tfexec.CleanEnv(full)); err != nil {
		return nil, fmt.Errorf("tfrun: %w", err)
	}

	r := &Runner{Dir: dir, CLIConfigFile: cfg, Mirror: mirror, tf: tf}
	tf.SetStdout(&r.out.stdout)
	tf.SetStderr(&r.out.stderr)
	return r, nil
}

// SetLog streams Terraform's output (stdout and stderr, except the JSON
// documents of ShowPlan, Output and Validate) to w as it happens; nil
// stops streaming. Errors carry the tail of the output either way.
func (r *Runner) SetLog(w io.Writer) { r.out.setLog(w) }

// Terraform gives access to the underlying tfexec value, for commands this
// package does not wrap. Its output still goes through the Runner.
func (r *Runner) Terraform() *tfexec.Terraform { return r.tf }

// Init runs terraform init.
func (r *Runner) Init(ctx context.Context, opts ...tfexec.InitOption) error {
	r.out.begin(false)
	return r.wrap("init", r.tf.Init(ctx, opts...))
}

// Validate runs terraform validate and turns its error diagnostics into
// one readable error (nil when the configuration is valid).
func (r *Runner) Validate(ctx context.Context) error {
	r.out.begin(true)
	v, err := r.tf.Validate(ctx)
	if err != nil {
		return r.wrap("validate", err)
	}
	if v.Valid && v.ErrorCount == 0 {
		return nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "terraform validate in %s: %d error(s)", r.Dir, v.ErrorCount)
	for _, d := range v.Diagnostics {
		if d.Severity != tfjson.DiagnosticSeverityError {
			continue
		}
		b.WriteString("\n  Error: " + d.Summary)
		if d.Range != nil {
			fmt.Fprintf(&b, " (%s line %d)", d.Range.Filename, d.Range.Start.Line)
		}
		if d.Detail != "" {
			b.WriteString(": " + strings.ReplaceAll(d.Detail, "\n", "\n    "))
		}
	}
	return errors.New(b.String())
}

// Apply runs terraform apply -auto-approve.
func (r *Runner) Apply(ctx context.Context, opts ...tfexec.ApplyOption) error {
	r.out.begin(false)
	return r.wrap("apply", r.tf.Apply(ctx, opts...))
}

// Plan runs terraform plan -detailed-exitcode, saving the plan to out
// unless out is "". changes reports whether the plan is non-empty.
func (r *Runner) Plan(ctx context.Context, out string, opts ...tfexec.PlanOption) (changes bool, err error) {
	if out != "" {
		opts = append(opts, tfexec.Out(out))
	}
	r.out.begin(false)
	changes, err = r.tf.Plan(ctx, opts...)
	return changes, r.wrap("plan", err)
}

// ShowPlan reads a saved plan file as JSON (terraform show -json).
func (r *Runner) ShowPlan(ctx context.Context, planfile string) (*tfjson.Plan, error) {
	r.out.begin(true)
	p, err := r.tf.ShowPlanFile(ctx, planfile)
	return p, r.wrap("show", err)
}

// Destroy runs terraform destroy -auto-approve.
func (r *Runner) Destroy(ctx context.Context, opts ...tfexec.DestroyOption) error {
	r.out.begin(false)
	return r.wrap("destroy", r.tf.Destroy(ctx, opts...))
}

// Output returns the root module outputs (terraform output -json).
func (r *Runner) Output(ctx context.Context) (map[string]tfexec.OutputMeta, error) {
	r.out.begin(true)
	o, err := r.tf.Output(ctx)
	return o, r.wrap("output", err)
}

// wrap turns a tfexec error into one naming the command and directory and
// carrying the tail of the output. tfexec's own message embeds all of
// stderr, so when the process merely exited non-zero only the exit status
// is kept from it.
func (r *Runner) wrap(command string, err error) error {
	if err == nil {
		return nil
	}
	cause := err
	var exit *exec.ExitError
	if errors.As(err, &exit) && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {
		cause = exit
	}
	msg := fmt.Sprintf("terraform %s in %s: %v", command, r.Dir, cause)
	if tail := r.out.tail(); tail != "" {
		msg += "\n" + tail
	}
	return &Error{Command: command, Dir: r.Dir, msg: msg, err: err}
}

// Error is a failed Terraform command. Its message holds the tail of the
// command's output; Unwrap gives the terraform-exec error.
type Error struct {
	Command string // init, plan, apply, ...
	Dir     string
	msg     string
	err     error
}

func (e *Error) Error() string { return e.msg }
func (e *Error) Unwrap() error { return e.err }

// output tees Terraform's stdout and stderr into bounded buffers (for
// error messages) and, optionally, a log writer.
type output struct {
	mu             sync.Mutex
	log            io.Writer
	quietStdout    bool // stdout is a JSON document: keep it out of the log
	stdout, stderr stream
}

type stream struct {
	o    *output
	tail []byte
	err  bool
}

// maxTail bounds what is kept of each stream per command.
const maxTail = 64 << 10

func (o *output) setLog(w io.Writer) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.log = w
}

func (o *output) begin(quietStdout bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.stdout = stream{o: o}
	o.stderr = stream{o: o, err: true}
	o.quietStdout = quietStdout
}

func (s *stream) Write(p []byte) (int, error) {
	o := s.o
	o.mu.Lock()
	defer o.mu.Unlock()
	s.tail = append(s.tail, p...)
	if len(s.tail) > maxTail {
		s.tail = append([]byte(nil), s.tail[len(s.tail)-maxTail:]...)
	}
	if o.log != nil && (s.err || !o.quietStdout) {
		o.log.Write(p)
	}
	return len(p), nil
}

// tail returns the last lines of stderr (where Terraform prints its
// diagnostics) and, for context, of stdout.
func (o *output) tail() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	var parts []string
	if !o.quietStdout {
		if s := lastLines(string(o.stdout.tail), 15); s != "" {
			parts = append(parts, "--- last lines of stdout ---\n"+s)
		}
	}
	if s := lastLines(string(o.stderr.tail), 60); s != "" {
		parts = append(parts, "--- last lines of stderr ---\n"+s)
	}
	return strings.Join(parts, "\n")
}

func lastLines(s string, n int) string {
	s = strings.TrimRight(s, "\n")
	if strings.TrimSpace(s) == "" {
		return ""
	}
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = append([]string{fmt.Sprintf("[... %d earlier lines]", len(lines)-n)}, lines[len(lines)-n:]...)
	}
	return strings.Join(lines, "\n")
}
