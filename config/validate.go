package config

import (
	"fmt"
	"net"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"

	"selfhost/awsrules/netplan"
)

// Limits of the configuration, used by validation and quoted in its messages.
const (
	MinVPCPrefix = 16
	MaxVPCPrefix = 24
	MaxAZs       = 6
	MinProdAZs   = 2
	MinAZs       = 1
)

var (
	reName      = regexp.MustCompile(`^[a-z][a-z0-9-]{0,19}$`)
	reRegion    = regexp.MustCompile(`^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]$`)
	reEndpoint  = regexp.MustCompile(`^[a-z0-9-]+(\.[a-z0-9-]+)*$`)
	reBucket    = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)
	reTable     = regexp.MustCompile(`^[A-Za-z0-9_.-]{3,255}$`)
	reKeyPrefix = regexp.MustCompile(`^[A-Za-z0-9!_.*'()-]+(/[A-Za-z0-9!_.*'()-]+)*$`)
	reAccount   = regexp.MustCompile(`^[0-9]{12}$`)
	reKMSARN    = regexp.MustCompile(`^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:(key|alias)/.+$`)
)

// RetentionDays are the values CloudWatch Logs accepts for retention.
var RetentionDays = []int{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}

// validate checks a decoded, defaulted environment and returns every problem.
// Warnings go to c.Warnings.
func validate(c *Config) []Problem {
	var probs []Problem
	bad := func(field, format string, a ...any) {
		probs = append(probs, Problem{File: c.File, Field: field, Msg: fmt.Sprintf(format, a...)})
	}
	warn := func(field, format string, a ...any) {
		c.Warnings = append(c.Warnings, fmt.Sprintf("%s: %s: %s", c.File, field, fmt.Sprintf(format, a...)))
	}

	// Identity.
	base := strings.TrimSuffix(filepath.Base(c.File), filepath.Ext(c.File))
	switch {
	case c.Name == "":
		bad("name", "is required; use the file's base name %q", base)
	case !reName.MatchString(c.Name):
		bad("name", "%q is not allowed; want 1-20 of a-z, 0-9 and '-', starting with a letter", c.Name)
	case c.Name != base:
		bad("name", "%q differs from the file name %q; they must match", c.Name, filepath.Base(c.File))
	}
	if !reName.MatchString(c.Project) {
		bad("project", "%q is not allowed; want 1-20 of a-z, 0-9 and '-', starting with a letter", c.Project)
	}
	regionOK := true
	switch {
	case c.Region == "":
		bad("region", "is required; want an AWS region such as us-east-1")
		regionOK = false
	case !reRegion.MatchString(c.Region):
		bad("region", "%q is not an AWS region name; want e.g. us-east-1, eu-west-2", c.Region)
		regionOK = false
	}
	tagKeys := make([]string, 0, len(c.Tags))
	for k := range c.Tags {
		tagKeys = append(tagKeys, k)
	}
	sort.Strings(tagKeys)
	for _, k := range tagKeys {
		v := c.Tags[k]
		switch {
		case k == "" || len(k) > 128:
			bad("tags."+k, "tag keys must be 1-128 characters")
		case strings.HasPrefix(strings.ToLower(k), "aws:"):
			bad("tags."+k, "tag keys may not start with \"aws:\" (reserved by AWS)")
		case k == "environment" || k == "project" || k == "managed-by":
			bad("tags."+k, "is set by selfhost itself; choose another key")
		}
		if len(v) > 256 {
			bad("tags."+k, "tag values must be at most 256 characters")
		}
	}

	// Availability zones.
	az := c.AvailabilityZones
	minAZ := MinAZs
	if c.Production {
		minAZ = MinProdAZs
	}
	var azIdx []int
	if az.Count != nil && len(az.Names) > 0 {
		bad("availability_zones", "give count or names, not both")
	} else if az.Count != nil {
		if *az.Count < minAZ || *az.Count > MaxAZs {
			bad("availability_zones.count", "%d is out of range; want %d to %d%s", *az.Count, minAZ, MaxAZs, prodNote(c.Production, "at least 2 in production for HA"))
		}
	} else {
		if n := len(az.Names); n < minAZ || n > MaxAZs {
			bad("availability_zones.names", "%d zones given; want %d to %d%s", n, minAZ, MaxAZs, prodNote(c.Production, "at least 2 in production for HA"))
		}
	}
	seen := map[string]bool{}
	for i, n := range az.Names {
		f := fmt.Sprintf("availability_zones.names[%d]", i)
		if seen[n] {
			bad(f, "%q is listed twice; each AZ once", n)
			continue
		}
		seen[n] = true
		if regionOK {
			if _, err := netplan.AZIndex(c.Region, n); err != nil {
				bad(f, "%v", err)
			}
		}
	}
	if regionOK && len(probs) == 0 {
		for _, n := range c.AZNames() {
			i, _ := netplan.AZIndex(c.Region, n)
			azIdx = append(azIdx, i)
		}
	}

	// Network.
	nw := c.Network
	vpcOK := false
	if ip, ipnet, err := net.ParseCIDR(nw.VPCCIDR); err != nil || ip.To4() == nil {
		bad("network.vpc_cidr", "%q is not an IPv4 CIDR; want e.g. 10.0.0.0/16 (prefix /%d to /%d)", nw.VPCCIDR, MinVPCPrefix, MaxVPCPrefix)
	} else if ones, _ := ipnet.Mask.Size(); ones < MinVPCPrefix || ones > MaxVPCPrefix {
		bad("network.vpc_cidr", "%q has prefix /%d; AWS VPCs must be /%d to /%d", nw.VPCCIDR, ones, MinVPCPrefix, MaxVPCPrefix)
	} else if !ip.Equal(ipnet.IP) {
		bad("network.vpc_cidr", "%q has host bits set; did you mean %s?", nw.VPCCIDR, ipnet.String())
	} else {
		vpcOK = true
	}
	switch nw.NAT {
	case NATOnePerAZ:
	case NATSingle, NATNone:
		if c.Production {
			bad("network.nat", "%q is not allowed in production; want %q (one NAT gateway per AZ)", nw.NAT, NATOnePerAZ)
		} else if nw.NAT == NATSingle {
			warn("network.nat", "%q routes every AZ through one NAT gateway: an AZ outage cuts egress for all, and cross-AZ traffic costs extra", nw.NAT)
		}
	default:
		bad("network.nat", "%q is not a NAT strategy; want one of %s, %s, %s", nw.NAT, NATOnePerAZ, NATSingle, NATNone)
	}
	eps := map[string]bool{}
	for i, e := range nw.InterfaceEndpoints {
		f := fmt.Sprintf("network.interface_endpoints[%d]", i)
		switch {
		case !reEndpoint.MatchString(e):
			bad(f, "%q is not an AWS service endpoint name; want e.g. ecr.api, logs, sts", e)
		case e == "s3" || e == "dynamodb":
			bad(f, "%q is reached through a gateway endpoint (s3 is built in); remove it from interface_endpoints", e)
		case eps[e]:
			bad(f, "%q is listed twice", e)
		}
		eps[e] = true
	}
	if !slices.Contains(RetentionDays, nw.FlowLogRetentionDays) {
		bad("network.flow_log_retention_days", "%d is not a CloudWatch retention; want one of %s", nw.FlowLogRetentionDays, joinInts(RetentionDays))
	}
	sn := nw.Subnets
	if sn.AZSlots != 2 && sn.AZSlots != 4 && sn.AZSlots != 8 {
		bad("network.subnets.az_slots", "%d is not allowed; want 2, 4 or 8", sn.AZSlots)
	} else if vpcOK && len(azIdx) > 0 {
		for i, idx := range azIdx {
			if idx >= sn.AZSlots {
				bad("availability_zones", "%s is zone letter %d but the subnet plan has only %d AZ slots (a-%c); raise network.subnets.az_slots", c.AZNames()[i], idx+1, sn.AZSlots, 'a'+sn.AZSlots-1)
			}
		}
		if _, err := netplan.Compute(nw.VPCCIDR, c.Layout(), []int{}); err != nil {
			bad("network.subnets", "the subnet plan does not fit %s: %v", nw.VPCCIDR, err)
		}
	}

	// State backend.
	st := c.State
	switch {
	case st.Bucket == "":
		bad("state.bucket", "is required; want a globally unique S3 bucket name, e.g. %s-%s-tfstate-<account-id>", c.Project, c.Name)
	case !reBucket.MatchString(st.Bucket) || strings.Contains(st.Bucket, "..") || net.ParseIP(st.Bucket) != nil:
		bad("state.bucket", "%q is not a valid S3 bucket name; want 3-63 of a-z, 0-9, '.', '-', starting and ending with a letter or digit", st.Bucket)
	}
	if !reKeyPrefix.MatchString(st.KeyPrefix) {
		bad("state.key_prefix", "%q is not allowed; want path segments of letters, digits and !_.*'()- separated by '/', no leading or trailing '/'", st.KeyPrefix)
	}
	switch st.Locking {
	case LockFile:
		if st.DynamoDBTable != "" {
			bad("state.dynamodb_table", "is set but state.locking is %q; set locking: dynamodb or remove the table", LockFile)
		}
	case LockDynamoDB:
		if !reTable.MatchString(st.DynamoDBTable) {
			bad("state.dynamodb_table", "%q is not a DynamoDB table name; want 3-255 of A-Z, a-z, 0-9, '_', '-', '.' (required with locking: dynamodb)", st.DynamoDBTable)
		}
	default:
		bad("state.locking", "%q is not a locking mode; want %s or %s", st.Locking, LockFile, LockDynamoDB)
	}
	if st.KMSKeyARN != "" && !reKMSARN.MatchString(st.KMSKeyARN) {
		bad("state.kms_key_arn", "%q is not a KMS key or alias ARN", st.KMSKeyARN)
	}
	if st.BootstrapBackend != BootstrapLocal && st.BootstrapBackend != BootstrapS3 {
		bad("state.bootstrap_backend", "%q is not allowed; want %s (first apply) or %s (after migrating)", st.BootstrapBackend, BootstrapLocal, BootstrapS3)
	}
	if d := st.BootstrapStateDir; d == "" || filepath.IsAbs(d) || strings.HasPrefix(filepath.Clean(d), "..") || strings.HasPrefix(filepath.Clean(d), "cdktf.out") {
		bad("state.bootstrap_state_dir", "%q is not allowed; want a folder relative to the project root, inside it and outside cdktf.out", d)
	}

	// Provider.
	a := c.AWS
	if a.Endpoint != "" {
		if c.Production {
			bad("aws.endpoint", "is set but this is a production environment; endpoints are for emulators (set production: false)")
		}
		if u, err := url.Parse(a.Endpoint); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") {
			bad("aws.endpoint", "%q is not an http(s) URL such as http://127.0.0.1:5000", a.Endpoint)
		}
	}
	if a.SkipChecks && c.Production {
		bad("aws.skip_checks", "is true but this is a production environment; skipping credential checks is for emulators")
	}
	if a.MaxRetries < 0 || a.MaxRetries > 100 {
		bad("aws.max_retries", "%d is out of range; want 0 to 100", a.MaxRetries)
	}
	for i, id := range a.AllowedAccountIDs {
		if !reAccount.MatchString(id) {
			bad(fmt.Sprintf("aws.allowed_account_ids[%d]", i), "%q is not a 12-digit AWS account id", id)
		}
	}
	validateService(c, bad, warn)
	validateGuardrails(c, bad)
	return probs
}

// Layout is the subnet plan layout of the environment.
func (c *Config) Layout() netplan.Layout {
	s := c.Network.Subnets
	return netplan.Layout{Slots: s.AZSlots, NewBits: map[netplan.Tier]int{
		netplan.Private: s.PrivateNewBits, netplan.Public: s.PublicNewBits, netplan.Database: s.DatabaseNewBits,
	}}
}

func prodNote(prod bool, note string) string {
	if prod {
		return " (" + note + ")"
	}
	return ""
}

func joinInts(xs []int) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = fmt.Sprint(x)
	}
	return strings.Join(s, ", ")
}
