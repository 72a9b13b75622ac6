// Package awsrules holds the rules AWS applies to the values selfhost sends
// it: name patterns and lengths, CIDR restrictions, retention values, ARN
// shapes, tag limits and quotas. Each rule is written once, here, and used by
// both config validation (which names the file and field) and the constructs
// (which check their props). A check returns nil or an error whose text is
// "<what is wrong>; <what is allowed>", quoting the value.
//
// The AWS documents each rule comes from are cited beside it.
package awsrules

import (
	"fmt"
	"strings"
)

func errf(format string, a ...any) error { return fmt.Errorf(format, a...) }

// JoinInts formats a list of numbers for a message: "1, 3, 5".
func JoinInts(xs []int) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = fmt.Sprint(x)
	}
	return strings.Join(s, ", ")
}
