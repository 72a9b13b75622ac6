package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"math/rand"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"selfhost/config"
	"selfhost/guardrails"
	"selfhost/internal/synth"
	"selfhost/stacks"
)

// A valid production environment the hostile cases start from.
const base = `name: prod
region: us-east-1
state: {bucket: b-prod}
dns: {domain: example.com}
services:
  api:
    hosts: [api]
    priority: 100
    image: {digest: "sha256:` + zeros64 + `"}
`

const zeros64 = "0000000000000000000000000000000000000000000000000000000000000000"

// hostile is one broken environment file and the exact stderr of run.
type hostile struct {
	name string
	file string // file name in the environments folder
	data []byte
	// want is run's whole stderr; {f} stands for the file's path, {d} for
	// the environments folder.
	want string
}

func problems(lines ...string) string {
	return fmt.Sprintf("error: invalid configuration (%d problem(s)):\n  %s\n", len(lines), strings.Join(lines, "\n  "))
}

func utf16le(s string) []byte {
	b := []byte{0xFF, 0xFE} // BOM
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u), byte(u>>8))
	}
	return b
}

func garbage(n int) []byte {
	r := rand.New(rand.NewSource(42))
	b := make([]byte, n)
	r.Read(b)
	return b
}

func huge() []byte {
	var b bytes.Buffer
	b.WriteString(base + "tags:\n")
	for i := 0; b.Len() <= config.MaxFileSize; i++ {
		fmt.Fprintf(&b, "  k%d: %s\n", i, strings.Repeat("v", 200))
	}
	return b.Bytes()
}

var hostiles = []hostile{
	// Not a configuration at all.
	{"empty file", "prod.yaml", nil, problems("{f}: file is empty; want a YAML or JSON mapping with at least name, region and state.bucket")},
	{"only a comment", "prod.yaml", []byte("# nothing here\n"), problems("{f}: file is empty; want a YAML or JSON mapping with at least name, region and state.bucket")},
	{"huge file", "prod.yaml", huge(), problems("{f}: file is 1048703 bytes; at most 1048576 allowed")},
	{"binary garbage", "prod.yaml", garbage(4096), problems("{f}: file is not UTF-8 text")},
	{"NUL bytes in UTF-8", "prod.yaml", []byte("name: prod\x00\nregion: us-east-1\n"), problems("{f}: file contains a NUL byte; want UTF-8 YAML or JSON text")},
	{"UTF-16 with BOM", "prod.yaml", utf16le(base), problems("{f}: file is not UTF-8 text")},
	{"Latin-1", "prod.yaml", []byte(base + "tags: {owner: Ren\xe9}\n"), problems("{f}: file is not UTF-8 text")},
	// Syntax.
	{"unclosed flow mapping", "prod.yaml", []byte("name: prod\nstate: {bucket: b-prod\n"), problems("{f}: not valid YAML/JSON: line 1: did not find expected ',' or '}'")},
	{"tab indentation", "prod.yaml", []byte("name: prod\nstate:\n\tbucket: b-prod\n"), problems("{f}: not valid YAML/JSON: line 3: found character that cannot start any token")},
	{"bad indentation", "prod.yaml", []byte("name: prod\n  region: us-east-1\n"), problems("{f}: not valid YAML/JSON: line 2: mapping values are not allowed in this context")},
	{"JSON syntax error", "prod.json", []byte(`{"name": "prod", "region": "us-east-1"` + "\n"), problems("{f}: not valid YAML/JSON: line 1: did not find expected ',' or '}'")},
	{"two documents", "prod.yaml", []byte(base + "---\n" + base), problems("{f}: file holds more than one YAML document; want exactly one")},
	{"top level list", "prod.yaml", []byte("- name: prod\n"), problems("{f}: top level must be a mapping (key: value), not a list")},
	{"top level string", "prod.yaml", []byte("production\n"), problems(`{f}: top level must be a mapping (key: value), not the string "production"`)},
	{"alias", "prod.yaml", []byte(base + "tags: &t {a: b}\nload_balancer: {ingress_cidrs: *t}\n"), problems("{f}: load_balancer.ingress_cidrs: YAML aliases are not supported; write the value out")},
	{"billion laughs", "prod.yaml", []byte(base + "x: &a [1,1,1,1,1,1,1,1,1]\ny: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nz: [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"), problems("{f}: x: unknown field; allowed: name, production, project, region, tags, availability_zones, network, state, aws, dns, registry, load_balancer, services, database, buckets, policy", "{f}: y: unknown field; allowed: name, production, project, region, tags, availability_zones, network, state, aws, dns, registry, load_balancer, services, database, buckets, policy", "{f}: z: unknown field; allowed: name, production, project, region, tags, availability_zones, network, state, aws, dns, registry, load_balancer, services, database, buckets, policy")},
	{"duplicate key", "prod.yaml", []byte(base + "region: eu-west-1\n"), problems("{f}: region: is given twice")},
	// Shape.
	{"unknown top-level key", "prod.yaml", []byte(base + "nats: 3\n"), problems("{f}: nats: unknown field; allowed: name, production, project, region, tags, availability_zones, network, state, aws, dns, registry, load_balancer, services, database, buckets, policy")},
	{"unknown nested key", "prod.yaml", []byte(base + "network: {nat_gateways: 3}\n"), problems("{f}: network.nat_gateways: unknown field; allowed: vpc_cidr, nat, interface_endpoints, flow_log_retention_days, subnets")},
	{"misspelled policy key", "prod.yaml", []byte(base + "policy: {exemption: []}\n"), problems("{f}: policy.exemption: unknown field; allowed: exemptions")},
	{"count is a string", "prod.yaml", []byte(base + "availability_zones: {count: three}\n"), problems(`{f}: availability_zones.count: must be a whole number, not the string "three"`)},
	{"production is yes", "prod.yaml", []byte(base + "production: yes\n"), problems(`{f}: production: must be true or false, not the string "yes"`)},
	{"tags is a list", "prod.yaml", []byte(base + "tags: [a, b]\n"), problems("{f}: tags: must be a mapping, not a list")},
	{"null region", "prod.yaml", []byte(strings.Replace(base, "region: us-east-1", "region: ~", 1)), problems("{f}: region: is empty (null); remove the key to use the default, or give a value")},
	{"port is a float", "prod.yaml", []byte(base + "    container_port: 8080.5\n"), problems("{f}: services.api.container_port: must be a whole number, not the number 8080.5")},
	{"number too big", "prod.yaml", []byte(base + "    desired_count: 99999999999999999999999\n"), problems("{f}: services.api.desired_count: must be a whole number, not the number 99999999999999999999999")},
	// Ranges.
	{"nine AZs", "prod.yaml", []byte(base + "availability_zones: {count: 9}\n"), problems("{f}: availability_zones.count: 9 is out of range; want 2 to 6 (a load balancer needs subnets in at least two AZs)")},
	{"one AZ in production", "prod.yaml", []byte(base + "availability_zones: {count: 1}\n"), problems("{f}: availability_zones.count: 1 is out of range; want 2 to 6 (a load balancer needs subnets in at least two AZs)")},
	{"VPC /8", "prod.yaml", []byte(base + "network: {vpc_cidr: 10.0.0.0/8}\n"), problems(`{f}: network.vpc_cidr: "10.0.0.0/8" has prefix /8; AWS VPCs must be /16 to /24`)},
	{"VPC host bits", "prod.yaml", []byte(base + "network: {vpc_cidr: 10.0.0.1/16}\n"), problems(`{f}: network.vpc_cidr: "10.0.0.1/16" has host bits set; did you mean 10.0.0.0/16?`)},
	{"zero tasks", "prod.yaml", []byte(base + "    desired_count: 0\n"), problems("{f}: services.api.desired_count: 0 is out of range; want 2 to 1000 (at least 2 in production, one per AZ for HA)", "{f}: services.api.autoscaling.max: 0 is below min (2)")},
	{"negative port", "prod.yaml", []byte(base + "    container_port: -1\n"), problems("{f}: services.api.container_port: -1 is out of range; want 1 to 65535")},
	{"stop timeout above Fargate's", "prod.yaml", []byte(base + "    stop_timeout_seconds: 600\n"), problems("{f}: services.api.stop_timeout_seconds: 600 is out of range; Fargate allows 2 to 120 (use 120 for graceful draining)")},
	{"Fargate size", "prod.yaml", []byte(base + "    cpu: 256\n    memory: 4096\n"), problems("{f}: services.api.memory: 4096 MiB is not allowed with cpu 256; Fargate allows 512, 1024, 2048")},
	{"TLS 1.0 policy", "prod.yaml", []byte(base + "load_balancer: {ssl_policy: ELBSecurityPolicy-2016-08}\n"), problems(`{f}: load_balancer.ssl_policy: "ELBSecurityPolicy-2016-08" is not allowed; want a TLS 1.2+ policy: ELBSecurityPolicy-TLS13-1-2-2021-06, ELBSecurityPolicy-TLS13-1-2-Res-2021-06, ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06, ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06, ELBSecurityPolicy-TLS13-1-3-2021-06, ELBSecurityPolicy-TLS-1-2-2017-01, ELBSecurityPolicy-TLS-1-2-Ext-2018-06, ELBSecurityPolicy-FS-1-2-2019-08, ELBSecurityPolicy-FS-1-2-Res-2019-08, ELBSecurityPolicy-FS-1-2-Res-2020-10`)},
	// Contradictions.
	{"retiring an AZ the environment lacks, twice", "prod.yaml", []byte(base + "availability_zones: {count: 3, retiring: [us-east-1d, us-east-1a, us-east-1a]}\n"), problems("{f}: availability_zones.retiring[0]: \"us-east-1d\" is not one of the environment's AZs (us-east-1a, us-east-1b, us-east-1c); a retiring AZ is one of them until its removal", "{f}: availability_zones.retiring[2]: \"us-east-1a\" is listed twice; each AZ once")},
	{"retiring all but one AZ", "prod.yaml", []byte(base + "availability_zones: {names: [us-east-1a, us-east-1b], retiring: [us-east-1b]}\n"), problems("{f}: availability_zones.retiring: leaves 1 AZs that are not retiring; want at least 2 (a load balancer needs subnets in at least two AZs): add an AZ first, then retire")},
	{"count and names", "prod.yaml", []byte(base + "availability_zones: {count: 2, names: [us-east-1a, us-east-1b]}\n"), problems("{f}: availability_zones: give count or names, not both")},
	{"single NAT in production", "prod.yaml", []byte(base + "network: {nat: single}\n"), problems(`{f}: network.nat: "single" is not allowed in production; want "one_per_az" (one NAT gateway per AZ)`)},
	{"lock file and table", "prod.yaml", []byte(strings.Replace(base, "state: {bucket: b-prod}", "state: {bucket: b-prod, dynamodb_table: locks}", 1)), problems(`{f}: state.dynamodb_table: is set but state.locking is "lockfile"; set locking: dynamodb or remove the table`)},
	{"emulator endpoint in production", "prod.yaml", []byte(base + "aws: {endpoint: 'http://127.0.0.1:5000', skip_checks: true}\n"), problems("{f}: aws.endpoint: is set but this is a production environment; endpoints are for emulators (set production: false)", "{f}: aws.skip_checks: is true but this is a production environment; skipping credential checks is for emulators")},
	{"drain above stop timeout", "prod.yaml", []byte(base + "    deregistration_delay_seconds: 300\n"), problems("{f}: services.api.deregistration_delay_seconds: 300 is above stop_timeout_seconds (120); keep the drain within the stop timeout")},
	{"autoscaling max below min", "prod.yaml", []byte(base + "    autoscaling: {min: 4, max: 3}\n"), problems("{f}: services.api.autoscaling.max: 3 is below min (4)")},
	{"deletion protection off in production", "prod.yaml", []byte(base + "load_balancer: {deletion_protection: false}\n"), problems("{f}: load_balancer.deletion_protection: is false in a production environment; it must be true (turn it off only for a deliberate teardown, see the README)")},
	{"name differs from file", "prod.yaml", []byte(strings.Replace(base, "name: prod", "name: production", 1)), problems(`{f}: name: "production" differs from the file name "prod.yaml"; they must match`)},
	{"plain-text password", "prod.yaml", []byte(base + "    environment: {DB_PASSWORD: hunter2}\n"), problems("{f}: services.api.environment.DB_PASSWORD: looks like a secret in plain text; store it in Secrets Manager or SSM and reference its ARN under secrets")},
	// Policy exemptions.
	{"exemption of an unknown rule", "prod.yaml", []byte(base + "policy: {exemptions: [{rule: no-such-rule, reason: we really need this}]}\n"), problems(`{f}: policy.exemptions[0].rule: "no-such-rule" is not a guardrail rule; want one of ` + strings.Join(config.GuardrailRules, ", "))},
	{"exemption without reason", "prod.yaml", []byte(base + "policy: {exemptions: [{rule: svc-min-tasks}]}\n"), problems(`{f}: policy.exemptions[0].reason: is required: write why this environment may break "svc-min-tasks" (at least 10 characters)`)},
	{"exemption given twice", "prod.yaml", []byte(base + "policy: {exemptions: [{rule: svc-min-tasks, reason: one task is enough here}, {rule: svc-min-tasks, reason: one task is enough here}]}\n"), problems(`{f}: policy.exemptions[1].rule: "svc-min-tasks" is exempted twice; give each rule once`)},
}

// treeHash is a digest of every path, mode and content under dir ("" when
// dir does not exist).
func treeHash(t *testing.T, dir string) string {
	t.Helper()
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return ""
	}
	h := sha256.New()
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		fmt.Fprintf(h, "%s %v\n", rel, info.Mode())
		if !d.IsDir() {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			h.Write(b)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// entries lists a folder's names.
func entries(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names
}

// A previous synth: the outdir a failed run must leave byte for byte.
func previousOutput(t *testing.T, dir string) string {
	t.Helper()
	out := filepath.Join(dir, "cdktf.out")
	if err := os.CopyFS(out, os.DirFS(outdir)); err != nil {
		t.Fatal(err)
	}
	return out
}

// Every hostile file: exit 1, the exact message, and cdktf.out neither
// created (odd cases) nor changed (even cases: a previous synth is there).
func TestHostileEnvironments(t *testing.T) {
	all := append(append([]hostile(nil), hostiles...), awsHostiles...)
	if len(all) < 47+60 {
		t.Fatalf("%d hostile cases, want at least %d", len(all), 47+60)
	}
	for i, h := range all {
		t.Run(h.name, func(t *testing.T) {
			dir := t.TempDir()
			envs := filepath.Join(dir, "environments")
			os.Mkdir(envs, 0o755)
			file := filepath.Join(envs, h.file)
			if setup := setups[h.name]; setup != nil {
				setup(t, envs)
			} else if err := os.WriteFile(file, h.data, 0o644); err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(dir, "cdktf.out")
			wantEntries := []string{"environments"}
			if i%2 == 0 {
				previousOutput(t, dir)
				wantEntries = []string{"cdktf.out", "environments"}
			}
			if _, err := os.Stat(envs); err != nil { // the case removed the folder
				wantEntries = slices.DeleteFunc(wantEntries, func(e string) bool { return e == "environments" })
			}
			before := treeHash(t, out)

			var stderr bytes.Buffer
			code := run(env(map[string]string{"SELFHOST_ENVIRONMENTS": envs, "CDKTF_OUTDIR": out}), &stderr)
			if code != 1 {
				t.Fatalf("exit %d, want 1; stderr %q", code, stderr.String())
			}
			want := strings.NewReplacer("{f}", file, "{d}", envs).Replace(h.want)
			if got := stderr.String(); got != want {
				t.Errorf("stderr:\n%s\nwant:\n%s", got, want)
			}
			if after := treeHash(t, out); after != before {
				t.Errorf("cdktf.out changed (before %q, after %q)", before, after)
			}
			if got := entries(t, dir); strings.Join(got, " ") != strings.Join(wantEntries, " ") {
				t.Errorf("folder holds %v, want %v", got, wantEntries)
			}
		})
	}
}

// A guardrail broken by a value config validation lets through fails the
// synth through main's exit code, with the rule's message, and leaves the
// previous output alone.
func TestGuardrailFailureReachesExitCode(t *testing.T) {
	dir := t.TempDir()
	envs := filepath.Join(dir, "environments")
	os.Mkdir(envs, 0o755)
	// STRIPE_KEY passes config's secret-name check; the guardrail is broader.
	os.WriteFile(filepath.Join(envs, "prod.yaml"), []byte(base+"    environment: {STRIPE_KEY: sk_live_123}\n"), 0o644)
	out := previousOutput(t, dir)
	before := treeHash(t, out)
	var stderr bytes.Buffer
	code := run(env(map[string]string{"SELFHOST_ENVIRONMENTS": envs, "CDKTF_OUTDIR": out}), &stderr)
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	want := `[prod-service/service-api/task] [task-plaintext-secret] prod-service aws_ecs_task_definition.service-api_task_22FB46F2: container "app" has STRIPE_KEY in plain text in its environment; move the value to Secrets Manager or SSM and reference it under services.<name>.secrets`
	if !strings.HasPrefix(stderr.String(), "error: synth failed: ") || !strings.Contains(stderr.String(), want) {
		t.Errorf("stderr %q lacks %q", stderr.String(), want)
	}
	if treeHash(t, out) != before || strings.Join(entries(t, dir), " ") != "cdktf.out environments" {
		t.Errorf("the failed synth touched the output: %v", entries(t, dir))
	}

	// With a written exemption the same file synthesizes, with a warning.
	os.WriteFile(filepath.Join(envs, "prod.yaml"), []byte(base+"    environment: {STRIPE_KEY: pk_live_123}\npolicy:\n  exemptions:\n    - {rule: task-plaintext-secret, reason: \"STRIPE_KEY holds the publishable key\"}\n"), 0o644)
	stderr.Reset()
	guardrails.Output = &stderr // what main prints on os.Stderr
	defer func() { guardrails.Output = nil }()
	if code := run(env(map[string]string{"SELFHOST_ENVIRONMENTS": envs, "CDKTF_OUTDIR": out}), &stderr); code != 0 {
		t.Fatalf("exempted: exit %d: %s", code, stderr.String())
	}
	wantWarning := "warning: [task-plaintext-secret] prod-service aws_ecs_task_definition.service-api_task_22FB46F2: container \"app\" has STRIPE_KEY in plain text in its environment; move the value to Secrets Manager or SSM and reference it under services.<name>.secrets (exempted in this environment: STRIPE_KEY holds the publishable key)\n"
	if stderr.String() != wantWarning {
		t.Errorf("stderr %q, want %q", stderr.String(), wantWarning)
	}
	if treeHash(t, out) == before {
		t.Error("the exempted synth did not replace the output")
	}
}

// A failed synth never leaves a partial cdktf.out: a build error, a jsii
// panic while building, and a failure in the middle of writing (the second
// environment's stacks fail a guardrail after the first's were written)
// each leave an existing outdir byte-identical and no temporary folder.
func TestFailedSynthLeavesOutdirIdentical(t *testing.T) {
	local, err := config.LoadFile("environments/local.yaml")
	if err != nil {
		t.Fatal(err)
	}
	prod, err := config.LoadFile("environments/production.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		build func(app cdktf.App) error
		want  string
	}{
		{"build error", func(app cdktf.App) error {
			if err := stacks.Build(app, []*config.Config{local}); err != nil {
				return err
			}
			return errors.New("build failed on purpose")
		}, "build failed on purpose"},
		{"jsii panic", func(app cdktf.App) error {
			if err := stacks.Build(app, []*config.Config{local}); err != nil {
				return err
			}
			cdktf.NewTerraformStack(app, jsii.String("local-state")) // the id is taken
			return nil
		}, "synth failed: "},
		{"failure while writing", func(app cdktf.App) error {
			if err := stacks.Build(app, []*config.Config{local, prod}); err != nil {
				return err
			}
			alb := app.Node().TryFindChild(jsii.String("production-service")).Node().TryFindChild(jsii.String("load-balancer")).Node().TryFindChild(jsii.String("alb"))
			alb.(cdktf.TerraformResource).AddOverride(jsii.String("drop_invalid_header_fields"), false)
			return nil
		}, "[alb-drop-invalid-headers]"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			out := previousOutput(t, dir)
			before := treeHash(t, out)
			err := synth.Run(out, c.build)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("synth: %v, want an error with %q", err, c.want)
			}
			if treeHash(t, out) != before {
				t.Error("cdktf.out changed")
			}
			if got := entries(t, dir); strings.Join(got, " ") != "cdktf.out" {
				t.Errorf("left beside cdktf.out: %v", got)
			}
		})
	}
}
