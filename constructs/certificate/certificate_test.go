package certificate

import (
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"selfhost/constructs/internal/testutil"
	_ "selfhost/internal/golden"
	"selfhost/internal/synth"
)

func TestMain(m *testing.M) { synth.TestMain(m) }

func TestCertificate(t *testing.T) {
	var out *Outputs
	_, d := testutil.Synth(t, func(st cdktf.TerraformStack) {
		var err error
		if out, err = New(st, "cert", Props{Domain: "example.com", Hosts: []string{"api", "app"}, ZoneID: jsii.String("Z123")}); err != nil {
			t.Fatal(err)
		}
		cdktf.NewTerraformOutput(st, jsii.String("arn"), &cdktf.TerraformOutputConfig{Value: out.CertificateARN})
	})

	cert := testutil.One(t, d, "aws_acm_certificate")
	for k, v := range map[string]any{
		"domain_name": "example.com", "subject_alternative_names": []any{"api.example.com", "app.example.com"},
		"validation_method": "DNS", "lifecycle": map[string]any{"create_before_destroy": true},
	} {
		if !reflect.DeepEqual(cert[k], v) {
			t.Errorf("certificate %s = %v, want %v", k, cert[k], v)
		}
	}
	if !reflect.DeepEqual(out.Names, []string{"example.com", "api.example.com", "app.example.com"}) {
		t.Errorf("names %v", out.Names)
	}

	// Validation records: one per name with a static key, each picking its
	// name's entry of domain_validation_options (plannable before ACM answers).
	for _, host := range []struct{ key, name string }{{"domain", "example.com"}, {"api", "api.example.com"}, {"app", "app.example.com"}} {
		rec := testutil.Find(t, d, "aws_route53_record", "validation-"+host.key)
		if _, ok := rec["for_each"]; ok {
			t.Errorf("record %s uses for_each (unknown keys at plan)", host.key)
		}
		pick := func(attr string) string {
			return `^\$\{one\(\[for o in aws_acm_certificate\.cert_certificate_[A-F0-9]+\.domain_validation_options : o\.` + attr + ` if o\.domain_name == "` + regexp.QuoteMeta(host.name) + `"\]\)\}$`
		}
		for attr, got := range map[string]any{"resource_record_name": rec["name"], "resource_record_type": rec["type"], "resource_record_value": rec["records"].([]any)[0]} {
			if !regexp.MustCompile(pick(attr)).MatchString(got.(string)) {
				t.Errorf("record %s %s = %v", host.key, attr, got)
			}
		}
		if rec["zone_id"] != "Z123" || rec["ttl"] != 60.0 || rec["allow_overwrite"] != true {
			t.Errorf("record %s: %v", host.key, rec)
		}
	}
	if n := len(d.Of("aws_route53_record")); n != 3 {
		t.Errorf("%d validation records, want 3", n)
	}

	// The validation waits on every record's fqdn; the output is its ARN.
	v := testutil.One(t, d, "aws_acm_certificate_validation")
	fqdns, _ := v["validation_record_fqdns"].([]any)
	if len(fqdns) != 3 || !strings.Contains(fmt.Sprint(fqdns), "aws_route53_record.cert_validation-api_") {
		t.Errorf("validation_record_fqdns %v", v["validation_record_fqdns"])
	}
	if !regexp.MustCompile(`^\$\{aws_acm_certificate\.cert_certificate_[A-F0-9]+\.arn\}$`).MatchString(v["certificate_arn"].(string)) {
		t.Errorf("validation of %v", v["certificate_arn"])
	}
	if !regexp.MustCompile(`^\$\{aws_acm_certificate_validation\.cert_validation-wait_[A-F0-9]+\.certificate_arn\}$`).MatchString(d.Output["arn"]["value"].(string)) {
		t.Errorf("output ARN %v is not the validated one", d.Output["arn"]["value"])
	}
}

func TestRejectsBadProps(t *testing.T) {
	for _, tc := range []struct {
		p    Props
		want string
	}{
		{Props{Domain: "Example.com", Hosts: []string{"api"}, ZoneID: jsii.String("Z")}, `certificate: Domain "Example.com" is not a domain name`},
		{Props{Domain: "*.example.com", Hosts: []string{"api"}, ZoneID: jsii.String("Z")}, `certificate: Domain "*.example.com" is not a domain name`},
		{Props{Domain: "example.com.", Hosts: []string{"api"}, ZoneID: jsii.String("Z")}, `certificate: Domain "example.com." is not a domain name`},
		{Props{Domain: "localhost", Hosts: []string{"api"}, ZoneID: jsii.String("Z")}, `certificate: Domain "localhost" is not a domain name`},
		{Props{Domain: "example.com", Hosts: []string{"api"}}, "certificate: ZoneID is required"},
		{Props{Domain: "example.com", ZoneID: jsii.String("Z")}, "certificate: Hosts is empty"},
		{Props{Domain: "example.com", Hosts: []string{"API"}, ZoneID: jsii.String("Z")}, `certificate: Hosts: "API" is not a name under the domain`},
	} {
		if err := tc.p.Validate(); err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("got %v\nwant %q", err, tc.want)
		}
		if _, err := New(nil, "cert", tc.p); err == nil {
			t.Errorf("New accepted %+v", tc.p)
		}
	}
	if err := (Props{Domain: "selfhost.example.co.uk", Hosts: []string{"api"}, ZoneID: jsii.String("Z")}).Validate(); err != nil {
		t.Error(err)
	}
}
