package config

import (
	"maps"
	"slices"
	"strings"

	"selfhost/awsrules"
	"selfhost/awsrules/netplan"
)

// validateDerivedNames checks the AWS names selfhost derives from project
// and name against AWS's rules, so no resource is refused at apply.
func validateDerivedNames(c *Config, bad func(field, format string, a ...any)) {
	p := c.ResourcePrefix()
	if err := awsrules.ALBName(p); err != nil {
		bad("name", "with project %q makes the load balancer name %q (%d characters); load balancer names are 1-%d of A-Z, a-z, 0-9 and '-', not starting with 'internal-': shorten project or name", c.Project, p, len(p), awsrules.MaxELBName)
	}
	for _, role := range []string{p + "-vpc-flow-logs"} {
		if err := awsrules.IAMRoleName(role); err != nil {
			bad("name", "makes the IAM role name %v", err)
		}
	}
	for _, lg := range []string{"/" + p + "/vpc-flow-logs"} {
		if err := awsrules.LogGroupName(lg); err != nil {
			bad("name", "makes the log group name %v", err)
		}
	}
	if err := awsrules.ECSName(p); err != nil {
		bad("name", "makes the ECS cluster name %v", err)
	}
	// The security groups' name_prefix is <prefix>-<role>- (alb, endpoints;
	// each service's is checked with it).
	if err := awsrules.SecurityGroupNamePrefix(p + "-"); err != nil {
		bad("project", "makes the security group name prefix %v: choose another project", err)
	}
}

// validateTags checks the environment's tags against AWS's tag rules,
// counting the tags selfhost adds to a resource itself.
func validateTags(c *Config, bad func(field, format string, a ...any)) {
	own := append(slices.Clone(DefaultTagKeys), ResourceTagKeys...)
	if len(c.Tags) > MaxUserTags {
		bad("tags", "%d tags given; at most %d: AWS allows %d tags per resource and selfhost sets %s on some", len(c.Tags), MaxUserTags, awsrules.MaxTagsPerResource, strings.Join(own, ", "))
	}
	lower := map[string]string{}
	for _, k := range slices.Sorted(maps.Keys(c.Tags)) {
		f := "tags." + k
		if err := awsrules.TagKey(k); err != nil {
			bad(f, "%v", err)
			continue
		}
		for _, o := range own {
			if strings.EqualFold(k, o) {
				bad(f, "is the %q tag selfhost sets itself (keys are compared without case: IAM treats %q and %q alike); choose another key", o, k, o)
			}
		}
		if prev, dup := lower[strings.ToLower(k)]; dup {
			bad(f, "differs from tags.%s only in case; IAM treats tag keys case-insensitively: give one of them", prev)
		}
		lower[strings.ToLower(k)] = k
		if err := awsrules.TagValue(c.Tags[k]); err != nil {
			bad(f, "%v", err)
		}
	}
}

// validateSubnetSizes checks that each tier's subnets hold what runs in
// them: the load balancer's nodes in the public tier, the tasks (twice over
// during a deployment) and the endpoint interfaces in the private tier.
func validateSubnetSizes(c *Config, bad func(field, format string, a ...any)) {
	vpc, err := awsrules.ParseIPv4CIDR(c.Network.VPCCIDR)
	if err != nil {
		return
	}
	l := c.Layout()
	pub := vpc.Bits() + l.NewBits[netplan.Public]
	if pub > awsrules.ALBMinSubnetPrefix {
		bad("network.subnets.public_newbits", "%d makes /%d public subnets; an Application Load Balancer needs at least a /%d with %d free addresses in each: want at most %d in a /%d VPC", l.NewBits[netplan.Public], pub, awsrules.ALBMinSubnetPrefix, awsrules.ALBMinFreeIPs, awsrules.ALBMinSubnetPrefix-vpc.Bits(), vpc.Bits())
	}
	azs := len(c.ServingAZs()) // the tasks run in these
	maxTasks := 0              // every service at autoscaling.max
	for _, s := range c.Services {
		if s == nil || s.Autoscaling.Max < 1 || s.Autoscaling.Max > MaxTasks {
			return // reported with the service
		}
		maxTasks += s.Autoscaling.Max
	}
	if azs == 0 || maxTasks == 0 {
		return
	}
	priv := vpc.Bits() + l.NewBits[netplan.Private]
	usable := 1<<(32-priv) - awsrules.SubnetReserved
	tasks := (maxTasks + azs - 1) / azs
	need := 2*tasks + len(c.Network.InterfaceEndpoints)
	if usable < need {
		bad("network.subnets.private_newbits", "%d makes /%d private subnets with %d usable addresses; each AZ needs %d: %d tasks with every service at autoscaling.max, twice during a deployment, and %d endpoint interfaces (lower the newbits, or the services' autoscaling.max)", l.NewBits[netplan.Private], priv, usable, need, tasks, len(c.Network.InterfaceEndpoints))
	}
}

// checkARN parses an ARN of the given service and checks its partition
// against the region; it reports through bad and returns false on a problem.
func checkARN(c *Config, field, value, service string, bad func(field, format string, a ...any)) (awsrules.ARN, bool) {
	a, ok := awsrules.ParseARN(value)
	if !ok || a.Service != service {
		return a, true // the shape checks report this
	}
	if awsrules.CheckRegion(c.Region) != nil {
		return a, false
	}
	if err := awsrules.InPartition(a, c.Region); err != nil {
		bad(field, "%q %v", value, err)
		return a, false
	}
	return a, true
}
