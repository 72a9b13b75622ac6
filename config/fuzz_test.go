package config

import (
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"selfhost/awsrules"
	"selfhost/awsrules/netplan"
	_ "selfhost/internal/golden"
)

// reFieldPath is the shape of a problem's field: the YAML keys the file
// used (any text but a newline, as unknown keys are echoed), dotted, with
// list indexes.
var reFieldPath = regexp.MustCompile(`^[^\n.]*(\[[0-9]+\])*(\.[^\n]*)?$`)

// parseBound is how long one Parse may take before the fuzz target calls it
// a hang (files are at most 1 MiB; a parse takes milliseconds).
const parseBound = 10 * time.Second

// FuzzParse, over whole environment files: no input makes the loader or the
// validator panic or hang, every refusal is a list of problems of the form
// `file: field.path: what is wrong` (or `file: what is wrong` for the whole
// file), and every accepted environment is usable by the constructs (AZ
// names in the region, a subnet plan that computes for its AZs, state keys).
// The seed corpus in testdata/fuzz/FuzzParse runs with every `go test`;
// explore with
//
//	go test ./config -run '^$' -fuzz FuzzParse -fuzztime 60s
func FuzzParse(f *testing.F) {
	f.Add([]byte("name: fuzz\nregion: us-east-1\nstate: {bucket: b-fuzz}\ndns: {domain: example.com}\nservices: {api: {hosts: [api], priority: 100, image: {tag: v1}}}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		type result struct {
			c   *Config
			err error
		}
		done := make(chan result, 1)
		go func() {
			c, err := Parse("environments/fuzz.yaml", data)
			done <- result{c, err}
		}()
		var r result
		select {
		case r = <-done:
		case <-time.After(parseBound):
			t.Fatalf("Parse did not return within %v", parseBound)
		}
		c, err := r.c, r.err
		if err != nil {
			var ce *Error
			if !errors.As(err, &ce) || len(ce.Problems) == 0 {
				t.Fatalf("error %v (%T) is not a *Error with problems", err, err)
			}
			for _, p := range ce.Problems {
				if p.File != "environments/fuzz.yaml" || p.Msg == "" || strings.Contains(p.Msg, "\n") {
					t.Fatalf("problem %+v does not name the file or say on one line what is wrong", p)
				}
				if p.Field != "" && !reFieldPath.MatchString(p.Field) {
					t.Fatalf("problem %+v: field %q is not a field path", p, p.Field)
				}
				if !strings.HasPrefix(p.String(), "environments/fuzz.yaml: ") {
					t.Fatalf("problem %q does not start with the file", p.String())
				}
			}
			if c != nil {
				t.Fatal("a config came back with an error")
			}
			return
		}
		if c == nil {
			t.Fatal("nil config without an error")
		}
		if c.Name != "fuzz" {
			t.Fatalf("accepted name %q for fuzz.yaml", c.Name)
		}
		azs := c.AZNames()
		if len(azs) < MinAZs || len(azs) > MaxAZs {
			t.Fatalf("accepted %d AZs", len(azs))
		}
		var idx []int
		for _, az := range azs {
			i, err := awsrules.AZSlot(c.Region, az)
			if err != nil {
				t.Fatalf("accepted AZ %q: %v", az, err)
			}
			idx = append(idx, i)
		}
		if _, err := netplan.Compute(c.Network.VPCCIDR, c.Layout(), idx); err != nil {
			t.Fatalf("accepted a subnet plan the network construct refuses: %v", err)
		}
		if err := awsrules.ALBName(c.ResourcePrefix()); err != nil {
			t.Fatalf("accepted a load balancer name AWS refuses: %v", err)
		}
		if err := awsrules.S3BucketName(c.State.Bucket); err != nil {
			t.Fatalf("accepted a state bucket AWS refuses: %v", err)
		}
		if err := awsrules.ECRRepositoryName(c.Services["api"].Image.Repository); err != nil {
			t.Fatalf("accepted a repository AWS refuses: %v", err)
		}
		if err := awsrules.Matcher(c.Services["api"].TargetHealthCheck.Matcher); err != nil {
			t.Fatalf("accepted a matcher the ALB refuses: %v", err)
		}
		if n := len(c.AllTags()) + len(ResourceTagKeys); n > awsrules.MaxTagsPerResource {
			t.Fatalf("accepted %d tags on a resource", n)
		}
		if k := c.StateKey(c.StackName("network")); !strings.HasSuffix(k, "/fuzz-network.tfstate") {
			t.Fatalf("state key %q", k)
		}
		for _, e := range c.Guardrails.Exemptions {
			if _, ok := c.Exempted(e.Rule); !ok || len(strings.TrimSpace(e.Reason)) < MinExemptionReason {
				t.Fatalf("accepted exemption %+v", e)
			}
		}
	})
}
