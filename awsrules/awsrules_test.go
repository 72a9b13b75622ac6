package awsrules

import (
	"strings"
	"testing"
)

// Each rule accepts what AWS accepts and refuses what it refuses, at the
// edges its documentation gives.
func TestRules(t *testing.T) {
	rules := []struct {
		name     string
		check    func(string) error
		ok, nope []string
	}{
		{"S3BucketName", S3BucketName,
			[]string{"abc", strings.Repeat("a", 63), "my.bucket-1", "a-b.c"},
			[]string{"ab", strings.Repeat("a", 64), "Abc", "a_b", "-ab", "ab-", "a..b", "192.168.5.4", "xn--ab", "sthree-ab", "amzn-s3-demo-x", "ab-s3alias", "ab--ol-s3", "ab.mrap", "ab--x-s3", "ab--table-s3"}},
		{"ALBName", ALBName,
			[]string{"a", strings.Repeat("a", 32), "selfhost-prod"},
			[]string{"", strings.Repeat("a", 33), "-a", "a-", "a_b", "internal-a"}},
		{"TargetGroupNamePrefix", TargetGroupNamePrefix, []string{"app-", "a"}, []string{"", "-app", "toolong", "a_b"}},
		{"IAMRoleName", IAMRoleName, []string{"a", "a+=,.@_-", strings.Repeat("r", 64)}, []string{"", strings.Repeat("r", 65), "a b", "a/b"}},
		{"ECRRepositoryName", ECRRepositoryName, []string{"ab", "a/b", "a-b.c_d/e"}, []string{"a", "A", "a--b", "a-", "/a", "a//b"}},
		{"LogGroupName", LogGroupName, []string{"/a/b", "a#b.c_d-e"}, []string{"", "a b", "aws/x", strings.Repeat("l", 513)}},
		{"ECSName", ECSName, []string{"a-b_c"}, []string{"", "a.b", strings.Repeat("e", 256)}},
		{"DynamoDBTableName", DynamoDBTableName, []string{"abc", "a.b_c-d"}, []string{"ab", "a b"}},
		{"SecurityGroupName", SecurityGroupName, []string{"selfhost-alb"}, []string{"", "sg-x", "SG-x"}},
		{"SecurityGroupNamePrefix", SecurityGroupNamePrefix, []string{"selfhost-alb-", strings.Repeat("a", 229)}, []string{"", "sg-x", "SG-", strings.Repeat("a", 230)}},
		{"CheckRegion", CheckRegion, []string{"us-east-1", "eu-central-2", "us-gov-west-1"}, []string{"us-east-7", "mars-1", ""}},
		{"Matcher", Matcher, []string{"200", "200-299", "200,202", "200-204,301,499"}, []string{"", "ok", "199", "500", "200-500", "299-200", "2000", "200,"}},
		{"HealthCheckPath", HealthCheckPath, []string{"/", "/api/status", "/a-b_c.d~e"}, []string{"", "api", "/a b", "/a?b", "/a#b", "/ä", "/" + strings.Repeat("a", 1024)}},
		{"TagKey", TagKey, []string{"owner", "cost-center", "a:b/c=d+e@f", "Ünïcode key"}, []string{"", strings.Repeat("k", 129), "a#b", "aws:x", "AWS:x"}},
		{"TagValue", TagValue, []string{"", "v", strings.Repeat("v", 256)}, []string{strings.Repeat("v", 257), "a;b"}},
		{"ImageReference", ImageReference, []string{"registry.example.com/app:1", "123456789012.dkr.ecr.us-east-1.amazonaws.com/app@sha256:" + strings.Repeat("0", 64), "ghcr.io/a/b:c"},
			[]string{"nginx:1", "registry.example.com/app", "registry.example.com/App:1", "r.example.com/a :1", "r.example.com/a@sha256:00"}},
		{"AccountID", AccountID, []string{"123456789012"}, []string{"12345678901", "12345678901a"}},
	}
	for _, r := range rules {
		for _, v := range r.ok {
			if err := r.check(v); err != nil {
				t.Errorf("%s(%q) refused: %v", r.name, v, err)
			}
		}
		for _, v := range r.nope {
			if err := r.check(v); err == nil {
				t.Errorf("%s(%q) accepted", r.name, v)
			}
		}
	}
}

func TestCIDRs(t *testing.T) {
	for _, s := range []string{"10.0.0.0/16", "172.16.0.0/16", "100.64.0.0/16", "203.0.113.0/24"} {
		if _, err := VPCCIDR(s, 16, 24); err != nil {
			t.Errorf("VPCCIDR(%s): %v", s, err)
		}
	}
	for _, s := range []string{"169.254.0.0/16", "127.0.0.0/16", "224.0.0.0/16", "240.0.0.0/16", "0.0.0.0/16", "10.0.0.1/16", "::ffff:10.0.0.0/112", "10.0.0.0/8", "10.0.0.0/25", "x"} {
		if _, err := VPCCIDR(s, 16, 24); err == nil {
			t.Errorf("VPCCIDR(%s) accepted", s)
		}
	}
	if p, _ := VPCCIDR("203.0.113.0/24", 16, 24); Private(p) {
		t.Error("203.0.113.0/24 counted as private")
	}
	for _, s := range []string{"0.0.0.0/0", "203.0.113.0/24"} {
		if _, err := IngressIPv4(s); err != nil {
			t.Errorf("IngressIPv4(%s): %v", s, err)
		}
	}
	for _, s := range []string{"127.0.0.0/8", "169.254.0.0/16", "::ffff:1.2.3.4/128", "::/0", "1.2.3.4/8"} {
		if _, err := IngressIPv4(s); err == nil {
			t.Errorf("IngressIPv4(%s) accepted", s)
		}
	}
	if _, err := ParseIPv6CIDR("2001:db8::/32"); err != nil {
		t.Error(err)
	}
	for _, s := range []string{"2001:DB8::/32", "2001:db8::1/32", "10.0.0.0/8", "::ffff:1.2.3.4/128"} {
		if _, err := ParseIPv6CIDR(s); err == nil {
			t.Errorf("ParseIPv6CIDR(%s) accepted", s)
		}
	}
}

func TestAZSlots(t *testing.T) {
	for az, want := range map[string]int{"ap-northeast-1d": 3, "apne1-az4": 3, "us-west-2d": 3, "usw2-az1": 0} {
		region := "ap-northeast-1"
		if strings.HasPrefix(az, "us") {
			region = "us-west-2"
		}
		if got, err := AZSlot(region, az); err != nil || got != want {
			t.Errorf("AZSlot(%s, %s) = %d, %v; want %d", region, az, got, err, want)
		}
	}
	for _, az := range []string{"ap-northeast-1b", "apne1-az5", "us-east-1a", "ap-northeast-1-tpe-1a"} {
		if _, err := AZSlot("ap-northeast-1", az); err == nil {
			t.Errorf("AZSlot(ap-northeast-1, %s) accepted", az)
		}
	}
	for region, r := range Regions {
		if r.IDs < len(r.Letters) || r.Partition == "" || r.IDPrefix == "" {
			t.Errorf("region %s: %+v", region, r)
		}
	}
}

func TestARNs(t *testing.T) {
	a, ok := ParseARN("arn:aws-cn:acm:cn-north-1:123456789012:certificate/x")
	if !ok || a.Partition != "aws-cn" || a.Service != "acm" || a.Region != "cn-north-1" || a.Account != "123456789012" || a.Resource != "certificate/x" {
		t.Fatalf("ParseARN = %+v, %v", a, ok)
	}
	if InPartition(a, "cn-north-1") != nil || InPartition(a, "us-east-1") == nil {
		t.Error("InPartition")
	}
	if SameRegion(a, "cn-north-1", "") != nil || SameRegion(a, "cn-northwest-1", "") == nil {
		t.Error("SameRegion")
	}
	if AllowedAccount(a, nil, "") != nil || AllowedAccount(a, []string{"123456789012"}, "") != nil || AllowedAccount(a, []string{"210987654321"}, "") == nil {
		t.Error("AllowedAccount")
	}
	for _, s := range []string{"", "arn:aws", "arn::s3:::b", "nope:aws:s3:::b"} {
		if _, ok := ParseARN(s); ok {
			t.Errorf("ParseARN(%q) ok", s)
		}
	}
}
