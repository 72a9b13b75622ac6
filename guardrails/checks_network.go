package guardrails

// The network rules: AZs, NAT per AZ, isolated database tier, no public IPs
// on private tiers.

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"selfhost/config"
	"selfhost/internal/tfdoc"
)

func minAZs(s *stack) []hit {
	azs := map[string]bool{}
	for _, az := range s.subnetAZs() {
		azs[az] = true
	}
	if s.res.Count("aws_subnet") == 0 || len(azs) >= config.MinProdAZs {
		return nil
	}
	return []hit{{"", fmt.Sprintf("the subnets span %d availability zone(s), want at least %d", len(azs), config.MinProdAZs)}}
}

func natPerAZ(s *stack) []hit {
	subAZ := s.subnetAZs()
	want := map[string]bool{}
	for addr, az := range subAZ {
		if s.tier(addr) == "private" {
			want[az] = true
		}
	}
	if len(want) == 0 {
		return nil
	}
	have := map[string]int{}
	var hits []hit
	s.res.Each(func(addr string, a map[string]any) {
		if tfdoc.Str(a["connectivity_type"]) == "private" {
			return
		}
		az, ok := subAZ[tfdoc.Ref(a["subnet_id"])]
		if !ok {
			hits = append(hits, hit{addr, "the NAT gateway is not in a subnet of this VPC's plan"})
			return
		}
		have[az]++
	}, "aws_nat_gateway")
	for _, az := range slices.Sorted(maps.Keys(want)) {
		if have[az] != 1 {
			hits = append(hits, hit{"", fmt.Sprintf("AZ %s has private subnets and %d NAT gateway(s), want exactly 1", az, have[az])})
		}
	}
	return hits
}

func databaseEgress(s *stack) []hit {
	dbTables := map[string]bool{}
	s.res.Each(func(addr string, a map[string]any) {
		if sub := tfdoc.Ref(a["subnet_id"]); sub != "" && s.tier(sub) == "database" {
			dbTables[tfdoc.Ref(a["route_table_id"])] = true
		}
	}, "aws_route_table_association")
	out := func(r map[string]any) string {
		switch {
		case tfdoc.Str(r["nat_gateway_id"]) != "":
			return "a NAT gateway"
		case tfdoc.Str(r["egress_only_gateway_id"]) != "":
			return "an egress-only internet gateway"
		case tfdoc.RefType(r["gateway_id"], "aws_internet_gateway", "aws_egress_only_internet_gateway"),
			strings.HasPrefix(tfdoc.Str(r["gateway_id"]), "igw-"):
			return "an internet gateway"
		}
		return ""
	}
	var hits []hit
	s.res.Each(func(addr string, a map[string]any) {
		if rt := tfdoc.Ref(a["route_table_id"]); dbTables[rt] {
			if to := out(a); to != "" {
				hits = append(hits, hit{addr, fmt.Sprintf("database route table %s routes %s to %s", rt, tfdoc.Str(a["destination_cidr_block"])+tfdoc.Str(a["destination_ipv6_cidr_block"]), to)})
			}
		}
	}, "aws_route")
	s.res.Each(func(addr string, a map[string]any) {
		if !dbTables[addr] {
			return
		}
		for _, r := range tfdoc.Blocks(a["route"]) {
			if to := out(r); to != "" {
				hits = append(hits, hit{addr, fmt.Sprintf("database route table has an inline route to %s", to)})
			}
		}
	}, "aws_route_table")
	return hits
}

func privatePublicIP(s *stack) []hit {
	var hits []hit
	s.res.Each(func(addr string, a map[string]any) {
		if t := s.tier(addr); (t == "private" || t == "database") && tfdoc.Truthy(a["map_public_ip_on_launch"]) {
			hits = append(hits, hit{addr, fmt.Sprintf("the %s subnet maps public IPs on launch", t)})
		}
	}, "aws_subnet")
	return hits
}
