package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"selfhost/internal/tfdoc"
)

// goodEnv is a valid environment file named name, with extra keys.
func goodEnv(name, domain, extra string) string {
	return "name: " + name + "\nregion: us-east-1\nstate: {bucket: b-" + name + "}\ndns: {domain: " + domain + "}\n" +
		"services:\n  api:\n    hosts: [api]\n    priority: 100\n    image: {digest: \"sha256:" + zeros64 + "\"}\n" + extra
}

// The good corpus: edge cases at the limits of what is allowed, which must
// all still synthesize, in one folder (one synth).
var goods = map[string]string{
	"six-azs.yaml": goodEnv("six-azs", "six.example.com", "availability_zones: {names: [us-east-1a, us-east-1b, us-east-1c, us-east-1d, us-east-1e, us-east-1f]}\n"),
	"az-ids.yaml":  goodEnv("az-ids", "ids.example.com", "availability_zones: {names: [use1-az1, use1-az2, use1-az4]}\n"),
	"small-vpc.yaml": goodEnv("small-vpc", "small.example.com", "availability_zones: {count: 2}\n"+
		"network: {vpc_cidr: 10.1.0.0/24, subnets: {az_slots: 2, private_newbits: 2, public_newbits: 3, database_newbits: 4}}\n"),
	"tag-limit.yaml": goodEnv("tag-limit", "tags.example.com", tagLines(45)),
	"punycode.yaml":  goodEnv("punycode", "xn--bcher-kva.example", ""),
	"crlf.yaml":      strings.ReplaceAll(goodEnv("crlf", "crlf.example.com", "tags: {owner: platform}\n"), "\n", "\r\n"),
	"bom.yaml":       "\uFEFF" + goodEnv("bom", "bom.example.com", ""),
	// The zone in another account (dns.role_arn): looked up, and created.
	"cross-account.yaml":      strings.Replace(goodEnv("cross-account", "cross.example.com", ""), "cross.example.com}", "cross.example.com, role_arn: \""+dnsRole+"\"}", 1),
	"cross-account-zone.yaml": strings.Replace(goodEnv("cross-account-zone", "zone.example.com", ""), "zone.example.com}", "zone.example.com, role_arn: \""+dnsRole+"\", create_zone: true}", 1),
}

// dnsRole is the role of the cross-account environments' zone account.
const dnsRole = "arn:aws:iam::210987654321:role/selfhost-dns"

// checkZoneAccess: every Route 53 record, zone and zone lookup of a stack of
// a cross-account environment goes through a provider that assumes the DNS
// role: the stack's own (<env>-dns) or its aliased zone provider. Returns
// how many it checked.
func checkZoneAccess(t *testing.T, name string, doc map[string]any, role string) int {
	t.Helper()
	assumes := map[string]bool{} // provider reference ("aws", "aws.dns") -> assumes role
	providers, _ := doc["provider"].(map[string]any)["aws"].([]any)
	for _, p := range providers {
		p := p.(map[string]any)
		ref := "aws"
		if a, ok := p["alias"].(string); ok {
			ref += "." + a
		}
		for _, ar := range tfdoc.Blocks(p["assume_role"]) {
			assumes[ref] = assumes[ref] || ar["role_arn"] == role
		}
	}
	n := 0
	for _, kind := range []string{"resource", "data"} {
		byType, _ := doc[kind].(map[string]any)
		for _, typ := range []string{"aws_route53_record", "aws_route53_zone"} {
			rs, _ := byType[typ].(map[string]any)
			for id, r := range rs {
				ref, _ := r.(map[string]any)["provider"].(string)
				if ref == "" {
					ref = "aws"
				}
				if !assumes[ref] {
					t.Errorf("%s: %s %s.%s is written with provider %s, which does not assume %s", name, kind, typ, id, ref, role)
				}
				n++
			}
		}
	}
	return n
}

func tagLines(n int) string {
	var b strings.Builder
	b.WriteString("tags:\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "  team-%02d: \"value with spaces + - = . _ : / @ %d\"\n", i, i)
	}
	return b.String()
}

func TestGoodEnvironments(t *testing.T) {
	dir := t.TempDir()
	envs := filepath.Join(dir, "environments")
	os.Mkdir(envs, 0o755)
	for n, c := range goods {
		if err := os.WriteFile(filepath.Join(envs, n), []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(dir, "cdktf.out")
	var stderr bytes.Buffer
	if code := run(env(map[string]string{"SELFHOST_ENVIRONMENTS": envs, "CDKTF_OUTDIR": out}), &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	stack := func(name string) map[string]any {
		t.Helper()
		return readStackIn(t, out, name)
	}
	subnets := func(env string) map[string]any {
		return stack(env + "-network")["resource"].(map[string]any)["aws_subnet"].(map[string]any)
	}
	if n := len(subnets("six-azs")); n != 18 {
		t.Errorf("six AZs: %d subnets, want 18", n)
	}
	for id, s := range subnets("az-ids") {
		s := s.(map[string]any)
		if s["availability_zone"] != nil || !strings.HasPrefix(fmt.Sprint(s["availability_zone_id"]), "use1-az") {
			t.Errorf("az-ids subnet %s: availability_zone %v, availability_zone_id %v", id, s["availability_zone"], s["availability_zone_id"])
		}
	}
	cidrs := map[string]bool{}
	for _, s := range subnets("small-vpc") {
		cidrs[s.(map[string]any)["cidr_block"].(string)] = true
	}
	for _, want := range []string{"10.1.0.0/26", "10.1.0.64/26", "10.1.0.128/27", "10.1.0.160/27", "10.1.0.192/28", "10.1.0.208/28"} {
		if !cidrs[want] {
			t.Errorf("small-vpc subnets %v lack %s", cidrs, want)
		}
	}
	tags := stack("tag-limit-state")["provider"].(map[string]any)["aws"].([]any)[0].(map[string]any)["default_tags"].([]any)[0].(map[string]any)["tags"].(map[string]any)
	if len(tags) != 48 {
		t.Errorf("tag-limit: %d default tags, want 45 + 3", len(tags))
	}
	if !strings.Contains(fmt.Sprint(stack("punycode-dns")), "api.xn--bcher-kva.example") {
		t.Error("punycode: no api.xn--bcher-kva.example record")
	}
	// Cross-account DNS: the certificate's validation records (and the zone
	// lookup) in <env>-service, the zone in <env>-network, the aliases in
	// <env>-dns all use the DNS role.
	for env, want := range map[string]map[string]int{
		"cross-account":      {"network": 0, "service": 3, "dns": 2}, // service: 2 validation records (domain, api) + lookup; dns: 1 alias + lookup
		"cross-account-zone": {"network": 1, "service": 2, "dns": 1}, // the zone created in network; no lookups
	} {
		for part, n := range want {
			if got := checkZoneAccess(t, env+"-"+part, stack(env+"-"+part), dnsRole); got != n {
				t.Errorf("%s-%s: %d Route 53 records/zones, want %d", env, part, got, n)
			}
		}
	}
	for _, e := range []string{"crlf", "bom"} {
		if _, err := os.Stat(filepath.Join(out, "stacks", e+"-service", "cdk.tf.json")); err != nil {
			t.Errorf("%s: %v", e, err)
		}
	}
}
