package awsrules

import (
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Region is what selfhost knows of one AWS region: its partition, the prefix
// of its AZ IDs and the AZ letters and AZ ID numbers an account can see there
// (AZ names map to physical zones per account; in a few regions an account
// sees only some of the letters, which the Terraform precondition on the
// configured AZs catches at plan).
// https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-regions.html
// https://docs.aws.amazon.com/ram/latest/userguide/working-with-az-ids.html
type Region struct {
	Partition string
	// IDPrefix starts the region's AZ IDs, e.g. use1 in use1-az1.
	IDPrefix string
	// Letters are the AZ name letters, e.g. "abcdef" for us-east-1a..f.
	Letters string
	// IDs is the highest AZ ID number, e.g. 6 for use1-az1..use1-az6.
	IDs int
}

// Regions are the AWS regions selfhost can deploy to.
var Regions = map[string]Region{
	"us-east-1":      {"aws", "use1", "abcdef", 6},
	"us-east-2":      {"aws", "use2", "abc", 3},
	"us-west-1":      {"aws", "usw1", "abc", 3},
	"us-west-2":      {"aws", "usw2", "abcd", 4},
	"ca-central-1":   {"aws", "cac1", "abd", 4},
	"ca-west-1":      {"aws", "caw1", "abc", 3},
	"mx-central-1":   {"aws", "mxc1", "abc", 3},
	"sa-east-1":      {"aws", "sae1", "abc", 3},
	"eu-west-1":      {"aws", "euw1", "abc", 3},
	"eu-west-2":      {"aws", "euw2", "abc", 3},
	"eu-west-3":      {"aws", "euw3", "abc", 3},
	"eu-central-1":   {"aws", "euc1", "abc", 3},
	"eu-central-2":   {"aws", "euc2", "abc", 3},
	"eu-north-1":     {"aws", "eun1", "abc", 3},
	"eu-south-1":     {"aws", "eus1", "abc", 3},
	"eu-south-2":     {"aws", "eus2", "abc", 3},
	"ap-east-1":      {"aws", "ape1", "abc", 3},
	"ap-east-2":      {"aws", "ape2", "abc", 3},
	"ap-south-1":     {"aws", "aps1", "abc", 3},
	"ap-south-2":     {"aws", "aps2", "abc", 3},
	"ap-northeast-1": {"aws", "apne1", "acd", 4},
	"ap-northeast-2": {"aws", "apne2", "abcd", 4},
	"ap-northeast-3": {"aws", "apne3", "abc", 3},
	"ap-southeast-1": {"aws", "apse1", "abc", 3},
	"ap-southeast-2": {"aws", "apse2", "abc", 3},
	"ap-southeast-3": {"aws", "apse3", "abc", 3},
	"ap-southeast-4": {"aws", "apse4", "abc", 3},
	"ap-southeast-5": {"aws", "apse5", "abc", 3},
	"ap-southeast-7": {"aws", "apse7", "abc", 3},
	"me-south-1":     {"aws", "mes1", "abc", 3},
	"me-central-1":   {"aws", "mec1", "abc", 3},
	"il-central-1":   {"aws", "ilc1", "abc", 3},
	"af-south-1":     {"aws", "afs1", "abc", 3},
	"us-gov-west-1":  {"aws-us-gov", "usgw1", "abc", 3},
	"us-gov-east-1":  {"aws-us-gov", "usge1", "abc", 3},
	"cn-north-1":     {"aws-cn", "cnn1", "abd", 3},
	"cn-northwest-1": {"aws-cn", "cnnw1", "abc", 3},
}

// RegionNames lists the regions, sorted.
func RegionNames() []string {
	names := make([]string, 0, len(Regions))
	for n := range Regions {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// CheckRegion checks that region exists.
func CheckRegion(region string) error {
	if _, ok := Regions[region]; !ok {
		return errf("%q is not an AWS region; want one of %s", region, strings.Join(RegionNames(), ", "))
	}
	return nil
}

var (
	reAZID      = regexp.MustCompile(`^([a-z]+[0-9])-az([0-9]+)$`)
	reLocalZone = regexp.MustCompile(`^[a-z]{2}(-gov)?-[a-z]+-[0-9]-[a-z0-9-]+$`)
)

// IsAZID reports whether s has the shape of an AZ ID, e.g. use1-az1.
func IsAZID(s string) bool { return reAZID.MatchString(s) }

// AZSlot returns the slot of an AZ in region, for the subnet plan: the
// letter's position for a name (us-east-1c: 2), the number less one for an
// ID (use1-az3: 2). It refuses zones of other regions, letters or numbers the
// region does not have, Local Zones and Wavelength Zones.
func AZSlot(region, az string) (int, error) {
	r, ok := Regions[region]
	if !ok {
		return 0, errf("%q: region %q is not an AWS region", az, region)
	}
	if m := reAZID.FindStringSubmatch(az); m != nil {
		n, err := strconv.Atoi(m[2])
		switch {
		case m[1] != r.IDPrefix:
			return 0, errf("%q is an AZ ID of another region; %s AZ IDs are %s-az1 to %s-az%d", az, region, r.IDPrefix, r.IDPrefix, r.IDs)
		case err != nil || n < 1 || n > r.IDs:
			return 0, errf("%q is not an AZ ID of %s; want %s-az1 to %s-az%d", az, region, r.IDPrefix, r.IDPrefix, r.IDs)
		}
		return n - 1, nil
	}
	if strings.HasPrefix(az, region+"-") && reLocalZone.MatchString(az) {
		return 0, errf("%q is a Local Zone or Wavelength Zone; want an availability zone of %s (%s)", az, region, strings.Join(AZNames(region), ", "))
	}
	if len(az) != len(region)+1 || !strings.HasPrefix(az, region) {
		return 0, errf("%q is not an availability zone of %s; want one of %s, or an AZ ID such as %s-az1", az, region, strings.Join(AZNames(region), ", "), r.IDPrefix)
	}
	i := strings.IndexByte(r.Letters, az[len(region)])
	if i < 0 {
		return 0, errf("%q is not an availability zone of %s; want one of %s", az, region, strings.Join(AZNames(region), ", "))
	}
	return int(az[len(region)] - 'a'), nil
}

// AZNames lists the AZ names of region.
func AZNames(region string) []string {
	r := Regions[region]
	names := make([]string, len(r.Letters))
	for i := range r.Letters {
		names[i] = region + r.Letters[i:i+1]
	}
	return names
}

// Partition is the ARN partition of region ("aws" when unknown).
func Partition(region string) string {
	if r, ok := Regions[region]; ok {
		return r.Partition
	}
	return "aws"
}
