package emulator_test

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	aas "github.com/aws/aws-sdk-go-v2/service/applicationautoscaling"
	aastypes "github.com/aws/aws-sdk-go-v2/service/applicationautoscaling/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"selfhost/emulator"
)

const region = "eu-west-1"

func start(t *testing.T) *emulator.Server {
	t.Helper()
	if testing.Short() {
		t.Skip("skipping: needs the moto AWS emulator (python3 with moto); not run with -short")
	}
	return emulator.StartT(t)
}

func awsConfig(s *emulator.Server) aws.Config {
	return aws.Config{
		Region:       region,
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint: aws.String(s.Endpoint()),
		HTTPClient:   s.HTTPClient(),
	}
}

func TestStartStop(t *testing.T) {
	s := start(t)
	if !strings.HasPrefix(s.Endpoint(), "https://127.0.0.1:") {
		t.Fatalf("endpoint %q is not on loopback", s.Endpoint())
	}
	conn, err := net.Dial("tcp", s.Endpoint()[len("https://"):])
	if err != nil {
		t.Fatalf("server not reachable after Start: %v", err)
	}
	conn.Close()

	if err := s.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if err := syscall.Kill(s.PID(), 0); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("process %d still exists after Stop (kill -0: %v)", s.PID(), err)
	}
	if err := syscall.Kill(-s.PID(), 0); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("process group %d still exists after Stop (kill -0: %v)", s.PID(), err)
	}
	if conn, err := net.Dial("tcp", s.Endpoint()[len("https://"):]); err == nil {
		conn.Close()
		t.Errorf("port %d still accepts connections after Stop", s.Port())
	}
	if err := s.Stop(); err != nil {
		t.Errorf("second Stop: %v", err)
	}
}

// The aws CLI, configured only through Environ, reaches the emulator.
func TestEnvironWithAWSCLI(t *testing.T) {
	s := start(t)
	if _, err := exec.LookPath("aws"); err != nil {
		t.Skip("aws CLI not on PATH")
	}
	cmd := exec.Command("aws", "sts", "get-caller-identity", "--output", "json")
	cmd.Env = append(s.Environ(region), "AWS_PROFILE_SHOULD_NOT_MATTER=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("aws sts get-caller-identity: %v\n%s", err, out)
	}
	var id struct{ Account string }
	if err := json.Unmarshal(out, &id); err != nil {
		t.Fatalf("decoding %s: %v", out, err)
	}
	if id.Account != emulator.AccountID {
		t.Errorf("account = %q, want %q", id.Account, emulator.AccountID)
	}
}

func TestSetenvT(t *testing.T) {
	s := start(t)
	t.Setenv("AWS_PROFILE", "developer-profile")
	t.Run("inside", func(t *testing.T) {
		s.SetenvT(t, region)
		if v, ok := os.LookupEnv("AWS_PROFILE"); ok {
			t.Errorf("AWS_PROFILE = %q, want it unset", v)
		}
		if got := os.Getenv("AWS_ENDPOINT_URL"); got != s.Endpoint() {
			t.Errorf("AWS_ENDPOINT_URL = %q, want %q", got, s.Endpoint())
		}
	})
	if got := os.Getenv("AWS_PROFILE"); got != "developer-profile" {
		t.Errorf("AWS_PROFILE = %q after the subtest, want it restored", got)
	}
}

func TestMergeEnv(t *testing.T) {
	got := emulator.MergeEnv(
		[]string{"A=1", "AWS_PROFILE=prod", "B=2"},
		map[string]string{"AWS_PROFILE": "", "B": "3", "C": "4"},
	)
	want := map[string]bool{"A=1": true, "B=3": true, "C=4": true}
	if len(got) != len(want) {
		t.Fatalf("MergeEnv = %v, want %v", got, want)
	}
	for _, kv := range got {
		if !want[kv] {
			t.Errorf("unexpected entry %q in %v", kv, got)
		}
	}
}

// Patch s3_delete_marker_dispose: a versioned bucket holding objects and
// delete markers can be emptied by version id and deleted, whether
// versioning is still enabled or was suspended first (as Terraform does
// when it destroys aws_s3_bucket_versioning before a force_destroy bucket).
func TestS3EmptyVersionedBucket(t *testing.T) {
	s := start(t)
	ctx := context.Background()
	client := s3.NewFromConfig(awsConfig(s), func(o *s3.Options) { o.UsePathStyle = true })

	for _, suspend := range []bool{false, true} {
		bucket := "versioned-enabled"
		if suspend {
			bucket = "versioned-suspended"
		}
		t.Run(bucket, func(t *testing.T) {
			must := func(_ any, err error) {
				t.Helper()
				if err != nil {
					t.Fatal(err)
				}
			}
			must(client.CreateBucket(ctx, &s3.CreateBucketInput{
				Bucket: aws.String(bucket),
				CreateBucketConfiguration: &s3types.CreateBucketConfiguration{
					LocationConstraint: s3types.BucketLocationConstraint(region),
				},
			}))
			setVersioning := func(status s3types.BucketVersioningStatus) {
				must(client.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{
					Bucket:                  aws.String(bucket),
					VersioningConfiguration: &s3types.VersioningConfiguration{Status: status},
				}))
			}
			setVersioning(s3types.BucketVersioningStatusEnabled)
			for _, key := range []string{"a", "a", "b", "c"} {
				must(client.PutObject(ctx, &s3.PutObjectInput{
					Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader("data " + key),
				}))
			}
			for _, key := range []string{"a", "a", "b"} { // "a" gets two delete markers
				must(client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}))
			}
			if suspend {
				setVersioning(s3types.BucketVersioningStatusSuspended)
			}

			versions, err := client.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String(bucket)})
			if err != nil {
				t.Fatal(err)
			}
			if len(versions.Versions) != 4 || len(versions.DeleteMarkers) != 3 {
				t.Fatalf("got %d versions and %d delete markers, want 4 and 3",
					len(versions.Versions), len(versions.DeleteMarkers))
			}
			// One delete marker alone, by version id, then everything else in one batch.
			first := versions.DeleteMarkers[0]
			must(client.DeleteObject(ctx, &s3.DeleteObjectInput{
				Bucket: aws.String(bucket), Key: first.Key, VersionId: first.VersionId,
			}))
			var ids []s3types.ObjectIdentifier
			for _, m := range versions.DeleteMarkers[1:] {
				ids = append(ids, s3types.ObjectIdentifier{Key: m.Key, VersionId: m.VersionId})
			}
			for _, v := range versions.Versions {
				ids = append(ids, s3types.ObjectIdentifier{Key: v.Key, VersionId: v.VersionId})
			}
			out, err := client.DeleteObjects(ctx, &s3.DeleteObjectsInput{
				Bucket: aws.String(bucket), Delete: &s3types.Delete{Objects: ids},
			})
			if err != nil {
				t.Fatalf("DeleteObjects: %v", err)
			}
			for _, e := range out.Errors {
				t.Errorf("DeleteObjects error for %s@%s: %s %s",
					aws.ToString(e.Key), aws.ToString(e.VersionId), aws.ToString(e.Code), aws.ToString(e.Message))
			}

			left, err := client.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String(bucket)})
			if err != nil {
				t.Fatal(err)
			}
			if n := len(left.Versions) + len(left.DeleteMarkers); n != 0 {
				t.Fatalf("%d versions/delete markers left after emptying", n)
			}
			must(client.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(bucket)}))
			if _, err := client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(bucket)}); err == nil {
				t.Errorf("bucket %s still exists after DeleteBucket", bucket)
			}
		})
	}
}

// createService registers a task definition and creates an ECS service
// with the fields moto used to drop.
func createService(t *testing.T, ctx context.Context, client *ecs.Client) *ecstypes.Service {
	t.Helper()
	if _, err := client.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("main")}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{
		Family: aws.String("app"),
		ContainerDefinitions: []ecstypes.ContainerDefinition{
			{Name: aws.String("app"), Image: aws.String("nginx"), Memory: aws.Int32(128)},
		},
	}); err != nil {
		t.Fatal(err)
	}
	out, err := client.CreateService(ctx, &ecs.CreateServiceInput{
		Cluster:                       aws.String("main"),
		ServiceName:                   aws.String("app"),
		TaskDefinition:                aws.String("app"),
		DesiredCount:                  aws.Int32(2),
		HealthCheckGracePeriodSeconds: aws.Int32(30),
		AvailabilityZoneRebalancing:   ecstypes.AvailabilityZoneRebalancingEnabled,
		DeploymentConfiguration: &ecstypes.DeploymentConfiguration{
			DeploymentCircuitBreaker: &ecstypes.DeploymentCircuitBreaker{Enable: true, Rollback: true},
			MaximumPercent:           aws.Int32(150),
			MinimumHealthyPercent:    aws.Int32(50),
		},
	})
	if err != nil {
		t.Fatalf("CreateService: %v", err)
	}
	return out.Service
}

type serviceFields struct {
	Grace          int32
	Rebalancing    ecstypes.AvailabilityZoneRebalancing
	Breaker        bool
	Rollback       bool
	Max, MinHealth int32
}

func fieldsOf(s *ecstypes.Service) serviceFields {
	f := serviceFields{Grace: aws.ToInt32(s.HealthCheckGracePeriodSeconds), Rebalancing: s.AvailabilityZoneRebalancing}
	if dc := s.DeploymentConfiguration; dc != nil {
		f.Max, f.MinHealth = aws.ToInt32(dc.MaximumPercent), aws.ToInt32(dc.MinimumHealthyPercent)
		if cb := dc.DeploymentCircuitBreaker; cb != nil {
			f.Breaker, f.Rollback = cb.Enable, cb.Rollback
		}
	}
	return f
}

// Patch ecs_service_fields: CreateService, DescribeServices and
// UpdateService keep and return healthCheckGracePeriodSeconds,
// availabilityZoneRebalancing and deploymentConfiguration.
func TestECSServiceFields(t *testing.T) {
	s := start(t)
	ctx := context.Background()
	client := ecs.NewFromConfig(awsConfig(s))

	describe := func() serviceFields {
		t.Helper()
		out, err := client.DescribeServices(ctx, &ecs.DescribeServicesInput{
			Cluster: aws.String("main"), Services: []string{"app"},
		})
		if err != nil || len(out.Services) != 1 {
			t.Fatalf("DescribeServices: %v (%d services)", err, len(out.Services))
		}
		return fieldsOf(&out.Services[0])
	}

	created := createService(t, ctx, client)
	want := serviceFields{Grace: 30, Rebalancing: "ENABLED", Breaker: true, Rollback: true, Max: 150, MinHealth: 50}
	if got := fieldsOf(created); got != want {
		t.Errorf("CreateService returned %+v, want %+v", got, want)
	}
	if got := describe(); got != want {
		t.Errorf("DescribeServices after create returned %+v, want %+v", got, want)
	}

	updated, err := client.UpdateService(ctx, &ecs.UpdateServiceInput{
		Cluster:                       aws.String("main"),
		Service:                       aws.String("app"),
		HealthCheckGracePeriodSeconds: aws.Int32(90),
		AvailabilityZoneRebalancing:   ecstypes.AvailabilityZoneRebalancingDisabled,
		DeploymentConfiguration: &ecstypes.DeploymentConfiguration{
			DeploymentCircuitBreaker: &ecstypes.DeploymentCircuitBreaker{Enable: true, Rollback: false},
			MaximumPercent:           aws.Int32(200),
			MinimumHealthyPercent:    aws.Int32(100),
		},
	})
	if err != nil {
		t.Fatalf("UpdateService: %v", err)
	}
	want = serviceFields{Grace: 90, Rebalancing: "DISABLED", Breaker: true, Rollback: false, Max: 200, MinHealth: 100}
	if got := fieldsOf(updated.Service); got != want {
		t.Errorf("UpdateService returned %+v, want %+v", got, want)
	}
	if got := describe(); got != want {
		t.Errorf("DescribeServices after update returned %+v, want %+v", got, want)
	}
}

// Patch appautoscaling_tagging: tags given at registration and through
// TagResource/UntagResource round-trip through ListTagsForResource.
func TestAppAutoscalingTags(t *testing.T) {
	s := start(t)
	ctx := context.Background()
	createService(t, ctx, ecs.NewFromConfig(awsConfig(s)))
	client := aas.NewFromConfig(awsConfig(s))

	reg, err := client.RegisterScalableTarget(ctx, &aas.RegisterScalableTargetInput{
		ServiceNamespace:  aastypes.ServiceNamespaceEcs,
		ResourceId:        aws.String("service/main/app"),
		ScalableDimension: aastypes.ScalableDimensionECSServiceDesiredCount,
		MinCapacity:       aws.Int32(1),
		MaxCapacity:       aws.Int32(4),
		Tags:              map[string]string{"Project": "selfhost"},
	})
	if err != nil {
		t.Fatalf("RegisterScalableTarget: %v", err)
	}
	arn := reg.ScalableTargetARN
	tags := func() map[string]string {
		t.Helper()
		out, err := client.ListTagsForResource(ctx, &aas.ListTagsForResourceInput{ResourceARN: arn})
		if err != nil {
			t.Fatalf("ListTagsForResource: %v", err)
		}
		return out.Tags
	}
	if got := tags(); len(got) != 1 || got["Project"] != "selfhost" {
		t.Errorf("tags after register = %v, want map[Project:selfhost]", got)
	}
	if _, err := client.TagResource(ctx, &aas.TagResourceInput{
		ResourceARN: arn, Tags: map[string]string{"Env": "test", "Team": "infra"},
	}); err != nil {
		t.Fatalf("TagResource: %v", err)
	}
	if _, err := client.UntagResource(ctx, &aas.UntagResourceInput{
		ResourceARN: arn, TagKeys: []string{"Project"},
	}); err != nil {
		t.Fatalf("UntagResource: %v", err)
	}
	if got := tags(); len(got) != 2 || got["Env"] != "test" || got["Team"] != "infra" {
		t.Errorf("tags after tag/untag = %v, want map[Env:test Team:infra]", got)
	}

	_, err = client.ListTagsForResource(ctx, &aas.ListTagsForResourceInput{
		ResourceARN: aws.String(aws.ToString(arn) + "-missing"),
	})
	var notFound *aastypes.ResourceNotFoundException
	if !errors.As(err, &notFound) {
		t.Errorf("ListTagsForResource on an unknown ARN: got %v, want ResourceNotFoundException", err)
	}
}

// A bucket policy denying plain HTTP (aws:SecureTransport "false") lets the
// emulator's HTTPS requests through, while a Deny that matches still denies.
func TestBucketPolicySecureTransport(t *testing.T) {
	s := start(t)
	ctx := context.Background()
	cli := s3.NewFromConfig(awsConfig(s), func(o *s3.Options) { o.UsePathStyle = true })
	bucket := aws.String("tls-only")
	if _, err := cli.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: bucket,
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(region)}}); err != nil {
		t.Fatal(err)
	}
	policy := func(secure string) *string {
		return aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*",` +
			`"Resource":["arn:aws:s3:::tls-only","arn:aws:s3:::tls-only/*"],"Condition":{"Bool":{"aws:SecureTransport":"` + secure + `"}}}]}`)
	}
	if _, err := cli.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: bucket, Policy: policy("false")}); err != nil {
		t.Fatal(err)
	}
	if _, err := cli.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: aws.String("k"), Body: strings.NewReader("x")}); err != nil {
		t.Fatalf("HTTPS request denied by a policy that only denies plain HTTP: %v", err)
	}
	if _, err := cli.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: bucket, Policy: policy("true")}); err != nil {
		t.Fatal(err)
	}
	if _, err := cli.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: aws.String("k"), Body: strings.NewReader("x")}); err == nil {
		t.Error("a Deny whose condition matches (SecureTransport true over HTTPS) did not deny")
	}

	// The minimum-TLS statement of the state bucket: requests (TLS 1.2 at
	// the least) pass a Deny below 1.2; a Deny below 1.3 matches 1.2.
	tls := func(below string) *string {
		return aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*",` +
			`"Resource":["arn:aws:s3:::tls-only","arn:aws:s3:::tls-only/*"],"Condition":{"NumericLessThan":{"s3:TlsVersion":` + below + `}}}]}`)
	}
	if _, err := cli.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: bucket, Policy: tls("1.2")}); err != nil {
		t.Fatal(err)
	}
	if _, err := cli.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: aws.String("k"), Body: strings.NewReader("x")}); err != nil {
		t.Fatalf("request denied by a policy that only denies TLS below 1.2: %v", err)
	}
	if _, err := cli.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: bucket, Policy: tls("1.3")}); err != nil {
		t.Fatal(err)
	}
	if _, err := cli.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: aws.String("k"), Body: strings.NewReader("x")}); err == nil {
		t.Error("a Deny of TLS below 1.3 did not deny the emulator's TLS 1.2")
	}
}

// Adding a subnet to a DB subnet group (what adding an AZ does) keeps the group.
func TestDBSubnetGroupSurvivesModify(t *testing.T) {
	s := start(t)
	if _, err := exec.LookPath("aws"); err != nil {
		t.Skip("aws CLI not on PATH")
	}
	awsJSON := func(args ...string) map[string]any {
		t.Helper()
		cmd := exec.Command("aws", append(args, "--output", "json")...)
		cmd.Env = s.Environ(region)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("aws %v: %v\n%s", args, err, out)
		}
		var m map[string]any
		json.Unmarshal(out, &m)
		return m
	}
	ec := ec2.NewFromConfig(awsConfig(s))
	ctx := context.Background()
	vpc, err := ec.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.9.0.0/16")})
	if err != nil {
		t.Fatal(err)
	}
	var subnets []string
	for i, az := range []string{"a", "b", "c"} {
		sn, err := ec.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: vpc.Vpc.VpcId, CidrBlock: aws.String(fmt.Sprintf("10.9.%d.0/24", i)), AvailabilityZone: aws.String(region + az)})
		if err != nil {
			t.Fatal(err)
		}
		subnets = append(subnets, *sn.Subnet.SubnetId)
	}
	awsJSON(append([]string{"rds", "create-db-subnet-group", "--db-subnet-group-name", "db", "--db-subnet-group-description", "d", "--subnet-ids"}, subnets[:2]...)...)
	awsJSON(append([]string{"rds", "modify-db-subnet-group", "--db-subnet-group-name", "db", "--subnet-ids"}, subnets...)...)
	got := awsJSON("rds", "describe-db-subnet-groups", "--db-subnet-group-name", "db")
	groups, _ := got["DBSubnetGroups"].([]any)
	if len(groups) != 1 || len(groups[0].(map[string]any)["Subnets"].([]any)) != 3 {
		t.Errorf("after modify: %v", got)
	}
}

// Patches rds_performance_insights and rds_provisioned_scaling_configuration:
// an Aurora instance created with
// Performance Insights describes it as on, with its key and retention, and
// ModifyDBInstance turns it on for an instance created without.
func TestRDSAuroraReadBack(t *testing.T) {
	s := start(t)
	if _, err := exec.LookPath("aws"); err != nil {
		t.Skip("aws CLI not on PATH")
	}
	awsJSON := func(args ...string) map[string]any {
		t.Helper()
		cmd := exec.Command("aws", append(args, "--output", "json")...)
		cmd.Env = s.Environ(region)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("aws %v: %v\n%s", args, err, out)
		}
		var m map[string]any
		json.Unmarshal(out, &m)
		return m
	}
	const key = "arn:aws:kms:" + region + ":123456789012:key/pi"
	awsJSON("rds", "create-db-cluster", "--db-cluster-identifier", "c", "--engine", "aurora-postgresql", "--master-username", "app", "--manage-master-user-password")
	awsJSON("rds", "create-db-instance", "--db-instance-identifier", "c-writer", "--db-cluster-identifier", "c", "--engine", "aurora-postgresql",
		"--db-instance-class", "db.r6g.large", "--enable-performance-insights", "--performance-insights-kms-key-id", key, "--performance-insights-retention-period", "7")
	awsJSON("rds", "create-db-instance", "--db-instance-identifier", "c-reader-1", "--db-cluster-identifier", "c", "--engine", "aurora-postgresql", "--db-instance-class", "db.r6g.large")
	pi := func(id string) (bool, string, float64) {
		got := awsJSON("rds", "describe-db-instances", "--db-instance-identifier", id)
		i := got["DBInstances"].([]any)[0].(map[string]any)
		on, _ := i["PerformanceInsightsEnabled"].(bool)
		k, _ := i["PerformanceInsightsKMSKeyId"].(string)
		days, _ := i["PerformanceInsightsRetentionPeriod"].(float64)
		return on, k, days
	}
	if on, k, days := pi("c-writer"); !on || k != key || days != 7 {
		t.Errorf("writer: Performance Insights %v %q %v, want on with the key for 7 days", on, k, days)
	}
	if on, _, _ := pi("c-reader-1"); on {
		t.Error("reader created without Performance Insights describes it as on")
	}
	awsJSON("rds", "modify-db-instance", "--db-instance-identifier", "c-reader-1", "--enable-performance-insights", "--performance-insights-retention-period", "7")
	if on, _, days := pi("c-reader-1"); !on || days != 7 {
		t.Errorf("reader after modify: %v %v", on, days)
	}

	// Patch rds_provisioned_scaling_configuration: the provisioned cluster
	// has no Serverless v1 scaling configuration; a serverless one keeps it.
	awsJSON("rds", "create-db-cluster", "--db-cluster-identifier", "v1", "--engine", "aurora-postgresql", "--engine-mode", "serverless",
		"--master-username", "app", "--master-user-password", "password-for-the-test")
	for id, want := range map[string]bool{"c": false, "v1": true} {
		got := awsJSON("rds", "describe-db-clusters", "--db-cluster-identifier", id)
		_, has := got["DBClusters"].([]any)[0].(map[string]any)["ScalingConfigurationInfo"]
		if has != want {
			t.Errorf("cluster %s: ScalingConfigurationInfo present %v, want %v", id, has, want)
		}
	}
}

// Patch ecs_service_rollout_from_ecr: a service whose image is in the
// emulator's ECR (by digest or tag) reaches steady state; one whose image is
// not fails its rollout as the circuit breaker does, and an update with such
// an image is rolled back to the last steady task definition.
func TestECSServiceRolloutFromECR(t *testing.T) {
	s := start(t)
	ctx := context.Background()
	cfg := awsConfig(s)
	client, registry := ecs.NewFromConfig(cfg), ecr.NewFromConfig(cfg)

	if _, err := registry.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String("app")}); err != nil {
		t.Fatal(err)
	}
	manifest := `{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:` +
		strings.Repeat("1", 64) + `","size":2},"layers":[]}`
	digest := fmt.Sprintf("sha256:%x", sha256.Sum256([]byte(manifest)))
	if _, err := registry.PutImage(ctx, &ecr.PutImageInput{
		RepositoryName: aws.String("app"), ImageManifest: aws.String(manifest), ImageTag: aws.String("v1"), ImageDigest: aws.String(digest),
	}); err != nil {
		t.Fatal(err)
	}
	repo := emulator.AccountID + ".dkr.ecr." + region + ".amazonaws.com/app"
	absent := "sha256:" + strings.Repeat("0", 64)

	if _, err := client.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("main")}); err != nil {
		t.Fatal(err)
	}
	register := func(image string) string {
		t.Helper()
		out, err := client.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{
			Family:               aws.String("web"),
			ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("app"), Image: aws.String(image), Memory: aws.Int32(128)}},
		})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.TaskDefinition.TaskDefinitionArn)
	}
	byDigest, missingDigest, byTag, missingTag, otherRegistry := register(repo+"@"+digest), register(repo+"@"+absent), register(repo+":v1"), register(repo+":v2"), register("public.ecr.aws/nginx/nginx:1")

	type state struct {
		TaskDefinition   string
		Running, Desired int32
		Deployments      int
		Rollout          ecstypes.DeploymentRolloutState
		Failed           int32
	}
	stateOf := func(svc ecstypes.Service) state {
		st := state{TaskDefinition: aws.ToString(svc.TaskDefinition), Running: svc.RunningCount, Desired: svc.DesiredCount, Deployments: len(svc.Deployments)}
		if len(svc.Deployments) > 0 {
			st.Rollout, st.Failed = svc.Deployments[0].RolloutState, svc.Deployments[0].FailedTasks
		}
		return st
	}
	describe := func(name string) ecstypes.Service {
		t.Helper()
		out, err := client.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: aws.String("main"), Services: []string{name}})
		if err != nil || len(out.Services) != 1 {
			t.Fatalf("DescribeServices %s: %v", name, err)
		}
		return out.Services[0]
	}
	create := func(name, td string, breaker bool) {
		t.Helper()
		if _, err := client.CreateService(ctx, &ecs.CreateServiceInput{
			Cluster: aws.String("main"), ServiceName: aws.String(name), TaskDefinition: aws.String(td), DesiredCount: aws.Int32(2),
			DeploymentConfiguration: &ecstypes.DeploymentConfiguration{
				DeploymentCircuitBreaker: &ecstypes.DeploymentCircuitBreaker{Enable: breaker, Rollback: breaker},
			},
		}); err != nil {
			t.Fatalf("CreateService %s: %v", name, err)
		}
	}
	update := func(name, td string) {
		t.Helper()
		if _, err := client.UpdateService(ctx, &ecs.UpdateServiceInput{Cluster: aws.String("main"), Service: aws.String(name), TaskDefinition: aws.String(td)}); err != nil {
			t.Fatalf("UpdateService %s: %v", name, err)
		}
	}
	check := func(step, name string, want state, events ...string) {
		t.Helper()
		svc := describe(name)
		if got := stateOf(svc); got != want {
			t.Errorf("%s: %+v, want %+v", step, got, want)
		}
		var msgs []string
		for _, e := range svc.Events {
			msgs = append(msgs, aws.ToString(e.Message))
		}
		for _, e := range events {
			if !strings.Contains(strings.Join(msgs, "\n"), e) {
				t.Errorf("%s: events %q lack %q", step, msgs, e)
			}
		}
	}
	steady := func(td string) state {
		return state{TaskDefinition: td, Running: 2, Desired: 2, Deployments: 1, Rollout: ecstypes.DeploymentRolloutStateCompleted}
	}

	create("web", byDigest, true)
	check("created with an image in ECR by digest", "web", steady(byDigest))
	update("web", missingDigest)
	check("updated to a digest not in ECR", "web", steady(byDigest), "CannotPullContainerError", absent+" is not in repository app", "rolled back to "+byDigest)
	update("web", byTag)
	check("updated to a tag in ECR", "web", steady(byTag))
	update("web", missingTag)
	check("updated to a tag not in ECR", "web", steady(byTag), "v2 is not in repository app")

	create("first", missingDigest, true)
	check("first deployment with a digest not in ECR", "first",
		state{TaskDefinition: missingDigest, Running: 0, Desired: 2, Deployments: 1, Rollout: ecstypes.DeploymentRolloutStateFailed, Failed: 3},
		"deployment failed: tasks failed to start")
	create("nobreaker", missingDigest, false)
	check("no circuit breaker", "nobreaker",
		state{TaskDefinition: missingDigest, Running: 0, Desired: 2, Deployments: 1, Rollout: ecstypes.DeploymentRolloutStateInProgress, Failed: 3})
	create("hub", otherRegistry, true)
	check("an image of another registry", "hub", steady(otherRegistry))
}

// Patch ec2_dependency_violation: DeleteSubnet and DeleteSecurityGroup fail
// with DependencyViolation while a load balancer, a VPC endpoint or an ECS
// service uses the subnet or group, or another group's rule references the
// group; once the user is gone the delete goes through.
func TestDependencyViolation(t *testing.T) {
	s := start(t)
	ctx := context.Background()
	cfg := awsConfig(s)
	ec, elb, ecsc := ec2.NewFromConfig(cfg), elbv2.NewFromConfig(cfg), ecs.NewFromConfig(cfg)
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	vpc, err := ec.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.8.0.0/16")})
	if err != nil {
		t.Fatal(err)
	}
	subnet := func(i int) string {
		t.Helper()
		sn, err := ec.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: vpc.Vpc.VpcId, CidrBlock: aws.String(fmt.Sprintf("10.8.%d.0/24", i)),
			AvailabilityZone: aws.String(fmt.Sprintf("%s%c", region, 'a'+i%2))})
		if err != nil {
			t.Fatal(err)
		}
		return *sn.Subnet.SubnetId
	}
	group := func(name string) string {
		t.Helper()
		g, err := ec.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{VpcId: vpc.Vpc.VpcId, GroupName: aws.String(name), Description: aws.String(name)})
		if err != nil {
			t.Fatal(err)
		}
		return *g.GroupId
	}
	deleteSubnet := func(id string) error {
		_, err := ec.DeleteSubnet(ctx, &ec2.DeleteSubnetInput{SubnetId: &id})
		return err
	}
	deleteGroup := func(id string) error {
		_, err := ec.DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{GroupId: &id})
		return err
	}
	// refused: the delete fails with AWS's code and message; then the user
	// is removed and the delete succeeds.
	refused := func(what string, del func(string) error, id, message string, removeUser func()) {
		t.Helper()
		err := del(id)
		var apiErr smithy.APIError
		if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "DependencyViolation" || apiErr.ErrorMessage() != message {
			t.Errorf("deleting %s %s while in use: %v, want DependencyViolation %q", what, id, err, message)
		}
		removeUser()
		if err := del(id); err != nil {
			t.Errorf("deleting %s %s once unused: %v", what, id, err)
		}
	}
	subnetMsg := func(id string) string {
		return fmt.Sprintf("The subnet '%s' has dependencies and cannot be deleted.", id)
	}
	groupMsg := func(id string) string { return fmt.Sprintf("resource %s has a dependent object", id) }

	// A load balancer in two subnets with a security group.
	lbA, lbB, lbSG := subnet(0), subnet(1), group("lb")
	lb, err := elb.CreateLoadBalancer(ctx, &elbv2.CreateLoadBalancerInput{Name: aws.String("lb"), Subnets: []string{lbA, lbB}, SecurityGroups: []string{lbSG}})
	if err != nil {
		t.Fatal(err)
	}
	removeLB := func() {
		must(elb.DeleteLoadBalancer(ctx, &elbv2.DeleteLoadBalancerInput{LoadBalancerArn: lb.LoadBalancers[0].LoadBalancerArn}))
	}
	// Subnet and group are checked before the LB goes; the second subnet after.
	refused("load balancer's subnet", deleteSubnet, lbA, subnetMsg(lbA), func() {
		refused("load balancer's security group", deleteGroup, lbSG, groupMsg(lbSG), removeLB)
	})
	if err := deleteSubnet(lbB); err != nil {
		t.Errorf("deleting the load balancer's second subnet after it: %v", err)
	}

	// An interface endpoint.
	epSubnet, epSG := subnet(2), group("endpoint")
	ep, err := ec.CreateVpcEndpoint(ctx, &ec2.CreateVpcEndpointInput{VpcId: vpc.Vpc.VpcId, ServiceName: aws.String("com.amazonaws." + region + ".logs"),
		VpcEndpointType: ec2types.VpcEndpointTypeInterface, SubnetIds: []string{epSubnet}, SecurityGroupIds: []string{epSG}})
	if err != nil {
		t.Fatal(err)
	}
	refused("endpoint's subnet", deleteSubnet, epSubnet, subnetMsg(epSubnet), func() {
		refused("endpoint's security group", deleteGroup, epSG, groupMsg(epSG), func() {
			must(ec.DeleteVpcEndpoints(ctx, &ec2.DeleteVpcEndpointsInput{VpcEndpointIds: []string{*ep.VpcEndpoint.VpcEndpointId}}))
		})
	})

	// An ECS service's awsvpc network configuration.
	svcSubnet, svcSG := subnet(3), group("service")
	must(ecsc.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("main")}))
	must(ecsc.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{Family: aws.String("app"), NetworkMode: ecstypes.NetworkModeAwsvpc,
		ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("app"), Image: aws.String("nginx"), Memory: aws.Int32(128)}}}))
	must(ecsc.CreateService(ctx, &ecs.CreateServiceInput{Cluster: aws.String("main"), ServiceName: aws.String("app"), TaskDefinition: aws.String("app"), DesiredCount: aws.Int32(0),
		NetworkConfiguration: &ecstypes.NetworkConfiguration{AwsvpcConfiguration: &ecstypes.AwsVpcConfiguration{Subnets: []string{svcSubnet}, SecurityGroups: []string{svcSG}}}}))
	refused("service's subnet", deleteSubnet, svcSubnet, subnetMsg(svcSubnet), func() {
		refused("service's security group", deleteGroup, svcSG, groupMsg(svcSG), func() {
			must(ecsc.DeleteService(ctx, &ecs.DeleteServiceInput{Cluster: aws.String("main"), Service: aws.String("app")}))
		})
	})

	// A group referenced by another group's rule; a self-reference does not count.
	target, other := group("target"), group("other")
	rule, err := ec.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: &other, IpPermissions: []ec2types.IpPermission{{
		IpProtocol: aws.String("tcp"), FromPort: aws.Int32(8080), ToPort: aws.Int32(8080), UserIdGroupPairs: []ec2types.UserIdGroupPair{{GroupId: &target}}}}})
	if err != nil {
		t.Fatal(err)
	}
	must(ec.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: &target, IpPermissions: []ec2types.IpPermission{{
		IpProtocol: aws.String("tcp"), FromPort: aws.Int32(9000), ToPort: aws.Int32(9000), UserIdGroupPairs: []ec2types.UserIdGroupPair{{GroupId: &target}}}}}))
	refused("referenced security group", deleteGroup, target, groupMsg(target), func() {
		must(ec.RevokeSecurityGroupIngress(ctx, &ec2.RevokeSecurityGroupIngressInput{GroupId: &other, SecurityGroupRuleIds: []string{*rule.SecurityGroupRules[0].SecurityGroupRuleId}}))
	})

	// A rule moved to another group (ModifySecurityGroupRules, as Terraform
	// updates referenced_security_group_id in place) frees the old group and
	// holds the new one; an unknown group is refused.
	old, moved, holder := group("old"), group("new"), group("holder")
	ruleOut, err := ec.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: &holder, IpPermissions: []ec2types.IpPermission{{
		IpProtocol: aws.String("tcp"), FromPort: aws.Int32(5432), ToPort: aws.Int32(5432), UserIdGroupPairs: []ec2types.UserIdGroupPair{{GroupId: &old, Description: aws.String("db")}}}}})
	if err != nil {
		t.Fatal(err)
	}
	ruleID := ruleOut.SecurityGroupRules[0].SecurityGroupRuleId
	modify := func(ref string) error {
		_, err := ec.ModifySecurityGroupRules(ctx, &ec2.ModifySecurityGroupRulesInput{GroupId: &holder, SecurityGroupRules: []ec2types.SecurityGroupRuleUpdate{{
			SecurityGroupRuleId: ruleID, SecurityGroupRule: &ec2types.SecurityGroupRuleRequest{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(5432), ToPort: aws.Int32(5432),
				ReferencedGroupId: aws.String(ref), Description: aws.String("db")}}}})
		return err
	}
	var apiErr smithy.APIError
	if err := modify("sg-00000000000000000"); !errors.As(err, &apiErr) || apiErr.ErrorCode() != "InvalidGroup.NotFound" {
		t.Errorf("moving a rule to an unknown group: %v, want InvalidGroup.NotFound", err)
	}
	if err := modify(moved); err != nil {
		t.Fatalf("moving a rule to another group: %v", err)
	}
	got, err := ec.DescribeSecurityGroupRules(ctx, &ec2.DescribeSecurityGroupRulesInput{SecurityGroupRuleIds: []string{*ruleID}})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.SecurityGroupRules) != 1 || got.SecurityGroupRules[0].ReferencedGroupInfo == nil ||
		aws.ToString(got.SecurityGroupRules[0].ReferencedGroupInfo.GroupId) != moved || aws.ToString(got.SecurityGroupRules[0].Description) != "db" {
		t.Errorf("the moved rule reads back as %+v, want a reference to %s described \"db\"", got.SecurityGroupRules, moved)
	}
	if err := deleteGroup(old); err != nil {
		t.Errorf("deleting the group a rule no longer references: %v", err)
	}
	refused("group a moved rule references", deleteGroup, moved, groupMsg(moved), func() {
		must(ec.RevokeSecurityGroupIngress(ctx, &ec2.RevokeSecurityGroupIngressInput{GroupId: &holder, SecurityGroupRuleIds: []string{*ruleID}}))
	})

	// Unused subnets and groups are deleted as before.
	if free := subnet(4); deleteSubnet(free) != nil {
		t.Errorf("deleting an unused subnet: %v", deleteSubnet(free))
	}
	if err := deleteGroup(other); err != nil {
		t.Errorf("deleting an unused group: %v", err)
	}
}
