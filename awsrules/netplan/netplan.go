// Package netplan carves a VPC CIDR into per-AZ, per-tier subnets.
//
// The plan is deterministic and keyed by AZ *letter* and tier, never by list
// position: the subnet of tier T in AZ "<region>c" is always slot 2 of T's
// block, whether or not "<region>b" is in the environment. Adding or removing
// an AZ therefore only adds or removes subnets; no existing CIDR moves.
//
// Layout: the VPC is split into one block per tier. Each block holds Slots
// equal subnets (one per possible AZ letter a, b, c, ...). Blocks are laid out
// largest subnet first so every subnet is aligned to its own size.
package netplan

import (
	"fmt"
	"net"
	"sort"

	"github.com/apparentlymart/go-cidr/cidr"

	"selfhost/awsrules"
)

// Tier is a subnet tier.
type Tier string

// The three tiers, in their fixed layout order (ties in size keep this order).
const (
	Private  Tier = "private"
	Public   Tier = "public"
	Database Tier = "database"
)

// Tiers lists every tier in layout order.
var Tiers = []Tier{Private, Public, Database}

// Layout says how big each tier's subnets are and how many AZ slots exist.
type Layout struct {
	// Slots is the number of AZ slots per tier: AZ letters a.. up to Slots.
	Slots int
	// NewBits per tier: the subnet prefix is the VPC prefix plus NewBits.
	NewBits map[Tier]int
}

// Smallest and largest subnet AWS accepts.
const (
	MinSubnetPrefix = 16
	MaxSubnetPrefix = 28
)

// Plan is the result: subnet CIDRs by tier, then by AZ letter index.
type Plan map[Tier]map[int]string

// AZIndex returns the slot index of an AZ name or ID in region:
// "us-east-1c" -> 2, "use1-az3" -> 2 (see awsrules.AZSlot).
func AZIndex(region, az string) (int, error) { return awsrules.AZSlot(region, az) }

// Compute returns the subnet plan for the given AZ slot indexes.
func Compute(vpcCIDR string, l Layout, azIndexes []int) (Plan, error) {
	_, vpc, err := net.ParseCIDR(vpcCIDR)
	if err != nil {
		return nil, fmt.Errorf("%q is not a CIDR", vpcCIDR)
	}
	if l.Slots < 1 || l.Slots > 64 {
		return nil, fmt.Errorf("az_slots must be at least 1")
	}
	vpcPrefix, bits := vpc.Mask.Size()
	if bits != 32 {
		return nil, fmt.Errorf("%q is not an IPv4 CIDR", vpcCIDR)
	}
	// Order tiers by subnet size, largest first, stable on layout order.
	order := append([]Tier(nil), Tiers...)
	sort.SliceStable(order, func(i, j int) bool { return l.NewBits[order[i]] < l.NewBits[order[j]] })

	total := uint64(1) << (32 - vpcPrefix)
	var offset uint64 // addresses used so far
	plan := Plan{}
	for _, t := range order {
		nb := l.NewBits[t]
		if nb < 1 || nb > MaxSubnetPrefix-vpcPrefix { // before adding: a huge newbits must not overflow
			return nil, fmt.Errorf("%s newbits %d is out of range in a /%d VPC: AWS subnets must be /%d to /%d, so newbits must be 1 to %d", t, nb, vpcPrefix, MinSubnetPrefix, MaxSubnetPrefix, MaxSubnetPrefix-vpcPrefix)
		}
		prefix := vpcPrefix + nb
		size := uint64(1) << (32 - prefix)
		need := size * uint64(l.Slots)
		if offset+need > total {
			return nil, fmt.Errorf("%d AZ slots of /%d %s subnets do not fit in the /%d VPC after the larger tiers (needs %d addresses, %d left)", l.Slots, prefix, t, vpcPrefix, need, total-offset)
		}
		base := offset / size // subnet number of slot 0 (aligned: larger tiers come first)
		plan[t] = map[int]string{}
		for _, i := range azIndexes {
			if i < 0 || i >= l.Slots {
				return nil, fmt.Errorf("AZ slot %d is outside the %d slots of the plan", i, l.Slots)
			}
			sn, err := cidr.Subnet(vpc, nb, int(base)+i)
			if err != nil {
				return nil, err
			}
			plan[t][i] = sn.String()
		}
		offset += need
	}
	return plan, nil
}
