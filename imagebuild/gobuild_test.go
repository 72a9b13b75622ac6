package imagebuild

import (
	"archive/tar"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// startRegistry serves go-containerregistry's in-memory registry on
// 127.0.0.1 and returns its host:port.
func startRegistry(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

const testRevision = "0123456789abcdef0123456789abcdef01234567"

// buildApp builds the reference service (../app) with the daemonless builder.
func buildApp(t *testing.T) v1.Image {
	t.Helper()
	src := Source{Revision: testRevision}
	b := &GoBuilder{Dir: "..", Package: "./app", Arch: runtime.GOARCH, Labels: src.Labels(), Version: src.Version()}
	img, err := b.Build(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func TestGoBuilderPushPullRun(t *testing.T) {
	host := startRegistry(t)
	img := buildApp(t)
	repo, err := RegistryRepository("http://"+host, "selfhost-test")
	if err != nil {
		t.Fatal(err)
	}
	pinned, err := Push(context.Background(), img, repo, "v1", nil)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := img.Digest()
	if pinned.DigestStr() != want.String() || pinned.Context().String() != repo.String() {
		t.Fatalf("pinned %s, want %s@%s", pinned, repo, want)
	}

	// Pull back by tag: the tag points at the pinned digest.
	pulled, err := remote.Image(repo.Tag("v1"))
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := pulled.Digest(); got != want {
		t.Fatalf("tag v1 is %s, want %s", got, want)
	}
	m, err := pulled.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	if m.MediaType != types.OCIManifestSchema1 || m.Config.MediaType != types.OCIConfigJSON {
		t.Errorf("media types %s / %s, want OCI", m.MediaType, m.Config.MediaType)
	}
	if len(m.Layers) != 1 || m.Layers[0].MediaType != types.OCILayer {
		t.Fatalf("layers %+v, want one OCI layer", m.Layers)
	}
	cf, err := pulled.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	c := cf.Config
	if cf.OS != "linux" || cf.Architecture != runtime.GOARCH {
		t.Errorf("platform %s/%s, want linux/%s", cf.OS, cf.Architecture, runtime.GOARCH)
	}
	if strings.Join(c.Entrypoint, " ") != "/app" || c.User != "65532:65532" || c.Healthcheck != nil {
		t.Errorf("entrypoint %q user %q healthcheck %v, want [/app] 65532:65532 none", c.Entrypoint, c.User, c.Healthcheck)
	}
	if _, ok := c.ExposedPorts["8080/tcp"]; !ok || len(c.ExposedPorts) != 1 {
		t.Errorf("exposed ports %v, want 8080/tcp", c.ExposedPorts)
	}
	if c.Labels[LabelRevision] != testRevision || c.Labels[LabelVersion] != "0123456789ab" {
		t.Errorf("labels %v, want revision %s and version 0123456789ab", c.Labels, testRevision)
	}
	if !slices.Contains(c.Env, "PORT=8080") {
		t.Errorf("env %v lacks PORT=8080", c.Env)
	}

	// The binary from the layer runs and answers /api/status.
	bin := extractFile(t, m.Layers[0].Digest, pulled, "app")
	checkBinaryServes(t, bin, "0123456789ab")
}

// extractFile writes file path of the image's layer to a temp file.
func extractFile(t *testing.T, digest v1.Hash, img v1.Image, path string) string {
	t.Helper()
	layer, err := img.LayerByDigest(digest)
	if err != nil {
		t.Fatal(err)
	}
	rc, err := layer.Uncompressed()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	tr := tar.NewReader(rc)
	var names []string
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			t.Fatalf("no %s in the layer; it holds %q", path, names)
		}
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, h.Name)
		if h.Name != path {
			continue
		}
		if h.Mode&0o111 == 0 || h.Uid != 0 {
			t.Errorf("%s: mode %o uid %d, want root-owned executable", path, h.Mode, h.Uid)
		}
		out := filepath.Join(t.TempDir(), "app")
		f, err := os.OpenFile(out, os.O_CREATE|os.O_WRONLY, 0o755)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(f, tr); err != nil {
			t.Fatal(err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
		return out
	}
}

// checkBinaryServes runs the service binary and checks /api/status.
func checkBinaryServes(t *testing.T, bin, version string) {
	t.Helper()
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), "ADDR=127.0.0.1:0")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	addr := make(chan string, 1)
	go func() {
		dec := json.NewDecoder(out)
		for {
			var line struct{ Msg, Addr string }
			if dec.Decode(&line) != nil {
				return
			}
			if line.Msg == "listening" {
				addr <- line.Addr
			}
		}
	}()
	var a string
	select {
	case a = <-addr:
	case <-time.After(20 * time.Second):
		t.Fatal("the extracted binary did not start listening")
	}
	resp, err := http.Get("http://" + a + "/api/status")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st struct{ Status, Version string }
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || st.Status != "ok" || st.Version != version {
		t.Errorf("/api/status = %d %+v, want 200 ok version %s", resp.StatusCode, st, version)
	}
}

// The same source gives the same digest: a rebuild can be pinned again.
func TestGoBuilderIsReproducible(t *testing.T) {
	a, _ := buildApp(t).Digest()
	b, _ := buildApp(t).Digest()
	if a != b {
		t.Errorf("two builds of the same source: %s and %s", a, b)
	}
}

func TestGoBuilderOnBase(t *testing.T) {
	base := buildApp(t) // any image with a config of its own
	b := &GoBuilder{Dir: "..", Package: "./app", Arch: runtime.GOARCH, Base: base, Entrypoint: "/usr/local/bin/svc", Port: 9000,
		Env: []string{"LOG_LEVEL=debug"}, Labels: map[string]string{LabelSource: "https://example.invalid/selfhost"}}
	img, err := b.Build(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	layers, _ := img.Layers()
	cf, _ := img.ConfigFile()
	c := cf.Config
	if len(layers) != 2 || strings.Join(c.Entrypoint, " ") != "/usr/local/bin/svc" {
		t.Errorf("%d layers, entrypoint %q; want 2 and /usr/local/bin/svc", len(layers), c.Entrypoint)
	}
	if _, ok := c.ExposedPorts["9000/tcp"]; !ok || !slices.Contains(c.Env, "PORT=9000") || !slices.Contains(c.Env, "LOG_LEVEL=debug") {
		t.Errorf("ports %v env %v", c.ExposedPorts, c.Env)
	}
	// Labels of the base are kept, new ones added.
	if c.Labels[LabelRevision] != testRevision || c.Labels[LabelSource] == "" {
		t.Errorf("labels %v", c.Labels)
	}
	m, _ := img.Manifest()
	bin := extractFile(t, m.Layers[1].Digest, img, "usr/local/bin/svc")
	checkBinaryServes(t, bin, "dev")
}

func TestGoBuilderErrors(t *testing.T) {
	for _, tc := range []struct {
		b    GoBuilder
		want string
	}{
		{GoBuilder{Dir: ".."}, "no package"},
		{GoBuilder{Dir: "..", Package: "./app", Entrypoint: "app"}, "absolute path"},
		{GoBuilder{Dir: "..", Package: "./nosuchpackage", Stderr: io.Discard}, "go build ./nosuchpackage"},
	} {
		_, err := tc.b.Build(context.Background(), t.TempDir())
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: error %v, want %q", tc.b, err, tc.want)
		}
	}
}

func TestRegistryRepository(t *testing.T) {
	for in, want := range map[string]string{
		"http://127.0.0.1:5000": "127.0.0.1:5000/svc",
		"localhost:5000":        "localhost:5000/svc",
		"https://r.example.com": "r.example.com/svc",
	} {
		repo, err := RegistryRepository(in, "svc")
		if err != nil || repo.String() != want {
			t.Errorf("%s: %v %v, want %s", in, repo, err, want)
		}
	}
	for _, in := range []string{"http://10.0.0.5:5000", "http://registry.example.com", "", "a/b"} {
		if _, err := RegistryRepository(in, "svc"); err == nil {
			t.Errorf("%q: want an error", in)
		}
	}
}

func TestLoopbackOnlyHTTP(t *testing.T) {
	called := false
	rt := LoopbackOnlyHTTP(roundTripFunc(func(*http.Request) (*http.Response, error) {
		called = true
		return &http.Response{StatusCode: 200, Body: http.NoBody}, nil
	}))
	// Refused before any connection is made.
	req, _ := http.NewRequest("GET", "http://10.1.2.3:5000/v2/", nil)
	if _, err := rt.RoundTrip(req); err == nil || called || !strings.Contains(err.Error(), "refusing plain http") {
		t.Errorf("plain http to a private address: err %v, called %v", err, called)
	}
	for _, u := range []string{"http://127.0.0.1:5000/v2/", "http://localhost/v2/", "http://[::1]:80/v2/", "https://10.1.2.3/v2/"} {
		called = false
		req, _ := http.NewRequest("GET", u, nil)
		if _, err := rt.RoundTrip(req); err != nil || !called {
			t.Errorf("%s: err %v, called %v", u, err, called)
		}
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestGitSource(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	dir := t.TempDir()
	git := func(args ...string) {
		cmd := exec.Command("git", append([]string{"-c", "user.name=t", "-c", "user.email=t@example.invalid", "-c", "commit.gpgsign=false"}, args...)...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	ctx := context.Background()
	if src, err := GitSource(ctx, dir); err != nil || src != (Source{}) {
		t.Fatalf("outside git: %+v %v", src, err)
	}
	git("init", "-q")
	if err := os.WriteFile(filepath.Join(dir, "f"), []byte("1"), 0o644); err != nil {
		t.Fatal(err)
	}
	git("add", "f")
	git("commit", "-q", "-m", "one")
	src, err := GitSource(ctx, dir)
	if err != nil || len(src.Revision) != 40 || src.Dirty {
		t.Fatalf("clean: %+v %v", src, err)
	}
	h := v1.Hash{Algorithm: "sha256", Hex: strings.Repeat("ab", 32)}
	if tag := DefaultTag(src, h); tag != src.Revision[:12] {
		t.Errorf("clean tag %q", tag)
	}
	if err := os.WriteFile(filepath.Join(dir, "f"), []byte("2"), 0o644); err != nil {
		t.Fatal(err)
	}
	src, err = GitSource(ctx, dir)
	if err != nil || !src.Dirty || src.Version() != src.Revision[:12]+"-dirty" {
		t.Fatalf("dirty: %+v %v", src, err)
	}
	if tag := DefaultTag(src, h); tag != src.Revision[:12]+"-dirty-abababababab" || !ValidTag(tag) {
		t.Errorf("dirty tag %q", tag)
	}
	if tag := DefaultTag(Source{}, h); tag != "build-abababababab" {
		t.Errorf("no-git tag %q", tag)
	}
}
