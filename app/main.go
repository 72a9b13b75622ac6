// Command app is the reference service deployed by selfhost: a small HTTP
// server that drains gracefully, so the infrastructure's draining settings
// (ALB deregistration delay, ECS stopTimeout, health-check grace period)
// actually protect users.
//
// Endpoints:
//
//	GET /api/status  200 {"status":"ok",...} while serving, 503 {"status":"draining",...} once draining.
//	                 Answers for any Host: the load balancer's health checks use the task's IP.
//	GET /            a short page for app.<DOMAIN> (any host when DOMAIN is empty); 404 for other hosts.
//	GET /api/sleep   ?d=<duration>: answers after d (at most 60s); only with ENABLE_SLEEP_ENDPOINT=true,
//	                 to watch a deployment drain a long request.
//
// On SIGTERM (or SIGINT) the service marks itself unhealthy (/api/status
// answers 503), disables keep-alives and keeps serving in-flight and new
// requests for DRAIN_WINDOW, so the load balancer finishes deregistering the
// task; then it calls http.Server.Shutdown with SHUTDOWN_TIMEOUT as the
// deadline and exits 0 (1 if in-flight requests outlived the deadline). A
// second signal ends the drain window early. DRAIN_WINDOW + SHUTDOWN_TIMEOUT
// must be below STOP_TIMEOUT, the container's stopTimeout after which ECS
// sends SIGKILL; the service refuses to start otherwise.
//
// Configuration (environment variables):
//
//	ADDR              listen address (default ":" + PORT)
//	PORT              listen port when ADDR is empty (default 8080)
//	DOMAIN            the deployment's domain; / answers for app.<DOMAIN>
//	DRAIN_WINDOW      default 30s
//	SHUTDOWN_TIMEOUT  default 60s
//	STOP_TIMEOUT      the container's stopTimeout, default 120s
//	LOG_LEVEL         debug, info (default), warn, error
//	ENABLE_SLEEP_ENDPOINT  true to serve /api/sleep
//
// Logs are JSON lines (log/slog) on stdout.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// version is set at build time: go build -ldflags "-X main.version=...".
var version = "dev"

func main() {
	if len(os.Args) == 2 && os.Args[1] == "-healthcheck" {
		os.Exit(healthcheck(os.Getenv, 3*time.Second))
	}
	os.Exit(run(os.Getenv, os.Stdout))
}

// healthcheck is the container health check (the task definition runs
// `/app -healthcheck`; the image has no shell or curl): exit 0 when the
// running service's /api/status answers 200, 1 otherwise (draining too).
func healthcheck(getenv func(string) string, timeout time.Duration) int {
	cfg, err := loadConfig(getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, "healthcheck:", err)
		return 1
	}
	_, port, err := net.SplitHostPort(cfg.Addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "healthcheck:", err)
		return 1
	}
	client := &http.Client{Timeout: timeout}
	resp, err := client.Get("http://127.0.0.1:" + port + "/api/status")
	if err != nil {
		fmt.Fprintln(os.Stderr, "healthcheck:", err)
		return 1
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintln(os.Stderr, "healthcheck: /api/status answered", resp.Status)
		return 1
	}
	return 0
}

// config is the service's configuration, read from the environment.
type config struct {
	Addr            string
	Domain          string
	DrainWindow     time.Duration
	ShutdownTimeout time.Duration
	StopTimeout     time.Duration
	LogLevel        slog.Level
	SleepEndpoint   bool
}

// loadConfig reads and validates the configuration; the error names every
// wrong variable.
func loadConfig(getenv func(string) string) (config, error) {
	c := config{Addr: getenv("ADDR"), Domain: strings.ToLower(strings.TrimSpace(getenv("DOMAIN")))}
	var errs []error
	if c.Addr == "" {
		port := getenv("PORT")
		if port == "" {
			port = "8080"
		}
		if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
			errs = append(errs, fmt.Errorf("PORT=%q: want a port number 0-65535", port))
		}
		c.Addr = ":" + port
	}
	dur := func(name string, def time.Duration) time.Duration {
		v := getenv(name)
		if v == "" {
			return def
		}
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			errs = append(errs, fmt.Errorf("%s=%q: want a non-negative duration such as 30s", name, v))
			return def
		}
		return d
	}
	c.DrainWindow = dur("DRAIN_WINDOW", 30*time.Second)
	c.ShutdownTimeout = dur("SHUTDOWN_TIMEOUT", 60*time.Second)
	c.StopTimeout = dur("STOP_TIMEOUT", 120*time.Second)
	if c.ShutdownTimeout == 0 {
		errs = append(errs, errors.New("SHUTDOWN_TIMEOUT must be above 0"))
	}
	if c.DrainWindow+c.ShutdownTimeout >= c.StopTimeout {
		errs = append(errs, fmt.Errorf("DRAIN_WINDOW (%s) + SHUTDOWN_TIMEOUT (%s) must be below STOP_TIMEOUT (%s), the container's stopTimeout after which it is killed",
			c.DrainWindow, c.ShutdownTimeout, c.StopTimeout))
	}
	if v := getenv("LOG_LEVEL"); v != "" {
		if err := c.LogLevel.UnmarshalText([]byte(v)); err != nil {
			errs = append(errs, fmt.Errorf("LOG_LEVEL=%q: want debug, info, warn or error", v))
		}
	}
	switch v := getenv("ENABLE_SLEEP_ENDPOINT"); v {
	case "", "false", "0":
	case "true", "1":
		c.SleepEndpoint = true
	default:
		errs = append(errs, fmt.Errorf("ENABLE_SLEEP_ENDPOINT=%q: want true or false", v))
	}
	return c, errors.Join(errs...)
}

// run starts the service and returns the process exit code.
func run(getenv func(string) string, stdout *os.File) int {
	// Signals are caught first, so a SIGTERM that arrives while starting is not lost.
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)
	defer signal.Stop(sigs)

	cfg, err := loadConfig(getenv)
	log := slog.New(slog.NewJSONHandler(stdout, &slog.HandlerOptions{Level: cfg.LogLevel}))
	if err != nil {
		log.Error("invalid configuration", "error", err.Error())
		return 2
	}

	svc := newService(cfg, log, time.Now())
	srv := &http.Server{
		Handler:           svc.routes(),
		ReadHeaderTimeout: 10 * time.Second,
		// Above the ALB's default 60 s idle timeout, so the load balancer,
		// not the service, closes idle connections (no 502 on reuse).
		IdleTimeout: 75 * time.Second,
		ErrorLog:    slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		log.Error("cannot listen", "addr", cfg.Addr, "error", err.Error())
		return 1
	}
	log.Info("listening", "addr", ln.Addr().String(), "version", version,
		"drain_window", cfg.DrainWindow.String(), "shutdown_timeout", cfg.ShutdownTimeout.String())

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	select {
	case err := <-served:
		log.Error("server stopped", "error", err.Error())
		return 1
	case sig := <-sigs:
		log.Info("signal received, draining", "signal", sig.String(), "drain_window", cfg.DrainWindow.String())
	}

	svc.startDraining()
	srv.SetKeepAlivesEnabled(false) // clients reconnect elsewhere once deregistered
	drain := time.NewTimer(cfg.DrainWindow)
	select {
	case <-drain.C:
	case sig := <-sigs:
		drain.Stop()
		log.Warn("second signal, ending the drain window early", "signal", sig.String())
	}

	log.Info("shutting down", "timeout", cfg.ShutdownTimeout.String())
	ctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		log.Error("shutdown deadline exceeded, closing remaining connections", "error", err.Error())
		_ = srv.Close()
		return 1
	}
	log.Info("stopped")
	return 0
}
