package emulator_test

import (
	"context"
	"errors"
	"slices"
	"syscall"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// A fork holds what the original held when it forked, and from then on the
// two change independently; stopping the fork leaves the original serving.
func TestFork(t *testing.T) {
	ctx := context.Background()
	s := start(t)
	buckets := func(srv interface{ Endpoint() string }, cli *s3.Client) []string {
		t.Helper()
		out, err := cli.ListBuckets(ctx, &s3.ListBucketsInput{})
		if err != nil {
			t.Fatalf("%s: %v", srv.Endpoint(), err)
		}
		var names []string
		for _, b := range out.Buckets {
			names = append(names, aws.ToString(b.Name))
		}
		slices.Sort(names)
		return names
	}
	client := func(srv interface{ Endpoint() string }) *s3.Client {
		return s3.NewFromConfig(awsConfig(s), func(o *s3.Options) {
			o.UsePathStyle = true
			o.BaseEndpoint = aws.String(srv.Endpoint())
		})
	}
	orig := client(s)
	create := func(cli *s3.Client, name string) {
		t.Helper()
		if _, err := cli.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name),
			CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(region)}}); err != nil {
			t.Fatal(err)
		}
	}
	create(orig, "before-fork")

	f, err := s.Fork(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Stop() })
	if f.Port() == s.Port() || f.PID() == s.PID() {
		t.Fatalf("fork on port %d pid %d, original on %d pid %d", f.Port(), f.PID(), s.Port(), s.PID())
	}
	copy := client(f)
	if got := buckets(f, copy); !slices.Equal(got, []string{"before-fork"}) {
		t.Errorf("fork has buckets %v, want what the original had", got)
	}
	create(copy, "in-fork")
	create(orig, "in-original")
	if got := buckets(s, orig); !slices.Equal(got, []string{"before-fork", "in-original"}) {
		t.Errorf("original has buckets %v", got)
	}
	if got := buckets(f, copy); !slices.Equal(got, []string{"before-fork", "in-fork"}) {
		t.Errorf("fork has buckets %v", got)
	}

	if err := f.Stop(); err != nil {
		t.Fatalf("stopping the fork: %v", err)
	}
	if err := syscall.Kill(f.PID(), 0); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("fork %d still exists after Stop (kill -0: %v)", f.PID(), err)
	}
	if got := buckets(s, orig); len(got) != 2 {
		t.Errorf("original after the fork stopped: buckets %v", got)
	}

	// A second fork dies with its original.
	g, err := s.Fork(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := g.Stop(); err != nil {
		t.Errorf("stopping a fork whose original is gone: %v", err)
	}
	if err := syscall.Kill(g.PID(), 0); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("fork %d outlived its original (kill -0: %v)", g.PID(), err)
	}
}
