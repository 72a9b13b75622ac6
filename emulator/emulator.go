// Package emulator runs a local AWS emulator (moto) for tests and tools.
//
// Start launches moto's server on a free loopback port through launcher.py
// (embedded in this package), which first patches a few gaps of moto that
// the Terraform AWS provider trips over; see that file for the list. The
// server answers every AWS service on one endpoint, https://127.0.0.1:PORT,
// for the fixed account 123456789012 and any region.
//
// Point clients at it with Server.Env or Server.Environ (credentials,
// region and AWS_ENDPOINT_URL), or with explicit endpoints in a Terraform
// provider block. Nothing here ever listens on anything but 127.0.0.1.
//
// Fork copies a running server (a fork of the moto process, on a port of its
// own): tests that start from one deployment run independent steps side by
// side, each on its own copy, without deploying it again.
//
// moto must be importable by the Python interpreter: $SELFHOST_PYTHON if
// set, else python3 on PATH (pip install 'moto[server]==5.2.1').
package emulator

import (
	"bytes"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

//go:embed launcher.py
var launcher []byte

// AccountID is the AWS account moto pretends to be.
const AccountID = "123456789012"

// Options tune Start. The zero value is fine.
type Options struct {
	// Python is the interpreter that has moto. Default: $SELFHOST_PYTHON,
	// else python3 on PATH.
	Python string
	// Dir receives the launcher script and the server log (moto.log).
	// Default: a new directory under os.TempDir(), kept after Stop so the
	// log can be read.
	Dir string
	// StartTimeout bounds how long Start waits for the server to answer
	// HTTP. Default: 60s.
	StartTimeout time.Duration
}

// Server is a running moto server. Stop it when done.
type Server struct {
	port    int
	pid     int
	logPath string
	caFile  string
	cmd     *exec.Cmd
	exited  chan struct{} // closed once the process has been reaped
	waitErr error         // set before exited is closed
	fork    bool          // a copy made by Fork: one process, not a group leader

	stopOnce sync.Once
	stopErr  error
}

// Start launches moto on a free 127.0.0.1 port and waits until it answers
// HTTP. ctx bounds only the startup; the server runs until Stop.
func Start(ctx context.Context, opts Options) (*Server, error) {
	python, err := findPython(ctx, opts.Python)
	if err != nil {
		return nil, err
	}
	dir := opts.Dir
	if dir == "" {
		if dir, err = os.MkdirTemp("", "selfhost-moto-"); err != nil {
			return nil, fmt.Errorf("emulator: %w", err)
		}
	}
	script := filepath.Join(dir, "launcher.py")
	if err := os.WriteFile(script, launcher, 0o644); err != nil {
		return nil, fmt.Errorf("emulator: writing launcher: %w", err)
	}
	certFile, keyFile, err := writeCert(dir)
	if err != nil {
		return nil, certError(err)
	}
	timeout := opts.StartTimeout
	if timeout <= 0 {
		timeout = 60 * time.Second
	}

	// Picking a free port and binding it later is racy; if another process
	// grabs the port in between, moto exits at once and we try another.
	const attempts = 3
	for attempt := 1; ; attempt++ {
		s, err := launch(ctx, python, script, filepath.Join(dir, "moto.log"), certFile, keyFile, timeout)
		if err == nil {
			return s, nil
		}
		if !errors.Is(err, errAddrInUse) || attempt == attempts {
			return nil, err
		}
	}
}

var errAddrInUse = errors.New("address already in use")

func launch(ctx context.Context, python, script, logPath, certFile, keyFile string, timeout time.Duration) (*Server, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, fmt.Errorf("emulator: creating log: %w", err)
	}
	defer logFile.Close() // the child keeps its own descriptor

	cmd := exec.Command(python, "-u", script, strconv.Itoa(port), certFile, keyFile)
	cmd.Env = append(os.Environ(),
		"MOTO_IAM_LOAD_MANAGED_POLICIES=true",
		"MOTO_ACM_VALIDATION_WAIT=0",
		"MOTO_PORT="+strconv.Itoa(port),
	)
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	cmd.SysProcAttr = sysProcAttr()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("emulator: starting %s: %w", python, err)
	}
	s := &Server{
		port:    port,
		pid:     cmd.Process.Pid,
		logPath: logPath,
		caFile:  certFile,
		cmd:     cmd,
		exited:  make(chan struct{}),
	}
	go func() {
		s.waitErr = cmd.Wait()
		close(s.exited)
	}()

	if err := s.waitReady(ctx, timeout); err != nil {
		s.Stop()
		tail := logTail(logPath, 30)
		if strings.Contains(tail, "Address already in use") {
			return nil, errAddrInUse
		}
		return nil, fmt.Errorf("emulator: %w\n--- last lines of %s ---\n%s", err, logPath, tail)
	}
	return s, nil
}

// waitReady polls the endpoint until any HTTP response comes back, the
// process exits, the timeout passes or ctx ends.
func (s *Server) waitReady(ctx context.Context, timeout time.Duration) error {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	client := s.HTTPClient()
	client.Timeout = 2 * time.Second
	for {
		resp, err := client.Get(s.Endpoint() + "/moto-api/")
		if err == nil {
			resp.Body.Close()
			return nil
		}
		select {
		case <-s.exited:
			return fmt.Errorf("moto exited during startup (%v)", s.waitErr)
		case <-deadline.C:
			return fmt.Errorf("moto did not answer on %s within %s", s.Endpoint(), timeout)
		case <-ctx.Done():
			return fmt.Errorf("waiting for moto: %w", ctx.Err())
		case <-tick.C:
		}
	}
}

// StartT starts a server for a test, stops it when the test ends and, if
// the test failed, logs the tail of the server log. A server that cannot
// start fails the test. With -short the test is skipped: `go test -short`
// runs no emulator.
func StartT(t testing.TB) *Server {
	t.Helper()
	if testing.Short() {
		t.Skip("needs the AWS emulator (moto); skipped with -short")
	}
	s, err := Start(context.Background(), Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatalf("starting the AWS emulator: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Stop(); err != nil {
			t.Errorf("stopping the AWS emulator: %v", err)
		}
		if t.Failed() {
			t.Logf("last lines of the emulator log %s:\n%s", s.LogPath(), logTail(s.LogPath(), 40))
		}
	})
	return s
}

// Endpoint is the server's base URL, https://127.0.0.1:PORT (see CAFile).
func (s *Server) Endpoint() string { return "https://127.0.0.1:" + strconv.Itoa(s.port) }

// Port is the TCP port the server listens on (on 127.0.0.1).
func (s *Server) Port() int { return s.port }

// PID is the server's process id; it leads its own process group.
func (s *Server) PID() int { return s.pid }

// LogPath is the file receiving the server's stdout and stderr.
func (s *Server) LogPath() string { return s.logPath }

// Stop ends the server's whole process group (SIGTERM, then SIGKILL after
// 10s) and waits for the process. Calling it again returns the first
// result.
func (s *Server) Stop() error {
	s.stopOnce.Do(func() {
		select {
		case <-s.exited:
			return // already gone
		default:
		}
		// Negative pid: the process group led by the server; a fork is
		// one process in its original's group.
		target := -s.pid
		if s.fork {
			target = s.pid
		}
		if err := syscall.Kill(target, syscall.SIGTERM); err != nil && !errors.Is(err, syscall.ESRCH) {
			s.stopErr = fmt.Errorf("emulator: stopping pid %d: %w", s.pid, err)
		}
		select {
		case <-s.exited:
		case <-time.After(10 * time.Second):
			syscall.Kill(target, syscall.SIGKILL)
			<-s.exited
		}
		if !s.fork {
			// Leftover children (forks) must not outlive us.
			syscall.Kill(-s.pid, syscall.SIGKILL)
		}
	})
	return s.stopErr
}

// Env returns the environment a process (terraform, aws CLI, an SDK) needs
// to talk to this server in the given region: test credentials, region,
// AWS_ENDPOINT_URL, and no instance metadata lookups. Entries with an empty
// value mean "remove this variable": profiles, shared config files, session
// tokens and other credential sources of the developer's own environment
// must not leak in. Environ and SetenvT apply that rule, and so does the
// tfrun package. Do not copy the entries into the environment verbatim:
// the Go SDK treats an empty AWS_PROFILE as unset, but botocore (aws CLI,
// boto3) fails with "The config profile () could not be found".
func (s *Server) Env(region string) map[string]string {
	env := map[string]string{
		"AWS_ACCESS_KEY_ID":           "test",
		"AWS_SECRET_ACCESS_KEY":       "test",
		"AWS_REGION":                  region,
		"AWS_DEFAULT_REGION":          region,
		"AWS_ENDPOINT_URL":            s.Endpoint(),
		"AWS_EC2_METADATA_DISABLED":   "true",
		"AWS_CA_BUNDLE":               s.caFile,
		"AWS_CONFIG_FILE":             os.DevNull,
		"AWS_SHARED_CREDENTIALS_FILE": os.DevNull,
	}
	for _, k := range []string{
		"AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE",
		"AWS_ROLE_ARN", "AWS_ROLE_SESSION_NAME", "AWS_WEB_IDENTITY_TOKEN_FILE",
		"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
		"AWS_CONTAINER_AUTHORIZATION_TOKEN",
	} {
		env[k] = ""
	}
	// Service-specific endpoints would win over AWS_ENDPOINT_URL.
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "AWS_ENDPOINT_URL_") {
			env[k] = ""
		}
	}
	return env
}

// Environ is os.Environ() with Env(region) applied, ready for exec.Cmd.Env.
func (s *Server) Environ(region string) []string {
	return MergeEnv(os.Environ(), s.Env(region))
}

// SetenvT points the current process at the server for the rest of the
// test: it sets Env(region) with t.Setenv, unsetting the variables Env
// maps to "", and restores everything when the test ends. Like t.Setenv,
// it cannot be used in parallel tests.
func (s *Server) SetenvT(t testing.TB, region string) {
	t.Helper()
	for k, v := range s.Env(region) {
		t.Setenv(k, v) // records the old value for restoring
		if v == "" {
			os.Unsetenv(k)
		}
	}
}

// MergeEnv applies overrides to a KEY=VALUE list: an override with an
// empty value removes the variable, any other replaces or adds it.
func MergeEnv(base []string, overrides map[string]string) []string {
	var out []string
	for _, kv := range base {
		k, _, _ := strings.Cut(kv, "=")
		if _, ok := overrides[k]; !ok {
			out = append(out, kv)
		}
	}
	for k, v := range overrides {
		if v != "" {
			out = append(out, k+"="+v)
		}
	}
	return out
}

// findPython returns an interpreter that can import moto, or an error that
// says how to get one.
func findPython(ctx context.Context, python string) (string, error) {
	if python == "" {
		python = os.Getenv("SELFHOST_PYTHON")
	}
	if python == "" {
		python = "python3"
	}
	path, err := exec.LookPath(python)
	if err != nil {
		return "", fmt.Errorf("emulator: no Python interpreter %q (%v); install Python 3 with moto "+
			"(pip install 'moto[server]==5.2.1') or set SELFHOST_PYTHON to one that has it", python, err)
	}
	// Also resolve wrappers such as pyenv shims to the real interpreter,
	// which saves their startup cost on every launch.
	var stdout, stderr bytes.Buffer
	check := exec.CommandContext(ctx, path, "-c", "import sys, moto, werkzeug, flask; print(sys.executable)")
	check.Stdout, check.Stderr = &stdout, &stderr
	if err := check.Run(); err != nil {
		return "", fmt.Errorf("emulator: %s cannot import moto's server (%v: %s); run "+
			"`%s -m pip install 'moto[server]==5.2.1'` or set SELFHOST_PYTHON to a Python that has it",
			path, err, strings.TrimSpace(lastLines(stderr.String(), 3)), path)
	}
	if exe := strings.TrimSpace(stdout.String()); exe != "" {
		return exe, nil
	}
	return path, nil
}

// freePort asks the kernel for a free loopback port.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("emulator: finding a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func logTail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Sprintf("(cannot read log: %v)", err)
	}
	return lastLines(string(b), n)
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
