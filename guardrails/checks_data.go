package guardrails

// The data rules: the database is private, encrypted, protected and in the
// database subnets; application buckets are private and TLS-only.

import (
	"encoding/json"
	"fmt"
	"regexp"

	"selfhost/internal/tfdoc"
)

var (
	dbClusterTypes  = []string{"aws_rds_cluster"}
	dbInstanceTypes = []string{"aws_rds_cluster_instance", "aws_db_instance"}
	// reRemoteSubnetGroup: a DB subnet group of another stack, through the
	// output cdktf writes for a cross-stack reference to it.
	reRemoteSubnetGroup = regexp.MustCompile(`^\$\{data\.terraform_remote_state\.[^.}]+\.outputs\.cross-stack-output-aws_db_subnet_group[^}]*\}$`)
)

func dbPublic(s *stack) []hit {
	var hits []hit
	s.res.Each(func(addr string, a map[string]any) {
		if tfdoc.Truthy(a["publicly_accessible"]) {
			hits = append(hits, hit{addr, "the DB instance is publicly accessible"})
		}
	}, dbInstanceTypes...)
	return hits
}

func dbEncrypted(s *stack) []hit {
	var hits []hit
	s.res.Each(func(addr string, a map[string]any) {
		if !tfdoc.Truthy(a["storage_encrypted"]) {
			hits = append(hits, hit{addr, "the database's storage is not encrypted (storage_encrypted is not true)"})
		}
	}, append([]string{"aws_db_instance"}, dbClusterTypes...)...)
	return hits
}

func dbDeletionProtection(s *stack) []hit {
	var hits []hit
	s.res.Each(func(addr string, a map[string]any) {
		if !tfdoc.Truthy(a["deletion_protection"]) {
			hits = append(hits, hit{addr, "the database has no deletion protection"})
		}
	}, append([]string{"aws_db_instance"}, dbClusterTypes...)...)
	return hits
}

// dbSubnets: a cluster or instance names a DB subnet group (without one,
// RDS uses the default VPC's), which is one of this stack's, or another
// stack's through a cross-stack reference; every DB subnet group holds
// database-tier subnets only.
func dbSubnets(s *stack) []hit {
	var hits []hit
	s.res.Each(func(addr string, a map[string]any) {
		g := a["db_subnet_group_name"]
		switch {
		case tfdoc.Str(g) == "":
			hits = append(hits, hit{addr, "no db_subnet_group_name: RDS places it in the default VPC's subnets"})
		case tfdoc.RefType(g, "aws_db_subnet_group"), reRemoteSubnetGroup.MatchString(tfdoc.Str(g)):
		default:
			hits = append(hits, hit{addr, fmt.Sprintf("db_subnet_group_name %q is not the network's DB subnet group of the database subnets", tfdoc.Str(g))})
		}
	}, append(dbClusterTypes, dbInstanceTypes...)...)
	s.res.Each(func(addr string, a map[string]any) {
		for _, id := range tfdoc.Strs(a["subnet_ids"]) {
			sub := tfdoc.Ref(id)
			if sub == "" || s.res.Get(sub) == nil {
				hits = append(hits, hit{addr, fmt.Sprintf("the DB subnet group holds %s, not a subnet of this VPC's plan", id)})
			} else if t := s.tier(sub); t != "database" {
				hits = append(hits, hit{addr, fmt.Sprintf("the DB subnet group holds %s of the %q tier, want database subnets only", sub, t)})
			}
		}
	}, "aws_db_subnet_group")
	return hits
}

// appBuckets calls f for the buckets outside <env>-state (whose own rules
// are state-*).
func (s *stack) appBuckets(f func(addr string, a map[string]any) string) []hit {
	if s.isStateStack() {
		return nil
	}
	var hits []hit
	s.res.Each(func(addr string, a map[string]any) {
		if msg := f(addr, a); msg != "" {
			hits = append(hits, hit{addr, msg})
		}
	}, "aws_s3_bucket")
	return hits
}

func bucketPublicAccess(s *stack) []hit {
	return s.appBuckets(func(addr string, a map[string]any) string { return publicAccessProblem(s, addr, a) })
}

// bucketTLSOnly: every bucket (the state bucket too) has a policy denying
// requests with aws:SecureTransport false.
func bucketTLSOnly(s *stack) []hit {
	var hits []hit
	s.res.Each(func(addr string, a map[string]any) {
		for _, p := range s.bucketConfig(addr, "aws_s3_bucket_policy") {
			if deniesInsecureTransport(tfdoc.Str(p["policy"])) {
				return
			}
		}
		hits = append(hits, hit{addr, "no bucket policy denies requests without TLS (aws:SecureTransport false)"})
	}, "aws_s3_bucket")
	return hits
}

func deniesInsecureTransport(policy string) bool {
	var doc struct {
		Statement []struct {
			Effect    string
			Condition map[string]map[string]any
		}
	}
	if json.Unmarshal([]byte(policy), &doc) != nil {
		return false
	}
	for _, st := range doc.Statement {
		if st.Effect == "Deny" && fmt.Sprint(st.Condition["Bool"]["aws:SecureTransport"]) == "false" {
			return true
		}
	}
	return false
}
