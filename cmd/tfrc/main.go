// Command tfrc writes the Terraform CLI configuration this project uses and
// prints its path, for running terraform or the cdktf CLI by hand:
//
//	export TF_CLI_CONFIG_FILE=$(go run ./cmd/tfrc)
//
// With a provider mirror (SELFHOST_TF_PROVIDER_MIRROR, or one found in the
// usual places) the hashicorp providers install from it with no network;
// without one, from the public registry.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"selfhost/internal/tfrun"
)

func main() {
	dir := flag.String("dir", ".terraform.d", "folder to write selfhost.tfrc into")
	flag.Parse()
	path, mirror, err := tfrun.CLIConfig(*dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	if mirror != "" {
		fmt.Fprintf(os.Stderr, "providers from the mirror %s\n", mirror)
	} else {
		fmt.Fprintln(os.Stderr, "no provider mirror found: providers from the public registry")
	}
	fmt.Println(path)
}
