package localenv

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// DeleteStateBucket is the deliberate teardown of <env>-state on the
// emulator: Terraform refuses to destroy the bucket (prevent_destroy), so
// every object version and delete marker is removed and the bucket deleted
// through the API. It only ever talks to the session's emulator.
func (s *Session) DeleteStateBucket(ctx context.Context) error {
	cli := s3.NewFromConfig(s.AWS(), func(o *s3.Options) { o.UsePathStyle = true })
	bucket := aws.String(s.Cfg.State.Bucket)
	p := s3.NewListObjectVersionsPaginator(cli, &s3.ListObjectVersionsInput{Bucket: bucket})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("listing %s: %w", *bucket, err)
		}
		var ids []types.ObjectIdentifier
		for _, v := range page.Versions {
			ids = append(ids, types.ObjectIdentifier{Key: v.Key, VersionId: v.VersionId})
		}
		for _, m := range page.DeleteMarkers {
			ids = append(ids, types.ObjectIdentifier{Key: m.Key, VersionId: m.VersionId})
		}
		if len(ids) == 0 {
			continue
		}
		out, err := cli.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: bucket, Delete: &types.Delete{Objects: ids}})
		if err != nil {
			return fmt.Errorf("emptying %s: %w", *bucket, err)
		}
		if len(out.Errors) > 0 {
			e := out.Errors[0]
			return fmt.Errorf("emptying %s: %s: %s", *bucket, aws.ToString(e.Key), aws.ToString(e.Message))
		}
	}
	if _, err := cli.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: bucket}); err != nil {
		return fmt.Errorf("deleting %s: %w", *bucket, err)
	}
	return nil
}
