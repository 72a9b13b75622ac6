package synth

import (
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/aws/jsii-runtime-go"
)

// How this process's jsii kernel (two Node processes) is started.
//
// jsii-runtime-go prepares the command and environment of its Node kernel
// while Go initialises its packages, before any code of ours runs; the kernel
// itself starts on the first jsii call. So the environment below only takes
// effect in a fresh process: Prepare sets it and re-executes the program
// once, with the same arguments. Two settings:
//
//   - JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20: no end-of-life
//     banner for Node 20, the Node this project is tested on (a banner for
//     any other version still shows), unless the user set the variable;
//   - the kernel preload: NODE_OPTIONS gets `--require <lazyindex.js>`
//     (appended to the user's NODE_OPTIONS, or after jsii's own default
//     --max-old-space-size=4069, which any NODE_OPTIONS replaces).
//     EagerVar=1 leaves it out. It changes seven things, each with the
//     output byte-identical (TestLazyProviderSameOutput compares with a
//     synth without the preload):
//
//   - lazy provider loading: the preload resolves @cdktf/provider-aws to
//     the lib/lazy-index.js the provider ships, so a synth requires only
//     the resource modules it uses instead of all ~2,100: half of the
//     fixed cost of every synth, and 40 % of its peak memory
//     (BENCHMARKS.md). A provider without a lazy index loads as before,
//     after a one-line warning;
//   - no stack trace per cdktf token: cdktf captures a complete stack
//     trace for every token it creates, only to quote it in an error
//     message, and in the kernel those frames are the kernel's and
//     cdktf's, never the Go code that made the token. The preload replaces
//     cdktf's captureStackTrace (lib/tokens/private/stack-trace.js) with
//     one that returns no frames, before any cdktf module runs: ~45 ms of
//     CPU per environment (BENCHMARKS.md, "Token stack traces and version
//     checks"). TraceVar=1 keeps the traces, for an error that should quote
//     one (TestTokenStackTraces); a cdktf without that module keeps them
//     after a one-line warning. cdktf has no switch of its own:
//     AppConfig.StackTraces=false only covers annotations;
//   - one `terraform version` per kernel: cdktf's ValidateBinaryVersion
//     (the Terraform >= 1.5 check of every stack with a moved block, and
//     of import and terraform_data resources) runs the command in a shell
//     at every validation, ~40 ms each, 2 per production environment. The
//     kernel's PATH and working directory are fixed when it starts, so the
//     preload runs each distinct validation once and returns its messages
//     after (TestVersionValidationOnce: also that an old Terraform still
//     fails the synth). A cdktf without that class validates as before,
//     after a one-line warning. AppConfig.SkipValidation would skip the
//     command too, but also every other validation (a stack's provider
//     presence, ...). What the command printed is also kept, beside the
//     preload in the user's cache folder, under a name derived from the
//     identity of the terraform binary (path, inode, size, times), and
//     the next kernel's validation reads it instead of running the
//     command: ~40 ms of every full synth. Only for a compiled terraform
//     (not a script or a shim, which choose a version elsewhere), only
//     in a folder no one else can write to, never a failed command
//     (TestPreloadKeepsVersion, and TestVersionValidationOnce with real
//     kernels; lazyindex.js, withVersionCache, has the rules);
//   - no util.inspect per value the kernel passes: the kernel's
//     serializationType (jsii's serialization.ts, in the lib/program.js
//     jsii-runtime-go embeds) asserts it has type information with a
//     message that formats the whole type reference, built on every call
//     whether the assertion holds or not: ~15 ms of kernel CPU per
//     environment. When the kernel compiles its program.js, the preload
//     puts `if (typeRef == null)` before that one statement: the same
//     assert and error when it fails (TestPreloadSkipsKernelInspect;
//     TestKernelHasTypeAssert: the embedded kernel has it once). A kernel
//     without it verbatim runs as shipped, after a one-line warning;
//   - no relay through the wrapper: jsii-runtime-go runs
//     bin/jsii-runtime.js, which starts the kernel with a socket as its fd
//     3 and copies every request from its stdin to it and every response
//     back to its stdout through Node streams: ~25 ms of CPU per
//     environment and one more process on each round trip. When the
//     wrapper and the kernel both have the statements verbatim, the
//     wrapper passes its stdin and stdout to the kernel as fds 3 and 4 and
//     copies nothing, and the kernel answers on fd 4: the same messages on
//     the same pipes (TestPreloadDirectChannel; TestKernelHasTypeAssert:
//     the embedded files have them once). Otherwise both run as shipped;
//   - no inline source maps compiled: every module of the provider ends
//     with a base64 source map comment, 70 % of its bytes, which Node
//     reads only with --enable-source-maps but V8 scans at every compile.
//     The preload compiles a provider module whose last line is that
//     comment without it, when source maps are off: the same code on the
//     same lines, ~14 ms of a full synth (TestPreloadStripsProviderSourceMaps);
//   - two hot spots of cdktf's synth, edited as its modules compile:
//     resolve (54,000 calls in a full synth) no longer joins its path into
//     a string only its error messages use (they join it themselves), and
//     snakeCase remembers its answer per attribute name: ~20 ms of a full
//     synth (TestPreloadEditsCdktf; TestCdktfHasEditedStatements: the
//     pinned cdktf has the statements). If cdktf's source is not as
//     expected, one warning line and that module as shipped.
//
// No other jsii runtime or provider mechanism does this: the kernel always
// requires the package's "main" (lib/index.js), the provider's package.json
// has no "exports" conditions to select another entry, and JSII_RUNTIME
// replaces the whole runtime command (the runtime is embedded in the Go
// module and extracted to a temporary folder of its own choosing).

const (
	// bannerVar silences the jsii end-of-life banner for the Node major
	// versions it lists.
	bannerVar = "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION"
	// EagerVar, set to 1, leaves the kernel preload out: the AWS provider
	// loads the normal way (all of lib/index.js), and cdktf as it is. For
	// comparisons and as a way out.
	EagerVar = "SELFHOST_EAGER_PROVIDER"
	// TraceVar, set to 1, keeps the stack trace cdktf captures for every
	// token (read by lazyindex.js): for debugging a cdktf error that quotes
	// a token's creation stack.
	TraceVar = "SELFHOST_TOKEN_STACK_TRACES"
	// jsiiNodeOptions is the NODE_OPTIONS jsii-runtime-go v1.112.0 gives
	// its kernel when the environment has none
	// (internal/kernel/process/process.go).
	jsiiNodeOptions = "--max-old-space-size=4069"
)

//go:embed lazyindex.js
var lazyIndexJS []byte

// Prepare sets up the jsii kernel's environment (see above) and, if that
// changed anything, closes the not-yet-started kernel (removing its
// extracted files) and re-executes the program. Call it first in main or
// TestMain. If the preload cannot be written, a one-line warning says so
// and the provider loads the normal way; if re-executing fails, the program
// goes on as it is.
func Prepare() {
	changed := false
	if _, set := os.LookupEnv(bannerVar); !set {
		os.Setenv(bannerVar, "20")
		changed = true
	}
	lazy := os.Getenv(EagerVar) != "1"
	if opts, ok, err := nodeOptions(os.Getenv("NODE_OPTIONS"), lazy); err != nil {
		if lazy {
			fmt.Fprintf(os.Stderr, "warning: lazy provider loading off: %v\n", err)
		}
	} else if ok {
		if opts == "" {
			os.Unsetenv("NODE_OPTIONS")
		} else {
			os.Setenv("NODE_OPTIONS", opts)
		}
		changed = true
	}
	if !changed {
		return
	}
	exe, err := os.Executable()
	if err != nil {
		return
	}
	jsii.Close()
	_ = syscall.Exec(exe, os.Args, os.Environ()) // returns only on failure
}

// nodeOptions returns NODE_OPTIONS with the lazy-index preload added (lazy)
// or removed (not lazy, e.g. in a child of a lazy process), and whether
// that changes current.
func nodeOptions(current string, lazy bool) (string, bool, error) {
	js, err := PreloadFile()
	if err != nil {
		return "", false, err
	}
	arg := "--require " + js
	if strings.ContainsAny(js, " \t\"\\") {
		arg = `--require "` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(js) + `"`
	}
	has := strings.Contains(current, arg)
	switch {
	case lazy && !has:
		if current == "" {
			current = jsiiNodeOptions
		}
		return current + " " + arg, true, nil
	case !lazy && has:
		opts := strings.TrimSpace(strings.Replace(current, arg, "", 1))
		if opts == jsiiNodeOptions {
			opts = ""
		}
		return opts, true, nil
	}
	return current, false, nil
}

// PreloadFile writes the lazy-index preload (lazyindex.js) once to the
// user's cache folder (else the temporary folder) under a name derived from
// its content, and returns its path.
func PreloadFile() (string, error) {
	sum := sha256.Sum256(lazyIndexJS)
	name := "provider-lazy-index-" + hex.EncodeToString(sum[:6]) + ".js"
	var lastErr error
	for _, dir := range preloadDirs() {
		path := filepath.Join(dir, name)
		if b, err := os.ReadFile(path); err == nil && string(b) == string(lazyIndexJS) {
			return path, nil
		}
		if err := writeAtomic(path, lazyIndexJS); err != nil {
			lastErr = err
			continue
		}
		return path, nil
	}
	return "", fmt.Errorf("writing the preload: %w", lastErr)
}

func preloadDirs() []string {
	var dirs []string
	if d, err := os.UserCacheDir(); err == nil {
		dirs = append(dirs, filepath.Join(d, "selfhost"))
	}
	return append(dirs, os.TempDir())
}

// writeAtomic writes data to path through a temporary file and a rename, so
// that concurrent processes never read a partial file.
func writeAtomic(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-"+filepath.Base(path))
	if err != nil {
		return err
	}
	_, werr := f.Write(data)
	cerr := f.Close()
	if werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Chmod(f.Name(), 0o644)
	}
	if werr == nil {
		werr = os.Rename(f.Name(), path)
	}
	if werr != nil {
		os.Remove(f.Name())
	}
	return werr
}
