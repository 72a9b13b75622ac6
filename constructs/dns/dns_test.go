package dns

import (
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"selfhost/constructs/internal/testutil"
	_ "selfhost/internal/golden"
	"selfhost/internal/synth"
)

func TestMain(m *testing.M) { synth.TestMain(m) }

func props() Props {
	return Props{Domain: "example.com", Hosts: []string{"api", "app"}, ZoneID: jsii.String("Z123"), ALBDNSName: jsii.String("alb.elb.amazonaws.com"), ALBZoneID: jsii.String("ZALB")}
}

// One synth: IPv4-only records ("v4"), dual-stack records ("v6"), a created
// zone and a looked-up zone.
func TestRecordsAndZones(t *testing.T) {
	v6 := props()
	v6.Domain, v6.IPv6 = "example.org", true
	var created, found *ZoneOutputs
	_, d := testutil.Synth(t, func(st cdktf.TerraformStack) {
		var err error
		for id, p := range map[string]Props{"v4": props(), "v6": v6} {
			if _, err = New(st, id, p); err != nil {
				t.Fatal(err)
			}
		}
		if created, err = Zone(st, "new", ZoneProps{Domain: "example.net", Create: true, PreventDestroy: true}); err != nil {
			t.Fatal(err)
		}
		if found, err = Zone(st, "existing", ZoneProps{Domain: "example.com"}); err != nil {
			t.Fatal(err)
		}
		cdktf.NewTerraformOutput(st, jsii.String("created"), &cdktf.TerraformOutputConfig{Value: created.ZoneID})
		cdktf.NewTerraformOutput(st, jsii.String("found"), &cdktf.TerraformOutputConfig{Value: found.ZoneID})
	})

	var got []string
	for id, r := range d.Of("aws_route53_record") {
		got = append(got, id[:strings.LastIndex(id, "_")]+" "+r["type"].(string)+" "+r["name"].(string))
		if r["zone_id"] != "Z123" || !reflect.DeepEqual(r["alias"], map[string]any{
			"name": "alb.elb.amazonaws.com", "zone_id": "ZALB", "evaluate_target_health": true,
		}) {
			t.Errorf("record %s: %v", id, r)
		}
		if _, ok := r["records"]; ok {
			t.Errorf("record %s is not an alias", id)
		}
	}
	sort.Strings(got)
	want := []string{
		"v4_api-a A api.example.com", "v4_app-a A app.example.com",
		"v6_api-a A api.example.org", "v6_api-aaaa AAAA api.example.org",
		"v6_app-a A app.example.org", "v6_app-aaaa AAAA app.example.org",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("records\n got %q\nwant %q", got, want)
	}

	z := testutil.One(t, d, "aws_route53_zone")
	if z["name"] != "example.net" || z["force_destroy"] != false || !reflect.DeepEqual(z["lifecycle"], map[string]any{"prevent_destroy": true}) {
		t.Errorf("zone %v", z)
	}
	if _, ok := z["vpc"]; ok {
		t.Error("created zone is private")
	}
	if !strings.HasPrefix(d.Output["created"]["value"].(string), "${aws_route53_zone.new_zone_") {
		t.Errorf("created zone id %v", d.Output["created"]["value"])
	}
	lookup := d.Data["aws_route53_zone"]
	if len(lookup) != 1 {
		t.Fatalf("%d zone lookups", len(lookup))
	}
	for _, l := range lookup {
		if l["name"] != "example.com" || l["private_zone"] != false {
			t.Errorf("lookup %v", l)
		}
	}
	if !strings.HasPrefix(d.Output["found"]["value"].(string), "${data.aws_route53_zone.existing_lookup_") {
		t.Errorf("looked-up zone id %v", d.Output["found"]["value"])
	}
}

func TestRejectsBadProps(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{Props{Domain: "example.com."}.Validate(), `dns: Domain "example.com." is not a domain name`},
		{func() error { p := props(); p.ZoneID = nil; return p.Validate() }(), "dns: ZoneID is required"},
		{func() error { p := props(); p.ALBZoneID = nil; return p.Validate() }(), "dns: ALBDNSName and ALBZoneID are required"},
		{func() error { p := props(); p.Hosts = nil; return p.Validate() }(), "dns: Hosts is empty"},
		{func() error { p := props(); p.Hosts = []string{"a..b"}; return p.Validate() }(), `dns: Hosts: "a..b" is not a name under the domain`},
		{ZoneProps{Domain: "EXAMPLE.COM", Create: true}.Validate(), `dns: Domain "EXAMPLE.COM" is not a domain name`},
		{ZoneProps{Domain: "example.com", PreventDestroy: true}.Validate(), "dns: PreventDestroy is set but Create is false"},
	} {
		if tc.err == nil || !strings.HasPrefix(tc.err.Error(), tc.want) {
			t.Errorf("got %v\nwant %q", tc.err, tc.want)
		}
	}
	if _, err := New(nil, "dns", Props{}); err == nil {
		t.Error("New accepted empty props")
	}
	if _, err := Zone(nil, "zone", ZoneProps{}); err == nil {
		t.Error("Zone accepted empty props")
	}
}
