package awsrules

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// RDS and Aurora rules.

// MaxDBClusterIdentifier is the longest Aurora DB cluster identifier.
// CreateDBCluster, DBClusterIdentifier: "1 to 63 (for Aurora DB clusters)
// letters, numbers, or hyphens. First character must be a letter. Can't end
// with a hyphen or contain two consecutive hyphens." DB instance identifiers
// follow the same rules (CreateDBInstance, DBInstanceIdentifier).
const MaxDBClusterIdentifier = 63

var reDBIdentifier = regexp.MustCompile(`^[A-Za-z](?:-?[A-Za-z0-9])*$`)

// DBIdentifier checks an Aurora DB cluster or DB instance identifier.
func DBIdentifier(id string) error {
	if len(id) < 1 || len(id) > MaxDBClusterIdentifier || !reDBIdentifier.MatchString(id) {
		return fmt.Errorf("%q (%d characters) is not a DB identifier: RDS wants 1-%d letters, digits and hyphens, starting with a letter, without two consecutive hyphens and not ending with one", id, len(id), MaxDBClusterIdentifier)
	}
	return nil
}

// Aurora engines.
const (
	AuroraPostgreSQL = "aurora-postgresql"
	AuroraMySQL      = "aurora-mysql"
)

// AuroraEngines are the Aurora engines, in the order messages list them.
var AuroraEngines = []string{AuroraPostgreSQL, AuroraMySQL}

// AuroraPostgreSQLMajors are the Aurora PostgreSQL major versions in
// standard support ("Amazon Aurora PostgreSQL releases and engine
// versions"); 11 and 12 are past the end of standard support.
var AuroraPostgreSQLMajors = []int{13, 14, 15, 16, 17}

var (
	reAuroraPostgres = regexp.MustCompile(`^([0-9]{2})\.([0-9]{1,2})$`)
	// Aurora MySQL version 3 (MySQL 8.0 compatible): 8.0.mysql_aurora.3.NN.N
	// ("Aurora MySQL version numbers and special versions"); version 2
	// (5.7) is past the end of standard support.
	reAuroraMySQL = regexp.MustCompile(`^8\.0\.mysql_aurora\.3\.[0-9]{2}\.[0-9]+$`)
)

// AuroraEngineVersion checks the shape of an engine version: aurora-postgresql
// <major>.<minor> with a major of AuroraPostgreSQLMajors, aurora-mysql
// 8.0.mysql_aurora.3.<minor>.<patch>. Whether that exact release exists in
// the region is for `aws rds describe-db-engine-versions` to say.
func AuroraEngineVersion(engine, v string) error {
	switch engine {
	case AuroraPostgreSQL:
		m := reAuroraPostgres.FindStringSubmatch(v)
		if m == nil {
			return fmt.Errorf("%q is not an Aurora PostgreSQL version; want <major>.<minor>, e.g. 16.6", v)
		}
		if major, _ := strconv.Atoi(m[1]); !slices.Contains(AuroraPostgreSQLMajors, major) {
			return fmt.Errorf("%q has major version %s; Aurora PostgreSQL majors in standard support are %s", v, m[1], JoinInts(AuroraPostgreSQLMajors))
		}
	case AuroraMySQL:
		if !reAuroraMySQL.MatchString(v) {
			return fmt.Errorf("%q is not an Aurora MySQL version 3 release; want 8.0.mysql_aurora.3.<minor>.<patch>, e.g. 8.0.mysql_aurora.3.08.0", v)
		}
	default:
		return fmt.Errorf("engine %q is not an Aurora engine; want %s", engine, strings.Join(AuroraEngines, " or "))
	}
	return nil
}

// AuroraParameterGroupFamily is the DB cluster parameter group family of an
// engine version (aurora-postgresql16, aurora-mysql8.0); the version must
// pass AuroraEngineVersion.
func AuroraParameterGroupFamily(engine, v string) string {
	if engine == AuroraMySQL {
		return "aurora-mysql8.0"
	}
	major, _, _ := strings.Cut(v, ".")
	return "aurora-postgresql" + major
}

// AuroraPort is the engine's default port.
func AuroraPort(engine string) int {
	if engine == AuroraMySQL {
		return 3306
	}
	return 5432
}

// Aurora Serverless v2 capacity ("Aurora Serverless v2 capacity"): from 0
// (automatic pause, on the versions that support it) or 0.5 up to 256 ACUs
// in steps of 0.5; the maximum is at least 1 (it must be above 0.5).
const (
	MinServerlessACU    = 0
	MaxServerlessACU    = 256
	MinServerlessMaxACU = 1
	ServerlessACUStep   = 0.5
)

// ServerlessCapacity checks an Aurora Serverless v2 capacity range.
func ServerlessCapacity(min, max float64) error {
	step := func(v float64) bool { return math.Mod(v, ServerlessACUStep) == 0 }
	switch {
	case min < MinServerlessACU || min > MaxServerlessACU || !step(min):
		return fmt.Errorf("min_capacity %v is not allowed; want %d to %d ACUs in steps of %v", min, MinServerlessACU, MaxServerlessACU, ServerlessACUStep)
	case max < MinServerlessMaxACU || max > MaxServerlessACU || !step(max):
		return fmt.Errorf("max_capacity %v is not allowed; want %d to %d ACUs in steps of %v", max, MinServerlessMaxACU, MaxServerlessACU, ServerlessACUStep)
	case min > max:
		return fmt.Errorf("min_capacity %v is above max_capacity %v", min, max)
	}
	return nil
}

// ServerlessInstanceClass is the DB instance class of Aurora Serverless v2.
const ServerlessInstanceClass = "db.serverless"

var reDBInstanceClass = regexp.MustCompile(`^db\.[a-z][a-z0-9-]*\.[0-9]*(?:micro|small|medium|large|xlarge|metal)(?:-[0-9]+xl)?$`)

// DBInstanceClass checks the shape of a DB instance class (db.r6g.large,
// db.t4g.medium, db.r7i.16xlarge, or db.serverless).
func DBInstanceClass(c string) error {
	if c == ServerlessInstanceClass || reDBInstanceClass.MatchString(c) {
		return nil
	}
	return fmt.Errorf("%q is not a DB instance class; want db.<family>.<size> such as db.r6g.large, or %s", c, ServerlessInstanceClass)
}

// Backup retention of an Aurora cluster: 1 to 35 days
// (CreateDBCluster, BackupRetentionPeriod).
const (
	MinBackupRetentionDays = 1
	MaxBackupRetentionDays = 35
)

var (
	reDBName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)
	// MasterUsername: "1 to 16 letters or numbers, first character a
	// letter, not a reserved word" (CreateDBCluster).
	reMasterUser = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]{0,15}$`)
)

// reservedDBUsers are master user names RDS refuses for its engines.
var reservedDBUsers = []string{"rdsadmin", "rdsrepladmin", "rds_superuser", "postgres", "admin_", "root", "mysql.sys", "mysql.session", "mysql.infoschema"}

// DBName checks the initial database name: 1-63 letters, digits and
// underscores starting with a letter (PostgreSQL); MySQL allows 64.
func DBName(engine, n string) error {
	max := 63
	if engine == AuroraMySQL {
		max = 64
	}
	if len(n) > max || !reDBName.MatchString(n) {
		return fmt.Errorf("%q is not a database name; want 1-%d letters, digits and '_', starting with a letter", n, max)
	}
	return nil
}

// DBMasterUsername checks the master user name.
func DBMasterUsername(n string) error {
	if !reMasterUser.MatchString(n) {
		return fmt.Errorf("%q is not a master user name; want 1-16 letters, digits and '_', starting with a letter", n)
	}
	if slices.Contains(reservedDBUsers, strings.ToLower(n)) {
		return fmt.Errorf("%q is reserved by RDS or the engine; choose another master user name", n)
	}
	return nil
}
