package bucket

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"selfhost/constructs/internal/testutil"
	"selfhost/internal/synth"
)

func TestMain(m *testing.M) { synth.TestMain(m) }

func build(t *testing.T, p Props) testutil.Doc {
	t.Helper()
	_, d := testutil.Synth(t, func(st cdktf.TerraformStack) {
		if _, err := New(st, "uploads", p); err != nil {
			t.Fatal(err)
		}
	})
	return d
}

func TestBucketIsPrivateVersionedEncryptedTLSOnly(t *testing.T) {
	d := build(t, Props{Name: "selfhost-prod-uploads", PreventDestroy: true})
	b := testutil.One(t, d, "aws_s3_bucket")
	if b["bucket"] != "selfhost-prod-uploads" || b["force_destroy"] != false || b["lifecycle"].(map[string]any)["prevent_destroy"] != true {
		t.Errorf("bucket %v", b)
	}
	if v := testutil.One(t, d, "aws_s3_bucket_versioning"); v["versioning_configuration"].(map[string]any)["status"] != "Enabled" {
		t.Error("not versioned")
	}
	enc, _ := json.Marshal(testutil.One(t, d, "aws_s3_bucket_server_side_encryption_configuration")["rule"])
	if !strings.Contains(string(enc), `"sse_algorithm":"AES256"`) {
		t.Errorf("encryption %s", enc)
	}
	pab := testutil.One(t, d, "aws_s3_bucket_public_access_block")
	for _, k := range []string{"block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"} {
		if pab[k] != true {
			t.Errorf("public access block %s = %v", k, pab[k])
		}
	}
	if o := testutil.One(t, d, "aws_s3_bucket_ownership_controls"); o["rule"].(map[string]any)["object_ownership"] != "BucketOwnerEnforced" {
		t.Error("ACLs not disabled")
	}
	pol := testutil.One(t, d, "aws_s3_bucket_policy")["policy"].(string)
	for _, s := range []string{`"aws:SecureTransport":"false"`, `"s3:TlsVersion":1.2`, `"Effect":"Deny"`} {
		if !strings.Contains(pol, s) {
			t.Errorf("policy lacks %s: %s", s, pol)
		}
	}
}

func TestKMSAndNoPreventDestroy(t *testing.T) {
	d := build(t, Props{Name: "selfhost-local-uploads", KMSKeyARN: "arn:aws:kms:us-east-1:123456789012:key/abc"})
	b := testutil.One(t, d, "aws_s3_bucket")
	if _, ok := b["lifecycle"]; ok || b["force_destroy"] != false {
		t.Errorf("bucket %v", b)
	}
	enc, _ := json.Marshal(testutil.One(t, d, "aws_s3_bucket_server_side_encryption_configuration")["rule"])
	if !strings.Contains(string(enc), `"kms_master_key_id":"arn:aws:kms:us-east-1:123456789012:key/abc"`) || !strings.Contains(string(enc), `"bucket_key_enabled":true`) {
		t.Errorf("encryption %s", enc)
	}
}

func TestNameRefused(t *testing.T) {
	_, _ = testutil.Synth(t, func(st cdktf.TerraformStack) {
		if _, err := New(st, "bad", Props{Name: "Bad_Name"}); err == nil || !strings.Contains(err.Error(), "bucket: Name") {
			t.Errorf("error %v", err)
		}
	})
}
