package bench

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// SameTree reports whether the files under a and b are byte-identical
// (same relative paths, same contents); diff names the first difference.
func SameTree(a, b string) (same bool, diff string, err error) {
	files := func(root string) (map[string][]byte, error) {
		m := map[string][]byte{}
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			rel, _ := filepath.Rel(root, p)
			m[rel], err = os.ReadFile(p)
			return err
		})
		return m, err
	}
	fa, err := files(a)
	if err != nil {
		return false, "", err
	}
	fb, err := files(b)
	if err != nil {
		return false, "", err
	}
	for k, v := range fa {
		w, ok := fb[k]
		if !ok {
			return false, fmt.Sprintf("%s only in %s", k, a), nil
		}
		if !bytes.Equal(v, w) {
			return false, fmt.Sprintf("%s differs", k), nil
		}
	}
	for k := range fb {
		if _, ok := fa[k]; !ok {
			return false, fmt.Sprintf("%s only in %s", k, b), nil
		}
	}
	return true, "", nil
}

// ScalePoint is one shape of the growth measurement: Envs copies of the
// production environment with AZs availability zones each.
type ScalePoint struct {
	Envs, AZs int
	Samples   []Sample
}

var (
	nameLine   = regexp.MustCompile(`(?m)^name: .*$`)
	bucketLine = regexp.MustCompile(`(?m)^(\s+bucket: )\S+$`)
	countLine  = regexp.MustCompile(`(?m)^(\s+count: )\d+$`)
	domainLine = regexp.MustCompile(`(?m)^(\s+domain: )(\S+)$`)
)

// WriteScaledEnvs writes n copies of the environment file src into dir
// (created), named p01, p02, ... with their own state bucket, domain
// (<name>.<src's domain>: config refuses two environments with one domain)
// and azs availability zones; the rest of each file is src's.
func WriteScaledEnvs(src, dir string, n, azs int) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	if !nameLine.Match(b) || !bucketLine.Match(b) || !countLine.Match(b) || !domainLine.Match(b) {
		return fmt.Errorf("%s: want top-level name:, state bucket:, dns domain: and availability_zones count: lines", src)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for i := 1; i <= n; i++ {
		name := fmt.Sprintf("p%02d", i)
		s := nameLine.ReplaceAllString(string(b), "name: "+name)
		s = bucketLine.ReplaceAllString(s, "${1}selfhost-"+name+"-tfstate-123456789012")
		s = countLine.ReplaceAllString(s, "${1}"+strconv.Itoa(azs))
		s = domainLine.ReplaceAllString(s, "${1}"+name+".${2}")
		if err := os.WriteFile(filepath.Join(dir, name+".yaml"), []byte(s), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// MarginalMS is the extra wall time of one more environment between the
// smallest and the largest environment count of points with azs AZs, from
// the medians; ok is false when there are not two such counts.
func MarginalMS(points []ScalePoint, azs int) (ms float64, ok bool) {
	var lo, hi *ScalePoint
	for i := range points {
		p := &points[i]
		if p.AZs != azs || len(p.Samples) == 0 {
			continue
		}
		if lo == nil || p.Envs < lo.Envs {
			lo = p
		}
		if hi == nil || p.Envs > hi.Envs {
			hi = p
		}
	}
	if lo == nil || hi == nil || lo.Envs == hi.Envs {
		return 0, false
	}
	wall := func(s Sample) float64 { return s.WallMS }
	d := Summarize(pick(hi.Samples, wall)).Median - Summarize(pick(lo.Samples, wall)).Median
	return d / float64(hi.Envs-lo.Envs), true
}

// bar is a text bar of width proportional to v/max.
func bar(v, max float64, width int) string {
	if max <= 0 {
		return ""
	}
	n := int(v/max*float64(width) + 0.5)
	return strings.Repeat("█", n)
}
