package config

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"selfhost/awsrules"
)

// DatabaseEnv are the container variables a service using the database
// gets (endpoint and port as values, user name and password from the master
// secret); BucketEnvPrefix starts the variable holding a bucket's name
// (BUCKET_UPLOADS for uploads). constructs/service sets them
// (service.DatabaseEnv; a test keeps both equal).
var DatabaseEnv = []string{"DB_HOST", "DB_PORT", "DB_NAME", "DB_USERNAME", "DB_PASSWORD"}

// BucketEnvPrefix starts the variable holding an application bucket's name.
const BucketEnvPrefix = "BUCKET_"

// BucketEnvName is the variable holding the name of the bucket name.
func BucketEnvName(name string) string {
	return BucketEnvPrefix + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
}

// reBucketShort: a bucket's short name (its S3 name is
// <project>-<env>-<short>), lower case, digits and single '-'.
var reBucketShort = regexp.MustCompile(`^[a-z0-9](-?[a-z0-9])*$`)

// MaxBuckets bounds buckets: one task role policy holds them all.
const MaxBuckets = 20

func validateData(c *Config, bad, warn func(field, format string, a ...any)) {
	if d := c.Database; d != nil {
		validateDatabase(c, d, bad)
	}
	seen := map[string]bool{}
	for i, b := range c.Buckets {
		f := fmt.Sprintf("buckets[%d]", i)
		switch {
		case !reBucketShort.MatchString(b):
			bad(f, "%q is not allowed; want a short name of a-z, 0-9 and single '-' (the bucket is named %s-<name>)", b, c.ResourcePrefix())
		case seen[b]:
			bad(f, "%q is listed twice", b)
		default:
			if err := awsrules.S3BucketName(c.BucketName(b)); err != nil {
				bad(f, "the bucket name %v", err)
			}
		}
		seen[b] = true
	}
	if len(c.Buckets) > MaxBuckets {
		bad("buckets", "%d buckets given; at most %d", len(c.Buckets), MaxBuckets)
	}
	c.Each(func(s *Service) { validateServiceData(c, s, "services."+s.Name, bad) })
}

// validateServiceData checks one service's database and buckets; p is its field path.
func validateServiceData(c *Config, s *Service, p string, bad func(field, format string, a ...any)) {
	if s.Database && c.Database == nil {
		bad(p+".database", "is true but the environment has no database; add a database: section or remove %s.database", p)
	}
	used := map[string]bool{}
	for i, b := range s.Buckets {
		f := fmt.Sprintf("%s.buckets[%d]", p, i)
		switch {
		case len(c.Buckets) == 0:
			bad(f, "%q is not a bucket: the environment has none; add it to buckets", b)
		case !slices.Contains(c.Buckets, b):
			bad(f, "%q is not one of the environment's buckets (%s); add it to buckets", b, strings.Join(c.Buckets, ", "))
		case used[b]:
			bad(f, "%q is listed twice", b)
		}
		used[b] = true
	}
	// The variables selfhost sets for the database and the buckets.
	own := map[string]string{}
	if s.Database {
		for _, k := range DatabaseEnv {
			own[k] = p + ".database"
		}
	}
	for _, b := range s.Buckets {
		own[BucketEnvName(b)] = p + ".buckets"
	}
	for _, kind := range []struct {
		field string
		keys  map[string]string
	}{{p + ".environment", s.Environment}, {p + ".secrets", s.Secrets}} {
		for _, k := range slices.Sorted(maps.Keys(kind.keys)) {
			if by, ok := own[k]; ok {
				bad(kind.field+"."+k, "is set by selfhost for %s; choose another name", by)
			}
		}
	}
}

func validateDatabase(c *Config, d *Database, bad func(field, format string, a ...any)) {
	engineOK := slices.Contains(awsrules.AuroraEngines, d.Engine)
	if !engineOK {
		bad("database.engine", "%q is not an Aurora engine; want %s", d.Engine, strings.Join(awsrules.AuroraEngines, " or "))
	} else if err := awsrules.AuroraEngineVersion(d.Engine, d.EngineVersion); err != nil {
		bad("database.engine_version", "%v", err)
	}
	if err := awsrules.DBInstanceClass(d.InstanceClass); err != nil {
		bad("database.instance_class", "%v", err)
	}
	sv := d.Serverless
	switch {
	case sv.MaxCapacity == 0 && sv.MinCapacity == 0:
		if d.InstanceClass == awsrules.ServerlessInstanceClass {
			bad("database.serverless", "is required with instance_class %s; give min_capacity and max_capacity", awsrules.ServerlessInstanceClass)
		}
	default:
		if err := awsrules.ServerlessCapacity(sv.MinCapacity, sv.MaxCapacity); err != nil {
			f := "database.serverless.max_capacity"
			if strings.HasPrefix(err.Error(), "min_capacity") {
				f = "database.serverless.min_capacity"
			}
			bad(f, "%v (Aurora Serverless v2)", err)
		} else if d.InstanceClass != awsrules.ServerlessInstanceClass {
			bad("database.instance_class", "%q with a serverless capacity range; want %s (or remove database.serverless)", d.InstanceClass, awsrules.ServerlessInstanceClass)
		}
	}
	minReaders := 0
	if c.Production {
		minReaders = 1
	}
	if d.Readers < minReaders || d.Readers > MaxDatabaseReaders {
		bad("database.readers", "%d is out of range; want %d to %d%s", d.Readers, minReaders, MaxDatabaseReaders, prodNote(c.Production, "production: a reader in another AZ to fail over to"))
	}
	if engineOK {
		if err := awsrules.DBName(d.Engine, d.DatabaseName); err != nil {
			bad("database.database_name", "%v", err)
		}
	}
	if err := awsrules.DBMasterUsername(d.MasterUsername); err != nil {
		bad("database.master_username", "%v", err)
	}
	minBackup := awsrules.MinBackupRetentionDays
	if c.Production {
		minBackup = MinProdBackupRetentionDays
	}
	if n := d.BackupRetentionDays; n < minBackup || n > awsrules.MaxBackupRetentionDays {
		bad("database.backup_retention_days", "%d is out of range; want %d to %d days%s", n, minBackup, awsrules.MaxBackupRetentionDays, prodNote(c.Production, "production: at least a week"))
	}
	if c.Production && !d.DeletionProtection {
		bad("database.deletion_protection", "is false in a production environment; want true (turn it off only for a deliberate teardown, with production: false)")
	}
	if c.Production && d.SkipFinalSnapshot {
		bad("database.skip_final_snapshot", "is true in a production environment; deleting the cluster must leave a final snapshot (allowed only with production: false)")
	}
	for _, k := range []struct{ field, value, what string }{
		{"database.kms_key_arn", d.KMSKeyARN, "RDS encrypts a cluster only with a KMS key of its own region"},
		{"database.master_user_secret_kms_key_id", d.MasterUserSecretKMSKeyARN, "Secrets Manager encrypts a secret only with a KMS key of its own region"},
	} {
		if k.value == "" {
			continue
		}
		if !awsrules.KMSKeyARN.MatchString(k.value) {
			bad(k.field, "%q is not a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)", k.value)
		} else if awsrules.CheckRegion(c.Region) == nil {
			a, _ := awsrules.ParseARN(k.value)
			if err := awsrules.InPartition(a, c.Region); err != nil {
				bad(k.field, "%q %v", k.value, err)
			} else if err := awsrules.SameRegion(a, c.Region, k.what); err != nil {
				bad(k.field, "%q %v", k.value, err)
			}
		}
	}
	// The identifiers (<project>-<name>, and -reader-15 after it) are at
	// most 42 characters (the prefix is at most 32, the load balancer name): within RDS's 63
	// (TestDatabaseIdentifiersFit).
}

// DatabaseWriter is the key of the writer instance; readers are reader-1,
// reader-2, ... Instances are keyed by these, so adding or removing a
// reader changes only the last one.
const DatabaseWriter = "writer"

// instanceKeys are the keys of the database instances: the writer, then the readers.
func (d *Database) instanceKeys() []string {
	keys := []string{DatabaseWriter}
	for i := 1; i <= max(0, d.Readers); i++ {
		keys = append(keys, fmt.Sprintf("reader-%d", i))
	}
	return keys
}

// InstanceKeys are the keys of the database instances: the writer, then the readers.
func (d *Database) InstanceKeys() []string { return d.instanceKeys() }

// DatabaseInstanceIdentifier is the RDS identifier of the instance key.
func DatabaseInstanceIdentifier(c *Config, key string) string {
	return c.ClusterIdentifier() + "-" + key
}
