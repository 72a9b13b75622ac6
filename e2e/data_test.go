package e2e

import (
	"context"
	"encoding/json"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"selfhost/ops/localenv"
)

// awsCLI runs the aws CLI against the session's emulator and decodes its
// JSON answer (the RDS API has no SDK module in this project). The
// endpoint is also given as --endpoint-url: botocore 1.43 ignores
// AWS_ENDPOINT_URL for RDS in us-east-1 (it calls rds.amazonaws.com).
func awsCLI(t *testing.T, s *localenv.Session, args ...string) map[string]any {
	t.Helper()
	cmd := exec.Command("aws", append(args, "--output", "json", "--endpoint-url", s.Srv.Endpoint())...)
	cmd.Env = s.Srv.Environ(s.Cfg.Region)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("aws %v: %v\n%s", args, err, out)
	}
	var m map[string]any
	if err := json.Unmarshal(out, &m); err != nil {
		t.Fatalf("aws %v: %v\n%s", args, err, out)
	}
	return m
}

// checkData: the Aurora cluster is in the DB subnet group of the database
// subnets, encrypted, with a master secret managed by RDS and a writer and
// a reader in two AZs; the task definition takes the user name and password
// from that secret; the uploads bucket's policy denies requests without TLS.
func checkData(t *testing.T, ctx context.Context, s *localenv.Session, serviceOuts map[string]string) {
	if _, err := exec.LookPath("aws"); err != nil {
		t.Skip("aws CLI not on PATH")
	}
	cfg := s.Cfg
	got := awsCLI(t, s, "rds", "describe-db-clusters", "--db-cluster-identifier", cfg.ClusterIdentifier())
	clusters, _ := got["DBClusters"].([]any)
	if len(clusters) != 1 {
		t.Fatalf("clusters %v", got)
	}
	c := clusters[0].(map[string]any)
	if c["StorageEncrypted"] != true || c["Engine"] != cfg.Database.Engine || c["DeletionProtection"] != false {
		t.Errorf("cluster: encrypted %v, engine %v, deletion protection %v", c["StorageEncrypted"], c["Engine"], c["DeletionProtection"])
	}
	secret, _ := c["MasterUserSecret"].(map[string]any)
	secretARN, _ := secret["SecretArn"].(string)
	if !strings.HasPrefix(secretARN, "arn:aws:secretsmanager:") {
		t.Fatalf("no managed master secret: %v", c["MasterUserSecret"])
	}
	group, _ := c["DBSubnetGroup"].(string)
	sg := awsCLI(t, s, "rds", "describe-db-subnet-groups", "--db-subnet-group-name", group)
	dbSubnets := subnetsOfTier(t, s, "database")
	var inGroup []string
	for _, g := range sg["DBSubnetGroups"].([]any) {
		for _, sn := range g.(map[string]any)["Subnets"].([]any) {
			id := sn.(map[string]any)["SubnetIdentifier"].(string)
			inGroup = append(inGroup, id)
			if !dbSubnets[id] {
				t.Errorf("subnet group %s holds %s, not a database subnet", group, id)
			}
		}
	}
	if len(inGroup) != len(dbSubnets) {
		t.Errorf("subnet group %s holds %v, want the %d database subnets", group, inGroup, len(dbSubnets))
	}
	// Its security group admits the engine port from the groups of the
	// services declaring database: true, and from nothing else.
	var dbSG string
	if vsgs, _ := c["VpcSecurityGroups"].([]any); len(vsgs) == 1 {
		dbSG, _ = vsgs[0].(map[string]any)["VpcSecurityGroupId"].(string)
	}
	var wantFrom []string
	for _, n := range cfg.ServiceNames() {
		if !cfg.Services[n].Database {
			continue
		}
		cluster, service, _ := serviceNames(t, serviceOuts, n)
		ds, err := ecs.NewFromConfig(s.AWS()).DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: &cluster, Services: []string{service}})
		if err != nil || len(ds.Services) != 1 {
			t.Fatalf("describe service %s: %v %v", n, ds, err)
		}
		wantFrom = append(wantFrom, ds.Services[0].NetworkConfiguration.AwsvpcConfiguration.SecurityGroups...)
	}
	rules, err := ec2.NewFromConfig(s.AWS()).DescribeSecurityGroupRules(ctx, &ec2.DescribeSecurityGroupRulesInput{Filters: []ec2types.Filter{{Name: aws.String("group-id"), Values: []string{dbSG}}}})
	if err != nil {
		t.Fatal(err)
	}
	var admitted []string
	for _, r := range rules.SecurityGroupRules {
		if aws.ToBool(r.IsEgress) {
			continue
		}
		if r.ReferencedGroupInfo == nil || aws.ToInt32(r.FromPort) != int32(cfg.Database.Port()) {
			t.Errorf("database group %s admits %+v", dbSG, r)
			continue
		}
		admitted = append(admitted, aws.ToString(r.ReferencedGroupInfo.GroupId))
	}
	if admitted = sorted(admitted); !slices.Equal(admitted, sorted(wantFrom)) || len(admitted) == 0 {
		t.Errorf("database group %s admits %v, want the groups of the services using it %v", dbSG, admitted, wantFrom)
	}

	insts := awsCLI(t, s, "rds", "describe-db-instances", "--filters", "Name=db-cluster-id,Values="+cfg.ClusterIdentifier())
	azs := map[string]bool{}
	var ids []string
	for _, i := range insts["DBInstances"].([]any) {
		m := i.(map[string]any)
		ids = append(ids, m["DBInstanceIdentifier"].(string))
		azs[m["AvailabilityZone"].(string)] = true
		if m["PerformanceInsightsEnabled"] != true || m["PubliclyAccessible"] == true {
			t.Errorf("instance %s: Performance Insights %v, public %v", m["DBInstanceIdentifier"], m["PerformanceInsightsEnabled"], m["PubliclyAccessible"])
		}
	}
	slices.Sort(ids)
	if want := []string{cfg.ClusterIdentifier() + "-reader-1", cfg.ClusterIdentifier() + "-writer"}; !slices.Equal(ids, want) || len(azs) != 2 {
		t.Errorf("instances %v in AZs %v, want %v in two AZs", ids, azs, want)
	}

	// The task definition reads the managed secret's keys.
	cluster, service, _ := serviceNames(t, serviceOuts, "api") // the service declaring database: true
	ecsc := ecs.NewFromConfig(s.AWS())
	ds, err := ecsc.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: &cluster, Services: []string{service}})
	if err != nil || len(ds.Services) != 1 {
		t.Fatalf("describe service: %v %v", ds, err)
	}
	td, err := ecsc.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: ds.Services[0].TaskDefinition})
	if err != nil {
		t.Fatal(err)
	}
	from := map[string]string{}
	for _, sec := range td.TaskDefinition.ContainerDefinitions[0].Secrets {
		from[aws.ToString(sec.Name)] = aws.ToString(sec.ValueFrom)
	}
	if from["DB_USERNAME"] != secretARN+":username::" || from["DB_PASSWORD"] != secretARN+":password::" {
		t.Errorf("task secrets %v, want the keys of %s", from, secretARN)
	}

	// The bucket policy denies requests without TLS (and below TLS 1.2).
	bucket := cfg.BucketName("uploads")
	pol, err := s3.NewFromConfig(s.AWS()).GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: &bucket})
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Statement []struct {
			Effect    string
			Condition map[string]map[string]any
		}
	}
	if err := json.Unmarshal([]byte(aws.ToString(pol.Policy)), &doc); err != nil {
		t.Fatal(err)
	}
	denies := map[string]bool{}
	for _, st := range doc.Statement {
		if st.Effect == "Deny" && st.Condition["Bool"]["aws:SecureTransport"] == "false" {
			denies["no-tls"] = true
		}
		if st.Effect == "Deny" && st.Condition["NumericLessThan"]["s3:TlsVersion"] != nil {
			denies["old-tls"] = true
		}
	}
	if !denies["no-tls"] || !denies["old-tls"] {
		t.Errorf("bucket %s policy denies %v: %s", bucket, denies, aws.ToString(pol.Policy))
	}
}

// checkDataGone: after the teardown no cluster, instance or master secret is left.
func checkDataGone(t *testing.T, s *localenv.Session) {
	if _, err := exec.LookPath("aws"); err != nil {
		t.Skip("aws CLI not on PATH")
	}
	if got := awsCLI(t, s, "rds", "describe-db-clusters"); len(got["DBClusters"].([]any)) != 0 {
		t.Errorf("clusters left: %v", got)
	}
	if got := awsCLI(t, s, "rds", "describe-db-instances"); len(got["DBInstances"].([]any)) != 0 {
		t.Errorf("instances left: %v", got)
	}
	if got := awsCLI(t, s, "secretsmanager", "list-secrets"); len(got["SecretList"].([]any)) != 0 {
		t.Errorf("secrets left: %v", got)
	}
}
