package statebucket

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"selfhost/constructs/internal/testutil"
	"selfhost/internal/synth"
)

func TestMain(m *testing.M) { synth.TestMain(m) }

func build(t *testing.T, p Props) (string, testutil.Doc) {
	return testutil.Synth(t, func(st cdktf.TerraformStack) {
		if _, err := New(st, "state", p); err != nil {
			t.Fatal(err)
		}
	})
}

func TestStateBucketIsSafe(t *testing.T) {
	out, d := build(t, Props{Bucket: "my-state"})
	if !testutil.Has(out, "aws_s3_bucket", map[string]any{"bucket": "my-state", "force_destroy": false, "lifecycle": map[string]any{"prevent_destroy": true}}) {
		t.Error("bucket is not protected from destroy")
	}
	if !testutil.Has(out, "aws_s3_bucket_versioning", map[string]any{"versioning_configuration": map[string]any{"status": "Enabled"}}) {
		t.Error("bucket not versioned")
	}
	if !strings.Contains(out, `"sse_algorithm": "AES256"`) {
		t.Error("bucket not encrypted")
	}
	if !testutil.Has(out, "aws_s3_bucket_public_access_block", map[string]any{
		"block_public_acls": true, "block_public_policy": true, "ignore_public_acls": true, "restrict_public_buckets": true}) {
		t.Error("public access not blocked")
	}
	for _, p := range d.Of("aws_s3_bucket_policy") {
		pol := fmt.Sprint(p["policy"])
		if !strings.Contains(pol, `"Effect":"Deny"`) || !strings.Contains(pol, `"aws:SecureTransport":"false"`) {
			t.Errorf("policy does not deny non-TLS access: %s", pol)
		}
	}
	if d.Count("aws_s3_bucket_policy") != 1 || d.Count("aws_dynamodb_table") != 0 {
		t.Error("want one bucket policy and no lock table")
	}
}

func TestKMSAndLockTable(t *testing.T) {
	out, _ := build(t, Props{Bucket: "my-state", KMSKeyARN: "arn:aws:kms:us-east-1:123456789012:key/abc", LockTable: "locks"})
	if !strings.Contains(out, `"sse_algorithm": "aws:kms"`) || !strings.Contains(out, `"kms_master_key_id": "arn:aws:kms:us-east-1:123456789012:key/abc"`) {
		t.Error("SSE-KMS not configured")
	}
	if !testutil.Has(out, "aws_dynamodb_table", map[string]any{"name": "locks", "hash_key": "LockID", "deletion_protection_enabled": true,
		"lifecycle": map[string]any{"prevent_destroy": true}, "server_side_encryption": map[string]any{"enabled": true}}) {
		t.Error("lock table missing or unprotected")
	}
}
