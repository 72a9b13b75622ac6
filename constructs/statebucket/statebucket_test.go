package statebucket

import (
	"fmt"
	"reflect"
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
	out, d := build(t, Props{Bucket: "my-state", NoncurrentVersionRetentionDays: 45})
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
	out, _ := build(t, Props{Bucket: "my-state", NoncurrentVersionRetentionDays: 45, KMSKeyARN: "arn:aws:kms:us-east-1:123456789012:key/abc", LockTable: "locks"})
	if !strings.Contains(out, `"sse_algorithm": "aws:kms"`) || !strings.Contains(out, `"kms_master_key_id": "arn:aws:kms:us-east-1:123456789012:key/abc"`) {
		t.Error("SSE-KMS not configured")
	}
	if !testutil.Has(out, "aws_dynamodb_table", map[string]any{"name": "locks", "hash_key": "LockID", "deletion_protection_enabled": true,
		"lifecycle": map[string]any{"prevent_destroy": true}, "server_side_encryption": map[string]any{"enabled": true}}) {
		t.Error("lock table missing or unprotected")
	}
}

// The policy denies TLS below 1.2 (s3:TlsVersion), besides plain HTTP.
func TestStateBucketDeniesOldTLS(t *testing.T) {
	_, d := build(t, Props{Bucket: "my-state", NoncurrentVersionRetentionDays: 45})
	pol := testutil.JSON(t, testutil.One(t, d, "aws_s3_bucket_policy")["policy"]).(map[string]any)
	var arn string
	for id := range d.Of("aws_s3_bucket") {
		arn = "${aws_s3_bucket." + id + ".arn}"
	}
	want := map[string]any{"Sid": "DenyOldTLS", "Effect": "Deny", "Principal": "*", "Action": []any{"s3:*"},
		"Resource":  []any{arn, arn + "/*"},
		"Condition": map[string]any{"NumericLessThan": map[string]any{"s3:TlsVersion": 1.2}}}
	for _, st := range pol["Statement"].([]any) {
		if reflect.DeepEqual(st, want) {
			return
		}
	}
	t.Errorf("no statement %v in %v", want, pol)
}

// Lock files and state writes leave noncurrent versions and delete markers:
// one rule over the whole bucket expires noncurrent versions after the
// retention and removes expired delete markers, and nothing expires a
// current version (no expiration days or date).
func TestStateBucketLifecycle(t *testing.T) {
	_, d := build(t, Props{Bucket: "my-state", NoncurrentVersionRetentionDays: 45})
	lc := testutil.One(t, d, "aws_s3_bucket_lifecycle_configuration")
	rules := lc["rule"].([]any)
	if len(rules) != 1 {
		t.Fatalf("%d rules, want 1", len(rules))
	}
	want := map[string]any{
		"id": "state-history", "status": "Enabled",
		"filter":                            []any{map[string]any{"prefix": ""}},
		"noncurrent_version_expiration":     []any{map[string]any{"noncurrent_days": 45.0}},
		"expiration":                        []any{map[string]any{"expired_object_delete_marker": true}},
		"abort_incomplete_multipart_upload": []any{map[string]any{"days_after_initiation": 7.0}},
	}
	if !reflect.DeepEqual(rules[0], want) {
		t.Errorf("lifecycle rule\n got %v\nwant %v", rules[0], want)
	}
	if deps := fmt.Sprint(lc["depends_on"]); !strings.Contains(deps, "aws_s3_bucket_versioning.") {
		t.Errorf("lifecycle does not wait for versioning: %s", deps)
	}
	testutil.Synth(t, func(st cdktf.TerraformStack) {
		if _, err := New(st, "bad", Props{Bucket: "b"}); err == nil {
			t.Error("no retention accepted")
		}
	})
}
