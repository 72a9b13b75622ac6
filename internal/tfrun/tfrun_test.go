package tfrun_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	tfjson "github.com/hashicorp/terraform-json"

	"selfhost/emulator"
	"selfhost/internal/tfrun"
)

const region = "eu-west-1"

func TestRenderCLIConfig(t *testing.T) {
	got := tfrun.RenderCLIConfig("/opt/tf-plugins")
	for _, want := range []string{
		`path    = "/opt/tf-plugins"`,
		`include = ["registry.terraform.io/hashicorp/*"]`,
		`exclude = ["registry.terraform.io/hashicorp/*"]`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("config with mirror lacks %q:\n%s", want, got)
		}
	}
	got = tfrun.RenderCLIConfig("")
	if strings.Contains(got, "filesystem_mirror") || !strings.Contains(got, "direct {}") {
		t.Errorf("config without mirror should only have direct {}:\n%s", got)
	}
}

func TestFindMirrorFromEnv(t *testing.T) {
	good := t.TempDir()
	if err := os.MkdirAll(filepath.Join(good, "registry.terraform.io", "hashicorp"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv(tfrun.MirrorEnv, good)
	if got, err := tfrun.FindMirror(); err != nil || got != good {
		t.Errorf("FindMirror() = %q, %v; want %q", got, err, good)
	}

	t.Setenv(tfrun.MirrorEnv, t.TempDir()) // exists, but is not a mirror
	if _, err := tfrun.FindMirror(); err == nil || !strings.Contains(err.Error(), "registry.terraform.io") {
		t.Errorf("FindMirror() on a directory without registry.terraform.io: err = %v", err)
	}
	t.Setenv(tfrun.MirrorEnv, filepath.Join(good, "missing"))
	if _, err := tfrun.FindMirror(); err == nil {
		t.Error("FindMirror() on a missing directory: want an error")
	}
}

func TestNewRejectsManagedEnv(t *testing.T) {
	_, err := tfrun.New(t.TempDir(), map[string]string{"TF_LOG": "debug"})
	if err == nil || !strings.Contains(err.Error(), "TF_LOG") {
		t.Errorf("New with TF_LOG: err = %v, want an error naming TF_LOG", err)
	}
}

func TestValidate(t *testing.T) {
	ctx := context.Background()
	ok := newRunner(t, writeConfig(t, map[string]any{
		"output": map[string]any{"x": map[string]any{"value": "fine"}},
	}), nil)
	if err := ok.Validate(ctx); err != nil {
		t.Errorf("Validate rejected a valid configuration: %v", err)
	}

	dir := writeConfig(t, map[string]any{
		"output": map[string]any{"x": map[string]any{"value": "${var.missing}"}},
	})
	r := newRunner(t, dir, nil)
	err := r.Validate(ctx)
	if err == nil {
		t.Fatal("Validate accepted a reference to an undeclared variable")
	}
	if !strings.Contains(err.Error(), "Reference to undeclared input variable") {
		t.Errorf("Validate error lacks the diagnostic summary: %v", err)
	}
}

func TestPlanErrorCarriesOutputTail(t *testing.T) {
	dir := writeConfig(t, map[string]any{
		"terraform": map[string]any{"required_providers": map[string]any{
			"aws": map[string]any{"source": "hashicorp/aws", "version": "~> 5.99"},
		}},
	})
	r := newRunner(t, dir, nil)
	_, err := r.Plan(context.Background(), "") // no init
	var tfErr *tfrun.Error
	if !errors.As(err, &tfErr) || tfErr.Command != "plan" {
		t.Fatalf("Plan without init: err = %v, want a *tfrun.Error for plan", err)
	}
	if !strings.Contains(err.Error(), "terraform init") {
		t.Errorf("error lacks Terraform's advice to run init: %v", err)
	}
}

// Apply, re-plan and destroy a versioned bucket in the emulator, with the
// providers installed through the mirror (offline).
func TestApplyPlanDestroy(t *testing.T) {
	t.Parallel()
	srv := startEmulator(t)
	ctx := context.Background()
	dir := writeConfig(t, map[string]any{
		"terraform": map[string]any{"required_providers": awsProvider},
		"provider":  providerBlock(),
		"resource": map[string]any{
			"aws_s3_bucket": map[string]any{"b": map[string]any{
				"bucket": "tfrun-apply", "force_destroy": true,
			}},
			"aws_s3_bucket_versioning": map[string]any{"b": map[string]any{
				"bucket":                   "${aws_s3_bucket.b.id}",
				"versioning_configuration": map[string]any{"status": "Enabled"},
			}},
		},
		"output": map[string]any{"bucket": map[string]any{"value": "${aws_s3_bucket.b.bucket}"}},
	})
	r := newRunner(t, dir, srv.Env(region))
	if r.Mirror == "" {
		t.Log("no provider mirror found: init will use the public registry")
	}

	must(t, r.Init(ctx))
	must(t, r.Apply(ctx))

	out, err := r.Output(ctx)
	must(t, err)
	var name string
	if err := json.Unmarshal(out["bucket"].Value, &name); err != nil || name != "tfrun-apply" {
		t.Errorf("output bucket = %s (%v), want \"tfrun-apply\"", out["bucket"].Value, err)
	}

	planFile := filepath.Join(dir, "again.tfplan")
	changes, err := r.Plan(ctx, planFile)
	must(t, err)
	plan, err := r.ShowPlan(ctx, planFile)
	must(t, err)
	if changes {
		t.Errorf("plan after apply has changes: %v", changedAddresses(plan))
	}

	// Leave object versions and delete markers behind, as an application
	// would; destroy must still empty and delete the bucket.
	client := s3Client(srv)
	for _, key := range []string{"a", "a", "b"} {
		_, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(name), Key: aws.String(key), Body: strings.NewReader(key)})
		must(t, err)
	}
	_, err = client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(name), Key: aws.String("a")})
	must(t, err)

	must(t, r.Destroy(ctx))
	if _, err := client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(name)}); err == nil {
		t.Error("bucket still exists after destroy")
	}
}

// Remote state in an emulated S3 bucket, with S3-native locking.
func TestS3Backend(t *testing.T) {
	t.Parallel()
	srv := startEmulator(t)
	ctx := context.Background()
	client := s3Client(srv)
	const stateBucket, stateKey = "tfrun-state", "env/test/terraform.tfstate"
	_, err := client.CreateBucket(ctx, &s3.CreateBucketInput{
		Bucket:                    aws.String(stateBucket),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: region},
	})
	must(t, err)

	dir := writeConfig(t, map[string]any{
		"terraform": map[string]any{
			"required_providers": awsProvider,
			"backend": map[string]any{"s3": map[string]any{
				"bucket":                      stateBucket,
				"key":                         stateKey,
				"region":                      region,
				"endpoints":                   map[string]any{"s3": srv.Endpoint()},
				"use_path_style":              true,
				"skip_credentials_validation": true,
				"skip_requesting_account_id":  true,
				"skip_metadata_api_check":     true,
				"skip_region_validation":      true,
				"use_lockfile":                true,
			}},
		},
		"provider": providerBlock(),
		"resource": map[string]any{"aws_s3_bucket": map[string]any{"b": map[string]any{"bucket": "tfrun-backend"}}},
	})
	r := newRunner(t, dir, srv.Env(region))
	must(t, r.Init(ctx))
	must(t, r.Apply(ctx))

	// The state lives in the bucket, and the lock is gone after apply.
	obj, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(stateBucket), Key: aws.String(stateKey)})
	if err != nil {
		t.Fatalf("state object %s not in the backend bucket: %v", stateKey, err)
	}
	var state struct {
		Resources []struct{ Type, Name string }
	}
	err = json.NewDecoder(obj.Body).Decode(&state)
	obj.Body.Close()
	must(t, err)
	if len(state.Resources) != 1 || state.Resources[0].Type != "aws_s3_bucket" {
		t.Errorf("remote state resources = %+v, want the one aws_s3_bucket", state.Resources)
	}
	lockKey := stateKey + ".tflock"
	if _, err := client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(stateBucket), Key: aws.String(lockKey)}); err == nil {
		t.Errorf("lock file %s left behind after apply", lockKey)
	}
	if _, err := os.Stat(filepath.Join(dir, "terraform.tfstate")); err == nil {
		t.Error("a local terraform.tfstate exists: the backend was not used")
	}

	// While someone else holds the lock, Terraform must refuse to run.
	_, err = client.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(stateBucket), Key: aws.String(lockKey),
		Body: strings.NewReader(`{"ID":"00000000-0000-0000-0000-000000000000","Operation":"OperationTypeApply","Who":"someone-else","Version":"1.11.4","Path":"` + stateBucket + "/" + stateKey + `"}`),
	})
	must(t, err)
	_, err = r.Plan(ctx, "")
	if err == nil || !strings.Contains(err.Error(), "Error acquiring the state lock") {
		t.Fatalf("plan while the state is locked: err = %v, want a state lock error", err)
	}
	_, err = client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(stateBucket), Key: aws.String(lockKey)})
	must(t, err)

	changes, err := r.Plan(ctx, "")
	must(t, err)
	if changes {
		t.Error("plan after apply has changes")
	}
	must(t, r.Destroy(ctx))
}

var awsProvider = map[string]any{
	"aws": map[string]any{"source": "hashicorp/aws", "version": "~> 5.99"},
}

// providerBlock configures the aws provider for the emulator; credentials
// and the endpoint come from the environment (emulator.Server.Env sets
// AWS_ENDPOINT_URL, which the provider honours for every service). No
// endpoints block: the provider's framework half spends ~3 s of CPU
// validating one, in every provider process (two to three per command).
func providerBlock() map[string]any {
	return map[string]any{"aws": []any{map[string]any{
		"region":                      region,
		"skip_credentials_validation": true,
		"skip_requesting_account_id":  true,
		"skip_metadata_api_check":     true,
		"s3_use_path_style":           true,
		"max_retries":                 1,
	}}}
}

func startEmulator(t *testing.T) *emulator.Server {
	t.Helper()
	if testing.Short() {
		t.Skip("skipping: needs terraform and the moto AWS emulator; not run with -short")
	}
	return emulator.StartT(t)
}

func newRunner(t *testing.T, dir string, env map[string]string) *tfrun.Runner {
	t.Helper()
	r, err := tfrun.New(dir, env)
	if err != nil {
		t.Fatal(err)
	}
	if testing.Verbose() {
		r.SetLog(testLog{t})
	}
	return r
}

func writeConfig(t *testing.T, config map[string]any) string {
	t.Helper()
	dir := t.TempDir()
	b, err := json.MarshalIndent(config, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.tf.json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func s3Client(srv *emulator.Server) *s3.Client {
	return s3.NewFromConfig(aws.Config{
		Region:       region,
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint: aws.String(srv.Endpoint()),
		HTTPClient:   srv.HTTPClient(),
	}, func(o *s3.Options) { o.UsePathStyle = true })
}

func changedAddresses(p *tfjson.Plan) []string {
	var out []string
	for _, rc := range p.ResourceChanges {
		if rc.Change != nil && !rc.Change.Actions.NoOp() && !rc.Change.Actions.Read() {
			out = append(out, rc.Address+" "+strings.Join(actionStrings(rc.Change.Actions), ","))
		}
	}
	return out
}

func actionStrings(a tfjson.Actions) []string {
	var s []string
	for _, x := range a {
		s = append(s, string(x))
	}
	return s
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// testLog streams Terraform's output into the test log (with -v).
type testLog struct{ t *testing.T }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
