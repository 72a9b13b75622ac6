'use strict';
// Loaded into the jsii kernel's Node processes with NODE_OPTIONS=--require
// (see kernel.go). Seven changes to how the kernel loads and runs its
// packages, each with the synthesized output unchanged
// (TestLazyProviderSameOutput):
//
// 1. Lazy provider loading. The kernel loads a jsii package with
//    require(<package>), which for @cdktf/provider-aws is lib/index.js: it
//    requires all ~2,100 resource modules before the first resource exists.
//    The provider ships lib/lazy-index.js beside it, with the same namespaces
//    behind getters that require each module on first use. This resolves the
//    package to the lazy index; the assembly (.jsii) and every module's code
//    are unchanged. Without a lazy index: one warning line, and the package
//    loads as it would without this file.
// 2. No stack trace per cdktf token (below, skipTokenStackTraces).
// 3. One `terraform version` per process for cdktf's version validations
//    (below, validateBinaryVersionOnce), and its answer kept for the next
//    processes while the binary is the same (withVersionCache).
// 4. No util.inspect per value the kernel passes (below,
//    assertTypeRefWithoutInspect).
// 5. No relay of every request and response through the wrapper process
//    (below, directChannel).
// 6. The provider's modules compiled without their inline source maps
//    (below, withoutProviderSourceMaps).
// 7. Two hot spots of cdktf's synth edited when its modules compile
//    (below, cdktfEdits).
const Module = require('module');
const path = require('path');
const fs = require('fs');
const pkg = '@cdktf/provider-aws';
const traceVar = 'SELFHOST_TOKEN_STACK_TRACES';
const resolve = Module._resolveFilename;
let warned = false;
let cdktfSeen = false;
let providerLib = null; // the provider's lib folder, once resolved
Module._resolveFilename = function (request) {
  const resolved = resolve.apply(this, arguments);
  if (request === 'cdktf' && !cdktfSeen) {
    cdktfSeen = true;
    if (process.env[traceVar] !== '1') skipTokenStackTraces(resolved);
    validateBinaryVersionOnce(resolved);
    editOnCompile(cdktfEdits(path.dirname(resolved)));
  }
  if (request !== pkg) return resolved;
  if (providerLib === null) providerLib = path.dirname(resolved) + path.sep;
  const lazy = path.join(path.dirname(resolved), 'lazy-index.js');
  if (fs.existsSync(lazy)) return lazy;
  if (!warned) {
    warned = true;
    process.stderr.write(`warning: ${pkg} ships no ${path.join(path.basename(path.dirname(resolved)), 'lazy-index.js')}; loading all of its modules (slower synth)\n`);
  }
  return resolved;
};

// cdktf captures a complete stack trace (Error.stackTraceLimit =
// Number.MAX_SAFE_INTEGER) for every token it creates (Intrinsic, Lazy,
// TerraformDynamicBlock, ComplexComputedList, ...:
// lib/tokens/private/stack-trace.js, captureStackTrace), only to quote it in
// an error message. In the jsii kernel those frames are the kernel's and
// cdktf's own; the Go code that made the token runs in another process and
// is never in them. cdktf has no switch for it (App's stackTraces: false
// only covers annotations). So when the kernel resolves cdktf, before any of
// its modules runs, this loads that module (it requires nothing) and
// replaces its captureStackTrace with one that returns no frames; cdktf's
// modules call it through the module's exports, so every token gets an
// empty creationStack. SELFHOST_TOKEN_STACK_TRACES=1 keeps cdktf's capture.
// If the module is not where cdktf 0.21 has it: one warning line, and
// tokens capture as before.
function skipTokenStackTraces(cdktfMain) {
  const file = path.join(path.dirname(cdktfMain), 'tokens', 'private', 'stack-trace.js');
  let mod;
  try {
    mod = require(file);
  } catch (e) {
    mod = undefined;
  }
  if (mod && typeof mod.captureStackTrace === 'function') {
    mod.captureStackTrace = function captureStackTrace() { return []; };
    return;
  }
  process.stderr.write(`warning: cdktf has no captureStackTrace in lib/tokens/private/stack-trace.js; tokens capture stack traces as before (slower synth)\n`);
}

// cdktf's ValidateBinaryVersion (lib/validations/validate-binary-version.js;
// ValidateTerraformVersion is one) runs `terraform version` in a shell at
// every validation: for every stack with a moved block and every import or
// terraform_data resource, ~40 ms each. The answer cannot change within one
// kernel process (its PATH and working directory are fixed when it starts),
// so this asks each binary once per process: the first validation with a
// given binary, command, constraint and hint runs as cdktf wrote it, the
// next ones return its messages. Without the module: one warning line, and
// every validation runs its command as before.
function validateBinaryVersionOnce(cdktfMain) {
  const file = path.join(path.dirname(cdktfMain), 'validations', 'validate-binary-version.js');
  let cls;
  try {
    cls = require(file).ValidateBinaryVersion;
  } catch (e) {
    cls = undefined;
  }
  if (!cls || typeof cls.prototype.validate !== 'function') {
    process.stderr.write(`warning: cdktf has no ValidateBinaryVersion in lib/validations/validate-binary-version.js; every version validation runs its command (slower synth)\n`);
    return;
  }
  const validate = cls.prototype.validate;
  const answers = new Map();
  cls.prototype.validate = function () {
    const key = JSON.stringify([this.binary, this.versionCommand, this.versionConstraint, this.hint]);
    if (!answers.has(key)) answers.set(key, withVersionCache(this.versionCommand, () => validate.call(this)));
    return answers.get(key).slice();
  };
}

// The answer of each Terraform binary, kept across processes. What
// `terraform version` prints depends on the binary it runs, and the first
// version in it (all cdktf reads: /\d+\.\d+\.\d+/) is that binary's own.
// So the output of a run that succeeded is kept in a file beside this
// preload, named after the command and the identity of the file the shell
// runs for it (its real path, device, inode, size, modification and change
// times: a new or replaced binary gets a new name), and a later process's
// validation reads the file instead of running the command (~40 ms of a
// synth). cdktf's own validate still parses the output and writes the
// messages: only its execSync of that one command is answered. Kept only
// when all of these hold, else the command runs as before:
//   - the command is `<binary> version`, the binary a plain word or path
//     (TERRAFORM_BINARY_NAME, default terraform), not on Windows;
//   - the file the shell finds for it (PATH, as sh searches it) has that
//     name also after following links, and is a compiled executable (ELF,
//     Mach-O): a script (the shims of tfenv and asdf) or a link to another
//     program (the shims of mise) chooses the version it runs from the
//     working directory or the environment;
//   - this preload's folder (the user's cache folder) belongs to this user
//     and no one else can write to it (never the shared temporary folder).
// A command that fails is never kept. A Terraform too old is kept and
// fails the validation as before. Removing the terraform-version-* files
// (or EagerVar=1) runs the command again.
const versionCacheFormat = '1';
const versionCommandRe = /^([A-Za-z0-9_./+@%,:-]+) version$/;

function withVersionCache(command, validate) {
  const file = versionCacheFile(command);
  if (!file) return validate();
  let kept;
  try {
    kept = fs.readFileSync(file);
  } catch (e) {
    kept = undefined;
  }
  if (kept !== undefined && !/\d+\.\d+\.\d+/.test(kept.toString())) kept = undefined; // not what a run keeps
  const cp = require('child_process');
  const execSync = cp.execSync;
  let ran;
  cp.execSync = function (cmd) {
    if (cmd !== command) return execSync.apply(this, arguments);
    if (kept !== undefined) return Buffer.from(kept);
    ran = execSync.apply(this, arguments); // throws when the command fails
    return ran;
  };
  try {
    return validate();
  } finally {
    cp.execSync = execSync;
    if (Buffer.isBuffer(ran)) keepAtomic(file, ran);
  }
}

// versionCacheFile is the file that keeps command's output, or null if it
// is not to be kept (see above).
function versionCacheFile(command) {
  const m = versionCommandRe.exec(command);
  if (!m || process.platform === 'win32' || !privateFolder(__dirname)) return null;
  const bin = findOnPath(m[1]);
  if (!bin) return null;
  let fd;
  try {
    const real = fs.realpathSync(bin);
    if (path.basename(real) !== path.basename(m[1])) return null;
    const st = fs.statSync(real, { bigint: true });
    fd = fs.openSync(real, 'r');
    const head = Buffer.alloc(4);
    if (!st.isFile() || fs.readSync(fd, head, 0, 4, 0) !== 4 || !compiledExecutable(head)) return null;
    const key = JSON.stringify([versionCacheFormat, command, real, ...[st.dev, st.ino, st.size, st.mtimeNs, st.ctimeNs].map(String)]);
    return path.join(__dirname, 'terraform-version-' + require('crypto').createHash('sha256').update(key).digest('hex').slice(0, 16));
  } catch (e) {
    return null;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

// privateFolder reports whether dir belongs to this user and only this
// user can write to it.
function privateFolder(dir) {
  try {
    const st = fs.statSync(dir);
    return st.isDirectory() && st.uid === process.getuid() && (st.mode & 0o022) === 0;
  } catch (e) {
    return false;
  }
}

// findOnPath is the file sh runs for name: name itself if it has a slash,
// else the first executable regular file of that name in PATH's folders
// (an empty entry is the working directory); null if there is none or
// PATH is not set.
function findOnPath(name) {
  const executable = (p) => {
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return fs.statSync(p).isFile();
    } catch (e) {
      return false;
    }
  };
  if (name.includes('/')) return executable(name) ? path.resolve(name) : null;
  if (process.env.PATH === undefined) return null;
  for (const dir of process.env.PATH.split(':')) {
    const p = path.resolve(dir || '.', name);
    if (executable(p)) return p;
  }
  return null;
}

// compiledExecutable reports whether a file that starts with head is an
// ELF or Mach-O executable (not a script).
function compiledExecutable(head) {
  const magic = head.readUInt32BE(0);
  return [0x7f454c46, 0xfeedface, 0xfeedfacf, 0xcefaedfe, 0xcffaedfe, 0xcafebabe].includes(magic);
}

// keepAtomic writes data to file through a temporary file and a rename, so
// that a concurrent process reads all of it or nothing; on any error,
// nothing is kept.
function keepAtomic(file, data) {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(tmp, data, { mode: 0o644 });
    fs.renameSync(tmp, file);
  } catch (e) {
    try {
      fs.unlinkSync(tmp);
    } catch (e2) {
      // nothing was written
    }
  }
}

// The jsii kernel's serializationType (@jsii/kernel serialization.ts,
// bundled in jsii-runtime-go's lib/program.js) runs for every value passed
// between Go and the kernel and starts with
//   assert(typeRef != null, `... got ${(0, util_1.inspect)(typeRef)}`);
// whose message, util.inspect of the whole type reference (with its docs),
// is formatted on every call, also when the assertion holds: ~15 ms of
// kernel CPU per production environment. When the kernel's program.js
// (the main module of the process) is compiled, this puts
// `if (typeRef == null)` before that statement: the same assert and the
// same error when it fails, no message when it cannot. If the statement is
// not there verbatim: one warning line, and program.js runs as shipped.
const kernelAssert = 'assert(typeRef != null, `Kernel error: expected type information, got ${(0, util_1.inspect)(typeRef)}`);';
const assertWarning = 'warning: the jsii kernel (lib/program.js) has no single type-information assert to skip; it formats every type reference as before (slower synth)\n';

function assertTypeRefWithoutInspect() {
  return { edits: [{ find: kernelAssert, replace: 'if (typeRef == null) ' + kernelAssert }], warning: assertWarning };
}

// jsii-runtime-go starts bin/jsii-runtime.js (the wrapper), which starts
// the kernel, lib/program.js, with a socket as its fd 3, and relays every
// request from its stdin to that socket and every response from it to its
// stdout, through Node streams: ~25 ms of the wrapper's CPU per production
// environment, and one more process on the way of each round trip. When
// the wrapper and the kernel both hold the statements below verbatim
// (once), the wrapper passes its own stdin to the kernel as fd 3 and its
// stdout as fd 4 and relays nothing, and the kernel reads its requests
// from fd 3 (as before) and writes its responses to fd 4: the same
// messages on the same pipes, without the relay. The kernel's stdout and
// stderr still go through the wrapper as before. The wrapper tells the
// kernel through directVar (its own value, never the user's); if any
// statement is not there verbatim, both run as shipped.
const wrapperStdio = 'stdio: [ "ignore", "pipe", "pipe", "pipe" ]';
const wrapperStdioDirect = 'stdio: [ "ignore", "pipe", "pipe", 0, 1 ]';
const wrapperRelay = 'const commands = child.stdio[3];\n    process.stdin.pipe(commands);\n    commands.pipe(process.stdout);\n';
const kernelFDs = 'readFD: 3,\n        writeFD: 3\n';
const kernelFDsDirect = 'readFD: 3,\n        writeFD: 4\n';
const directVar = 'SELFHOST_JSII_DIRECT_CHANNEL';

function directChannel(wrapper) {
  let program = '';
  try {
    program = fs.readFileSync(path.join(path.dirname(path.dirname(wrapper.real)), 'lib', 'program.js'), 'utf8');
  } catch (e) {
    return null;
  }
  if (count(program, kernelFDs) !== 1) return null;
  return {
    edits: [{ find: wrapperStdio, replace: wrapperStdioDirect }, { find: wrapperRelay, replace: '' }],
    applied() { process.env[directVar] = '1'; },
  };
}

function kernelDirectChannel() {
  return { edits: [{ find: kernelFDs, replace: kernelFDsDirect }], warning: 'warning: the jsii kernel (lib/program.js) has no fd statement for the channel its wrapper gave it; it cannot answer\n' };
}

// count is the number of times sub is in s.
function count(s, sub) {
  let n = 0;
  for (let at = s.indexOf(sub); at >= 0; at = s.indexOf(sub, at + 1)) n++;
  return n;
}

// mainModule is the process's main module if it is <dir>/<base>: its path
// as given and its real path (Node compiles the main module under the
// latter), else null.
function mainModule(dir, base) {
  const given = process.argv[1] && path.resolve(process.argv[1]);
  if (!given || path.basename(given) !== base || path.basename(path.dirname(given)) !== dir) return null;
  let real = given;
  try {
    real = fs.realpathSync(given);
  } catch (e) {
    real = given;
  }
  return { given, real };
}

// applyPatches returns content with the patches made. Each patch is all or
// nothing: its edits are made if each find is there exactly once (and its
// check, if any, holds for content), then applied runs (if any); else none
// of them, and its warning (if any) is printed.
function applyPatches(content, patches) {
  for (const p of patches) {
    if (p.edits.some((e) => count(content, e.find) !== 1) || (p.check && !p.check(content))) {
      if (p.warning) process.stderr.write(p.warning);
      continue;
    }
    for (const e of p.edits) {
      const at = content.indexOf(e.find);
      content = content.slice(0, at) + e.replace + content.slice(at + e.find.length);
    }
    if (p.applied) p.applied();
  }
  return content;
}

// patchOnCompile edits the main module's source when Node compiles it
// (under its real path or the path it was given).
function patchOnCompile(main, patches) {
  editOnCompile(new Map([[main.real, patches], [main.given, patches]]));
}

// editOnCompile edits the source of each module of byFile (file name:
// patches) the first time Node compiles it (applyPatches); names that map
// to the same patches are one module. It stays installed (a lookup per
// compile), so wrappers installed before or after it all run.
function editOnCompile(byFile) {
  const compile = Module.prototype._compile;
  Module.prototype._compile = function (content, filename) {
    const patches = byFile.get(filename);
    if (!patches || typeof content !== 'string') return compile.apply(this, arguments);
    for (const [name, p] of byFile) if (p === patches) byFile.delete(name);
    const args = Array.from(arguments);
    args[0] = applyPatches(content, patches);
    return compile.apply(this, args);
  };
}

// cdktfEdits are two edits of cdktf 0.21's sources (lib is its lib folder),
// found in a CPU profile of the full synth, each the same result by
// construction (TestPreloadEditsCdktf; TestCdktfHasEditedStatements: the
// pinned cdktf has each statement once):
//   - resolve (lib/tokens/private/resolve.js), which runs for every value
//     of every element twice per synth (54,000 calls for the reference
//     app), starts by joining its path into a string that only its four
//     error messages use. The edit joins it in those messages instead,
//     from the same prefix (which resolve never changes);
//   - snakeCase (lib/util.js), three regular expressions per attribute
//     name of every element at every toTerraform (12,000 calls for 600
//     names), remembers its answer per string.
// ~20 ms of a full synth together. If cdktf's source is not as expected:
// one warning line, and that module compiles as shipped.
const pathDecl = '    const pathName = "/" + prefix.join("/");\n';
const joinedPath = '("/" + prefix.join("/")';
const snakeCaseHead = 'function snakeCase(str) {\n    if (!str)\n        return "";\n';

function cdktfEdits(lib) {
  const warning = (file) => `warning: cdktf's lib/${file} is not the source the preload edits; it runs as shipped (slower synth)\n`;
  return new Map([
    [path.join(lib, 'tokens', 'private', 'resolve.js'), [{
      edits: [
        { find: pathDecl, replace: '' },
        ...['unableToResolveCircularReference)(pathName)', 'cannotResolveFunction)(pathName, obj)', 'constructsCannotBeResolved)(pathName)', 'mapKeyMustResolveToString)(pathName, key, resolvedKey)']
          .map((use) => ({ find: use, replace: use.replace('(pathName', joinedPath) })),
      ],
      check: (content) => count(content, 'pathName') === 5, // the declaration and those four uses
      warning: warning('tokens/private/resolve.js'),
    }]],
    [path.join(lib, 'util.js'), [{
      edits: [{
        find: snakeCaseHead,
        replace: 'var snakeCases;\nfunction snakeCase(str) {\n    if (typeof str !== "string")\n        return snakeCaseOf(str);\n    snakeCases = snakeCases || new Map();\n    let s = snakeCases.get(str);\n    if (s === undefined)\n        snakeCases.set(str, (s = snakeCaseOf(str)));\n    return s;\n}\nfunction snakeCaseOf(str) {\n    if (!str)\n        return "";\n',
      }],
      check: (content) => count(content, 'snakeCaseOf') === 0,
      warning: warning('util.js'),
    }]],
  ]);
}

// Each module of the provider ends with its source map, inline: a
// comment `//# sourceMappingURL=data:application/json;base64,...` that is
// 70 % of the module (396 of the 562 KB of lib/s3-bucket/index.js, 4.4 of
// the 6.8 MB of the modules the reference app loads). Node reads source
// maps only with --enable-source-maps, but V8 still scans the comment when
// it compiles the module: ~14 ms of a full synth. So when Node compiles a
// module of the provider's lib folder whose last line is that comment, and
// source maps are off, the module is compiled without that line: the same
// code on the same lines and columns (stack traces are unchanged). With
// source maps on (process.sourceMapsEnabled), every module compiles as
// shipped.
const sourceMapLine = '\n//# sourceMappingURL=data:';

function withoutProviderSourceMaps() {
  const compile = Module.prototype._compile;
  Module.prototype._compile = function (content, filename) {
    if (providerLib === null || typeof content !== 'string' || typeof filename !== 'string' || !filename.startsWith(providerLib) || process.sourceMapsEnabled !== false) {
      return compile.apply(this, arguments);
    }
    const at = content.lastIndexOf(sourceMapLine);
    const end = at < 0 ? -1 : content.indexOf('\n', at + 1);
    if (at < 0 || (end >= 0 && end !== content.length - 1)) return compile.apply(this, arguments);
    const args = Array.from(arguments);
    args[0] = content.slice(0, at + 1);
    return compile.apply(this, args);
  };
}

withoutProviderSourceMaps();

// The patches of this process's main module: the kernel's or the
// wrapper's, none in any other process.
const kernel = mainModule('lib', 'program.js');
const wrapper = mainModule('bin', 'jsii-runtime.js');
if (kernel) {
  const patches = [assertTypeRefWithoutInspect()];
  if (process.env[directVar] === '1') patches.push(kernelDirectChannel());
  delete process.env[directVar];
  patchOnCompile(kernel, patches);
} else if (wrapper) {
  delete process.env[directVar];
  const p = directChannel(wrapper);
  if (p) patchOnCompile(wrapper, [p]);
}
