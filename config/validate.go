package config

import (
	"fmt"
	"maps"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"selfhost/awsrules"
	"selfhost/awsrules/netplan"
)

// Limits of the configuration, used by validation and quoted in its messages.
const (
	MinVPCPrefix = 16
	MaxVPCPrefix = 24
	MaxAZs       = 6
	// MinAZs holds outside production too: the load balancer needs subnets
	// in at least two AZs.
	MinAZs = 2
	// MinProdAZs is the production minimum (the net-min-azs guardrail).
	MinProdAZs = MinAZs
)

var (
	// reName: AWS names built from project and name (ECR repositories
	// above all) refuse a trailing '-' and '--'.
	reName      = regexp.MustCompile(`^[a-z](-?[a-z0-9])*$`)
	reKeyPrefix = awsrules.S3KeyPrefix
	reKMSARN    = awsrules.KMSKeyOrAliasARN
)

// RetentionDays are the values CloudWatch Logs accepts for retention.
var RetentionDays = awsrules.RetentionDays

// DefaultTagKeys are the tags selfhost puts on every resource (provider
// default_tags); ResourceTagKeys those it puts on some resources itself.
var (
	DefaultTagKeys  = []string{"environment", "project", "managed-by"}
	ResourceTagKeys = []string{"Name", "tier"}
)

// AllTags are the provider's default tags: selfhost's (DefaultTagKeys) and
// the environment's.
func (c *Config) AllTags() map[string]string {
	tags := map[string]string{"environment": c.Name, "project": c.Project, "managed-by": "selfhost"}
	maps.Copy(tags, c.Tags)
	return tags
}

// MaxUserTags is how many tags an environment may add: AWS's limit per
// resource less the ones selfhost puts on a resource itself.
var MaxUserTags = awsrules.MaxTagsPerResource - len(DefaultTagKeys) - len(ResourceTagKeys)

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
	case !reName.MatchString(c.Name) || len(c.Name) > 20:
		bad("name", "%q is not allowed; want 1-20 of a-z, 0-9 and single '-', starting with a letter and not ending with '-'", c.Name)
	case c.Name != base:
		bad("name", "%q differs from the file name %q; they must match", c.Name, filepath.Base(c.File))
	}
	projectOK := reName.MatchString(c.Project) && len(c.Project) <= 20
	if !projectOK {
		bad("project", "%q is not allowed; want 1-20 of a-z, 0-9 and single '-', starting with a letter and not ending with '-'", c.Project)
	}
	if projectOK && reName.MatchString(c.Name) && len(c.Name) <= 20 {
		validateDerivedNames(c, bad)
	}
	regionOK := true
	switch {
	case c.Region == "":
		bad("region", "is required; want an AWS region such as us-east-1")
		regionOK = false
	case awsrules.CheckRegion(c.Region) != nil:
		bad("region", "%v", awsrules.CheckRegion(c.Region))
		regionOK = false
	}
	validateTags(c, bad)

	// Availability zones.
	az := c.AvailabilityZones
	azNote := "a load balancer needs subnets in at least two AZs"
	var azIdx []int
	if az.Count != nil && len(az.Names) > 0 {
		bad("availability_zones", "give count or names, not both")
	} else if az.Count != nil {
		have := MaxAZs
		if regionOK {
			have = min(MaxAZs, len(awsrules.AZNames(c.Region)))
		}
		switch {
		case *az.Count < MinAZs || *az.Count > MaxAZs:
			bad("availability_zones.count", "%d is out of range; want %d to %d (%s)", *az.Count, MinAZs, MaxAZs, azNote)
		case *az.Count > have:
			bad("availability_zones.count", "%d is more than the %d availability zones of %s (%s)", *az.Count, have, c.Region, strings.Join(awsrules.AZNames(c.Region), ", "))
		}
	} else {
		if n := len(az.Names); n < MinAZs || n > MaxAZs {
			bad("availability_zones.names", "%d zones given; want %d to %d (%s)", n, MinAZs, MaxAZs, azNote)
		}
	}
	seen := map[string]bool{}
	ids := 0
	azsOK := true
	for i, n := range az.Names {
		f := fmt.Sprintf("availability_zones.names[%d]", i)
		if awsrules.IsAZID(n) {
			ids++
		}
		if seen[n] {
			bad(f, "%q is listed twice; each AZ once", n)
			azsOK = false
			continue
		}
		seen[n] = true
		if regionOK {
			if _, err := awsrules.AZSlot(c.Region, n); err != nil {
				bad(f, "%v", err)
				azsOK = false
			}
		}
	}
	if ids > 0 && ids < len(az.Names) {
		bad("availability_zones.names", "mixes AZ names and AZ IDs; give names (us-east-1a) or IDs (use1-az1), not both (a name and an ID may be the same zone)")
		azsOK = false
	}
	seenRetiring := map[string]bool{}
	for i, n := range az.Retiring {
		f := fmt.Sprintf("availability_zones.retiring[%d]", i)
		switch {
		case seenRetiring[n]:
			bad(f, "%q is listed twice; each AZ once", n)
		case !slices.Contains(c.AZNames(), n):
			bad(f, "%q is not one of the environment's AZs (%s); a retiring AZ is one of them until its removal", n, strings.Join(c.AZNames(), ", "))
		}
		seenRetiring[n] = true
	}
	if len(az.Retiring) > 0 && len(c.ServingAZs()) < MinAZs {
		bad("availability_zones.retiring", "leaves %d AZs that are not retiring; want at least %d (%s): add an AZ first, then retire", len(c.ServingAZs()), MinAZs, azNote)
	}
	if regionOK && azsOK {
		for _, n := range c.AZNames() {
			i, _ := awsrules.AZSlot(c.Region, n)
			azIdx = append(azIdx, i)
		}
	}

	// Network.
	nw := c.Network
	vpcOK := false
	if p, err := awsrules.VPCCIDR(nw.VPCCIDR, MinVPCPrefix, MaxVPCPrefix); err != nil {
		bad("network.vpc_cidr", "%v", err)
	} else {
		vpcOK = true
		switch {
		case p.Overlaps(awsrules.DockerBridge):
			warn("network.vpc_cidr", "%q overlaps 172.17.0.0/16, which some AWS services (SageMaker, Cloud9, Docker bridges) use themselves; prefer 10.0.0.0/8", nw.VPCCIDR)
		case !awsrules.Private(p):
			warn("network.vpc_cidr", "%q is public address space: hosts at those addresses on the internet become unreachable from the VPC; prefer 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16", nw.VPCCIDR)
		}
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
		short, full := strings.CutPrefix(e, "com.amazonaws.")
		switch {
		case full:
			if _, rest, ok := strings.Cut(short, "."); ok {
				short = rest
			}
			bad(f, "%q is the full service name; give the short name %q (selfhost adds com.amazonaws.<region>.)", e, short)
		case e == "s3" || e == "dynamodb":
			bad(f, "%q is reached through a gateway endpoint (s3 is built in); remove it from interface_endpoints", e)
		case !slices.Contains(awsrules.InterfaceEndpointServices, e):
			bad(f, "%q is not an AWS service with an interface endpoint; want one of %s", e, strings.Join(awsrules.InterfaceEndpointServices, ", "))
		case eps[e]:
			bad(f, "%q is listed twice", e)
		}
		eps[e] = true
	}
	if n := len(nw.InterfaceEndpoints); n > awsrules.MaxInterfaceEndpointsPerVPC {
		bad("network.interface_endpoints", "%d endpoints given; a VPC holds at most %d interface endpoints (the default quota)", n, awsrules.MaxInterfaceEndpointsPerVPC)
	}
	if nats := len(c.AZNames()); nw.NAT == NATOnePerAZ && nats > awsrules.DefaultEIPQuota {
		warn("network.nat", "one NAT gateway per AZ takes %d Elastic IPs; the default quota is %d per region: raise it before the first apply", nats, awsrules.DefaultEIPQuota)
	}
	if nw.NAT == NATNone {
		var missing []string
		for _, e := range awsrules.NATFreeEndpoints {
			if !eps[e] {
				missing = append(missing, e)
			}
		}
		readsSecrets := false
		c.Each(func(s *Service) { readsSecrets = readsSecrets || len(s.Secrets) > 0 || s.Database })
		if readsSecrets && !eps["secretsmanager"] && !eps["ssm"] {
			missing = append(missing, "secretsmanager (or ssm)")
		}
		if len(missing) > 0 {
			bad("network.interface_endpoints", "lacks %s, which tasks need with nat: none (no route out) to pull images from ECR, ship logs and read secrets; add them or use a NAT", strings.Join(missing, ", "))
		}
	}
	if !slices.Contains(RetentionDays, nw.FlowLogRetentionDays) {
		bad("network.flow_log_retention_days", "%d is not a CloudWatch retention; want one of %s", nw.FlowLogRetentionDays, awsrules.JoinInts(RetentionDays))
	}
	sn := nw.Subnets
	if sn.AZSlots != 2 && sn.AZSlots != 4 && sn.AZSlots != 8 {
		bad("network.subnets.az_slots", "%d is not allowed; want 2, 4 or 8", sn.AZSlots)
	} else if vpcOK {
		for i, idx := range azIdx {
			if idx >= sn.AZSlots {
				what := "zone letter"
				if awsrules.IsAZID(c.AZNames()[i]) {
					what = "AZ ID number"
				}
				bad("availability_zones", "%s is %s %d but the subnet plan has only %d AZ slots; raise network.subnets.az_slots", c.AZNames()[i], what, idx+1, sn.AZSlots)
			}
		}
		nbOK := true
		vp, _ := awsrules.ParseIPv4CIDR(nw.VPCCIDR)
		for _, t := range netplan.Tiers {
			if nb := c.Layout().NewBits[t]; nb < 1 || nb > netplan.MaxSubnetPrefix-vp.Bits() {
				bad("network.subnets."+string(t)+"_newbits", "%d is out of range in a /%d VPC: AWS subnets are /%d at the smallest, so want 1 to %d", nb, vp.Bits(), netplan.MaxSubnetPrefix, netplan.MaxSubnetPrefix-vp.Bits())
				nbOK = false
			}
		}
		if nbOK {
			if _, err := netplan.Compute(nw.VPCCIDR, c.Layout(), []int{}); err != nil {
				bad("network.subnets", "the subnet plan does not fit %s: %v", nw.VPCCIDR, err)
			} else {
				validateSubnetSizes(c, bad)
			}
		}
	}

	// State backend.
	st := c.State
	if st.Bucket == "" {
		bad("state.bucket", "is required; want a globally unique S3 bucket name, e.g. %s-%s-tfstate-<account-id>", c.Project, c.Name)
	} else if err := awsrules.S3BucketName(st.Bucket); err != nil {
		bad("state.bucket", "%v", err)
	} else if strings.Contains(st.Bucket, ".") && !c.AWS.SkipChecks {
		warn("state.bucket", "%q has a '.': virtual-hosted HTTPS requests to it fail the certificate check (AWS advises against periods); prefer '-'", st.Bucket)
	}
	if !reKeyPrefix.MatchString(st.KeyPrefix) || len(st.KeyPrefix) > 900 {
		bad("state.key_prefix", "%q is not allowed; want path segments of letters, digits and !_.*'()- separated by '/', no leading or trailing '/' (at most 900 characters)", st.KeyPrefix)
	}
	switch st.Locking {
	case LockFile:
		if st.DynamoDBTable != "" {
			bad("state.dynamodb_table", "is set but state.locking is %q; set locking: dynamodb or remove the table", LockFile)
		}
	case LockDynamoDB:
		if err := awsrules.DynamoDBTableName(st.DynamoDBTable); err != nil {
			bad("state.dynamodb_table", "%v (required with locking: dynamodb)", err)
		}
	default:
		bad("state.locking", "%q is not a locking mode; want %s or %s", st.Locking, LockFile, LockDynamoDB)
	}
	if st.KMSKeyARN != "" {
		if !reKMSARN.MatchString(st.KMSKeyARN) {
			bad("state.kms_key_arn", "%q is not a KMS key or alias ARN (arn:aws:kms:<region>:<account>:key/<id>)", st.KMSKeyARN)
		} else if regionOK {
			a, _ := awsrules.ParseARN(st.KMSKeyARN)
			if err := awsrules.InPartition(a, c.Region); err != nil {
				bad("state.kms_key_arn", "%q %v", st.KMSKeyARN, err)
			} else if err := awsrules.SameRegion(a, c.Region, "S3 encrypts a bucket only with a KMS key of the bucket's own region"); err != nil {
				bad("state.kms_key_arn", "%q %v", st.KMSKeyARN, err)
			}
		}
	}
	if st.BootstrapBackend != BootstrapLocal && st.BootstrapBackend != BootstrapS3 {
		bad("state.bootstrap_backend", "%q is not allowed; want %s (first apply) or %s (after migrating)", st.BootstrapBackend, BootstrapLocal, BootstrapS3)
	}
	if n := st.NoncurrentVersionRetentionDays; n < MinNoncurrentRetentionDays || n > MaxNoncurrentRetentionDays {
		bad("state.noncurrent_version_retention_days", "%d is out of range; want %d to %d days (how long replaced state versions stay recoverable)", n, MinNoncurrentRetentionDays, MaxNoncurrentRetentionDays)
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
		if u, err := url.Parse(a.Endpoint); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.User != nil {
			bad("aws.endpoint", "%q is not an http(s) URL such as http://127.0.0.1:5000", a.Endpoint)
		}
	}
	if a.SkipChecks && c.Production {
		bad("aws.skip_checks", "is true but this is a production environment; skipping credential checks is for emulators")
	}
	if a.MaxRetries < 0 || a.MaxRetries > 100 {
		bad("aws.max_retries", "%d is out of range; want 0 to 100", a.MaxRetries)
	}
	accounts := map[string]bool{}
	for i, id := range a.AllowedAccountIDs {
		f := fmt.Sprintf("aws.allowed_account_ids[%d]", i)
		if err := awsrules.AccountID(id); err != nil {
			bad(f, "%v", err)
		} else if accounts[id] {
			bad(f, "%q is listed twice", id)
		}
		accounts[id] = true
	}
	validateService(c, bad, warn)
	validateData(c, bad, warn)
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
