package main

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"time"
)

// maxSleep bounds /api/sleep.
const maxSleep = 60 * time.Second

// service holds the handlers' state.
type service struct {
	cfg      config
	log      *slog.Logger
	started  time.Time
	draining atomic.Bool
}

func newService(cfg config, log *slog.Logger, started time.Time) *service {
	return &service{cfg: cfg, log: log, started: started}
}

// startDraining makes /api/status answer 503 from now on.
func (s *service) startDraining() { s.draining.Store(true) }

func (s *service) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/status", s.status)
	mux.HandleFunc("GET /{$}", s.home)
	if s.cfg.SleepEndpoint {
		mux.HandleFunc("GET /api/sleep", s.sleep)
	}
	return s.logRequests(mux)
}

// statusBody is the JSON answer of /api/status.
type statusBody struct {
	Status        string  `json:"status"` // ok or draining
	Version       string  `json:"version"`
	Uptime        string  `json:"uptime"`
	UptimeSeconds float64 `json:"uptime_seconds"`
}

func (s *service) status(w http.ResponseWriter, r *http.Request) {
	up := time.Since(s.started)
	body := statusBody{Status: "ok", Version: version, Uptime: up.Round(time.Second).String(), UptimeSeconds: up.Seconds()}
	code := http.StatusOK
	if s.draining.Load() {
		body.Status, code = "draining", http.StatusServiceUnavailable
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(body)
}

func (s *service) home(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Domain != "" {
		want := "app." + s.cfg.Domain
		if host := hostOnly(r.Host); host != want {
			http.Error(w, fmt.Sprintf("unknown host %q: this service answers for %s", host, want), http.StatusNotFound)
			return
		}
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintf(w, "selfhost app %s\n", version)
}

func (s *service) sleep(w http.ResponseWriter, r *http.Request) {
	d, err := time.ParseDuration(r.URL.Query().Get("d"))
	if err != nil || d < 0 || d > maxSleep {
		http.Error(w, fmt.Sprintf("d: want a duration between 0s and %s", maxSleep), http.StatusBadRequest)
		return
	}
	// Headers go out at once, so a client knows the request is in flight.
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
	select {
	case <-time.After(d):
		fmt.Fprintf(w, "slept %s\n", d)
	case <-r.Context().Done():
	}
}

// hostOnly strips the port from a Host header and lowercases it.
func hostOnly(host string) string {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	return strings.ToLower(strings.TrimSuffix(host, "."))
}

// statusRecorder remembers the status code written.
type statusRecorder struct {
	http.ResponseWriter
	code int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.code == 0 {
		r.code = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.code == 0 {
		r.code = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

func (r *statusRecorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// logRequests logs one line per request; health checks log at debug level.
func (s *service) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		level := slog.LevelInfo
		if r.URL.Path == "/api/status" && rec.code == http.StatusOK {
			level = slog.LevelDebug
		}
		s.log.Log(r.Context(), level, "request",
			"method", r.Method, "path", r.URL.Path, "host", r.Host, "status", rec.code,
			"duration_ms", time.Since(start).Milliseconds(), "remote", r.RemoteAddr,
			"draining", s.draining.Load())
	})
}
