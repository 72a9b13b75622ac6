// Package database is the Aurora cluster of <env>-data: a writer and
// readers keyed by a stable name (writer, reader-1, ...) and spread over the
// AZs of the database subnets, storage and Performance Insights encrypted
// with a KMS key (created with rotation, or given), automated backups, a
// final snapshot on delete, deletion protection, TLS required by the
// cluster parameter group, and the master password managed by RDS in
// Secrets Manager (manage_master_user_password): Terraform never sees it,
// and state holds only the secret's ARN.
//
// Its security group has no rules of its own: each service using the
// database adds the ingress from its own security group (constructs/service,
// DatabaseAccess), and the database needs no egress.
package database

import (
	"fmt"
	"slices"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/kmsalias"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/kmskey"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/rdscluster"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/rdsclusterinstance"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/rdsclusterparametergroup"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/securitygroup"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"selfhost/awsrules"
)

// Fixed settings.
const (
	// PerformanceInsightsRetentionDays is the free tier of Performance Insights.
	PerformanceInsightsRetentionDays = 7
	// KMSDeletionWindowDays: a deleted key can be recovered for 30 days.
	KMSDeletionWindowDays = 30
)

// TLSParameters are the cluster parameters that refuse unencrypted
// connections (AWS: "Using SSL/TLS to encrypt a connection to a DB cluster"):
// rds.force_ssl for Aurora PostgreSQL, require_secure_transport for Aurora MySQL.
var TLSParameters = map[string]map[string]string{
	awsrules.AuroraPostgreSQL: {"rds.force_ssl": "1"},
	awsrules.AuroraMySQL:      {"require_secure_transport": "ON", "slow_query_log": "1", "long_query_time": "2"},
}

// LogExports are the logs exported to CloudWatch Logs per engine.
var LogExports = map[string][]string{
	awsrules.AuroraPostgreSQL: {"postgresql"},
	awsrules.AuroraMySQL:      {"error", "slowquery"},
}

// Props configures the database. Every field is required unless its comment
// says otherwise; the environment defaults live in config/defaults.go.
type Props struct {
	// Identifier is the cluster identifier (awsrules.DBIdentifier); instances
	// are <Identifier>-<key>.
	Identifier string
	// Engine is aurora-postgresql or aurora-mysql; EngineVersion its version.
	Engine        string
	EngineVersion string
	// InstanceClass of every instance (db.serverless with Serverless).
	InstanceClass string
	// Serverless is the Aurora Serverless v2 capacity range (optional).
	Serverless *Serverless
	// Instances are the instance keys, the writer first (writer, reader-1,
	// ...): each is its own resource, so adding or removing one changes no
	// other.
	Instances []string
	// AZs are the availability zones instances are spread over (instance i
	// in AZs[i % len]): the database subnets' AZs.
	AZs []*string
	// DatabaseName is the database created; MasterUsername the master user.
	DatabaseName   string
	MasterUsername string
	// BackupRetentionDays of automated backups (1-35).
	BackupRetentionDays int
	// DeletionProtection refuses deleting the cluster.
	DeletionProtection bool
	// SkipFinalSnapshot deletes without a final snapshot (<Identifier>-final otherwise).
	SkipFinalSnapshot bool
	// KMSKeyARN encrypts storage and Performance Insights (optional: a key
	// with rotation is created).
	KMSKeyARN string
	// MasterUserSecretKMSKeyARN encrypts the master secret (optional: the
	// AWS managed key of Secrets Manager).
	MasterUserSecretKMSKeyARN string
	// VPCID is the VPC of the security group; DBSubnetGroupName the
	// network's DB subnet group (the database subnets).
	VPCID             *string
	DBSubnetGroupName *string
}

// Serverless is an Aurora Serverless v2 capacity range in ACUs.
type Serverless struct {
	MinCapacity, MaxCapacity float64
}

// Outputs of the database.
type Outputs struct {
	ClusterIdentifier *string
	// Endpoint is the writer endpoint, ReaderEndpoint the readers'.
	Endpoint       *string
	ReaderEndpoint *string
	Port           int
	// SecretARN is the master user's secret (JSON keys username, password).
	SecretARN *string
	// SecretKMSKeyARN is the customer key of the secret ("" for the AWS managed key).
	SecretKMSKeyARN string
	// SecurityGroupID is the cluster's security group: services add their ingress to it.
	SecurityGroupID *string
	// KMSKeyARN is the storage key.
	KMSKeyARN *string
}

// Validate checks the props and names the first bad field.
func (p Props) Validate() error {
	bad := func(format string, a ...any) error { return fmt.Errorf("database: "+format, a...) }
	if err := awsrules.DBIdentifier(p.Identifier); err != nil {
		return bad("Identifier %v", err)
	}
	if err := awsrules.AuroraEngineVersion(p.Engine, p.EngineVersion); err != nil {
		return bad("EngineVersion %v", err)
	}
	if err := awsrules.DBInstanceClass(p.InstanceClass); err != nil {
		return bad("InstanceClass %v", err)
	}
	if (p.InstanceClass == awsrules.ServerlessInstanceClass) != (p.Serverless != nil) {
		return bad("InstanceClass %q and Serverless must go together (db.serverless needs a capacity range)", p.InstanceClass)
	}
	if s := p.Serverless; s != nil {
		if err := awsrules.ServerlessCapacity(s.MinCapacity, s.MaxCapacity); err != nil {
			return bad("Serverless %v", err)
		}
	}
	switch {
	case len(p.Instances) == 0:
		return bad("Instances is empty; want at least the writer")
	case len(p.AZs) == 0:
		return bad("AZs is empty; want the database subnets' AZs")
	case p.VPCID == nil || p.DBSubnetGroupName == nil:
		return bad("VPCID and DBSubnetGroupName are required")
	case p.BackupRetentionDays < awsrules.MinBackupRetentionDays || p.BackupRetentionDays > awsrules.MaxBackupRetentionDays:
		return bad("BackupRetentionDays %d is out of range; want %d to %d", p.BackupRetentionDays, awsrules.MinBackupRetentionDays, awsrules.MaxBackupRetentionDays)
	case p.KMSKeyARN != "" && !awsrules.KMSKeyARN.MatchString(p.KMSKeyARN):
		return bad("KMSKeyARN %q is not a KMS key ARN", p.KMSKeyARN)
	case p.MasterUserSecretKMSKeyARN != "" && !awsrules.KMSKeyARN.MatchString(p.MasterUserSecretKMSKeyARN):
		return bad("MasterUserSecretKMSKeyARN %q is not a KMS key ARN", p.MasterUserSecretKMSKeyARN)
	}
	seen := map[string]bool{}
	for i, k := range p.Instances {
		if seen[k] {
			return bad("Instances[%d] %q is listed twice", i, k)
		}
		seen[k] = true
		if err := awsrules.DBIdentifier(p.Identifier + "-" + k); err != nil {
			return bad("Instances[%d] makes the instance identifier %v", i, err)
		}
	}
	if err := awsrules.DBName(p.Engine, p.DatabaseName); err != nil {
		return bad("DatabaseName %v", err)
	}
	if err := awsrules.DBMasterUsername(p.MasterUsername); err != nil {
		return bad("MasterUsername %v", err)
	}
	return nil
}

// New builds the database in scope.
func New(scope constructs.Construct, id string, p Props) (*Outputs, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	c := constructs.NewConstruct(scope, jsii.String(id))
	name := func(s string) *map[string]*string {
		return &map[string]*string{"Name": jsii.String(p.Identifier + s)}
	}
	port := awsrules.AuroraPort(p.Engine)

	keyARN := jsii.String(p.KMSKeyARN)
	if p.KMSKeyARN == "" {
		k := kmskey.NewKmsKey(c, jsii.String("key"), &kmskey.KmsKeyConfig{
			Description:          jsii.String("Storage and Performance Insights of the Aurora cluster " + p.Identifier),
			EnableKeyRotation:    jsii.Bool(true),
			DeletionWindowInDays: jsii.Number(KMSDeletionWindowDays),
			Tags:                 name(""),
		})
		kmsalias.NewKmsAlias(c, jsii.String("key-alias"), &kmsalias.KmsAliasConfig{
			Name: jsii.String("alias/" + p.Identifier + "-database"), TargetKeyId: k.KeyId(),
		})
		keyARN = k.Arn()
	}

	sg := securitygroup.NewSecurityGroup(c, jsii.String("sg"), &securitygroup.SecurityGroupConfig{
		NamePrefix:  jsii.String(p.Identifier + "-database-"),
		Description: jsii.String("Aurora cluster: the engine port from the security groups of the services using it; no egress"),
		VpcId:       p.VPCID,
		Tags:        name("-database"),
		// A change that replaces the group creates the new one first, so
		// the cluster never lacks one.
		Lifecycle: &cdktf.TerraformResourceLifecycle{CreateBeforeDestroy: jsii.Bool(true)},
	})
	sgID := sg.Id() // read once: each read is a jsii round trip

	var params []*rdsclusterparametergroup.RdsClusterParameterGroupParameter
	for _, k := range sortedKeys(TLSParameters[p.Engine]) {
		params = append(params, &rdsclusterparametergroup.RdsClusterParameterGroupParameter{
			Name: jsii.String(k), Value: jsii.String(TLSParameters[p.Engine][k]),
		})
	}
	pg := rdsclusterparametergroup.NewRdsClusterParameterGroup(c, jsii.String("parameters"), &rdsclusterparametergroup.RdsClusterParameterGroupConfig{
		NamePrefix:  jsii.String(p.Identifier + "-"),
		Family:      jsii.String(awsrules.AuroraParameterGroupFamily(p.Engine, p.EngineVersion)),
		Description: jsii.String("TLS required for " + p.Identifier),
		Parameter:   params,
		Tags:        name(""),
		// A new family (major upgrade) makes a new group before the old one goes.
		Lifecycle: &cdktf.TerraformResourceLifecycle{CreateBeforeDestroy: jsii.Bool(true)},
	})

	cc := &rdscluster.RdsClusterConfig{
		ClusterIdentifier:            jsii.String(p.Identifier),
		Engine:                       jsii.String(p.Engine),
		EngineVersion:                jsii.String(p.EngineVersion),
		EngineMode:                   jsii.String("provisioned"),
		DatabaseName:                 jsii.String(p.DatabaseName),
		MasterUsername:               jsii.String(p.MasterUsername),
		ManageMasterUserPassword:     jsii.Bool(true),
		Port:                         jsii.Number(port),
		DbSubnetGroupName:            p.DBSubnetGroupName,
		VpcSecurityGroupIds:          &[]*string{sgID},
		DbClusterParameterGroupName:  pg.Name(),
		StorageEncrypted:             jsii.Bool(true),
		KmsKeyId:                     keyARN,
		BackupRetentionPeriod:        jsii.Number(p.BackupRetentionDays),
		CopyTagsToSnapshot:           jsii.Bool(true),
		DeletionProtection:           jsii.Bool(p.DeletionProtection),
		SkipFinalSnapshot:            jsii.Bool(p.SkipFinalSnapshot),
		EnabledCloudwatchLogsExports: jsii.Strings(LogExports[p.Engine]...),
		AllowMajorVersionUpgrade:     jsii.Bool(false),
		Tags:                         name(""),
	}
	if !p.SkipFinalSnapshot {
		cc.FinalSnapshotIdentifier = jsii.String(p.Identifier + "-final")
	}
	if p.MasterUserSecretKMSKeyARN != "" {
		cc.MasterUserSecretKmsKeyId = jsii.String(p.MasterUserSecretKMSKeyARN)
	}
	if s := p.Serverless; s != nil {
		cc.Serverlessv2ScalingConfiguration = &rdscluster.RdsClusterServerlessv2ScalingConfiguration{
			MinCapacity: jsii.Number(s.MinCapacity), MaxCapacity: jsii.Number(s.MaxCapacity),
		}
	}
	cluster := rdscluster.NewRdsCluster(c, jsii.String("cluster"), cc)
	// Read once for every instance (a read is a jsii round trip that mints
	// a new token for the same reference).
	clusterID, engine, engineVersion := cluster.Id(), cluster.Engine(), cluster.EngineVersion()

	for i, k := range p.Instances {
		rdsclusterinstance.NewRdsClusterInstance(c, jsii.String("instance-"+k), &rdsclusterinstance.RdsClusterInstanceConfig{
			Identifier:         jsii.String(p.Identifier + "-" + k),
			ClusterIdentifier:  clusterID,
			Engine:             engine,
			EngineVersion:      engineVersion,
			InstanceClass:      jsii.String(p.InstanceClass),
			AvailabilityZone:   p.AZs[i%len(p.AZs)],
			DbSubnetGroupName:  p.DBSubnetGroupName,
			PubliclyAccessible: jsii.Bool(false),
			// The version in the configuration is what runs: upgrades are a
			// change of engine_version, reviewed in a plan.
			AutoMinorVersionUpgrade:            jsii.Bool(false),
			PerformanceInsightsEnabled:         jsii.Bool(true),
			PerformanceInsightsKmsKeyId:        keyARN,
			PerformanceInsightsRetentionPeriod: jsii.Number(PerformanceInsightsRetentionDays),
			CopyTagsToSnapshot:                 jsii.Bool(true),
			// The writer fails over to reader-1 first, then reader-2, ...
			PromotionTier: jsii.Number(min(i, 15)),
			Tags:          name("-" + k),
		})
	}

	return &Outputs{
		ClusterIdentifier: cluster.ClusterIdentifier(),
		Endpoint:          cluster.Endpoint(),
		ReaderEndpoint:    cluster.ReaderEndpoint(),
		Port:              port,
		SecretARN:         cluster.MasterUserSecret().Get(jsii.Number(0)).SecretArn(),
		SecretKMSKeyARN:   p.MasterUserSecretKMSKeyARN,
		SecurityGroupID:   sgID,
		KMSKeyARN:         keyARN,
	}, nil
}

func sortedKeys(m map[string]string) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}
