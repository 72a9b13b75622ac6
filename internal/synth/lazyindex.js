'use strict';
// Loaded into the jsii kernel's Node processes with NODE_OPTIONS=--require
// (see kernel.go). The kernel loads a jsii package with require(<package>),
// which for @cdktf/provider-aws is lib/index.js: it requires all ~2,100
// resource modules before the first resource exists. The provider ships
// lib/lazy-index.js beside it, with the same namespaces behind getters that
// require each module on first use. This resolves the package to the lazy
// index; the assembly (.jsii) and every module's code are unchanged, so the
// synthesized output is the same. Without a lazy index: one warning line,
// and the package loads as it would without this file.
const Module = require('module');
const path = require('path');
const fs = require('fs');
const pkg = '@cdktf/provider-aws';
const resolve = Module._resolveFilename;
let warned = false;
Module._resolveFilename = function (request) {
  const resolved = resolve.apply(this, arguments);
  if (request !== pkg) return resolved;
  const lazy = path.join(path.dirname(resolved), 'lazy-index.js');
  if (fs.existsSync(lazy)) return lazy;
  if (!warned) {
    warned = true;
    process.stderr.write(`warning: ${pkg} ships no ${path.join(path.basename(path.dirname(resolved)), 'lazy-index.js')}; loading all of its modules (slower synth)\n`);
  }
  return resolved;
};
