package config

import (
	"os"
	"reflect"
	"strings"
	"testing"
)

// Every configuration field is documented in the README's configuration
// reference (as `field.path` in the table).
func TestREADMEDocumentsEveryField(t *testing.T) {
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	start := strings.Index(readme, "## Configuration reference")
	end := strings.Index(readme[start+1:], "\n## ")
	if start < 0 || end < 0 {
		t.Fatal("README has no Configuration reference section")
	}
	section := readme[start : start+1+end]
	var paths []string
	var walk func(t reflect.Type, prefix string)
	walk = func(typ reflect.Type, prefix string) {
		for i := 0; i < typ.NumField(); i++ {
			tag := strings.Split(typ.Field(i).Tag.Get("yaml"), ",")[0]
			if tag == "" || tag == "-" {
				continue
			}
			ft := typ.Field(i).Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				walk(ft, prefix+tag+".")
				continue
			}
			if ft.Kind() == reflect.Map && ft.Elem().Kind() == reflect.Pointer && ft.Elem().Elem().Kind() == reflect.Struct {
				walk(ft.Elem().Elem(), prefix+tag+".<name>.") // services.<name>.cpu
				continue
			}
			paths = append(paths, prefix+tag)
		}
	}
	walk(reflect.TypeOf(Config{}), "")
	if len(paths) < 60 {
		t.Fatalf("found only %d fields", len(paths))
	}
	for _, p := range paths {
		if !strings.Contains(section, "| `"+p+"` |") {
			t.Errorf("README configuration reference lacks a row for `%s`", p)
		}
	}
}
