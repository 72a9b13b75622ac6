package netplan

import (
	"net"
	"testing"
)

var layout = Layout{Slots: 8, NewBits: map[Tier]int{Private: 4, Public: 5, Database: 5}}

func TestComputeDefaultLayout(t *testing.T) {
	p, err := Compute("10.0.0.0/16", layout, []int{0, 1, 2})
	if err != nil {
		t.Fatal(err)
	}
	want := map[Tier][]string{
		Private:  {"10.0.0.0/20", "10.0.16.0/20", "10.0.32.0/20"},
		Public:   {"10.0.128.0/21", "10.0.136.0/21", "10.0.144.0/21"},
		Database: {"10.0.192.0/21", "10.0.200.0/21", "10.0.208.0/21"},
	}
	for tier, cidrs := range want {
		for i, c := range cidrs {
			if p[tier][i] != c {
				t.Errorf("%s[%d] = %s, want %s", tier, i, p[tier][i], c)
			}
		}
	}
}

// Adding AZ d (index 3), or leaving b out, never moves another AZ's subnet.
func TestAddingAnAZKeepsEveryExistingCIDR(t *testing.T) {
	before, err := Compute("10.0.0.0/16", layout, []int{0, 2})
	if err != nil {
		t.Fatal(err)
	}
	after, err := Compute("10.0.0.0/16", layout, []int{0, 1, 2, 3})
	if err != nil {
		t.Fatal(err)
	}
	for _, tier := range Tiers {
		for i, c := range before[tier] {
			if after[tier][i] != c {
				t.Errorf("%s slot %d moved from %s to %s", tier, i, c, after[tier][i])
			}
		}
	}
}

func TestNoOverlapAcrossAllSlots(t *testing.T) {
	p, err := Compute("10.1.0.0/16", layout, []int{0, 1, 2, 3, 4, 5, 6, 7})
	if err != nil {
		t.Fatal(err)
	}
	var nets []*net.IPNet
	for _, tier := range Tiers {
		for _, c := range p[tier] {
			_, n, _ := net.ParseCIDR(c)
			for _, o := range nets {
				if o.Contains(n.IP) || n.Contains(o.IP) {
					t.Errorf("%s overlaps %s", n, o)
				}
			}
			nets = append(nets, n)
		}
	}
	if len(nets) != 24 {
		t.Fatalf("got %d subnets, want 24", len(nets))
	}
}

func TestComputeRejects(t *testing.T) {
	cases := []struct {
		cidr string
		l    Layout
		want string
	}{
		{"10.0.0.0/24", layout, "public newbits 5 is out of range in a /24 VPC: AWS subnets must be /16 to /28, so newbits must be 1 to 4"},
		// A newbits near the int limit once overflowed the prefix arithmetic into a division by zero.
		{"10.0.0.0/16", Layout{Slots: 8, NewBits: map[Tier]int{Private: 9223372036854775800, Public: 5, Database: 5}}, "private newbits 9223372036854775800 is out of range in a /16 VPC: AWS subnets must be /16 to /28, so newbits must be 1 to 12"},
		{"10.0.0.0/16", Layout{Slots: 8, NewBits: map[Tier]int{Private: 3, Public: 3, Database: 3}}, "8 AZ slots of /19 public subnets do not fit in the /16 VPC after the larger tiers (needs 65536 addresses, 0 left)"},
		{"nope", layout, `"nope" is not a CIDR`},
	}
	for _, c := range cases {
		_, err := Compute(c.cidr, c.l, []int{0})
		if err == nil || err.Error() != c.want {
			t.Errorf("Compute(%s) error = %v, want %q", c.cidr, err, c.want)
		}
	}
}

func TestAZIndex(t *testing.T) {
	for az, want := range map[string]int{"us-east-1c": 2, "use1-az3": 2, "use1-az6": 5, "us-east-1f": 5} {
		if i, err := AZIndex("us-east-1", az); err != nil || i != want {
			t.Errorf("AZIndex(%s) = %d, %v; want %d", az, i, err, want)
		}
	}
	for _, az := range []string{"us-east-2a", "us-east-1", "us-east-1A", "us-east-1ab", "us-east-1g", "use1-az7", "use2-az1", "us-east-1-bos-1a", "use1-az0"} {
		if _, err := AZIndex("us-east-1", az); err == nil {
			t.Errorf("AZIndex(%q) accepted", az)
		}
	}
}
