package planreport

import "regexp"

// normalizers replace what differs between two runs of the same plan on an
// emulator, in this order. Every replacement is a fixed placeholder, so
// lists whose order follows random ids (sets of subnet ids) come out the
// same too.
var normalizers = []struct {
	re   *regexp.Regexp
	with string
}{
	// Temporary folders (synth output, emulator work folders).
	{regexp.MustCompile(`(/tmp|/var/folders/[^\s"/]+/[^\s"/]+/T)/[^\s"'` + "`" + `)]*`), "<tmp>"},
	// Loopback endpoints: the emulator listens on a free port.
	{regexp.MustCompile(`\b(127\.0\.0\.1|localhost):\d+`), "$1:<port>"},
	// RFC 3339 timestamps.
	{regexp.MustCompile(`\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})`), "<time>"},
	// UUIDs (certificates, task definitions, request ids).
	{regexp.MustCompile(`\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b`), "<uuid>"},
	// Account ids in ARNs and bare.
	{regexp.MustCompile(`\b\d{12}\b`), "<account>"},
	// EC2-style resource ids: vpc-0a1b2c3d, subnet-..., sg-..., rtb-..., eipalloc-...
	{regexp.MustCompile(`\b(vpc|subnet|sg|sgr|rtb|rtbassoc|igw|nat|eipalloc|eipassoc|vpce|vpce-svc|acl|aclassoc|eni|fl|pl|dopt|i|ami|snap|vol|lt|tgw)-[0-9a-f]{8,17}\b`), "$1-<id>"},
	// Route 53 hosted zone ids (/hostedzone/Z0123..., zone_id "Z...").
	{regexp.MustCompile(`\b(hostedzone/)?Z?[0-9A-Z]{13,32}\b`), "$1<zone-id>"},
	// Load balancer and target group ARN suffixes: .../app/name/0123abcd...
	{regexp.MustCompile(`((?:loadbalancer/app|loadbalancer/net|listener/app|listener-rule/app|targetgroup)/[^/\s"]+(?:/[0-9a-f]{16})*)/[0-9a-f]{16}\b`), "$1/<id>"},
}

// Normalize replaces the values of a report that differ between two runs
// of the same change on an emulator (resource ids, account ids, loopback
// ports, timestamps, UUIDs, temporary paths) with fixed placeholders, so
// the report can be compared with a reviewed golden file. It is meant for
// tests; a report for people is printed as it is.
func Normalize(s string) string {
	for _, n := range normalizers {
		s = n.re.ReplaceAllString(s, n.with)
	}
	return s
}
