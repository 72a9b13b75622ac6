package config

import (
	"fmt"
	"slices"
)

// ResourcePrefix starts the names of the environment's AWS resources (ALB,
// target group, IAM roles, log groups, cluster, security groups):
// <project>-<name>.
func (c *Config) ResourcePrefix() string { return c.Project + "-" + c.Name }

// collisions finds names that two environments of one folder would derive
// alike; each collision is a problem of both files. S3 bucket names are
// global; the other names collide within an account (and region), so two
// environments pinned to disjoint aws.allowed_account_ids never collide.
func collisions(cfgs []*Config) []Problem {
	var probs []Problem
	for i, a := range cfgs {
		for _, b := range cfgs[i+1:] {
			both := func(field, what, va, vb string, global bool) {
				if va == "" || va != vb || (!global && disjointAccounts(a, b)) {
					return
				}
				probs = append(probs,
					Problem{File: a.File, Field: field, Msg: fmt.Sprintf("%q is also the %s of %s; each environment needs its own", va, what, b.File)},
					Problem{File: b.File, Field: field, Msg: fmt.Sprintf("%q is also the %s of %s; each environment needs its own", vb, what, a.File)})
			}
			both("state.bucket", "state bucket", a.State.Bucket, b.State.Bucket, true)
			both("state.dynamodb_table", "lock table", a.State.DynamoDBTable, b.State.DynamoDBTable, false)
			for _, sa := range a.ServiceNames() {
				for _, sb := range b.ServiceNames() {
					ra, rb := a.Services[sa].Image.Repository, b.Services[sb].Image.Repository
					if ra == rb && !disjointAccounts(a, b) {
						probs = append(probs,
							Problem{File: a.File, Field: "services." + sa + ".image.repository", Msg: fmt.Sprintf("%q is also the ECR repository of services.%s of %s; each environment needs its own", ra, sb, b.File)},
							Problem{File: b.File, Field: "services." + sb + ".image.repository", Msg: fmt.Sprintf("%q is also the ECR repository of services.%s of %s; each environment needs its own", rb, sa, a.File)})
					}
				}
			}
			both("dns.domain", "domain (the services' host records)", a.DNS.Domain, b.DNS.Domain, false)
			if a.ResourcePrefix() == b.ResourcePrefix() && !disjointAccounts(a, b) {
				msg := func(o *Config) string {
					return fmt.Sprintf("project %q and name %q make the resource prefix %q, as %s does (load balancer, IAM roles, log groups); change project or name", o.Project, o.Name, o.ResourcePrefix(), other(o, a, b).File)
				}
				probs = append(probs, Problem{File: a.File, Field: "project", Msg: msg(a)}, Problem{File: b.File, Field: "project", Msg: msg(b)})
			}
		}
	}
	return probs
}

func other(o, a, b *Config) *Config {
	if o == a {
		return b
	}
	return a
}

// disjointAccounts reports whether both environments are pinned to accounts
// and no account is shared.
func disjointAccounts(a, b *Config) bool {
	if len(a.AWS.AllowedAccountIDs) == 0 || len(b.AWS.AllowedAccountIDs) == 0 {
		return false
	}
	for _, id := range a.AWS.AllowedAccountIDs {
		if slices.Contains(b.AWS.AllowedAccountIDs, id) {
			return false
		}
	}
	return true
}
