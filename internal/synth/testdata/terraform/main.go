// Command terraform is a stand-in for `terraform version` in the tests of
// the kernel preload (lazyindex.js), compiled because the preload keeps the
// answer only of a compiled executable: it prints the version it was built
// with (-ldflags -X main.version=...), appends a line to the file named by
// SELFHOST_TEST_TERRAFORM_LOG at every run, and fails with
// SELFHOST_TEST_TERRAFORM_FAIL=1.
package main

import (
	"fmt"
	"os"
	"runtime"
)

var version = "0.0.0"

func main() {
	if log := os.Getenv("SELFHOST_TEST_TERRAFORM_LOG"); log != "" {
		f, err := os.OpenFile(log, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			os.Exit(2)
		}
		fmt.Fprintln(f, "run")
		f.Close()
	}
	if os.Getenv("SELFHOST_TEST_TERRAFORM_FAIL") == "1" {
		fmt.Fprintln(os.Stderr, "terraform: failing as asked")
		os.Exit(1)
	}
	fmt.Printf("Terraform v%s\non %s_%s\n", version, runtime.GOOS, runtime.GOARCH)
}
