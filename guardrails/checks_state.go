package guardrails

// The state bucket rules: versioning, encryption, no public access.

import (
	"fmt"

	"selfhost/internal/tfdoc"
)

func stateVersioning(s *stack) []hit {
	return s.buckets(func(addr string, a map[string]any) string {
		for _, v := range tfdoc.Blocks(a["versioning"]) {
			if tfdoc.Truthy(v["enabled"]) {
				return ""
			}
		}
		for _, v := range s.bucketConfig(addr, "aws_s3_bucket_versioning") {
			for _, vc := range tfdoc.Blocks(v["versioning_configuration"]) {
				if tfdoc.Str(vc["status"]) == "Enabled" {
					return ""
				}
			}
		}
		return "the state bucket is not versioned"
	})
}

func stateEncryption(s *stack) []hit {
	ok := func(rules []map[string]any) bool {
		for _, r := range rules {
			for _, d := range tfdoc.Blocks(r["apply_server_side_encryption_by_default"]) {
				switch tfdoc.Str(d["sse_algorithm"]) {
				case "AES256", "aws:kms", "aws:kms:dsse":
					return true
				}
			}
		}
		return false
	}
	return s.buckets(func(addr string, a map[string]any) string {
		for _, c := range tfdoc.Blocks(a["server_side_encryption_configuration"]) {
			if ok(tfdoc.Blocks(c["rule"])) {
				return ""
			}
		}
		for _, c := range s.bucketConfig(addr, "aws_s3_bucket_server_side_encryption_configuration") {
			if ok(tfdoc.Blocks(c["rule"])) {
				return ""
			}
		}
		return "the state bucket has no default server-side encryption"
	})
}

var publicACLs = map[string]bool{"public-read": true, "public-read-write": true, "authenticated-read": true}

func statePublic(s *stack) []hit {
	return s.buckets(func(addr string, a map[string]any) string { return publicAccessProblem(s, addr, a) })
}

// publicAccessProblem says how the bucket at addr is public, or "".
func publicAccessProblem(s *stack, addr string, a map[string]any) string {
	if publicACLs[tfdoc.Str(a["acl"])] {
		return fmt.Sprintf("the bucket has the public ACL %q", tfdoc.Str(a["acl"]))
	}
	for _, acl := range s.bucketConfig(addr, "aws_s3_bucket_acl") {
		if publicACLs[tfdoc.Str(acl["acl"])] {
			return fmt.Sprintf("the bucket has the public ACL %q", tfdoc.Str(acl["acl"]))
		}
	}
	for _, b := range s.bucketConfig(addr, "aws_s3_bucket_public_access_block") {
		all := true
		for _, k := range []string{"block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"} {
			all = all && tfdoc.Truthy(b[k])
		}
		if all {
			return ""
		}
	}
	return "the bucket does not block all public access"
}

// stateCurrentExpiry: a lifecycle rule that expires current versions of the
// state bucket's objects deletes the state itself (noncurrent versions and
// expired delete markers may go).
func stateCurrentExpiry(s *stack) []hit {
	return s.buckets(func(addr string, a map[string]any) string {
		rules := tfdoc.Blocks(a["lifecycle_rule"])
		for _, lc := range s.bucketConfig(addr, "aws_s3_bucket_lifecycle_configuration") {
			rules = append(rules, tfdoc.Blocks(lc["rule"])...)
		}
		for _, r := range rules {
			if st := tfdoc.Str(r["status"]); st != "" && st != "Enabled" && !tfdoc.Truthy(r["enabled"]) {
				continue
			}
			for _, e := range tfdoc.Blocks(r["expiration"]) {
				if _, days := tfdoc.Num(e["days"]); days || tfdoc.Str(e["date"]) != "" {
					return fmt.Sprintf("lifecycle rule %q expires current objects (expiration %v): the state itself would be deleted", tfdoc.Str(r["id"]), e)
				}
			}
		}
		return ""
	})
}
