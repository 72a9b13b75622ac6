package imagebuild

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const digestA = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

func writeEnv(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "production.yaml")
	if err := os.WriteFile(path, []byte(content), 0o640); err != nil {
		t.Fatal(err)
	}
	return path
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestSetImageDigestReplacesOnlyTheValue(t *testing.T) {
	for _, old := range []string{`""`, `''`, `"sha256:0000"`, `sha256:1111`, `'sha256:2222'`} {
		before := "# production environment\nname: production\n\n# The services.\nservices:\n    api:\n        image:\n            repository: \"\"   # this service's repository\n\n            digest: " + old + " # set by cmd/publish\n            tag: v1\n        desired_count: 3\n    console:\n        image: {digest: " + old + "}\nregion: eu-west-1\n"
		path := writeEnv(t, before)
		if err := SetImageDigest(path, "api", digestA); err != nil {
			t.Fatalf("%s: %v", old, err)
		}
		want := strings.Replace(before, "digest: "+old, `digest: "`+digestA+`"`, 1)
		if got := readFile(t, path); got != want {
			t.Errorf("%s: got\n%s\nwant\n%s", old, got, want)
		}
		f, err := ReadEnvFile(path)
		if err != nil || f.Services["api"].Image.Digest != digestA || f.Services["api"].Image.Tag != "v1" || f.Region != "eu-west-1" || f.Services["console"].Image.Digest == digestA {
			t.Errorf("%s: read back %+v %v", old, f, err)
		}
	}
}

func TestSetImageDigestCreatesKeys(t *testing.T) {
	for name, before := range map[string]string{
		"no image":    "name: staging\nservices:\n  api:\n    desired_count: 2 # two tasks\n",
		"null image":  "name: staging\nservices:\n  api:\n    image:\n",
		"no digest":   "name: staging\nservices:\n  api:\n    image:\n      tag: v1\n",
		"null digest": "name: staging\nservices:\n  api:\n    image:\n      digest: # fill in\n",
	} {
		path := writeEnv(t, before)
		if err := SetImageDigest(path, "api", digestA); err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		got := readFile(t, path)
		f, err := ReadEnvFile(path)
		if err != nil || f.Services["api"].Image.Digest != digestA {
			t.Errorf("%s: digest not set: %+v %v\n%s", name, f, err, got)
		}
		for _, keep := range []string{"# two tasks", "desired_count: 2", "tag: v1", "name: staging"} {
			if strings.Contains(before, keep) && !strings.Contains(got, keep) {
				t.Errorf("%s: lost %q:\n%s", name, keep, got)
			}
		}
	}
}

func TestSetImageDigestErrors(t *testing.T) {
	for content, want := range map[string]string{
		"- a\n- b\n":                                         "top level is not a mapping",
		"name: x\n":                                          "has no services.api mapping",
		"service:\n  image: {}\n":                            "has no services.api mapping",
		"services:\n  console: {}\n":                         "has no services.api mapping",
		"services:\n  api: web\n":                            "has no services.api mapping",
		"services:\n  api:\n    image: [a]\n":                "services.api.image is not a mapping",
		"services:\n  api:\n    image:\n      digest: [1]\n": "services.api.image.digest is not a scalar",
		"services: {\n":                                      "",
	} {
		path := writeEnv(t, content)
		err := SetImageDigest(path, "api", digestA)
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), path) {
			t.Errorf("%q: error %v, want one naming the file and %q", content, err, want)
		}
		if got := readFile(t, path); got != content {
			t.Errorf("%q: file changed to %q after an error", content, got)
		}
	}
	path := writeEnv(t, "name: x\n")
	if err := SetImageDigest(path, "api", "latest"); err == nil || !strings.Contains(err.Error(), "sha256:") {
		t.Errorf("bad digest: %v", err)
	}
	if err := SetImageDigest(filepath.Join(t.TempDir(), "missing.yaml"), "api", digestA); err == nil {
		t.Error("missing file: want an error")
	}
}

func TestSetImageDigestIsAtomicAndKeepsMode(t *testing.T) {
	path := writeEnv(t, "services:\n  api:\n    image:\n      digest: \"\"\n")
	if err := SetImageDigest(path, "api", digestA); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o640 {
		t.Errorf("mode %o, want 0640", fi.Mode().Perm())
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("temporary files left: %v", entries)
	}
}
