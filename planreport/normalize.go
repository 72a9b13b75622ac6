package planreport

import (
	"regexp"
	"strings"
)

// normalizers replace what differs between two runs of the same plan on an
// emulator, in this order. Every replacement is a fixed placeholder, so
// lists whose order follows random ids (sets of subnet ids) come out the
// same too.
var normalizers = []struct {
	re *regexp.Regexp
	// with is the replacement ($1 expands); keep, when set, leaves a match
	// as it is.
	with string
	keep func(match string) bool
}{
	// Temporary folders (synth output, emulator work folders).
	{re: regexp.MustCompile(`(/tmp|/var/folders/[^\s"/]+/[^\s"/]+/T)/[^\s"'` + "`" + `)]*`), with: "<tmp>"},
	// Loopback endpoints: the emulator listens on a free port.
	{re: regexp.MustCompile(`\b(127\.0\.0\.1|localhost):\d+\b`), with: "$1:<port>"},
	// RFC 3339 timestamps.
	{re: regexp.MustCompile(`\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})`), with: "<time>"},
	// UUIDs (certificates, task definitions, request ids).
	{re: regexp.MustCompile(`\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b`), with: "<uuid>"},
	// Account ids (ARNs, owner ids).
	{re: regexp.MustCompile(`\b\d{12}\b`), with: "<account>"},
	// EC2-style resource ids: vpc-0a1b2c3d, subnet-..., sg-..., rtb-..., eipalloc-...
	{re: regexp.MustCompile(`\b(vpc|subnet|sg|sgr|rtb|rtbassoc|igw|nat|eipalloc|eipassoc|vpce|acl|aclassoc|eni|fl|pl|dopt|i|ami|snap|vol|lt|tgw)-[0-9a-f]{8,17}\b`), with: "$1-<id>"},
	// Single IPv4 addresses, not networks (a CIDR's address is followed by
	// a slash): the emulator hands out random private and public IPs.
	// Loopback stays.
	{re: regexp.MustCompile(`\b\d{1,3}(\.\d{1,3}){3}\b(/\d+)?`), with: "<ip>", keep: func(m string) bool {
		return strings.Contains(m, "/") || m == "127.0.0.1"
	}},
	// Random upper-case ids with digits: Route 53 hosted zones, change ids.
	{re: regexp.MustCompile(`\b[0-9A-Z]{13,32}\b`), with: "<id>", keep: func(m string) bool {
		return !strings.ContainsAny(m, "0123456789") || strings.Trim(m, "0123456789") == ""
	}},
	// Hex suffixes of load balancer, listener and target group ARNs.
	{re: regexp.MustCompile(`\b(loadbalancer|listener|listener-rule|targetgroup)(/(?:app|net)?/?[\w-]+)((?:/[0-9a-f]{16})+)\b`), with: "$1$2/<id>"},
}

// Normalize replaces the values of a report that differ between two runs
// of the same change on an emulator (resource ids, account ids, random IP
// addresses, loopback ports, timestamps, UUIDs, temporary paths) with fixed
// placeholders, so the report can be compared with a reviewed golden file.
// It is meant for tests; a report for people is printed as it is.
func Normalize(s string) string {
	for _, n := range normalizers {
		if n.keep == nil {
			s = n.re.ReplaceAllString(s, n.with)
			continue
		}
		s = n.re.ReplaceAllStringFunc(s, func(m string) string {
			if n.keep(m) {
				return m
			}
			return n.re.ReplaceAllString(m, n.with)
		})
	}
	return s
}
