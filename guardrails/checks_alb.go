package guardrails

// The load balancer rules: deletion protection, invalid headers, HTTP
// redirect, TLS policy, the security groups open to the internet, and
// security groups that cannot be replaced while in use.

import (
	"fmt"
	"slices"
	"strings"

	"selfhost/config"
	"selfhost/internal/tfdoc"
)

func albDeletionProtection(s *stack) []hit {
	var hits []hit
	s.albs(func(addr string, a map[string]any) {
		if !tfdoc.Truthy(a["enable_deletion_protection"]) {
			hits = append(hits, hit{addr, "the load balancer has no deletion protection"})
		}
	})
	return hits
}

func albDropInvalidHeaders(s *stack) []hit {
	var hits []hit
	s.albs(func(addr string, a map[string]any) {
		if !tfdoc.Truthy(a["drop_invalid_header_fields"]) {
			hits = append(hits, hit{addr, "the load balancer does not drop invalid header fields"})
		}
	})
	return hits
}

func httpRedirect(s *stack) []hit {
	var hits []hit
	s.res.Each(func(addr string, a map[string]any) {
		if strings.ToUpper(tfdoc.Str(a["protocol"])) != "HTTP" {
			return
		}
		acts := tfdoc.Blocks(a["default_action"])
		if len(acts) == 0 {
			hits = append(hits, hit{addr, "the HTTP listener has no default action"})
		}
		for _, act := range acts {
			rd := tfdoc.Blocks(act["redirect"])
			if tfdoc.Str(act["type"]) != "redirect" || len(rd) == 0 || strings.ToUpper(tfdoc.Str(rd[0]["protocol"])) != "HTTPS" {
				hits = append(hits, hit{addr, fmt.Sprintf("the HTTP listener's default action is %q, not a redirect to HTTPS", tfdoc.Str(act["type"]))})
			}
		}
	}, "aws_lb_listener", "aws_alb_listener")
	return hits
}

func tlsPolicy(s *stack) []hit {
	var hits []hit
	s.res.Each(func(addr string, a map[string]any) {
		if p := strings.ToUpper(tfdoc.Str(a["protocol"])); p != "HTTPS" && p != "TLS" {
			return
		}
		pol := tfdoc.Str(a["ssl_policy"])
		switch {
		case pol == "":
			hits = append(hits, hit{addr, "the listener has no ssl_policy (the AWS default admits TLS 1.0)"})
		case !slices.Contains(config.SSLPolicies, pol):
			hits = append(hits, hit{addr, fmt.Sprintf("ssl_policy %q is not a TLS 1.2+ policy", pol)})
		}
	}, "aws_lb_listener", "aws_alb_listener")
	return hits
}

func openIngress(s *stack) []hit {
	albGroups := s.res.ApplicationLoadBalancerGroups()
	var hits []hit
	s.res.WorldIngressOf(func(addr, group string, in tfdoc.Ingress) {
		if !in.AllowedOn(albGroups[group]) {
			hits = append(hits, hit{addr, "ingress of " + in.String()})
		}
	})
	return hits
}

// httpsListeners calls f for every HTTPS listener.
func (s *stack) httpsListeners(f func(addr string, a map[string]any)) {
	s.res.Each(func(addr string, a map[string]any) {
		if strings.ToUpper(tfdoc.Str(a["protocol"])) == "HTTPS" {
			f(addr, a)
		}
	}, "aws_lb_listener", "aws_alb_listener")
}

func httpsUnknownHosts(s *stack) []hit {
	var hits []hit
	s.httpsListeners(func(addr string, a map[string]any) {
		for _, act := range tfdoc.Blocks(a["default_action"]) {
			if t := tfdoc.Str(act["type"]); t != "fixed-response" {
				hits = append(hits, hit{addr, fmt.Sprintf("the HTTPS listener's default action is %q: any Host, the load balancer's own DNS name included, reaches a target", t)})
			}
		}
	})
	return hits
}

func httpsHSTS(s *stack) []hit {
	var hits []hit
	s.httpsListeners(func(addr string, a map[string]any) {
		if !strings.Contains(tfdoc.Str(a["routing_http_response_strict_transport_security_header_value"]), "max-age=") {
			hits = append(hits, hit{addr, "the HTTPS listener sends no Strict-Transport-Security header"})
		}
	})
	return hits
}

// sgReplaceable: every aws_security_group (aws_default_security_group is
// another type: it is adopted, never created or replaced) must have a
// generated name and create_before_destroy.
func sgReplaceable(s *stack) []hit {
	var hits []hit
	s.res.Each(func(addr string, a map[string]any) {
		if n := tfdoc.Str(a["name"]); n != "" {
			hits = append(hits, hit{addr, fmt.Sprintf("the security group has the fixed name %q (its replacement cannot be created first)", n)})
		}
		lc, _ := a["lifecycle"].(map[string]any)
		if !tfdoc.Truthy(lc["create_before_destroy"]) {
			hits = append(hits, hit{addr, "the security group has no create_before_destroy (a replacement deletes it first, while still in use)"})
		}
	}, "aws_security_group")
	return hits
}
