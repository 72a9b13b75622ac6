package certificate

import (
	"os"
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

func TestMain(m *testing.M) {
	synth.SilenceNodeBanner()
	code := m.Run()
	synth.Close()
	os.Exit(code)
}

func TestCertificate(t *testing.T) {
	var out *Outputs
	_, d := testutil.Synth(t, func(st cdktf.TerraformStack) {
		var err error
		if out, err = New(st, "cert", Props{Domain: "example.com", ZoneID: jsii.String("Z123")}); err != nil {
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

	// Validation records: one per domain_validation_options entry, keyed by domain name.
	rec := testutil.One(t, d, "aws_route53_record")
	certRef := regexp.MustCompile(`aws_acm_certificate\.cert_certificate_[A-F0-9]+\.domain_validation_options`)
	if fe, _ := rec["for_each"].(string); !certRef.MatchString(fe) || !strings.Contains(fe, "val.domain_name => val") {
		t.Errorf("records for_each %v", rec["for_each"])
	}
	for k, v := range map[string]any{
		"zone_id": "Z123", "ttl": 60.0, "allow_overwrite": true,
		"name": "${each.value.resource_record_name}", "type": "${each.value.resource_record_type}",
		"records": []any{"${each.value.resource_record_value}"},
	} {
		if !reflect.DeepEqual(rec[k], v) {
			t.Errorf("record %s = %v, want %v", k, rec[k], v)
		}
	}

	// The validation waits on every record's fqdn; the output is its ARN.
	v := testutil.One(t, d, "aws_acm_certificate_validation")
	if !regexp.MustCompile(`^\$\{\[ ?for key, val in aws_route53_record\.cert_validation_[A-F0-9]+ ?: ?val\.fqdn ?\]\}$`).MatchString(v["validation_record_fqdns"].(string)) {
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
		{Props{Domain: "Example.com", ZoneID: jsii.String("Z")}, `certificate: Domain "Example.com" is not a domain name`},
		{Props{Domain: "*.example.com", ZoneID: jsii.String("Z")}, `certificate: Domain "*.example.com" is not a domain name`},
		{Props{Domain: "example.com.", ZoneID: jsii.String("Z")}, `certificate: Domain "example.com." is not a domain name`},
		{Props{Domain: "localhost", ZoneID: jsii.String("Z")}, `certificate: Domain "localhost" is not a domain name`},
		{Props{Domain: "example.com"}, "certificate: ZoneID is required"},
	} {
		if err := tc.p.Validate(); err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("got %v\nwant %q", err, tc.want)
		}
		if _, err := New(nil, "cert", tc.p); err == nil {
			t.Errorf("New accepted %+v", tc.p)
		}
	}
	if err := (Props{Domain: "selfhost.example.co.uk", ZoneID: jsii.String("Z")}).Validate(); err != nil {
		t.Error(err)
	}
}
