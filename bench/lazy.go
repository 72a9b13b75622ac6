package bench

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// LazyIndexJS is a Node preload for a what-if measurement: it resolves the
// package @cdktf/provider-aws to the lib/lazy-index.js the provider ships
// beside its lib/index.js. Both export the same namespaces, but index.js
// requires all ~2,100 resource modules up front while lazy-index.js
// requires each on first use. The jsii kernel loads the package's "main"
// (index.js); with this preload it loads the lazy index, so only the
// modules the app uses are required. Nothing else changes: the assembly
// (.jsii) is still loaded in full.
const LazyIndexJS = `'use strict';
const Module = require('module');
const path = require('path');
const fs = require('fs');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, parent, isMain, options) {
  const r = resolve.apply(this, arguments);
  if (request === '@cdktf/provider-aws' && path.basename(r) === 'index.js') {
    const lazy = path.join(path.dirname(r), 'lazy-index.js');
    if (fs.existsSync(lazy)) return lazy;
  }
  return r;
};
`

// LazyNodeOptions is NODE_OPTIONS for the lazy-index preload at path,
// keeping the heap limit jsii sets when NODE_OPTIONS is unset.
func LazyNodeOptions(path string) string {
	return "--max-old-space-size=4069 --require " + path
}

// SameTree reports whether the files under a and b are byte-identical
// (same relative paths, same contents); diff names the first difference.
func SameTree(a, b string) (same bool, diff string, err error) {
	files := func(root string) (map[string][]byte, error) {
		m := map[string][]byte{}
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			rel, _ := filepath.Rel(root, p)
			m[rel], err = os.ReadFile(p)
			return err
		})
		return m, err
	}
	fa, err := files(a)
	if err != nil {
		return false, "", err
	}
	fb, err := files(b)
	if err != nil {
		return false, "", err
	}
	for k, v := range fa {
		w, ok := fb[k]
		if !ok {
			return false, fmt.Sprintf("%s only in %s", k, a), nil
		}
		if !bytes.Equal(v, w) {
			return false, fmt.Sprintf("%s differs", k), nil
		}
	}
	for k := range fb {
		if _, ok := fa[k]; !ok {
			return false, fmt.Sprintf("%s only in %s", k, b), nil
		}
	}
	return true, "", nil
}
