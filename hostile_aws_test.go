package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"selfhost/awsrules"
)

// with replaces the first old in base by new.
func with(old, new string) []byte { return []byte(strings.Replace(base, old, new, 1)) }

// bucket is base with another state bucket.
func bucket(b string) []byte { return with("state: {bucket: b-prod}", "state: {bucket: "+b+"}") }

func manyTags(n int) []byte {
	var b strings.Builder
	b.WriteString(base + "tags:\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "  k%02d: v\n", i)
	}
	return []byte(b.String())
}

func ingress(n int) []byte {
	var b strings.Builder
	b.WriteString(base + "load_balancer:\n  ingress_cidrs:\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "    - 198.51.%d.0/24\n", i)
	}
	return []byte(b.String())
}

func endpoints(n int) []byte {
	var b strings.Builder
	b.WriteString(base + "network:\n  interface_endpoints:\n")
	for _, e := range awsrules.InterfaceEndpointServices[:n] {
		fmt.Fprintf(&b, "    - %s\n", e)
	}
	return []byte(b.String())
}

func policies(n int) []byte {
	var b strings.Builder
	b.WriteString(base + "    task_role_policy_arns:\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "    - arn:aws:iam::aws:policy/P%02d\n", i)
	}
	return []byte(b.String())
}

// files writes name -> content into the environments folder.
func files(m map[string]string) func(t *testing.T, envs string) {
	return func(t *testing.T, envs string) {
		for n, c := range m {
			if err := os.WriteFile(filepath.Join(envs, n), []byte(c), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// env is base for another environment name.
func envNamed(n, extra string) string {
	return strings.Replace(strings.Replace(base, "name: prod", "name: "+n, 1), "b-prod", "b-"+n, 1) + extra
}

const acct = "123456789012"

// awsHostiles are values AWS would refuse (or that cannot work), which only
// the configuration can stop before a long apply fails; and folders that
// cannot be read as environments.
var awsHostiles = []hostile{
	// Aurora (CreateDBCluster; "Aurora Serverless v2 capacity"; "Amazon Aurora PostgreSQL releases").
	{"database engine", "prod.yaml", []byte(base + "database: {engine: aurora-oracle}\n"), problems(`{f}: database.engine: "aurora-oracle" is not an Aurora engine; want aurora-postgresql or aurora-mysql`)},
	{"database PostgreSQL 12", "prod.yaml", []byte(base + "database: {engine_version: '12.4'}\n"), problems(`{f}: database.engine_version: "12.4" has major version 12; Aurora PostgreSQL majors in standard support are 13, 14, 15, 16, 17`)},
	{"database MySQL 5.7", "prod.yaml", []byte(base + "database: {engine: aurora-mysql, engine_version: '5.7.mysql_aurora.2.11.2'}\n"), problems(`{f}: database.engine_version: "5.7.mysql_aurora.2.11.2" is not an Aurora MySQL version 3 release; want 8.0.mysql_aurora.3.<minor>.<patch>, e.g. 8.0.mysql_aurora.3.08.0`)},
	{"database instance class", "prod.yaml", []byte(base + "database: {instance_class: r6g.large}\n"), problems(`{f}: database.instance_class: "r6g.large" is not a DB instance class; want db.<family>.<size> such as db.r6g.large, or db.serverless`)},
	{"database serverless quarter ACU", "prod.yaml", []byte(base + "database: {serverless: {min_capacity: 0.25, max_capacity: 4}}\n"), problems("{f}: database.serverless.min_capacity: min_capacity 0.25 is not allowed; want 0 to 256 ACUs in steps of 0.5 (Aurora Serverless v2)")},
	{"database serverless min above max", "prod.yaml", []byte(base + "database: {serverless: {min_capacity: 8, max_capacity: 4}}\n"), problems("{f}: database.serverless.min_capacity: min_capacity 8 is above max_capacity 4 (Aurora Serverless v2)")},
	{"database serverless 300 ACUs", "prod.yaml", []byte(base + "database: {serverless: {min_capacity: 0.5, max_capacity: 300}}\n"), problems("{f}: database.serverless.max_capacity: max_capacity 300 is not allowed; want 1 to 256 ACUs in steps of 0.5 (Aurora Serverless v2)")},
	{"database serverless with a provisioned class", "prod.yaml", []byte(base + "database: {serverless: {min_capacity: 0.5, max_capacity: 4}, instance_class: db.r6g.large}\n"), problems(`{f}: database.instance_class: "db.r6g.large" with a serverless capacity range; want db.serverless (or remove database.serverless)`)},
	{"database db.serverless without capacity", "prod.yaml", []byte(base + "database: {instance_class: db.serverless}\n"), problems("{f}: database.serverless: is required with instance_class db.serverless; give min_capacity and max_capacity")},
	{"database capacity is text", "prod.yaml", []byte(base + "database: {serverless: {max_capacity: four}}\n"), problems(`{f}: database.serverless.max_capacity: must be a number, not the string "four"`)},
	{"database no reader in production", "prod.yaml", []byte(base + "database: {readers: 0}\n"), problems("{f}: database.readers: 0 is out of range; want 1 to 15 (production: a reader in another AZ to fail over to)")},
	{"database name", "prod.yaml", []byte(base + "database: {database_name: 1app}\n"), problems(`{f}: database.database_name: "1app" is not a database name; want 1-63 letters, digits and '_', starting with a letter`)},
	{"database reserved master user", "prod.yaml", []byte(base + "database: {master_username: rdsadmin}\n"), problems(`{f}: database.master_username: "rdsadmin" is reserved by RDS or the engine; choose another master user name`)},
	{"database 3 days of backups in production", "prod.yaml", []byte(base + "database: {backup_retention_days: 3}\n"), problems("{f}: database.backup_retention_days: 3 is out of range; want 7 to 35 days (production: at least a week)")},
	{"database deletion protection off in production", "prod.yaml", []byte(base + "database: {deletion_protection: false}\n"), problems("{f}: database.deletion_protection: is false in a production environment; want true (turn it off only for a deliberate teardown, with production: false)")},
	{"database no final snapshot in production", "prod.yaml", []byte(base + "database: {skip_final_snapshot: true}\n"), problems("{f}: database.skip_final_snapshot: is true in a production environment; deleting the cluster must leave a final snapshot (allowed only with production: false)")},
	{"database key of another region", "prod.yaml", []byte(base + "database: {kms_key_arn: 'arn:aws:kms:us-west-2:123456789012:key/abc'}\n"), problems(`{f}: database.kms_key_arn: "arn:aws:kms:us-west-2:123456789012:key/abc" is in region "us-west-2", not us-east-1; RDS encrypts a cluster only with a KMS key of its own region`)},
	{"database secret key alias", "prod.yaml", []byte(base + "database: {master_user_secret_kms_key_id: 'alias/db'}\n"), problems(`{f}: database.master_user_secret_kms_key_id: "alias/db" is not a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)`)},
	{"database password in config", "prod.yaml", []byte(base + "database: {master_password: hunter2}\n"), problems("{f}: database.master_password: unknown field; allowed: engine, engine_version, instance_class, readers, serverless, database_name, master_username, backup_retention_days, deletion_protection, skip_final_snapshot, kms_key_arn, master_user_secret_kms_key_id")},
	{"service uses a missing database", "prod.yaml", []byte(base + "    database: true\n"), problems("{f}: services.api.database: is true but the environment has no database; add a database: section or remove services.api.database")},
	{"service sets DB_HOST itself", "prod.yaml", []byte("database: {}\n" + base + "    database: true\n    environment: {DB_HOST: db.example.com}\n"), problems("{f}: services.api.environment.DB_HOST: is set by selfhost for services.api.database; choose another name")},
	// Application buckets: <project>-<name>-<bucket> must be an S3 bucket name.
	{"bucket short name upper case", "prod.yaml", []byte(base + "buckets: [Uploads]\n"), problems(`{f}: buckets[0]: "Uploads" is not allowed; want a short name of a-z, 0-9 and single '-' (the bucket is named selfhost-prod-<name>)`)},
	{"bucket listed twice", "prod.yaml", []byte(base + "buckets: [uploads, uploads]\n"), problems(`{f}: buckets[1]: "uploads" is listed twice`)},
	{"bucket name too long", "prod.yaml", []byte(base + "buckets: [" + strings.Repeat("abcdefghij", 6) + "]\n"), problems(`{f}: buckets[0]: the bucket name "selfhost-prod-` + strings.Repeat("abcdefghij", 6) + `" is 74 characters; S3 bucket names are 3-63 of a-z, 0-9, '.' and '-', start and end with a letter or digit, and are not an IP address`)},
	{"bucket reserved suffix", "prod.yaml", []byte(base + "buckets: [s3alias]\n"), problems(`{f}: buckets[0]: the bucket name "selfhost-prod-s3alias" ends with "-s3alias", which S3 reserves; choose another name`)},
	{"service uses an unknown bucket", "prod.yaml", []byte("buckets: [uploads]\n" + base + "    buckets: [checkpoints]\n"), problems(`{f}: services.api.buckets[0]: "checkpoints" is not one of the environment's buckets (uploads); add it to buckets`)},
	// S3 bucket names (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html).
	{"bucket upper case", "prod.yaml", bucket("B-prod"), problems("{f}: state.bucket: \"B-prod\" has characters S3 refuses (upper case, '_', spaces, ...); S3 bucket names are 3-63 of a-z, 0-9, '.' and '-', start and end with a letter or digit, and are not an IP address")},
	{"bucket xn-- prefix", "prod.yaml", bucket("xn--prod-state"), problems("{f}: state.bucket: \"xn--prod-state\" starts with \"xn--\", which S3 reserves; choose another name")},
	{"bucket sthree- prefix", "prod.yaml", bucket("sthree-prod"), problems("{f}: state.bucket: \"sthree-prod\" starts with \"sthree-\", which S3 reserves; choose another name")},
	{"bucket amzn-s3-demo- prefix", "prod.yaml", bucket("amzn-s3-demo-prod"), problems("{f}: state.bucket: \"amzn-s3-demo-prod\" starts with \"amzn-s3-demo-\", which S3 reserves; choose another name")},
	{"bucket -s3alias suffix", "prod.yaml", bucket("prod-s3alias"), problems("{f}: state.bucket: \"prod-s3alias\" ends with \"-s3alias\", which S3 reserves; choose another name")},
	{"bucket --ol-s3 suffix", "prod.yaml", bucket("prod--ol-s3"), problems("{f}: state.bucket: \"prod--ol-s3\" ends with \"--ol-s3\", which S3 reserves; choose another name")},
	{"bucket .mrap suffix", "prod.yaml", bucket("prod.mrap"), problems("{f}: state.bucket: \"prod.mrap\" ends with \".mrap\", which S3 reserves; choose another name")},
	{"bucket --x-s3 suffix", "prod.yaml", bucket("prod--x-s3"), problems("{f}: state.bucket: \"prod--x-s3\" ends with \"--x-s3\", which S3 reserves; choose another name")},
	{"bucket IP address", "prod.yaml", bucket("192.168.5.4"), problems("{f}: state.bucket: \"192.168.5.4\" is formatted as an IP address; S3 bucket names are 3-63 of a-z, 0-9, '.' and '-', start and end with a letter or digit, and are not an IP address")},
	{"bucket adjacent periods", "prod.yaml", bucket("prod..state"), problems("{f}: state.bucket: \"prod..state\" has two adjacent periods; S3 bucket names are 3-63 of a-z, 0-9, '.' and '-', start and end with a letter or digit, and are not an IP address")},
	{"bucket 64 characters", "prod.yaml", bucket(strings.Repeat("b", 64)), problems("{f}: state.bucket: \"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\" is 64 characters; S3 bucket names are 3-63 of a-z, 0-9, '.' and '-', start and end with a letter or digit, and are not an IP address")},
	{"bucket ends with hyphen", "prod.yaml", bucket("prod-state-"), problems("{f}: state.bucket: \"prod-state-\" does not start and end with a letter or digit; S3 bucket names are 3-63 of a-z, 0-9, '.' and '-', start and end with a letter or digit, and are not an IP address")},
	{"access logs bucket with a period", "prod.yaml", []byte(base + "load_balancer: {access_logs_bucket: logs.example.com}\n"), problems("{f}: load_balancer.access_logs_bucket: \"logs.example.com\" has a '.'; ELB access logs need a bucket name without periods (virtual-host TLS)")},
	{"access logs bucket --table-s3", "prod.yaml", []byte(base + "load_balancer: {access_logs_bucket: logs--table-s3}\n"), problems("{f}: load_balancer.access_logs_bucket: \"logs--table-s3\" ends with \"--table-s3\", which S3 reserves; choose another name")},
	// Names selfhost derives.
	{"load balancer name too long", "production-eu-west.yaml", []byte(strings.Replace(base, "name: prod", "name: production-eu-west\nproject: selfhost-platform-x", 1)), problems("{f}: name: with project \"selfhost-platform-x\" makes the load balancer name \"selfhost-platform-x-production-eu-west\" (38 characters); load balancer names are 1-32 of A-Z, a-z, 0-9 and '-', not starting with 'internal-': shorten project or name")},
	{"load balancer name internal-", "prod.yaml", []byte(base + "project: internal\n"), problems("{f}: name: with project \"internal\" makes the load balancer name \"internal-prod\" (13 characters); load balancer names are 1-32 of A-Z, a-z, 0-9 and '-', not starting with 'internal-': shorten project or name")},
	{"name ends with hyphen", "prod-.yaml", with("name: prod", "name: prod-"), problems("{f}: name: \"prod-\" is not allowed; want 1-20 of a-z, 0-9 and single '-', starting with a letter and not ending with '-'", "{f}: services.api.image.repository: \"selfhost-prod--api\" is not allowed; ECR repository names are 2-256 characters: segments of a-z and 0-9 joined by '.', '_' or '-', separated by '/'")},
	{"name with double hyphen", "a--b.yaml", with("name: prod", "name: a--b"), problems("{f}: name: \"a--b\" is not allowed; want 1-20 of a-z, 0-9 and single '-', starting with a letter and not ending with '-'", "{f}: services.api.image.repository: \"selfhost-a--b-api\" is not allowed; ECR repository names are 2-256 characters: segments of a-z and 0-9 joined by '.', '_' or '-', separated by '/'")},
	{"repository upper case", "prod.yaml", with(zeros64+"\"}", zeros64+"\", repository: My_Repo}"), problems("{f}: services.api.image.repository: \"My_Repo\" is not allowed; ECR repository names are 2-256 characters: segments of a-z and 0-9 joined by '.', '_' or '-', separated by '/'")},
	// Tags (https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html).
	{"tag key character", "prod.yaml", []byte(base + "tags: {\"owner!\": x}\n"), problems("{f}: tags.owner!: the key has characters AWS refuses in tags; want letters, digits, spaces and _ . : / = + - @")},
	{"tag value character", "prod.yaml", []byte(base + "tags: {owner: \"a#b\"}\n"), problems("{f}: tags.owner: the value \"a#b\" has characters AWS refuses in tags; want letters, digits, spaces and _ . : / = + - @")},
	{"tag key aws: prefix", "prod.yaml", []byte(base + "tags: {\"AWS:team\": x}\n"), problems("{f}: tags.AWS:team: tag keys may not start with \"aws:\" (reserved by AWS)")},
	{"tag value too long", "prod.yaml", []byte(base + "tags: {owner: " + strings.Repeat("v", 257) + "}\n"), problems("{f}: tags.owner: tag values must be at most 256 characters (this one has 257)")},
	{"tag duplicates selfhost's case-insensitively", "prod.yaml", []byte(base + "tags: {Environment: prod}\n"), problems("{f}: tags.Environment: is the \"environment\" tag selfhost sets itself (keys are compared without case: IAM treats \"Environment\" and \"environment\" alike); choose another key")},
	{"tag Name", "prod.yaml", []byte(base + "tags: {name: x}\n"), problems("{f}: tags.name: is the \"Name\" tag selfhost sets itself (keys are compared without case: IAM treats \"name\" and \"Name\" alike); choose another key")},
	{"tags differing in case", "prod.yaml", []byte(base + "tags: {Owner: a, owner: b}\n"), problems("{f}: tags.owner: differs from tags.Owner only in case; IAM treats tag keys case-insensitively: give one of them")},
	{"too many tags", "prod.yaml", manyTags(46), problems("{f}: tags: 46 tags given; at most 45: AWS allows 50 tags per resource and selfhost sets environment, project, managed-by, Name, tier on some")},
	// Regions and AZs.
	{"region that does not exist", "prod.yaml", with("region: us-east-1", "region: us-central-1"), problems("{f}: region: \"us-central-1\" is not an AWS region; want one of af-south-1, ap-east-1, ap-east-2, ap-northeast-1, ap-northeast-2, ap-northeast-3, ap-south-1, ap-south-2, ap-southeast-1, ap-southeast-2, ap-southeast-3, ap-southeast-4, ap-southeast-5, ap-southeast-7, ca-central-1, ca-west-1, cn-north-1, cn-northwest-1, eu-central-1, eu-central-2, eu-north-1, eu-south-1, eu-south-2, eu-west-1, eu-west-2, eu-west-3, il-central-1, me-central-1, me-south-1, mx-central-1, sa-east-1, us-east-1, us-east-2, us-gov-east-1, us-gov-west-1, us-west-1, us-west-2")},
	{"AZ letter the region lacks", "prod.yaml", []byte(base + "availability_zones: {names: [us-east-1a, us-east-1g]}\n"), problems("{f}: availability_zones.names[1]: \"us-east-1g\" is not an availability zone of us-east-1; want one of us-east-1a, us-east-1b, us-east-1c, us-east-1d, us-east-1e, us-east-1f")},
	{"AZ letter b in ap-northeast-1", "prod.yaml", []byte(strings.Replace(base, "region: us-east-1", "region: ap-northeast-1", 1) + "availability_zones: {names: [ap-northeast-1a, ap-northeast-1b]}\n"), problems("{f}: availability_zones.names[1]: \"ap-northeast-1b\" is not an availability zone of ap-northeast-1; want one of ap-northeast-1a, ap-northeast-1c, ap-northeast-1d")},
	{"more AZs than the region has", "prod.yaml", []byte(strings.Replace(base, "region: us-east-1", "region: us-east-2", 1) + "availability_zones: {count: 4}\n"), problems("{f}: availability_zones.count: 4 is more than the 3 availability zones of us-east-2 (us-east-2a, us-east-2b, us-east-2c)")},
	{"AZ ID of another region", "prod.yaml", []byte(base + "availability_zones: {names: [use2-az1, use2-az2]}\n"), problems("{f}: availability_zones.names[0]: \"use2-az1\" is an AZ ID of another region; us-east-1 AZ IDs are use1-az1 to use1-az6", "{f}: availability_zones.names[1]: \"use2-az2\" is an AZ ID of another region; us-east-1 AZ IDs are use1-az1 to use1-az6")},
	{"AZ ID the region lacks", "prod.yaml", []byte(base + "availability_zones: {names: [use1-az1, use1-az7]}\n"), problems("{f}: availability_zones.names[1]: \"use1-az7\" is not an AZ ID of us-east-1; want use1-az1 to use1-az6")},
	{"Local Zone", "prod.yaml", []byte(base + "availability_zones: {names: [us-east-1a, us-east-1-bos-1a]}\n"), problems("{f}: availability_zones.names[1]: \"us-east-1-bos-1a\" is a Local Zone or Wavelength Zone; want an availability zone of us-east-1 (us-east-1a, us-east-1b, us-east-1c, us-east-1d, us-east-1e, us-east-1f)")},
	{"AZ names and IDs mixed", "prod.yaml", []byte(base + "availability_zones: {names: [us-east-1a, use1-az2]}\n"), problems("{f}: availability_zones.names: mixes AZ names and AZ IDs; give names (us-east-1a) or IDs (use1-az1), not both (a name and an ID may be the same zone)")},
	{"one AZ outside production", "prod.yaml", []byte(base + "production: false\nload_balancer: {deletion_protection: false}\navailability_zones: {count: 1}\n"), problems("{f}: availability_zones.count: 1 is out of range; want 2 to 6 (a load balancer needs subnets in at least two AZs)")},
	// Networks (https://docs.aws.amazon.com/vpc/latest/userguide/vpc-cidr-blocks.html).
	{"VPC link-local", "prod.yaml", []byte(base + "network: {vpc_cidr: 169.254.0.0/16}\n"), problems("{f}: network.vpc_cidr: \"169.254.0.0/16\" overlaps link-local (169.254.0.0/16, used by the instance metadata service and the Amazon DNS resolver), which a VPC cannot use; want a private range such as 10.0.0.0/16")},
	{"VPC multicast", "prod.yaml", []byte(base + "network: {vpc_cidr: 224.0.0.0/16}\n"), problems("{f}: network.vpc_cidr: \"224.0.0.0/16\" overlaps multicast (224.0.0.0/4), which a VPC cannot use; want a private range such as 10.0.0.0/16")},
	{"VPC loopback", "prod.yaml", []byte(base + "network: {vpc_cidr: 127.0.0.0/16}\n"), problems("{f}: network.vpc_cidr: \"127.0.0.0/16\" overlaps loopback (127.0.0.0/8), which a VPC cannot use; want a private range such as 10.0.0.0/16")},
	{"VPC IPv4-mapped IPv6", "prod.yaml", []byte(base + "network: {vpc_cidr: \"::ffff:10.0.0.0/112\"}\n"), problems("{f}: network.vpc_cidr: \"::ffff:10.0.0.0/112\" is not an IPv4 CIDR; want e.g. 10.0.0.0/16 (prefix /16 to /24)")},
	{"public subnets below /27", "prod.yaml", []byte(base + "network: {vpc_cidr: 10.0.0.0/20, subnets: {private_newbits: 4, public_newbits: 8, database_newbits: 5}}\n"), problems("{f}: network.subnets.public_newbits: 8 makes /28 public subnets; an Application Load Balancer needs at least a /27 with 8 free addresses in each: want at most 7 in a /20 VPC")},
	{"private subnets too small for the tasks", "prod.yaml", []byte(base + "availability_zones: {count: 2}\nnetwork: {vpc_cidr: 10.0.0.0/24, subnets: {az_slots: 2, private_newbits: 4, public_newbits: 3, database_newbits: 4}}\n"), problems("{f}: network.subnets.private_newbits: 4 makes /28 private subnets with 11 usable addresses; each AZ needs 13: 4 tasks with every service at autoscaling.max, twice during a deployment, and 5 endpoint interfaces (lower the newbits, or the services' autoscaling.max)")},
	{"newbits at the int limit", "prod.yaml", []byte(base + "network: {subnets: {private_newbits: 9223372036854775807}}\n"), problems("{f}: network.subnets.private_newbits: 9223372036854775807 is out of range in a /16 VPC: AWS subnets are /28 at the smallest, so want 1 to 12")},
	{"negative newbits", "prod.yaml", []byte(base + "network: {subnets: {public_newbits: -1}}\n"), problems("{f}: network.subnets.public_newbits: -1 is out of range in a /16 VPC: AWS subnets are /28 at the smallest, so want 1 to 12")},
	{"ingress IPv4-mapped IPv6", "prod.yaml", []byte(base + "load_balancer: {ingress_cidrs: [\"::ffff:203.0.113.0/120\"]}\n"), problems("{f}: load_balancer.ingress_cidrs[0]: \"::ffff:203.0.113.0/120\" is an IPv4-mapped IPv6 address; write the IPv4 CIDR itself, e.g. 203.0.113.0/24")},
	{"ingress loopback", "prod.yaml", []byte(base + "load_balancer: {ingress_cidrs: [127.0.0.0/8]}\n"), problems("{f}: load_balancer.ingress_cidrs[0]: \"127.0.0.0/8\" is loopback (127.0.0.0/8): no client there can reach an internet-facing load balancer; want public client addresses such as 203.0.113.0/24, or 0.0.0.0/0")},
	{"ingress listed twice", "prod.yaml", []byte(base + "load_balancer: {ingress_cidrs: [203.0.113.0/24, 203.0.113.0/24]}\n"), problems("{f}: load_balancer.ingress_cidrs[1]: \"203.0.113.0/24\" is listed twice")},
	{"IPv6 ingress to an IPv4-only load balancer", "prod.yaml", []byte(base + "load_balancer: {ingress_ipv6_cidrs: [\"::/0\"]}\n"), problems("{f}: load_balancer.ingress_ipv6_cidrs[0]: \"::/0\" cannot reach the load balancer: it is IPv4-only (ip_address_type ipv4; the VPC has no IPv6); leave ingress_ipv6_cidrs empty")},
	{"IPv6 ingress not canonical", "prod.yaml", []byte(base + "load_balancer: {ingress_ipv6_cidrs: [\"2001:DB8::/32\"]}\n"), problems("{f}: load_balancer.ingress_ipv6_cidrs[0]: \"2001:DB8::/32\" is not in canonical form; write 2001:db8::/32")},
	{"31 ingress CIDRs", "prod.yaml", ingress(31), problems("{f}: load_balancer.ingress_cidrs: 31 CIDRs make 62 inbound rules (ports 80 and 443 each); a security group holds at most 60 (the default quota): give at most 30")},
	{"51 interface endpoints", "prod.yaml", endpoints(51), problems("{f}: network.interface_endpoints: 51 endpoints given; a VPC holds at most 50 interface endpoints (the default quota)")},
	// Endpoints (https://docs.aws.amazon.com/vpc/latest/privatelink/aws-services-privatelink-support.html).
	{"endpoint in full form", "prod.yaml", []byte(base + "network: {interface_endpoints: [ecr.api, ecr.dkr, com.amazonaws.us-east-1.logs]}\n"), problems("{f}: network.interface_endpoints[2]: \"com.amazonaws.us-east-1.logs\" is the full service name; give the short name \"logs\" (selfhost adds com.amazonaws.<region>.)")},
	{"endpoint that is no service", "prod.yaml", []byte(base + "network: {interface_endpoints: [ecr]}\n"), problems("{f}: network.interface_endpoints[0]: \"ecr\" is not an AWS service with an interface endpoint; want one of apigateway, application-autoscaling, appmesh-envoy-management, athena, autoscaling, cloudformation, cloudtrail, codeartifact.api, codeartifact.repositories, codebuild, codecommit, codedeploy, codepipeline, comprehend, config, ebs, ec2, ec2messages, ecr.api, ecr.dkr, ecs, ecs-agent, ecs-telemetry, elasticache, elasticfilesystem, elasticloadbalancing, email-smtp, events, execute-api, firehose, glue, kinesis-streams, kms, lambda, logs, monitoring, rds, rds-data, redshift, sagemaker.api, sagemaker.runtime, secretsmanager, servicediscovery, sns, sqs, ssm, ssmmessages, states, sts, textract, transcribe, translate, xray")},
	// Target group (https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_Matcher.html).
	{"matcher 500", "prod.yaml", []byte(base + "    health_check: {matcher: \"500\"}\n"), problems("{f}: services.api.health_check.matcher: \"500\" has a code outside 200-499, which an Application Load Balancer refuses; want HTTP codes 200 to 499: one (200), a list (200,202) or a range (200-299)")},
	{"matcher 199", "prod.yaml", []byte(base + "    health_check: {matcher: \"199\"}\n"), problems("{f}: services.api.health_check.matcher: \"199\" has a code outside 200-499, which an Application Load Balancer refuses; want HTTP codes 200 to 499: one (200), a list (200,202) or a range (200-299)")},
	{"matcher range reversed", "prod.yaml", []byte(base + "    health_check: {matcher: 299-200}\n"), problems("{f}: services.api.health_check.matcher: \"299-200\" has the range 299-200 whose start is above its end; want HTTP codes 200 to 499: one (200), a list (200,202) or a range (200-299)")},
	{"matcher range past 499", "prod.yaml", []byte(base + "    health_check: {matcher: 200-600}\n"), problems("{f}: services.api.health_check.matcher: \"200-600\" has a code outside 200-499, which an Application Load Balancer refuses; want HTTP codes 200 to 499: one (200), a list (200,202) or a range (200-299)")},
	{"health check path with a space", "prod.yaml", []byte(base + "    health_check: {path: /api status}\n"), problems("{f}: services.api.health_check.path: \"/api status\" has characters the load balancer refuses in a path (spaces, '?', '#', non-ASCII, ...); want A-Z a-z 0-9 and /._~!$&'()*+,;=:@%-")},
	{"health check path with a query", "prod.yaml", []byte(base + "    health_check: {path: \"/health?full=1\"}\n"), problems("{f}: services.api.health_check.path: \"/health?full=1\" has characters the load balancer refuses in a path (spaces, '?', '#', non-ASCII, ...); want A-Z a-z 0-9 and /._~!$&'()*+,;=:@%-")},
	{"health check path non-ASCII", "prod.yaml", []byte(base + "    health_check: {path: /statüs}\n"), problems("{f}: services.api.health_check.path: \"/statüs\" has characters the load balancer refuses in a path (spaces, '?', '#', non-ASCII, ...); want A-Z a-z 0-9 and /._~!$&'()*+,;=:@%-")},
	{"health check path too long", "prod.yaml", []byte(base + "    health_check: {path: /" + strings.Repeat("a", 1024) + "}\n"), problems("{f}: services.api.health_check.path: is 1025 characters; the load balancer allows at most 1024")},
	// ARNs and quotas.
	{"certificate of another region", "prod.yaml", []byte(base + "load_balancer: {certificate_arn: \"arn:aws:acm:eu-west-1:" + acct + ":certificate/abc\"}\n"), problems("{f}: load_balancer.certificate_arn: \"arn:aws:acm:eu-west-1:123456789012:certificate/abc\" is in region \"eu-west-1\", not us-east-1; a load balancer uses ACM certificates of its own region only")},
	{"certificate of another partition", "prod.yaml", []byte(base + "load_balancer: {certificate_arn: \"arn:aws-cn:acm:us-east-1:" + acct + ":certificate/abc\"}\n"), problems("{f}: load_balancer.certificate_arn: \"arn:aws-cn:acm:us-east-1:123456789012:certificate/abc\" is in partition \"aws-cn\" but us-east-1 is in \"aws\"; resources cannot cross partitions")},
	{"certificate of another account", "prod.yaml", []byte(base + "aws: {allowed_account_ids: [\"" + acct + "\"]}\nload_balancer: {certificate_arn: \"arn:aws:acm:us-east-1:210987654321:certificate/abc\"}\n"), problems("{f}: load_balancer.certificate_arn: \"arn:aws:acm:us-east-1:210987654321:certificate/abc\" is in account 210987654321, which aws.allowed_account_ids (123456789012) does not include; a load balancer uses ACM certificates of its own account only")},
	{"state KMS key of another region", "prod.yaml", with("state: {bucket: b-prod}", "state: {bucket: b-prod, kms_key_arn: \"arn:aws:kms:eu-west-1:"+acct+":key/abc\"}"), problems("{f}: state.kms_key_arn: \"arn:aws:kms:eu-west-1:123456789012:key/abc\" is in region \"eu-west-1\", not us-east-1; S3 encrypts a bucket only with a KMS key of the bucket's own region")},
	{"two policies with one name", "prod.yaml", []byte(base + "    task_role_policy_arns: [\"arn:aws:iam::aws:policy/ReadOnlyAccess\", \"arn:aws:iam::" + acct + ":policy/ReadOnlyAccess\"]\n"), problems("{f}: services.api.task_role_policy_arns[1]: \"arn:aws:iam::123456789012:policy/ReadOnlyAccess\" has the same policy name as \"arn:aws:iam::aws:policy/ReadOnlyAccess\"; attach one of them (selfhost keys attachments by policy name)")},
	{"policy listed twice", "prod.yaml", []byte(base + "    task_role_policy_arns: [\"arn:aws:iam::aws:policy/ReadOnlyAccess\", \"arn:aws:iam::aws:policy/ReadOnlyAccess\"]\n"), problems("{f}: services.api.task_role_policy_arns[1]: \"arn:aws:iam::aws:policy/ReadOnlyAccess\" is listed twice")},
	{"eleven managed policies", "prod.yaml", policies(11), problems("{f}: services.api.task_role_policy_arns: 11 policies given; IAM attaches at most 10 managed policies to a role (the default quota)")},
	{"policy of another account", "prod.yaml", []byte(base + "    task_role_policy_arns: [\"arn:aws:iam::210987654321:policy/app\"]\naws: {allowed_account_ids: [\"" + acct + "\"]}\n"), problems("{f}: services.api.task_role_policy_arns[0]: \"arn:aws:iam::210987654321:policy/app\" is in account 210987654321, which aws.allowed_account_ids (123456789012) does not include; IAM attaches customer managed policies of the role's own account only")},
	{"secret of another partition", "prod.yaml", []byte(base + "    secrets: {DB_URL: \"arn:aws-us-gov:secretsmanager:us-gov-west-1:" + acct + ":secret:db-AbCdEf\"}\n"), problems("{f}: services.api.secrets.DB_URL: \"arn:aws-us-gov:secretsmanager:us-gov-west-1:123456789012:secret:db-AbCdEf\" is in partition \"aws-us-gov\" but us-east-1 is in \"aws\"; resources cannot cross partitions")},
	{"domain with a numeric TLD", "prod.yaml", with("dns: {domain: example.com}", "dns: {domain: example.123}"), problems("{f}: dns.domain: \"example.123\" is not a domain name; want lowercase labels separated by dots (punycode for international names), a TLD starting with a letter, no trailing dot, e.g. example.com")},
	{"domain with invalid punycode", "prod.yaml", with("dns: {domain: example.com}", "dns: {domain: xn--zz.example}"), problems("{f}: dns.domain: \"xn--zz.example\" has the label \"xn--zz\", which is not valid punycode; write the xn-- form an IDNA converter gives")},
	// Accounts.
	{"DNS role outside allowed accounts", "prod.yaml", []byte(strings.Replace(base, "dns: {domain: example.com}", "dns: {domain: example.com, role_arn: \"arn:aws:iam::210987654321:role/dns\"}", 1) + "aws: {allowed_account_ids: [\"" + acct + "\"]}\n"), problems("{f}: dns.role_arn: \"arn:aws:iam::210987654321:role/dns\" is in account 210987654321, which aws.allowed_account_ids (123456789012) does not include; the provider of <env>-dns would refuse the credentials of the assumed role; add the account or use a role of an allowed account")},
	{"allowed account listed twice", "prod.yaml", []byte(base + "aws: {allowed_account_ids: [\"" + acct + "\", \"" + acct + "\"]}\n"), problems("{f}: aws.allowed_account_ids[1]: \"123456789012\" is listed twice")},
	// Container (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDefinition.html).
	{"variables beyond the task definition size", "prod.yaml", []byte(base + "    environment: {BIG: " + strings.Repeat("x", 49153) + "}\n"), problems("{f}: services.api.environment: with secrets holds 49156 bytes; ECS task definitions are at most 64 KiB, so variables may take at most 49152 bytes")},
	{"PORT overridden", "prod.yaml", []byte(base + "    environment: {PORT: \"9090\"}\n"), problems("{f}: services.api.environment.PORT: is set by selfhost itself (PORT, DOMAIN, STOP_TIMEOUT); choose another name")},
	{"ECS agent variable", "prod.yaml", []byte(base + "    environment: {ECS_ENABLE_CONTAINER_METADATA: \"true\"}\n"), problems("{f}: services.api.environment.ECS_ENABLE_CONTAINER_METADATA: starts with ECS_, which the ECS agent sets in every task (credentials, metadata); choose another name")},
	{"credentials variable", "prod.yaml", []byte(base + "    environment: {AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: /x}\n"), problems("{f}: services.api.environment.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: looks like a secret in plain text; store it in Secrets Manager or SSM and reference its ARN under secrets", "{f}: services.api.environment.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: starts with AWS_CONTAINER_, which the ECS agent sets in every task (credentials, metadata); choose another name")},
	{"secret named DOMAIN", "prod.yaml", []byte(base + "    secrets: {DOMAIN: \"arn:aws:secretsmanager:us-east-1:" + acct + ":secret:d-AbCdEf\"}\n"), problems("{f}: services.api.secrets.DOMAIN: is set by selfhost itself (PORT, DOMAIN, STOP_TIMEOUT); choose another name")},
	{"image without registry", "prod.yaml", with("    image: {digest: \"sha256:"+zeros64+"\"}", "    image: {uri: \"nginx:1.27\"}"), problems("{f}: services.api.image.uri: \"nginx:1.27\" names no registry; want registry/repository:tag or registry/repository@sha256:<digest>, e.g. public.ecr.aws/nginx/nginx@sha256:...")},
	{"image upper case", "prod.yaml", with("    image: {digest: \"sha256:"+zeros64+"\"}", "    image: {uri: \"registry.example.com/App:1\"}"), problems("{f}: services.api.image.uri: \"registry.example.com/App:1\" has upper case in the repository path, which registries refuse; want registry/repository:tag or registry/repository@sha256:<digest>, e.g. public.ecr.aws/nginx/nginx@sha256:...")},
	{"image without tag or digest", "prod.yaml", with("    image: {digest: \"sha256:"+zeros64+"\"}", "    image: {uri: \"registry.example.com/app\"}"), problems("{f}: services.api.image.uri: \"registry.example.com/app\" has no tag or digest; want registry/repository:tag or registry/repository@sha256:<digest>, e.g. public.ecr.aws/nginx/nginx@sha256:...")},
	{"image with a space", "prod.yaml", with("    image: {digest: \"sha256:"+zeros64+"\"}", "    image: {uri: \"registry.example.com/app :1\"}"), problems("{f}: services.api.image.uri: \"registry.example.com/app :1\" has white space; want registry/repository:tag or registry/repository@sha256:<digest>, e.g. public.ecr.aws/nginx/nginx@sha256:...")},
	// Settings that cannot work together.
	{"nat none without endpoints", "prod.yaml", []byte(base + "production: false\nload_balancer: {deletion_protection: false}\nnetwork: {nat: none, interface_endpoints: [sts]}\n"), problems("{f}: network.interface_endpoints: lacks ecr.api, ecr.dkr, logs, which tasks need with nat: none (no route out) to pull images from ECR, ship logs and read secrets; add them or use a NAT")},
	{"nat none with an image outside ECR", "prod.yaml", []byte(strings.Replace(base, "    image: {digest: \"sha256:"+zeros64+"\"}", "    image: {uri: \"ghcr.io/acme/app@sha256:"+zeros64+"\"}", 1) + "production: false\nload_balancer: {deletion_protection: false}\nnetwork: {nat: none}\n"), problems("{f}: services.api.image.uri: \"ghcr.io/acme/app@sha256:0000000000000000000000000000000000000000000000000000000000000000\" is not in ECR, and with network.nat: none tasks have no route out to pull it; push it to ECR or use a NAT")},
	{"nat none with secrets and no secrets endpoint", "prod.yaml", []byte(base + "    secrets: {DB_URL: \"arn:aws:secretsmanager:us-east-1:" + acct + ":secret:db-AbCdEf\"}\nproduction: false\nload_balancer: {deletion_protection: false}\nnetwork: {nat: none, interface_endpoints: [ecr.api, ecr.dkr, logs]}\n"), problems("{f}: network.interface_endpoints: lacks secretsmanager (or ssm), which tasks need with nat: none (no route out) to pull images from ECR, ship logs and read secrets; add them or use a NAT")},
	// Files and folders.
	{"named pipe", "prod.yaml", nil, problems("{f}: is a named pipe; want a regular YAML or JSON file")},
	{"symbolic link", "prod.yaml", nil, problems("{f}: is a symbolic link; want a regular file (copy the file into the folder)")},
	{"folder named like a file", "prod.yaml", nil, problems("{f}: is a folder; want a regular YAML or JSON file")},
	{"extension in upper case", "staging.YAML", nil, problems("{f}: extension \".YAML\" is not recognised; rename the file to staging.yaml (extensions are lower case: .yaml, .yml or .json)")},
	{"folder without environment files", "README.md", nil, problems("{d}: no environment files; want at least one <name>.yaml, <name>.yml or <name>.json (see environments/production.yaml)")},
	{"no environments folder", "prod.yaml", nil, problems("{d}: cannot be read (no such file or directory); want the folder of environment files (SELFHOST_ENVIRONMENTS, default environments)")},
	{"one environment in two files", "prod.yaml", nil, problems("{f}: environment \"prod\" is also defined by {d}/prod.yml; keep one file per environment", "{d}/prod.yml: environment \"prod\" is also defined by {d}/prod.yaml; keep one file per environment")},
	{"two environments, one state bucket", "a.yaml", nil, problems("{f}: state.bucket: \"b-a\" is also the state bucket of {d}/b.yaml; each environment needs its own", "{d}/b.yaml: state.bucket: \"b-a\" is also the state bucket of {d}/a.yaml; each environment needs its own")},
	{"two environments, one resource prefix", "a.yaml", nil, problems("{d}/b-c.yaml: services.api.image.repository: \"a-b-c-api\" is also the ECR repository of services.api of {d}/c.yaml; each environment needs its own", "{d}/b-c.yaml: project: project \"a\" and name \"b-c\" make the resource prefix \"a-b-c\", as {d}/c.yaml does (load balancer, IAM roles, log groups); change project or name", "{d}/c.yaml: services.api.image.repository: \"a-b-c-api\" is also the ECR repository of services.api of {d}/b-c.yaml; each environment needs its own", "{d}/c.yaml: project: project \"a-b\" and name \"c\" make the resource prefix \"a-b-c\", as {d}/b-c.yaml does (load balancer, IAM roles, log groups); change project or name")},
	{"two environments, one repository", "a.yaml", nil, problems("{f}: services.api.image.repository: \"shared\" is also the ECR repository of services.api of {d}/b.yaml; each environment needs its own", "{d}/b.yaml: services.api.image.repository: \"shared\" is also the ECR repository of services.api of {d}/a.yaml; each environment needs its own")},
}

// setups fill the environments folder of the cases named, instead of data.
var setups = map[string]func(t *testing.T, envs string){
	"named pipe": func(t *testing.T, envs string) {
		if err := syscall.Mkfifo(filepath.Join(envs, "prod.yaml"), 0o644); err != nil {
			t.Skip("no named pipes here:", err)
		}
	},
	"symbolic link": func(t *testing.T, envs string) {
		files(map[string]string{"real.txt": base})(t, envs)
		if err := os.Symlink("real.txt", filepath.Join(envs, "prod.yaml")); err != nil {
			t.Skip("no symbolic links here:", err)
		}
	},
	"folder named like a file":              func(t *testing.T, envs string) { os.Mkdir(filepath.Join(envs, "prod.yaml"), 0o755) },
	"extension in upper case":               files(map[string]string{"staging.YAML": envNamed("staging", "")}),
	"folder without environment files":      files(map[string]string{"README.md": "# environments\n"}),
	"no environments folder":                func(t *testing.T, envs string) { os.Remove(envs) },
	"one environment in two files":          files(map[string]string{"prod.yaml": base, "prod.yml": base}),
	"two environments, one state bucket":    files(map[string]string{"a.yaml": envNamed("a", ""), "b.yaml": strings.Replace(strings.Replace(envNamed("b", ""), "example.com", "example.org", 1), "b-b", "b-a", 1)}),
	"two environments, one resource prefix": files(map[string]string{"c.yaml": envNamed("c", "project: a-b\n"), "b-c.yaml": strings.Replace(envNamed("b-c", "project: a\n"), "example.com", "example.org", 1)}),
	"two environments, one repository":      files(map[string]string{"a.yaml": strings.Replace(envNamed("a", ""), zeros64+"\"}", zeros64+"\", repository: shared}", 1), "b.yaml": strings.Replace(strings.Replace(envNamed("b", ""), zeros64+"\"}", zeros64+"\", repository: shared}", 1), "example.com", "example.org", 1)}),
}
