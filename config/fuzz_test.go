package config

import (
	"errors"
	"strings"
	"testing"

	_ "selfhost/internal/golden"
)

// FuzzParse: no input makes the loader or the validator panic, every
// refusal is a *Error naming the file, and every accepted environment is
// usable (AZ names, subnet layout, state keys). The seed corpus in
// testdata/fuzz/FuzzParse runs with every `go test`; explore with
//
//	go test ./config -run '^$' -fuzz FuzzParse -fuzztime 60s
func FuzzParse(f *testing.F) {
	f.Add([]byte("name: fuzz\nregion: us-east-1\nstate: {bucket: b-fuzz}\ndns: {domain: example.com}\nservice: {image: {tag: v1}}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse("environments/fuzz.yaml", data)
		if err != nil {
			var ce *Error
			if !errors.As(err, &ce) || len(ce.Problems) == 0 {
				t.Fatalf("error %v (%T) is not a *Error with problems", err, err)
			}
			for _, p := range ce.Problems {
				if p.File != "environments/fuzz.yaml" || p.Msg == "" {
					t.Fatalf("problem %+v does not name the file or say what is wrong", p)
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
		if len(azs) == 0 || len(azs) < MinAZs {
			t.Fatalf("accepted %d AZs (production %v)", len(azs), c.Production)
		}
		for _, az := range azs {
			if !strings.HasPrefix(az, c.Region) {
				t.Fatalf("AZ %q outside region %q", az, c.Region)
			}
		}
		_ = c.Layout()
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
