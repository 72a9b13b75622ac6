package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// buildApp builds the real binary, as the image does.
func buildApp(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "app")
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags", "-X main.version=test-drain", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// proc is the running binary.
type proc struct {
	cmd  *exec.Cmd
	addr string
	logs chan map[string]any // every JSON log line after "listening"
	done chan error          // cmd.Wait's result
}

// startApp runs bin with env and waits for its "listening" log line.
func startApp(t *testing.T, bin string, env ...string) *proc {
	t.Helper()
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), append([]string{"ADDR=127.0.0.1:0", "ENABLE_SLEEP_ENDPOINT=true"}, env...)...)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &proc{cmd: cmd, logs: make(chan map[string]any, 1000), done: make(chan error, 1)}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			<-p.done
		}
	})
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			var line map[string]any
			if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
				t.Errorf("log line is not JSON: %q", sc.Text())
				continue
			}
			if line["msg"] == "listening" {
				addr <- line["addr"].(string)
				continue
			}
			p.logs <- line
		}
		close(p.logs)
		p.done <- cmd.Wait()
	}()
	select {
	case p.addr = <-addr:
	case err := <-p.done:
		t.Fatalf("app exited before listening: %v", err)
	case <-time.After(20 * time.Second):
		t.Fatal("app did not log its listening address within 20s")
	}
	return p
}

func (p *proc) url(path string) string { return "http://" + p.addr + path }

// wait returns the exit code, failing the test after limit.
func (p *proc) wait(t *testing.T, limit time.Duration) int {
	t.Helper()
	select {
	case err := <-p.done:
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return exit.ExitCode()
		}
		if err != nil {
			t.Fatal(err)
		}
		return 0
	case <-time.After(limit):
		t.Fatalf("app still running %s after SIGTERM", limit)
		return -1
	}
}

func TestSIGTERMDrainsAndExitsZero(t *testing.T) {
	bin := buildApp(t)
	const drain, shutdown = time.Second, 5 * time.Second
	p := startApp(t, bin, "DRAIN_WINDOW="+drain.String(), "SHUTDOWN_TIMEOUT="+shutdown.String())
	client := &http.Client{Timeout: 30 * time.Second}

	resp, err := client.Get(p.url("/api/status"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/api/status before SIGTERM = %d, want 200", resp.StatusCode)
	}

	// A slow request, longer than the drain window: its headers arrive at
	// once, so it is in flight when SIGTERM is sent.
	slow, err := client.Get(p.url("/api/sleep?d=2500ms"))
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Body.Close()
	sent := time.Now()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}

	// During the drain window: unhealthy, but late requests are still served.
	var sawDraining bool
	for deadline := sent.Add(drain); time.Now().Before(deadline) && !sawDraining; time.Sleep(50 * time.Millisecond) {
		resp, err := client.Get(p.url("/api/status"))
		if err != nil {
			t.Fatalf("/api/status during the drain window: %v", err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == http.StatusServiceUnavailable && strings.Contains(string(body), `"draining"`) {
			sawDraining = true
		}
	}
	if !sawDraining {
		t.Fatal("/api/status never answered 503 draining during the drain window")
	}
	resp, err = client.Get(p.url("/"))
	if err != nil {
		t.Fatalf("late request during the drain window: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("late GET / during the drain window = %d, want 200", resp.StatusCode)
	}

	body, err := io.ReadAll(slow.Body)
	if err != nil || string(body) != "slept 2.5s\n" {
		t.Fatalf("in-flight request did not complete: body %q, err %v", body, err)
	}

	// Generous bound: drain window + shutdown deadline + start-up slack.
	if code := p.wait(t, drain+shutdown+5*time.Second); code != 0 {
		t.Fatalf("exit code %d, want 0", code)
	}
	var msgs []string
	for line := range p.logs {
		msgs = append(msgs, line["msg"].(string))
	}
	for _, want := range []string{"signal received, draining", "shutting down", "stopped"} {
		if !strings.Contains(strings.Join(msgs, "|"), want) {
			t.Errorf("logs %q lack %q", msgs, want)
		}
	}
}

// A request that outlives the shutdown deadline is cut off and the exit code
// says so, still well before the container's stop timeout.
func TestShutdownDeadlineExceededExitsNonZero(t *testing.T) {
	bin := buildApp(t)
	p := startApp(t, bin, "DRAIN_WINDOW=0s", "SHUTDOWN_TIMEOUT=500ms")
	slow, err := http.Get(p.url("/api/sleep?d=30s"))
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Body.Close()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := p.wait(t, 10*time.Second); code != 1 {
		t.Fatalf("exit code %d, want 1 (shutdown deadline exceeded)", code)
	}
}

func TestRefusesDrainLongerThanStopTimeout(t *testing.T) {
	bin := buildApp(t)
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), "ADDR=127.0.0.1:0", "DRAIN_WINDOW=100s", "SHUTDOWN_TIMEOUT=30s")
	out, err := cmd.Output()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 2 {
		t.Fatalf("want exit code 2, got %v; output %s", err, out)
	}
	if !strings.Contains(string(out), "must be below STOP_TIMEOUT") {
		t.Errorf("output does not explain the error: %s", out)
	}
}

// The container health check (`/app -healthcheck`) passes while serving and
// fails once the service drains.
func TestHealthcheckCommand(t *testing.T) {
	bin := buildApp(t)
	p := startApp(t, bin, "DRAIN_WINDOW=3s", "SHUTDOWN_TIMEOUT=2s")
	_, port, _ := net.SplitHostPort(p.addr)
	check := func() int {
		cmd := exec.Command(bin, "-healthcheck")
		cmd.Env = append(os.Environ(), "PORT="+port)
		err := cmd.Run()
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return 0
	}
	if code := check(); code != 0 {
		t.Fatalf("healthcheck of a serving app exited %d, want 0", code)
	}
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond) // the signal handler flips the status
	if code := check(); code != 1 {
		t.Errorf("healthcheck of a draining app exited %d, want 1", code)
	}
	if code := p.wait(t, 10*time.Second); code != 0 {
		t.Errorf("exit code %d after draining, want 0", code)
	}
}
