package main

import (
	"flag"
	"os"
	"reflect"
	"strings"
	"testing"
)

const localEnv = "../../environments/local.yaml"

func TestApplyOverrides(t *testing.T) {
	data, err := os.ReadFile(localEnv)
	if err != nil {
		t.Fatal(err)
	}
	cfg, out, err := applyOverrides(localEnv, data, []string{
		"network.flow_log_retention_days=30",
		"network.subnets.private_newbits=5",        // a mapping the file does not have
		"tags.team=platform",                       // a map key
		"load_balancer.ingress_cidrs=[10.0.0.0/8]", // a YAML list
		"load_balancer.deletion_protection=true",
		"services.api.autoscaling.cpu_target = 65", // spaces around the key are fine
		"dns.create_zone=",                         // removed: back to the default (false)
		"services.api.image.tag=007",               // stays a string
	})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Network.FlowLogRetentionDays != 30 || cfg.Network.Subnets.PrivateNewBits != 5 ||
		cfg.Tags["team"] != "platform" || !reflect.DeepEqual(cfg.LoadBalancer.IngressCIDRs, []string{"10.0.0.0/8"}) ||
		!cfg.LoadBalancer.DeletionProtection || cfg.Services["api"].Autoscaling.CPUTarget != 65 || cfg.DNS.CreateZone ||
		cfg.Services["api"].Image.Tag != "007" {
		t.Errorf("overrides not applied:\n%s", out)
	}
	// Untouched settings and the file's comments stay.
	if cfg.Network.VPCCIDR != "10.20.0.0/16" || cfg.Network.Subnets.PublicNewBits != 5 || cfg.Name != "local" {
		t.Errorf("other settings changed:\n%s", out)
	}
	if !strings.Contains(string(out), "# Lets the local environment be torn down") {
		t.Errorf("comments lost:\n%s", out)
	}
	// No overrides: the file as it is.
	same, _, err := applyOverrides(localEnv, data, nil)
	if err != nil || same.Network.FlowLogRetentionDays != 7 {
		t.Errorf("no overrides: %+v, %v", same, err)
	}
}

func TestApplyOverridesRejects(t *testing.T) {
	data, err := os.ReadFile(localEnv)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ set, errHas string }{
		{"network.flow_log_retention_day=30", "network.flow_log_retention_day: unknown field"},
		{"network.flow_log_retention_days=thirty", "network.flow_log_retention_days: must be a whole number"},
		{"network.vpc_cidr=10.20.0.0/8", "network.vpc_cidr"},
		{"region.x=1", "region is not a mapping"},
		{"network", "want KEY=VALUE"},
		{"=1", "want KEY=VALUE"},
		{"network..nat=single", "empty part"},
		{"tags=[a, b", "not YAML"},
	} {
		_, _, err := applyOverrides(localEnv, data, []string{tc.set})
		if err == nil || !strings.Contains(err.Error(), tc.errHas) {
			t.Errorf("-set %s: error %v, want one containing %q", tc.set, err, tc.errHas)
		}
	}
}

func TestSetFlag(t *testing.T) {
	var sets setFlags
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	fs.SetOutput(new(strings.Builder))
	fs.Var(&sets, "set", "")
	if err := fs.Parse([]string{"-set", "a.b=1", "-set", "c=[x, y]"}); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual([]string(sets), []string{"a.b=1", "c=[x, y]"}) {
		t.Errorf("sets %q", sets)
	}
	if err := fs.Parse([]string{"-set", "novalue"}); err == nil {
		t.Error("-set without = accepted")
	}
}
