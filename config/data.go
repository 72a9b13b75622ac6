package config

import (
	"gopkg.in/yaml.v3"

	"selfhost/awsrules"
)

// Database is the optional Aurora cluster of <env>-data (YAML database; absent:
// no database). Its defaults (DefaultDatabase in defaults.go) apply to the
// keys the file leaves out.
type Database struct {
	// Engine is aurora-postgresql or aurora-mysql.
	Engine string `yaml:"engine"`
	// EngineVersion is the engine's version (default per engine, see defaults.go).
	EngineVersion string `yaml:"engine_version"`
	// InstanceClass of every instance; db.serverless with serverless capacity.
	InstanceClass string `yaml:"instance_class"`
	// Readers is the number of reader instances beside the writer (>= 1 in production).
	Readers int `yaml:"readers"`
	// Serverless is the Aurora Serverless v2 capacity range (max_capacity 0: provisioned).
	Serverless Serverless `yaml:"serverless"`
	// DatabaseName is the database created in the cluster.
	DatabaseName string `yaml:"database_name"`
	// MasterUsername is the master user; its password is managed by RDS in Secrets Manager.
	MasterUsername string `yaml:"master_username"`
	// BackupRetentionDays of automated backups (>= 7 in production).
	BackupRetentionDays int `yaml:"backup_retention_days"`
	// DeletionProtection refuses deleting the cluster (true in production).
	DeletionProtection bool `yaml:"deletion_protection"`
	// SkipFinalSnapshot deletes the cluster without a snapshot (not in production).
	SkipFinalSnapshot bool `yaml:"skip_final_snapshot"`
	// KMSKeyARN encrypts storage and Performance Insights; empty: a key is created (with rotation).
	KMSKeyARN string `yaml:"kms_key_arn"`
	// MasterUserSecretKMSKeyARN encrypts the master secret; empty: Secrets Manager's AWS managed key.
	MasterUserSecretKMSKeyARN string `yaml:"master_user_secret_kms_key_id"`
}

// Serverless is an Aurora Serverless v2 capacity range in ACUs.
type Serverless struct {
	MinCapacity float64 `yaml:"min_capacity"`
	MaxCapacity float64 `yaml:"max_capacity"`
}

// UnmarshalYAML fills the defaults before decoding the keys given.
func (d *Database) UnmarshalYAML(n *yaml.Node) error {
	*d = DefaultDatabase()
	type plain Database
	if err := n.Decode((*plain)(d)); err != nil {
		return err
	}
	d.applyDefaults()
	return nil
}

// Port is the engine's port.
func (d *Database) Port() int { return awsrules.AuroraPort(d.Engine) }

// ClusterIdentifier is the Aurora cluster's identifier: <project>-<name>.
func (c *Config) ClusterIdentifier() string { return c.ResourcePrefix() }

// BucketName is the S3 name of the application bucket name: <project>-<env>-<name>.
func (c *Config) BucketName(name string) string { return c.ResourcePrefix() + "-" + name }

// applyDefaults fills what depends on other database keys.
func (d *Database) applyDefaults() {
	if d.EngineVersion == "" {
		d.EngineVersion = DefaultEngineVersions[d.Engine]
	}
	if d.InstanceClass == "" {
		d.InstanceClass = DefaultInstanceClass
		if d.Serverless.MaxCapacity > 0 {
			d.InstanceClass = awsrules.ServerlessInstanceClass
		}
	}
}
