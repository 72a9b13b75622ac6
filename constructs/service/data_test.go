package service

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/lblistener"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"selfhost/config"
	"selfhost/constructs/internal/testutil"
)

const dbSecret = "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds-cluster-1a2b-AbCdEf"

// A service using the database and one bucket: the endpoint as values, the
// managed secret's keys as ECS secrets, GetSecretValue on that secret only,
// kms:Decrypt through Secrets Manager only, the security group path to the
// database, and the bucket alone in the task role.
func TestDataAccess(t *testing.T) {
	p := props()
	p.Database = &DatabaseAccess{
		Endpoint: jsii.String("db.cluster.example"), Port: 5432, Name: "app", SecretARN: jsii.String(dbSecret),
		SecretKMSKeyARN: kmsARN, SecurityGroupID: jsii.String("sg-db"),
	}
	p.Buckets = []BucketAccess{{Key: "uploads", Name: jsii.String("selfhost-test-uploads"), ARN: jsii.String("arn:aws:s3:::selfhost-test-uploads")}}
	_, d := testutil.Synth(t, func(st cdktf.TerraformStack) {
		p.LoadBalancer.Rule = lblistener.NewLbListener(st, jsii.String("listener"), &lblistener.LbListenerConfig{
			LoadBalancerArn: jsii.String("arn:lb"), Port: jsii.Number(443),
			DefaultAction: &[]*lblistener.LbListenerDefaultAction{{Type: jsii.String("forward"), TargetGroupArn: jsii.String("arn:tg")}},
		})
		if _, err := New(st, "svc", p); err != nil {
			t.Fatal(err)
		}
	})
	td := testutil.One(t, d, "aws_ecs_task_definition")
	var defs []containerDef
	if err := json.Unmarshal([]byte(td["container_definitions"].(string)), &defs); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{}
	for _, e := range defs[0].Environment {
		env[e.Name] = e.Value
	}
	if env["DB_HOST"] != "db.cluster.example" || env["DB_PORT"] != "5432" || env["DB_NAME"] != "app" || env["BUCKET_UPLOADS"] != "selfhost-test-uploads" {
		t.Errorf("environment %v", env)
	}
	from := map[string]string{}
	for _, s := range defs[0].Secrets {
		from[s.Name] = s.ValueFrom
	}
	if from["DB_USERNAME"] != dbSecret+":username::" || from["DB_PASSWORD"] != dbSecret+":password::" {
		t.Errorf("secrets %v", from)
	}
	exec := testutil.Find(t, d, "aws_iam_role_policy", "execution-policy")["policy"].(string)
	if !strings.Contains(exec, `{"Sid":"SecretsManager","Effect":"Allow","Action":["secretsmanager:GetSecretValue"],"Resource":["`+dbSecret+`"]}`) {
		t.Errorf("execution policy does not grant exactly the secret: %s", exec)
	}
	if !strings.Contains(exec, `"Action":["kms:Decrypt"],"Resource":["`+kmsARN+`"],"Condition":{"StringEquals":{"kms:ViaService":"secretsmanager.us-east-1.amazonaws.com"}}`) {
		t.Errorf("kms:Decrypt not scoped to Secrets Manager: %s", exec)
	}
	svcSG := "${aws_security_group." + sgID(d, "svc") + ".id}"
	in := testutil.Find(t, d, "aws_vpc_security_group_ingress_rule", "svc_database-in-service_")
	if in["security_group_id"] != "sg-db" || in["referenced_security_group_id"] != svcSG || in["from_port"] != float64(5432) || in["to_port"] != float64(5432) {
		t.Errorf("database ingress %v", in)
	}
	out := testutil.Find(t, d, "aws_vpc_security_group_egress_rule", "svc_service-out-database_")
	if out["security_group_id"] != svcSG || out["referenced_security_group_id"] != "sg-db" || out["from_port"] != float64(5432) {
		t.Errorf("service egress %v", out)
	}
	tp := testutil.Find(t, d, "aws_iam_role_policy", "task-buckets")
	want := `{"Version":"2012-10-17","Statement":[{"Sid":"BucketUploadsList","Effect":"Allow","Action":["s3:ListBucket"],"Resource":["arn:aws:s3:::selfhost-test-uploads"]},{"Sid":"BucketUploadsObjects","Effect":"Allow","Action":["s3:GetObject","s3:PutObject","s3:DeleteObject"],"Resource":["arn:aws:s3:::selfhost-test-uploads/*"]}]}`
	if tp["policy"] != want {
		t.Errorf("task role bucket policy\n%v\nwant\n%s", tp["policy"], want)
	}
	if !strings.Contains(tp["role"].(string), "aws_iam_role.svc_task-role") {
		t.Errorf("bucket policy on %v, want the task role", tp["role"])
	}
	// A variable set by the environment and by the database is refused.
	bad := p
	bad.Environment = map[string]string{"DB_HOST": "x"}
	if err := bad.validateData(); err == nil || !strings.Contains(err.Error(), `Environment["DB_HOST"]`) {
		t.Errorf("error %v", err)
	}
}

// config refuses the variables the service sets for the database and the
// buckets: both name them alike.
func TestDataEnvMatchesConfig(t *testing.T) {
	if !slices.Equal(DatabaseEnv, config.DatabaseEnv) {
		t.Errorf("service.DatabaseEnv %v, config.DatabaseEnv %v", DatabaseEnv, config.DatabaseEnv)
	}
	for _, k := range []string{"uploads", "check-points2"} {
		if BucketEnv(k) != config.BucketEnvName(k) {
			t.Errorf("%s: service %s, config %s", k, BucketEnv(k), config.BucketEnvName(k))
		}
	}
	if sidPart("check-points2") != "CheckPoints2" {
		t.Error(sidPart("check-points2"))
	}
}
