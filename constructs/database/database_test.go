package database

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"selfhost/constructs/internal/testutil"
	"selfhost/internal/synth"
)

func TestMain(m *testing.M) { synth.TestMain(m) }

func props() Props {
	return Props{
		Identifier: "selfhost-prod", Engine: "aurora-postgresql", EngineVersion: "16.6", InstanceClass: "db.r6g.large",
		Instances: []string{"writer", "reader-1"}, AZs: []*string{jsii.String("us-east-1a"), jsii.String("us-east-1b")},
		DatabaseName: "app", MasterUsername: "app", BackupRetentionDays: 7, DeletionProtection: true,
		VPCID: jsii.String("vpc-1"), DBSubnetGroupName: jsii.String("db-subnets"),
	}
}

func build(t *testing.T, p Props) (string, testutil.Doc, *Outputs) {
	t.Helper()
	var out *Outputs
	s, d := testutil.Synth(t, func(st cdktf.TerraformStack) {
		var err error
		if out, err = New(st, "database", p); err != nil {
			t.Fatal(err)
		}
	})
	return s, d, out
}

// The production shape: encrypted with a created, rotated key, the managed
// master password, backups, deletion protection, a final snapshot, TLS
// required, the DB subnet group, a writer and a reader in two AZs.
func TestClusterIsProductionGrade(t *testing.T) {
	_, d, out := build(t, props())
	c := testutil.One(t, d, "aws_rds_cluster")
	want := map[string]any{
		"cluster_identifier": "selfhost-prod", "engine": "aurora-postgresql", "engine_version": "16.6", "engine_mode": "provisioned",
		"storage_encrypted": true, "manage_master_user_password": true, "backup_retention_period": float64(7),
		"deletion_protection": true, "skip_final_snapshot": false, "final_snapshot_identifier": "selfhost-prod-final",
		"copy_tags_to_snapshot": true, "db_subnet_group_name": "db-subnets", "port": float64(5432), "allow_major_version_upgrade": false,
	}
	for k, v := range want {
		if c[k] != v {
			t.Errorf("cluster %s = %v, want %v", k, c[k], v)
		}
	}
	for _, k := range []string{"master_password", "master_password_wo"} {
		if _, ok := c[k]; ok {
			t.Errorf("cluster sets %s: the password must be managed by RDS", k)
		}
	}
	key := testutil.One(t, d, "aws_kms_key")
	if key["enable_key_rotation"] != true {
		t.Error("the created key does not rotate")
	}
	if !strings.Contains(c["kms_key_id"].(string), "aws_kms_key.") {
		t.Errorf("storage key %v is not the created key", c["kms_key_id"])
	}
	if got := c["enabled_cloudwatch_logs_exports"]; !equalJSON(got, []string{"postgresql"}) {
		t.Errorf("log exports %v", got)
	}
	pg := testutil.One(t, d, "aws_rds_cluster_parameter_group")
	if pg["family"] != "aurora-postgresql16" || !equalJSON(pg["parameter"], []map[string]string{{"name": "rds.force_ssl", "value": "1"}}) {
		t.Errorf("parameter group %v %v does not require TLS", pg["family"], pg["parameter"])
	}
	if !strings.Contains(c["db_cluster_parameter_group_name"].(string), "aws_rds_cluster_parameter_group.") {
		t.Error("the cluster does not use its parameter group")
	}
	azs := map[string]string{}
	for _, k := range []string{"writer", "reader-1"} {
		i := testutil.Find(t, d, "aws_rds_cluster_instance", "instance-"+k+"_")
		azs[k] = i["availability_zone"].(string)
		if i["identifier"] != "selfhost-prod-"+k || i["publicly_accessible"] != false || i["performance_insights_enabled"] != true ||
			i["performance_insights_kms_key_id"] != c["kms_key_id"] || i["instance_class"] != "db.r6g.large" {
			t.Errorf("instance %s: %v", k, i)
		}
	}
	if azs["writer"] != "us-east-1a" || azs["reader-1"] != "us-east-1b" {
		t.Errorf("instances not spread over the AZs: %v", azs)
	}
	sg := testutil.One(t, d, "aws_security_group")
	if sg["name_prefix"] != "selfhost-prod-database-" || sg["lifecycle"].(map[string]any)["create_before_destroy"] != true {
		t.Errorf("security group %v", sg)
	}
	if _, ok := sg["ingress"]; ok || d.Count("aws_vpc_security_group_ingress_rule") != 0 || d.Count("aws_vpc_security_group_egress_rule") != 0 {
		t.Error("the database's security group has rules of its own; services add their ingress")
	}
	if out.Port != 5432 || out.SecretKMSKeyARN != "" || !*cdktf.Token_IsUnresolved(out.SecretARN) {
		t.Errorf("outputs %+v", out)
	}
}

// MySQL: its port, TLS parameter, log exports and parameter group family;
// a given KMS key is used and none is created; Serverless v2 capacity.
func TestMySQLServerlessWithAGivenKey(t *testing.T) {
	p := props()
	p.Engine, p.EngineVersion = "aurora-mysql", "8.0.mysql_aurora.3.08.0"
	p.InstanceClass, p.Serverless = "db.serverless", &Serverless{MinCapacity: 0.5, MaxCapacity: 8}
	p.KMSKeyARN = "arn:aws:kms:us-east-1:123456789012:key/abc"
	p.MasterUserSecretKMSKeyARN = "arn:aws:kms:us-east-1:123456789012:key/def"
	p.DeletionProtection, p.SkipFinalSnapshot = false, true
	_, d, out := build(t, p)
	c := testutil.One(t, d, "aws_rds_cluster")
	if c["port"] != float64(3306) || c["kms_key_id"] != p.KMSKeyARN || c["master_user_secret_kms_key_id"] != p.MasterUserSecretKMSKeyARN ||
		c["skip_final_snapshot"] != true || c["deletion_protection"] != false {
		t.Errorf("cluster %v", c)
	}
	if _, ok := c["final_snapshot_identifier"]; ok {
		t.Error("final_snapshot_identifier with skip_final_snapshot")
	}
	if !equalJSON(c["serverlessv2_scaling_configuration"], map[string]float64{"max_capacity": 8, "min_capacity": 0.5}) {
		t.Errorf("serverless %v", c["serverlessv2_scaling_configuration"])
	}
	if d.Count("aws_kms_key") != 0 {
		t.Error("a key is created although one is given")
	}
	pg := testutil.One(t, d, "aws_rds_cluster_parameter_group")
	if pg["family"] != "aurora-mysql8.0" || !strings.Contains(mustJSON(pg["parameter"]), `{"name":"require_secure_transport","value":"ON"}`) {
		t.Errorf("parameter group %v %v", pg["family"], pg["parameter"])
	}
	for _, i := range d.Of("aws_rds_cluster_instance") {
		if i["instance_class"] != "db.serverless" || i["performance_insights_kms_key_id"] != p.KMSKeyARN {
			t.Errorf("instance %v", i)
		}
	}
	if out.Port != 3306 || out.SecretKMSKeyARN != p.MasterUserSecretKMSKeyARN {
		t.Errorf("outputs %+v", out)
	}
}

// Instances are keyed by name: a third instance adds a resource and keeps
// the logical ids (addresses) of the others.
func TestInstancesKeyedByName(t *testing.T) {
	ids := func(p Props) map[string]bool {
		_, d, _ := build(t, p)
		m := map[string]bool{}
		for id := range d.Of("aws_rds_cluster_instance") {
			m[id] = true
		}
		return m
	}
	two := ids(props())
	p := props()
	p.Instances = append(p.Instances, "reader-2")
	three := ids(p)
	if len(two) != 2 || len(three) != 3 {
		t.Fatalf("instances %v then %v", two, three)
	}
	for id := range two {
		if !three[id] {
			t.Errorf("adding a reader changed the address %s", id)
		}
	}
}

func TestPropsRefused(t *testing.T) {
	for _, c := range []struct {
		change func(*Props)
		want   string
	}{
		{func(p *Props) { p.Identifier = "1db" }, "database: Identifier"},
		{func(p *Props) { p.EngineVersion = "12.1" }, "database: EngineVersion"},
		{func(p *Props) { p.InstanceClass = "db.serverless" }, "must go together"},
		{func(p *Props) { p.Instances = nil }, "Instances is empty"},
		{func(p *Props) { p.Instances = []string{"writer", "writer"} }, "listed twice"},
		{func(p *Props) { p.AZs = nil }, "AZs is empty"},
		{func(p *Props) { p.BackupRetentionDays = 0 }, "BackupRetentionDays"},
		{func(p *Props) { p.KMSKeyARN = "alias/x" }, "KMSKeyARN"},
		{func(p *Props) { p.MasterUsername = "rdsadmin" }, "MasterUsername"},
	} {
		p := props()
		c.change(&p)
		if err := p.Validate(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("error %v, want %q", err, c.want)
		}
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func equalJSON(got, want any) bool { return mustJSON(got) == mustJSON(want) }
