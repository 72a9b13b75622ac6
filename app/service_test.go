package main

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// testService serves a service started 90 s ago.
func testService(t *testing.T, cfg config) (*service, *httptest.Server) {
	t.Helper()
	svc := newService(cfg, slog.New(slog.NewJSONHandler(io.Discard, nil)), time.Now().Add(-90*time.Second))
	srv := httptest.NewServer(svc.routes())
	t.Cleanup(srv.Close)
	return svc, srv
}

func get(t *testing.T, url, host string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if host != "" {
		req.Host = host
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

func TestStatusOKThenDraining(t *testing.T) {
	svc, srv := testService(t, config{})
	code, body := get(t, srv.URL+"/api/status", "10.0.1.7:8080")
	if code != http.StatusOK {
		t.Fatalf("status = %d, want 200; body %s", code, body)
	}
	var st statusBody
	if err := json.Unmarshal([]byte(body), &st); err != nil {
		t.Fatalf("body %q is not JSON: %v", body, err)
	}
	if st.Status != "ok" || st.Version != version || st.UptimeSeconds < 90 || st.Uptime == "" {
		t.Errorf("body = %+v, want status ok, version %q, uptime >= 90s", st, version)
	}

	svc.startDraining()
	code, body = get(t, srv.URL+"/api/status", "")
	if code != http.StatusServiceUnavailable || !strings.Contains(body, `"status":"draining"`) {
		t.Fatalf("draining: status = %d body %s, want 503 draining", code, body)
	}
	// The service keeps answering everything else while draining.
	if code, _ := get(t, srv.URL+"/", ""); code != http.StatusOK {
		t.Errorf("GET / while draining = %d, want 200", code)
	}
}

func TestHomeAnswersForAppDomain(t *testing.T) {
	_, srv := testService(t, config{Domain: "example.com"})
	for host, want := range map[string]int{
		"app.example.com":      http.StatusOK,
		"APP.example.com:443":  http.StatusOK,
		"app.example.com.":     http.StatusOK,
		"example.com":          http.StatusNotFound,
		"api.example.com":      http.StatusNotFound,
		"app.example.com.evil": http.StatusNotFound,
	} {
		if code, body := get(t, srv.URL+"/", host); code != want {
			t.Errorf("GET / Host %s = %d (%s), want %d", host, code, strings.TrimSpace(body), want)
		}
	}
	if code, _ := get(t, srv.URL+"/nope", "app.example.com"); code != http.StatusNotFound {
		t.Errorf("GET /nope = %d, want 404", code)
	}
	// Health checks come with the task's IP as Host.
	if code, _ := get(t, srv.URL+"/api/status", "10.0.1.7"); code != http.StatusOK {
		t.Errorf("GET /api/status by IP = %d, want 200", code)
	}
}

func TestSleepEndpointOnlyWhenEnabled(t *testing.T) {
	_, off := testService(t, config{})
	if code, _ := get(t, off.URL+"/api/sleep?d=1ms", ""); code != http.StatusNotFound {
		t.Errorf("sleep endpoint disabled: %d, want 404", code)
	}
	_, on := testService(t, config{SleepEndpoint: true})
	if code, body := get(t, on.URL+"/api/sleep?d=1ms", ""); code != http.StatusOK || !strings.Contains(body, "slept 1ms") {
		t.Errorf("sleep: %d %q", code, body)
	}
	if code, _ := get(t, on.URL+"/api/sleep?d=2h", ""); code != http.StatusBadRequest {
		t.Errorf("sleep 2h: %d, want 400", code)
	}
}

func TestLoadConfig(t *testing.T) {
	env := func(kv ...string) func(string) string {
		m := map[string]string{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) string { return m[k] }
	}
	c, err := loadConfig(env())
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != ":8080" || c.DrainWindow != 30*time.Second || c.ShutdownTimeout != 60*time.Second || c.StopTimeout != 120*time.Second {
		t.Errorf("defaults = %+v", c)
	}
	if c.DrainWindow+c.ShutdownTimeout >= 120*time.Second {
		t.Error("default drain + shutdown must fit in the 120 s container stopTimeout")
	}

	_, err = loadConfig(env("DRAIN_WINDOW", "60s", "SHUTDOWN_TIMEOUT", "60s", "PORT", "x", "LOG_LEVEL", "loud"))
	if err == nil {
		t.Fatal("want an error")
	}
	for _, want := range []string{"must be below STOP_TIMEOUT (2m0s)", `PORT="x"`, `LOG_LEVEL="loud"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	if _, err := loadConfig(env("DRAIN_WINDOW", "soon")); err == nil || !strings.Contains(err.Error(), `DRAIN_WINDOW="soon"`) {
		t.Errorf("bad duration: %v", err)
	}
}
