package service

// The service's use of the stateful resources of <env>-data: the database
// (endpoint and master secret, the security group path to it) and the
// application buckets (task role access). One place, taken as typed props,
// so that each service of an environment gets its own.

import (
	"fmt"
	"strings"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/iamrolepolicy"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/vpcsecuritygroupegressrule"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/vpcsecuritygroupingressrule"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"selfhost/constructs/created"
	"selfhost/constructs/iampolicy"
)

// DatabaseAccess is the database a service uses.
type DatabaseAccess struct {
	// Endpoint is the cluster's writer endpoint, Port its port, Name the database.
	Endpoint *string
	Port     int
	Name     string
	// SecretARN is the master user's secret managed by RDS (JSON keys
	// username and password); the execution role may read exactly it.
	SecretARN *string
	// SecretKMSKeyARN is the customer managed key of the secret (optional:
	// the AWS managed key needs no permission); the execution role may
	// decrypt with it through Secrets Manager only (kms:ViaService).
	SecretKMSKeyARN string
	// SecurityGroupID is the database's security group: the service adds
	// ingress on Port from its own group to it.
	SecurityGroupID *string
}

// BucketAccess is an application bucket the service reads and writes.
type BucketAccess struct {
	// Key is the bucket's short name (uploads): the variable BUCKET_<KEY>
	// holds its Name.
	Key  string
	Name *string
	ARN  *string
}

// The container variables of the database and the buckets (config keeps its
// copy, config.DatabaseEnv, equal: a test checks).
const (
	EnvDBHost     = "DB_HOST"
	EnvDBPort     = "DB_PORT"
	EnvDBName     = "DB_NAME"
	EnvDBUsername = "DB_USERNAME"
	EnvDBPassword = "DB_PASSWORD"
	// EnvBucketPrefix + the bucket key in upper case, '-' as '_'.
	EnvBucketPrefix = "BUCKET_"
)

// DatabaseEnv are the variables a service using the database gets.
var DatabaseEnv = []string{EnvDBHost, EnvDBPort, EnvDBName, EnvDBUsername, EnvDBPassword}

// BucketEnv is the variable holding the name of the bucket with key k.
func BucketEnv(k string) string {
	return EnvBucketPrefix + strings.ToUpper(strings.ReplaceAll(k, "-", "_"))
}

// BucketObjectActions are what a service may do with the objects of its buckets.
var BucketObjectActions = []string{"s3:GetObject", "s3:PutObject", "s3:DeleteObject"}

// dataEnv adds the database and bucket variables to env (a copy).
func (p Props) dataEnv() (map[string]string, []Secret) {
	env := map[string]string{}
	for k, v := range p.Environment {
		env[k] = v
	}
	var secrets []Secret
	if d := p.Database; d != nil {
		env[EnvDBHost] = *d.Endpoint
		env[EnvDBPort] = fmt.Sprint(d.Port)
		env[EnvDBName] = d.Name
		secrets = append(secrets,
			Secret{Name: EnvDBUsername, ARN: *d.SecretARN, Source: SourceSecretsManager, JSONKey: "username"},
			Secret{Name: EnvDBPassword, ARN: *d.SecretARN, Source: SourceSecretsManager, JSONKey: "password"})
	}
	for _, b := range p.Buckets {
		env[BucketEnv(b.Key)] = *b.Name
	}
	return env, secrets
}

// validateData checks the Database and Buckets props.
func (p Props) validateData() error {
	if d := p.Database; d != nil {
		switch {
		case d.Endpoint == nil || d.SecretARN == nil || d.SecurityGroupID == nil:
			return fmt.Errorf("service: Database needs Endpoint, SecretARN and SecurityGroupID")
		case d.Port < 1 || d.Port > 65535:
			return fmt.Errorf("service: Database.Port %d is out of range; want 1 to 65535", d.Port)
		case d.SecretKMSKeyARN != "" && !reKMSARN.MatchString(d.SecretKMSKeyARN):
			return fmt.Errorf("service: Database.SecretKMSKeyARN %q is not a KMS key ARN", d.SecretKMSKeyARN)
		}
		for _, k := range DatabaseEnv {
			if _, dup := p.Environment[k]; dup {
				return fmt.Errorf("service: Environment[%q] is set for the database (Database); choose another name", k)
			}
		}
	}
	seen := map[string]bool{}
	for i, b := range p.Buckets {
		switch {
		case b.Key == "" || b.Name == nil || b.ARN == nil:
			return fmt.Errorf("service: Buckets[%d] needs Key, Name and ARN", i)
		case seen[b.Key]:
			return fmt.Errorf("service: Buckets[%d] %q is listed twice", i, b.Key)
		}
		if _, dup := p.Environment[BucketEnv(b.Key)]; dup {
			return fmt.Errorf("service: Environment[%q] is set for the bucket %q; choose another name", BucketEnv(b.Key), b.Key)
		}
		seen[b.Key] = true
	}
	return nil
}

// dataAccess adds what the service needs to reach the database and the
// buckets: the security group rules between the tasks and the database,
// and the task role's bucket policy. It returns the resources the service
// must wait for, and lists them in rs.
func dataAccess(c constructs.Construct, rs *created.List, p Props, taskRoleID *string) []cdktf.ITerraformDependable {
	var deps []cdktf.ITerraformDependable
	if d := p.Database; d != nil {
		port := jsii.Number(d.Port)
		deps = append(deps,
			created.Add(rs, "database-in-service", vpcsecuritygroupingressrule.NewVpcSecurityGroupIngressRule(c, jsii.String("database-in-service"), &vpcsecuritygroupingressrule.VpcSecurityGroupIngressRuleConfig{
				SecurityGroupId:           d.SecurityGroupID,
				Description:               jsii.String("From the tasks of " + p.Name + " on the engine port"),
				IpProtocol:                jsii.String("tcp"),
				FromPort:                  port,
				ToPort:                    port,
				ReferencedSecurityGroupId: p.securityGroupID,
			})),
			created.Add(rs, "service-out-database", vpcsecuritygroupegressrule.NewVpcSecurityGroupEgressRule(c, jsii.String("service-out-database"), &vpcsecuritygroupegressrule.VpcSecurityGroupEgressRuleConfig{
				SecurityGroupId:           p.securityGroupID,
				Description:               jsii.String("To the database on the engine port"),
				IpProtocol:                jsii.String("tcp"),
				FromPort:                  port,
				ToPort:                    port,
				ReferencedSecurityGroupId: d.SecurityGroupID,
			})))
	}
	if len(p.Buckets) > 0 {
		var sts []iampolicy.Statement
		for _, b := range p.Buckets {
			sid := "Bucket" + sidPart(b.Key)
			sts = append(sts,
				iampolicy.Statement{Sid: sid + "List", Effect: "Allow", Action: []string{"s3:ListBucket"}, Resource: []string{*b.ARN}},
				iampolicy.Statement{Sid: sid + "Objects", Effect: "Allow", Action: BucketObjectActions, Resource: []string{*b.ARN + "/*"}})
		}
		deps = append(deps, created.Add(rs, "task-buckets", iamrolepolicy.NewIamRolePolicy(c, jsii.String("task-buckets"), &iamrolepolicy.IamRolePolicyConfig{
			Name:   jsii.String("buckets"),
			Role:   taskRoleID,
			Policy: iampolicy.Document(sts...),
		})))
	}
	return deps
}

// sidPart turns a bucket key (a-z, 0-9, '-') into statement id letters:
// checkpoints-v2 -> CheckpointsV2.
func sidPart(k string) string {
	var b strings.Builder
	up := true
	for _, r := range k {
		switch {
		case r == '-':
			up = true
		case up && r >= 'a' && r <= 'z':
			b.WriteRune(r - 'a' + 'A')
			up = false
		default:
			b.WriteRune(r)
			up = false
		}
	}
	return b.String()
}
