package synth

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func TestNodeOptions(t *testing.T) {
	js, err := PreloadFile()
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(js)
	if err != nil || !bytes.Equal(b, lazyIndexJS) {
		t.Fatalf("preload file %s: %v, same content: %v", js, err, bytes.Equal(b, lazyIndexJS))
	}
	req := "--require " + js
	for _, c := range []struct {
		current string
		lazy    bool
		want    string
		changed bool
	}{
		{"", true, jsiiNodeOptions + " " + req, true},
		{"--max-old-space-size=8000", true, "--max-old-space-size=8000 " + req, true},
		{jsiiNodeOptions + " " + req, true, jsiiNodeOptions + " " + req, false},
		{"", false, "", false},
		{jsiiNodeOptions + " " + req, false, "", true},
		{"--trace-warnings " + req, false, "--trace-warnings", true},
		{"--trace-warnings", false, "--trace-warnings", false},
	} {
		got, changed, err := nodeOptions(c.current, c.lazy)
		if err != nil || got != c.want || changed != c.changed {
			t.Errorf("nodeOptions(%q, lazy %v) = %q, %v, %v; want %q, %v", c.current, c.lazy, got, changed, err, c.want, c.changed)
		}
	}
}

// The preload on a stand-in package: the lazy index when the package has
// one, else its main after one warning line.
func TestPreloadResolvesLazyIndex(t *testing.T) {
	js, err := PreloadFile()
	if err != nil {
		t.Fatal(err)
	}
	for _, lazy := range []bool{true, false} {
		dir := t.TempDir()
		lib := filepath.Join(dir, "node_modules", "@cdktf", "provider-aws", "lib")
		files := map[string]string{
			"../package.json": `{"name": "@cdktf/provider-aws", "main": "lib/index.js"}`,
			"index.js":        `exports.loaded = 'index';`,
			"vpc.js":          `exports.Vpc = 'vpc';`,
		}
		if lazy {
			files["lazy-index.js"] = `Object.defineProperty(exports, 'loaded', { get: () => 'lazy-index' });`
		}
		writeFiles(t, lib, files)
		// Twice, as the kernel may: one warning at most; other requests
		// (here a module of the package) are left alone.
		stdout, stderr, err := node(t, dir, nil, "--require", js, "-e", `const p = '@cdktf/provider-aws';
console.log(require(p).loaded, require(p).loaded, require(p + '/lib/vpc').Vpc);`)
		if err != nil {
			t.Fatalf("node: %v\n%s", err, stderr)
		}
		want, wantErr := "lazy-index lazy-index vpc\n", ""
		if !lazy {
			want = "index index vpc\n"
			wantErr = "warning: @cdktf/provider-aws ships no lib/lazy-index.js; loading all of its modules (slower synth)\n"
		}
		if stdout != want || stderr != wantErr {
			t.Errorf("with lazy index %v: stdout %q, stderr %q; want %q, %q", lazy, stdout, stderr, want, wantErr)
		}
	}
}

// The preload's changes to cdktf on a stand-in cdktf: with its stack-trace
// module, a token's trace is empty (unless TraceVar=1); with its
// ValidateBinaryVersion, the same validation runs once and answers the
// same after (another command runs on its own); without either module, one
// warning line each, however often cdktf is resolved, and cdktf as it is.
// The real cdktf in the kernel: TestTokenStackTraces,
// TestVersionValidationOnce.
func TestPreloadChangesCdktf(t *testing.T) {
	js, err := PreloadFile()
	if err != nil {
		t.Fatal(err)
	}
	const (
		traceWarning    = "warning: cdktf has no captureStackTrace in lib/tokens/private/stack-trace.js; tokens capture stack traces as before (slower synth)\n"
		validateWarning = "warning: cdktf has no ValidateBinaryVersion in lib/validations/validate-binary-version.js; every version validation runs its command (slower synth)\n"
	)
	for _, c := range []struct {
		modules, traced bool
		want, wantErr   string
	}{
		{true, false, "0 [n1] [n1] [n2]\n", ""},
		{true, true, "1 [n1] [n1] [n2]\n", ""},
		{false, false, "none\n", traceWarning + validateWarning},
		{false, true, "none\n", validateWarning},
	} {
		dir := t.TempDir()
		lib := filepath.Join(dir, "node_modules", "cdktf", "lib")
		files := map[string]string{
			"../package.json": `{"name": "cdktf", "main": "lib/index.js"}`,
			"index.js":        `exports.modules = require('fs').existsSync(__dirname + '/validations');`,
		}
		if c.modules {
			files["tokens/private/stack-trace.js"] = `exports.captureStackTrace = () => ['a frame'];`
			files["validations/validate-binary-version.js"] = `let n = 0;
class ValidateBinaryVersion {
  constructor(command) { this.versionCommand = command; }
  validate() { n++; return ['n' + n]; }
}
exports.ValidateBinaryVersion = ValidateBinaryVersion;`
		}
		writeFiles(t, lib, files)
		// As the kernel does: resolve cdktf (twice), then its modules run.
		env := []string{TraceVar + "="}
		if c.traced {
			env = append(env, TraceVar+"=1")
		}
		stdout, stderr, err := node(t, dir, env, "--require", js, "-e", `const p = require.resolve('cdktf'); require.resolve('cdktf');
if (!require(p).modules) { console.log('none'); process.exit(0); }
const lib = require('path').dirname(p);
const { ValidateBinaryVersion: V } = require(lib + '/validations/validate-binary-version');
const show = (v) => '[' + v.join() + ']';
console.log(require(lib + '/tokens/private/stack-trace').captureStackTrace().length,
  show(new V('a').validate()), show(new V('a').validate()), show(new V('b').validate()));`)
		if err != nil {
			t.Fatalf("node: %v\n%s", err, stderr)
		}
		if stdout != c.want || stderr != c.wantErr {
			t.Errorf("cdktf modules %v, %s=%v: stdout %q, stderr %q; want %q, %q", c.modules, TraceVar, c.traced, stdout, stderr, c.want, c.wantErr)
		}
	}
}

// node runs node with args in dir (this process's folder if empty), with
// an empty NODE_OPTIONS (so only the preloads args name) and env added to
// this process's environment, and returns its stdout and stderr.
func node(t *testing.T, dir string, env []string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	cmd := exec.Command("node", args...)
	cmd.Dir = dir
	cmd.Env = append(append(os.Environ(), "NODE_OPTIONS="), env...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err = cmd.Run()
	return o.String(), e.String(), err
}

// writeFiles writes files (relative name: content) under dir.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// kernelAssert is the statement of the jsii kernel's serializationType
// that the preload guards (lazyindex.js, assertTypeRefWithoutInspect).
const kernelAssert = "assert(typeRef != null, `Kernel error: expected type information, got ${(0, util_1.inspect)(typeRef)}`);"

// In a stand-in kernel (a lib/program.js run as the main module) the
// preload keeps the type-information assert but formats its message only
// when it fails: the same error for a missing type, no util.inspect of a
// present one. Without the statement: one warning, the program unchanged;
// a main module of another name is left alone.
func TestPreloadSkipsKernelInspect(t *testing.T) {
	js, err := PreloadFile()
	if err != nil {
		t.Fatal(err)
	}
	const warning = "warning: the jsii kernel (lib/program.js) has no single type-information assert to skip; it formats every type reference as before (slower synth)\n"
	program := func(stmt string) string {
		return `const assert = require('assert'); const util_1 = require('util');
let inspected = 0;
function serializationType(typeRef) {
  ` + stmt + `
  return 'ok';
}
const ref = { type: { fqn: 'x' }, [util_1.inspect.custom]() { inspected++; return 'ref'; } };
let err = '';
try { serializationType(undefined); } catch (e) { err = e.code + ': ' + e.message; }
console.log(serializationType(ref), inspected, err);`
	}
	for _, c := range []struct {
		name, file, stmt, want, wantErr string
	}{
		{"kernel", "lib/program.js", kernelAssert, "ok 0 ERR_ASSERTION: Kernel error: expected type information, got undefined\n", ""},
		{"kernel through a symlink", "link/lib/program.js", kernelAssert, "ok 0 ERR_ASSERTION: Kernel error: expected type information, got undefined\n", ""},
		{"other statement", "lib/program.js", "assert(typeRef != null, `got ${(0, util_1.inspect)(typeRef)}`);", "ok 1 ERR_ASSERTION: got undefined\n", warning},
		{"twice", "lib/program.js", kernelAssert + kernelAssert, "ok 2 ERR_ASSERTION: Kernel error: expected type information, got undefined\n", warning},
		{"not the kernel", "lib/main.js", kernelAssert, "ok 1 ERR_ASSERTION: Kernel error: expected type information, got undefined\n", ""},
	} {
		dir := t.TempDir()
		file := c.file
		if rest, ok := strings.CutPrefix(file, "link/"); ok {
			// The kernel's folder reached through a symlink: Node compiles
			// the main module under its real path.
			if err := os.Symlink(filepath.Join(dir, "real"), filepath.Join(dir, "link")); err != nil {
				t.Fatal(err)
			}
			file = "real/" + rest
		}
		writeFiles(t, dir, map[string]string{file: program(c.stmt)})
		stdout, stderr, err := node(t, "", nil, "--require", js, filepath.Join(dir, c.file))
		if err != nil {
			t.Fatalf("%s: node: %v\n%s", c.name, err, stderr)
		}
		if stdout != c.want || stderr != c.wantErr {
			t.Errorf("%s: stdout %q, stderr %q; want %q, %q", c.name, stdout, stderr, c.want, c.wantErr)
		}
	}
}

// The kernel jsii-runtime-go runs (its embedded lib/program.js) has the
// statements the preload edits, once, and so has its wrapper
// (bin/jsii-runtime.js).
func TestKernelHasTypeAssert(t *testing.T) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/aws/jsii-runtime-go").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	b, err := os.ReadFile(filepath.Join(string(bytes.TrimSpace(out)), "internal", "embedded", "resources", "lib", "program.js"))
	if err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(b, []byte(kernelAssert)); n != 1 {
		t.Errorf("jsii-runtime-go's lib/program.js has the type-information assert %d times, want 1 (lazyindex.js guards it)", n)
	}
	if n := bytes.Count(b, []byte(kernelFDs)); n != 1 {
		t.Errorf("jsii-runtime-go's lib/program.js has the fd statement %d times, want 1 (lazyindex.js's direct channel edits it)", n)
	}
	w, err := os.ReadFile(filepath.Join(string(bytes.TrimSpace(out)), "internal", "embedded", "resources", "bin", "jsii-runtime.js"))
	if err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{wrapperStdio, wrapperRelay} {
		if n := bytes.Count(w, []byte(stmt)); n != 1 {
			t.Errorf("jsii-runtime-go's bin/jsii-runtime.js has %q %d times, want 1 (lazyindex.js's direct channel edits it)", stmt, n)
		}
	}
}

// The statements of jsii-runtime-go's wrapper (bin/jsii-runtime.js) and
// kernel (lib/program.js) that the preload's direct channel edits
// (lazyindex.js, directChannel).
const (
	wrapperStdio = `stdio: [ "ignore", "pipe", "pipe", "pipe" ]`
	wrapperRelay = "const commands = child.stdio[3];\n    process.stdin.pipe(commands);\n    commands.pipe(process.stdout);\n"
	kernelFDs    = "readFD: 3,\n        writeFD: 3\n"
)

// A stand-in wrapper and kernel, run as jsii-runtime-go runs them (the
// wrapper with our stdin and stdout, the preload in NODE_OPTIONS): with
// every statement there, the kernel reads the request on fd 3 and answers
// on fd 4, which is our stdout, and the wrapper relays nothing; if the
// wrapper or the kernel lacks one, both run as shipped (the kernel answers
// on fd 3, through the wrapper's relay), also when the user's environment
// has the variable the wrapper tells the kernel with.
func TestPreloadDirectChannel(t *testing.T) {
	js, err := PreloadFile()
	if err != nil {
		t.Fatal(err)
	}
	wrapper := func(stdio, relay string) string {
		return `const child_process_1 = require('child_process'); const path_1 = require('path');
    const child = (0, child_process_1.spawn)(process.execPath, [ path_1.resolve(__dirname, "..", "lib", "program.js") ], {
        ` + stdio + `
    });
    child.stdout.on('data', (c) => process.stderr.write(c));
    child.stderr.on('data', (c) => process.stderr.write(c));
    ` + relay
	}
	kernel := func(fds string) string {
		// The type-information assert too, or the preload warns.
		return `const fs = require('fs');
    function serializationType(typeRef) { ` + kernelAssert + ` }
    const stdio = {
        ` + fds + `    };
    const buf = Buffer.alloc(100);
    const n = fs.readSync(stdio.readFD, buf, 0, buf.length, null);
    const v = process.env.SELFHOST_JSII_DIRECT_CHANNEL;
    fs.writeSync(stdio.writeFD, 'got ' + buf.subarray(0, n).toString().trim() + ' on ' + stdio.readFD + ', answered on ' + stdio.writeFD + (v ? ', variable ' + v : '') + '\n');`
	}
	const direct, relayed = "got hello on 3, answered on 4\n", "got hello on 3, answered on 3\n"
	for _, c := range []struct {
		name              string
		stdio, relay, fds string
		userVar           bool
		want              string
	}{
		{"every statement", wrapperStdio, wrapperRelay, kernelFDs, false, direct},
		{"every statement, user variable", wrapperStdio, wrapperRelay, kernelFDs, true, direct},
		{"kernel without its fd statement", wrapperStdio, wrapperRelay, "readFD: 3, writeFD: 3\n", false, relayed},
		{"wrapper without its relay statement", wrapperStdio, strings.Replace(wrapperRelay, "\n    ", "\n", 1), kernelFDs, true, relayed},
		{"wrapper without its stdio statement", `stdio: ["ignore", "pipe", "pipe", "pipe"]`, wrapperRelay, kernelFDs, false, relayed},
	} {
		dir := t.TempDir()
		writeFiles(t, dir, map[string]string{"bin/jsii-runtime.js": wrapper(c.stdio, c.relay), "lib/program.js": kernel(c.fds)})
		cmd := exec.Command("node", filepath.Join(dir, "bin", "jsii-runtime.js"))
		cmd.Env = append(os.Environ(), "NODE_OPTIONS=--require "+js, "SELFHOST_JSII_DIRECT_CHANNEL=")
		if c.userVar {
			cmd.Env = append(cmd.Env, "SELFHOST_JSII_DIRECT_CHANNEL=1")
		}
		cmd.Stdin = strings.NewReader("hello\n")
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("%s: node: %v\n%s", c.name, err, stderr.Bytes())
		}
		if stdout.String() != c.want || stderr.String() != "" {
			t.Errorf("%s: stdout %q, stderr %q; want %q, no stderr", c.name, stdout.String(), stderr.String(), c.want)
		}
	}
}

// standIns are the stand-in terraforms built in this test binary, by
// version.
var standIns sync.Map

// BuildTerraform writes the stand-in terraform (testdata/terraform) that
// prints "Terraform v<version>" to path, a new file at each call: built
// once per version in this test binary (under its own temporary folder,
// which synth.TestMain removes), then copied. Exported for the package's
// external tests.
func BuildTerraform(t *testing.T, path, version string) {
	t.Helper()
	built, ok := standIns.Load(version)
	if !ok {
		dir, err := os.MkdirTemp("", "stand-in-terraform-")
		if err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(dir, "terraform")
		cmd := exec.Command("go", "build", "-o", out, "-ldflags", "-X main.version="+version, "./testdata/terraform")
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("building the stand-in terraform: %v\n%s", err, b)
		}
		built, _ = standIns.LoadOrStore(version, out)
	}
	b, err := os.ReadFile(built.(string))
	if err == nil {
		err = os.WriteFile(path, b, 0o755)
	}
	if err != nil {
		t.Fatal(err)
	}
}

// cdktfValidateExec is how cdktf 0.21's ValidateBinaryVersion.validate runs
// the version command (lib/validations/validate-binary-version.js): through
// the child_process module's execSync, looked up at the call, which is the
// one call the preload's version cache answers.
const cdktfValidateExec = "(0, child_process_1.execSync)(this.versionCommand, {"

// The preload keeps what a compiled terraform printed, per binary, for the
// next processes: a stand-in cdktf's validation (calling execSync as
// cdktf's does) in two node processes runs a compiled stand-in terraform
// once, and again once it is replaced (a Terraform too old is kept too).
// It runs the command every time for a script, for a link to a file of
// another name (a shim), for a command that fails, and when the preload's
// folder can be written by others. Two builds and 14 node processes:
// skipped with -short (CI runs it).
func TestPreloadKeepsVersion(t *testing.T) {
	if testing.Short() {
		t.Skip("builds two stand-in terraforms and runs 14 node processes; skipped with -short")
	}
	dir := t.TempDir()
	lib := filepath.Join(dir, "node_modules", "cdktf", "lib")
	writeFiles(t, lib, map[string]string{
		"../package.json":               `{"name": "cdktf", "main": "lib/index.js"}`,
		"index.js":                      ``,
		"tokens/private/stack-trace.js": `exports.captureStackTrace = () => [];`,
		"validations/validate-binary-version.js": `const child_process_1 = require("child_process");
class ValidateBinaryVersion {
  constructor(binary, versionConstraint, versionCommand) { this.binary = binary; this.versionConstraint = versionConstraint; this.versionCommand = versionCommand; }
  validate() {
    try {
      return [` + cdktfValidateExec + ` stdio: "pipe" }).toString().match(/\d+\.\d+\.\d+/)[0]];
    } catch (e) {
      return ['failed'];
    }
  }
}
exports.ValidateBinaryVersion = ValidateBinaryVersion;`,
	})
	preload := filepath.Join(t.TempDir(), "lazyindex.js") // a private folder of its own
	if err := os.WriteFile(preload, lazyIndexJS, 0o644); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "bin")
	tf := filepath.Join(bin, "terraform")
	log := filepath.Join(dir, "runs")
	BuildTerraform(t, filepath.Join(dir, "terraform-1.11.4"), "1.11.4")
	BuildTerraform(t, filepath.Join(dir, "terraform-1.4.0"), "1.4.0")
	install := func(from string) {
		t.Helper()
		os.MkdirAll(bin, 0o755)
		b, err := os.ReadFile(from)
		if err == nil {
			err = os.WriteFile(tf+".new", b, 0o755)
		}
		if err == nil {
			err = os.Rename(tf+".new", tf) // a new file, as an installer writes it
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	link := func(to string) {
		t.Helper()
		os.Remove(tf)
		if err := os.Symlink(to, tf); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct {
		name  string
		setup func()
		env   string
		want  string
		runs  int // of the stand-in in two processes
	}{
		{"compiled", func() { install(filepath.Join(dir, "terraform-1.11.4")) }, "", "1.11.4", 1},
		{"compiled, again", func() {}, "", "1.11.4", 0},
		{"replaced, too old", func() { install(filepath.Join(dir, "terraform-1.4.0")) }, "", "1.4.0", 1},
		{"failing", func() { install(filepath.Join(dir, "terraform-1.11.4")) }, "SELFHOST_TEST_TERRAFORM_FAIL=1", "failed", 2},
		{"script", func() {
			os.Remove(tf)
			writeFiles(t, bin, map[string]string{"terraform": "#!/bin/sh\necho run >> \"$SELFHOST_TEST_TERRAFORM_LOG\"\necho 'Terraform v1.11.4'\n"})
			os.Chmod(tf, 0o755)
		}, "", "1.11.4", 2},
		{"link to another name", func() { link(filepath.Join(dir, "terraform-1.11.4")) }, "", "1.11.4", 2},
		{"shared folder", func() {
			install(filepath.Join(dir, "terraform-1.11.4"))
			os.Chmod(filepath.Dir(preload), 0o777)
		}, "", "1.11.4", 2},
	} {
		c.setup()
		os.Remove(log)
		for i := 0; i < 2; i++ {
			env := []string{"PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH"), "SELFHOST_TEST_TERRAFORM_LOG=" + log}
			if c.env != "" {
				env = append(env, c.env)
			}
			stdout, stderr, err := node(t, dir, env, "--require", preload, "-e", `const lib = require('path').dirname(require.resolve('cdktf'));
const { ValidateBinaryVersion: V } = require(lib + '/validations/validate-binary-version');
console.log(new V('terraform', '>=1.5', 'terraform version').validate().join());`)
			if err != nil || stdout != c.want+"\n" || stderr != "" {
				t.Errorf("%s, process %d: %v, stdout %q, stderr %q; want %q", c.name, i+1, err, stdout, stderr, c.want+"\n")
			}
		}
		b, _ := os.ReadFile(log)
		if runs := strings.Count(string(b), "run\n"); runs != c.runs {
			t.Errorf("%s: terraform ran %d times in two processes; want %d", c.name, runs, c.runs)
		}
	}
}

// The pinned cdktf runs the version command the way the preload's version
// cache answers (cdktfValidateExec), once.
func TestCdktfValidatesWithExecSync(t *testing.T) {
	b := cdktfFile(t, "lib/validations/validate-binary-version.js")
	if n := bytes.Count(b, []byte(cdktfValidateExec)); n != 1 {
		t.Errorf("cdktf's validate-binary-version.js has %q %d times, want 1 (lazyindex.js's version cache answers that call)", cdktfValidateExec, n)
	}
}

// cdktfFile is the file name (relative to the package) of the pinned cdktf
// (the npm package its Go module embeds).
func cdktfFile(t *testing.T, name string) []byte {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/hashicorp/terraform-cdk-go/cdktf").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	f, err := os.Open(filepath.Join(string(bytes.TrimSpace(out)), "jsii", "cdktf-0.21.0.tgz"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if err != nil {
			t.Fatalf("cdktf-0.21.0.tgz: no package/%s (%v)", name, err)
		}
		if h.Name == "package/"+name {
			b, err := io.ReadAll(tr)
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
	}
}

// The statements of cdktf's sources that the preload edits (lazyindex.js,
// cdktfEdits).
const (
	cdktfPathDecl      = "    const pathName = \"/\" + prefix.join(\"/\");\n"
	cdktfSnakeCaseHead = "function snakeCase(str) {\n    if (!str)\n        return \"\";\n"
)

var cdktfPathUses = []string{
	"unableToResolveCircularReference)(pathName)",
	"cannotResolveFunction)(pathName, obj)",
	"constructsCannotBeResolved)(pathName)",
	"mapKeyMustResolveToString)(pathName, key, resolvedKey)",
}

// The pinned cdktf has each statement the preload edits once, and no other
// use of resolve's pathName.
func TestCdktfHasEditedStatements(t *testing.T) {
	r := cdktfFile(t, "lib/tokens/private/resolve.js")
	for _, stmt := range append([]string{cdktfPathDecl}, cdktfPathUses...) {
		if n := bytes.Count(r, []byte(stmt)); n != 1 {
			t.Errorf("cdktf's lib/tokens/private/resolve.js has %q %d times, want 1", stmt, n)
		}
	}
	if n := bytes.Count(r, []byte("pathName")); n != 5 {
		t.Errorf("cdktf's lib/tokens/private/resolve.js names pathName %d times, want 5 (its declaration and four uses)", n)
	}
	u := cdktfFile(t, "lib/util.js")
	if n := bytes.Count(u, []byte(cdktfSnakeCaseHead)); n != 1 {
		t.Errorf("cdktf's lib/util.js has %q %d times, want 1", cdktfSnakeCaseHead, n)
	}
}

// On a stand-in cdktf with cdktf's statements, the preload's edits give
// the same error messages (with the same path) and the same snake case,
// computed once per string; where a statement is not as expected, a
// warning line and the module as shipped.
func TestPreloadEditsCdktf(t *testing.T) {
	js, err := PreloadFile()
	if err != nil {
		t.Fatal(err)
	}
	resolveJS := `const errors_1 = {
  unableToResolveCircularReference: (p) => 'circular at ' + p,
  cannotResolveFunction: (p, obj) => 'function at ' + p,
  constructsCannotBeResolved: (p) => 'construct at ' + p,
  mapKeyMustResolveToString: (p, k, r) => 'key ' + k + ' at ' + p,
};
function resolve(obj, options) {
    const prefix = options.prefix || [];
` + cdktfPathDecl + `    const key = 'k', resolvedKey = 1;
    if (obj === 'circular') return (0, errors_1.` + cdktfPathUses[0] + `;
    if (typeof obj === 'function') return (0, errors_1.` + cdktfPathUses[1] + `;
    if (obj === 'construct') return (0, errors_1.` + cdktfPathUses[2] + `;
    if (obj === 'key') return (0, errors_1.` + cdktfPathUses[3] + `;
    EXTRA
    return 'resolved';
}
exports.resolve = resolve;
exports.edited = !resolve.toString().includes('const path' + 'Name');`
	utilJS := `exports.snakeCase = snakeCase;
let calls = 0;
exports.calls = () => calls;
` + cdktfSnakeCaseHead + `    calls++;
    return String(str).replace(/([a-z0-9])([A-Z])/g, (_m, a, b) => a + "_" + b.toLowerCase()).toLowerCase();
}`
	const script = `const lib = require('path').dirname(require.resolve('cdktf'));
const r = require(lib + '/tokens/private/resolve');
const u = require(lib + '/util');
const o = { prefix: ['a', 'b'] };
console.log(r.edited, [r.resolve('circular', o), r.resolve(() => 1, o), r.resolve('construct', o), r.resolve('key', {}), r.resolve('x', o)].join('; '));
console.log([u.snakeCase('fooBar'), u.snakeCase('fooBar'), u.snakeCase('fooBar'), u.snakeCase(''), u.snakeCase(undefined)].join(','), u.calls());`
	const messages = "circular at /a/b; function at /a/b; construct at /a/b; key k at /; resolved\n"
	for _, c := range []struct {
		name          string
		extra, util   string
		want, wantErr string
	}{
		{"as cdktf 0.21", "", utilJS, "true " + messages + "foo_bar,foo_bar,foo_bar,, 1\n", ""},
		{"other sources", "if (obj === 'path') return pathName;", strings.Replace(utilJS, "if (!str)", "if (str == null)", 1),
			"false " + messages + "foo_bar,foo_bar,foo_bar,, 4\n",
			"warning: cdktf's lib/tokens/private/resolve.js is not the source the preload edits; it runs as shipped (slower synth)\n" +
				"warning: cdktf's lib/util.js is not the source the preload edits; it runs as shipped (slower synth)\n"},
	} {
		dir := t.TempDir()
		writeFiles(t, filepath.Join(dir, "node_modules", "cdktf", "lib"), map[string]string{
			"../package.json":               `{"name": "cdktf", "main": "lib/index.js"}`,
			"index.js":                      ``,
			"tokens/private/stack-trace.js": `exports.captureStackTrace = () => [];`,
			"validations/validate-binary-version.js": `class ValidateBinaryVersion { validate() { return []; } }
exports.ValidateBinaryVersion = ValidateBinaryVersion;`,
			"tokens/private/resolve.js": strings.Replace(resolveJS, "EXTRA", c.extra, 1),
			"util.js":                   c.util,
		})
		stdout, stderr, err := node(t, dir, nil, "--require", js, "-e", script)
		if err != nil {
			t.Fatalf("%s: node: %v\n%s", c.name, err, stderr)
		}
		if stdout != c.want || stderr != c.wantErr {
			t.Errorf("%s: stdout %q, stderr %q; want %q, %q", c.name, stdout, stderr, c.want, c.wantErr)
		}
	}
}

// The preload compiles the modules of the provider's lib folder without
// their last line when it is an inline source map, and leaves alone a
// module whose source map is not its last line, the modules of other
// packages, and every module when source maps are on. A stand-in provider,
// with a hook preloaded first (so the preload's compile calls it) that
// prints what each module is compiled with.
func TestPreloadStripsProviderSourceMaps(t *testing.T) {
	js, err := PreloadFile()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	const sourceMap = "\n//# sourceMappingURL=data:application/json;base64,eyJ2ZXJzaW9uIjozfQ=="
	writeFiles(t, filepath.Join(dir, "node_modules"), map[string]string{
		"@cdktf/provider-aws/package.json":      `{"name": "@cdktf/provider-aws", "main": "lib/index.js"}`,
		"@cdktf/provider-aws/lib/index.js":      `exports.index = true;` + sourceMap,
		"@cdktf/provider-aws/lib/lazy-index.js": `Object.defineProperty(exports, 'vpc', { get: () => require('./vpc') }); exports.late = require('./late');` + sourceMap + "\n",
		"@cdktf/provider-aws/lib/vpc/index.js":  `exports.Vpc = 'vpc';` + sourceMap,
		"@cdktf/provider-aws/lib/late/index.js": `exports.late = 1;` + sourceMap + "\nexports.after = 2;\n",
		"other/package.json":                    `{"name": "other", "main": "index.js"}`,
		"other/index.js":                        `exports.other = 'other';` + sourceMap,
	})
	hook := filepath.Join(dir, "hook.js")
	writeFiles(t, dir, map[string]string{"hook.js": `const Module = require('module');
const compile = Module.prototype._compile;
Module.prototype._compile = function (content, filename) {
  const rel = require('path').relative(process.cwd() + '/node_modules', filename);
  if (!rel.startsWith('..')) console.log(rel, content.includes('sourceMappingURL') ? 'map' : 'none', JSON.stringify(content.slice(-12)));
  return compile.apply(this, arguments);
};`})
	script := `require('other'); console.log(require('@cdktf/provider-aws').vpc.Vpc);`
	for _, c := range []struct {
		args []string
		want string
	}{
		{nil, `other/index.js map "aW9uIjozfQ=="` + "\n" +
			`@cdktf/provider-aws/lib/lazy-index.js none "('./late');\n"` + "\n" +
			`@cdktf/provider-aws/lib/late/index.js map ".after = 2;\n"` + "\n" +
			`@cdktf/provider-aws/lib/vpc/index.js none "pc = 'vpc';\n"` + "\n" +
			"vpc\n"},
		{[]string{"--enable-source-maps"}, `other/index.js map "aW9uIjozfQ=="` + "\n" +
			`@cdktf/provider-aws/lib/lazy-index.js map "W9uIjozfQ==\n"` + "\n" +
			`@cdktf/provider-aws/lib/late/index.js map ".after = 2;\n"` + "\n" +
			`@cdktf/provider-aws/lib/vpc/index.js map "aW9uIjozfQ=="` + "\n" +
			"vpc\n"},
	} {
		args := append(append([]string{}, c.args...), "--require", hook, "--require", js, "-e", script)
		stdout, stderr, err := node(t, dir, nil, args...)
		if err != nil || stderr != "" {
			t.Fatalf("node %v: %v\n%s", c.args, err, stderr)
		}
		if stdout != c.want {
			t.Errorf("node %v: compiled\n%s\nwant\n%s", c.args, stdout, c.want)
		}
	}
}
