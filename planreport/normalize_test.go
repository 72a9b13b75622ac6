package planreport

import "testing"

func TestNormalize(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`~ vpc_id: "vpc-0a1b2c3d4e5f60718" -> (known after apply)`, `~ vpc_id: "vpc-<id>" -> (known after apply)`},
		{`subnet-1234abcd, sg-0123456789abcdef0, rtb-89abcdef, eipalloc-0f0f0f0f0f0f0f0f0`, `subnet-<id>, sg-<id>, rtb-<id>, eipalloc-<id>`},
		{`"arn:aws:iam::123456789012:role/x"`, `"arn:aws:iam::<account>:role/x"`},
		{`https://127.0.0.1:43943/bucket`, `https://127.0.0.1:<port>/bucket`},
		{`localhost:5000`, `localhost:<port>`},
		{`created 2026-11-22T04:26:59Z, 2026-11-22T04:26:59.123+01:00`, `created <time>, <time>`},
		{`task-definition/x:1 2f1c3b8e-5d6a-4e7f-8a9b-0c1d2e3f4a5b`, `task-definition/x:1 <uuid>`},
		{`/tmp/selfhost-local-925248746/synth-2/out x`, `<tmp> x`},
		{"`/tmp/x/y`", "`<tmp>`"},
		{`~ private_ip: "10.234.189.178" -> (known after apply), public_ip: "127.59.76.125"`, `~ private_ip: "<ip>" -> (known after apply), public_ip: "<ip>"`},
		{`zone_id: "1Q4ZDUWMHN0PA1V3DPW554", /hostedzone/Z0123456789ABCDEFGHIJ`, `zone_id: "<id>", /hostedzone/<id>`},
		{`arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/selfhost-local/50dc6c495c0c9188`, `arn:aws:elasticloadbalancing:us-east-1:<account>:loadbalancer/app/selfhost-local/<id>`},
		{`listener/app/selfhost-local/50dc6c495c0c9188/f2f7dc8efc522ab2 targetgroup/tg-abc/943f017f100becff`, `listener/app/selfhost-local/<id> targetgroup/tg-abc/<id>`},
		// Not ids: words, CIDRs, ports, versions, names with dashes.
		{`"10.20.0.0/16" 443 5.100.0 selfhost-local-vpc ELBSecurityPolicy-TLS13-1-2-2021-06 IMMUTABLE CONTAINERINSIGHTS 12345678901234 127.0.0.1`, `"10.20.0.0/16" 443 5.100.0 selfhost-local-vpc ELBSecurityPolicy-TLS13-1-2-2021-06 IMMUTABLE CONTAINERINSIGHTS 12345678901234 127.0.0.1`},
	} {
		if got := Normalize(tc.in); got != tc.want {
			t.Errorf("Normalize(%q)\n  = %q\nwant %q", tc.in, got, tc.want)
		}
	}
}
