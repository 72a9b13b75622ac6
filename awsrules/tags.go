package awsrules

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// Tag restrictions common to AWS services: at most 50 tags per resource,
// keys of 1-128 and values of 0-256 Unicode characters, letters, numbers,
// spaces and + - = . _ : / @; the aws: prefix is reserved.
// https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html#tag-conventions
// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Tag.html
const (
	MaxTagsPerResource = 50
	MaxTagKey          = 128
	MaxTagValue        = 256
)

var reTagChars = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`)

const tagChars = "letters, digits, spaces and _ . : / = + - @"

// TagKey checks a tag key.
func TagKey(k string) error {
	switch n := utf8.RuneCountInString(k); {
	case n < 1 || n > MaxTagKey:
		return errf("tag keys must be 1-%d characters (this one has %d)", MaxTagKey, n)
	case !reTagChars.MatchString(k):
		return errf("the key has characters AWS refuses in tags; want %s", tagChars)
	case strings.HasPrefix(strings.ToLower(k), "aws:"):
		return errf("tag keys may not start with \"aws:\" (reserved by AWS)")
	}
	return nil
}

// TagValue checks a tag value.
func TagValue(v string) error {
	switch n := utf8.RuneCountInString(v); {
	case n > MaxTagValue:
		return errf("tag values must be at most %d characters (this one has %d)", MaxTagValue, n)
	case !reTagChars.MatchString(v):
		return errf("the value %q has characters AWS refuses in tags; want %s", v, tagChars)
	}
	return nil
}
