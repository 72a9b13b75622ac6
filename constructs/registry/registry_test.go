package registry

import (
	"reflect"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"selfhost/constructs/internal/testutil"
	_ "selfhost/internal/golden"
	"selfhost/internal/synth"
)

func TestMain(m *testing.M) { synth.TestMain(m) }

func props() Props {
	return Props{Name: "selfhost-test/app", ScanOnPush: true, TagMutability: Immutable, Encryption: EncryptionAES256, UntaggedExpiryDays: 7}
}

// One synth holds two repositories: the default (AES256, immutable) and a
// KMS, mutable one.
func TestRepositories(t *testing.T) {
	kms := props()
	kms.Name, kms.TagMutability, kms.Encryption, kms.ScanOnPush = "other", Mutable, EncryptionKMS, false
	kms.KMSKeyARN = "arn:aws:kms:us-east-1:123456789012:key/abcd"
	_, d := testutil.Synth(t, func(st cdktf.TerraformStack) {
		for id, p := range map[string]Props{"default": props(), "kms": kms} {
			if _, err := New(st, id, p); err != nil {
				t.Fatal(err)
			}
		}
	})

	def := testutil.Find(t, d, "aws_ecr_repository", "default_")
	if def["name"] != "selfhost-test/app" || def["image_tag_mutability"] != "IMMUTABLE" || def["force_delete"] != false {
		t.Errorf("default repository: %v", def)
	}
	if !reflect.DeepEqual(def["image_scanning_configuration"], map[string]any{"scan_on_push": true}) {
		t.Errorf("scan on push: %v", def["image_scanning_configuration"])
	}
	if !reflect.DeepEqual(def["encryption_configuration"], []any{map[string]any{"encryption_type": "AES256"}}) {
		t.Errorf("default encryption: %v", def["encryption_configuration"])
	}
	k := testutil.Find(t, d, "aws_ecr_repository", "kms_")
	if !reflect.DeepEqual(k["image_scanning_configuration"], map[string]any{"scan_on_push": false}) {
		t.Errorf("scan on push off: %v", k["image_scanning_configuration"])
	}
	if k["image_tag_mutability"] != "MUTABLE" ||
		!reflect.DeepEqual(k["encryption_configuration"], []any{map[string]any{"encryption_type": "KMS", "kms_key": kms.KMSKeyARN}}) {
		t.Errorf("KMS repository: %v", k)
	}

	lp := testutil.Find(t, d, "aws_ecr_lifecycle_policy", "default_")
	if !strings.Contains(lp["repository"].(string), "aws_ecr_repository.default_repository") {
		t.Errorf("lifecycle policy of %v", lp["repository"])
	}
	want := map[string]any{"rules": []any{
		map[string]any{
			"rulePriority": 1.0, "description": "Expire untagged images 7 days after push; tagged images are never expired",
			"selection": map[string]any{"tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days", "countNumber": 7.0},
			"action":    map[string]any{"type": "expire"},
		},
	}}
	if got := testutil.JSON(t, lp["policy"]); !reflect.DeepEqual(got, want) {
		t.Errorf("lifecycle policy\n got %v\nwant %v", got, want)
	}
}

func TestRejectsBadProps(t *testing.T) {
	for _, tc := range []struct {
		edit func(*Props)
		want string
	}{
		{func(p *Props) { p.Name = "Upper/Case" }, `registry: Name "Upper/Case" is not allowed; ECR repository names`},
		{func(p *Props) { p.Name = "a//b" }, `registry: Name "a//b" is not`},
		{func(p *Props) { p.TagMutability = "" }, `registry: TagMutability "" is not allowed; want IMMUTABLE or MUTABLE`},
		{func(p *Props) { p.Encryption = "aws:kms" }, `registry: Encryption "aws:kms" is not allowed; want AES256 or KMS`},
		{func(p *Props) { p.KMSKeyARN = "arn:aws:kms:us-east-1:123456789012:key/x" }, "registry: KMSKeyARN is set but Encryption is AES256"},
		{func(p *Props) { p.Encryption, p.KMSKeyARN = EncryptionKMS, "key-id" }, `registry: KMSKeyARN "key-id" is not a KMS key or alias ARN`},
		{func(p *Props) { p.UntaggedExpiryDays = 0 }, "registry: UntaggedExpiryDays 0 is out of range; want 1 to 3650"},
	} {
		p := props()
		tc.edit(&p)
		if err := p.Validate(); err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("got %v, want %q", err, tc.want)
		}
		if _, err := New(nil, "repo", p); err == nil { // validation comes before any resource
			t.Errorf("New accepted %+v", p)
		}
	}
	if err := props().Validate(); err != nil {
		t.Error(err)
	}
}
