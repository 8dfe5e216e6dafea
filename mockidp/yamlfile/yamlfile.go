// Package yamlfile reads the YAML files of mockidp (users and configuration)
// strictly, with errors that name the file, the line, the key and the fix,
// such as `users.yaml:3: unknown key "url": use one of default_user, users`.
package yamlfile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// MaxFileSize is the largest file ReadFile accepts. Users and configuration
// files are a few kilobytes, so a larger file is a wrong path such as
// /dev/zero.
const MaxFileSize = 4 << 20

// ErrTooLarge is wrapped by ReadFile's error for a file above MaxFileSize.
var ErrTooLarge = errors.New("file is too large")

// ReadFile reads at most MaxFileSize bytes of path. It fails with
// ErrTooLarge, not a truncated read, when the file holds more.
func ReadFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("%s: %w: mockidp reads at most %d MiB; check the path",
			path, ErrTooLarge, MaxFileSize>>20)
	}
	return data, nil
}

// Decode decodes the single YAML document in data into v, a non-nil
// pointer to a struct. Keys that v's yaml tags do not name and values of
// the wrong type are errors, all reported at once, each as
// "NAME:LINE: KEY: problem: fix". Empty data leaves v unchanged.
func Decode(name string, data []byte, v any) error {
	target := reflect.TypeOf(v)
	if target == nil || target.Kind() != reflect.Pointer {
		return fmt.Errorf("yamlfile.Decode needs a non-nil pointer, got %T", v)
	}

	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil
		}
		return syntaxError(name, err)
	}

	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return fmt.Errorf("%s:%d: a second YAML document starts here: keep one document "+
			"per file", name, extra.Line)
	} else if !errors.Is(err, io.EOF) {
		return syntaxError(name, err)
	}

	c := checker{name: name}
	c.check(&doc, target.Elem(), "")
	if len(c.errs) > 0 {
		return errors.Join(c.errs...)
	}

	if err := doc.Decode(v); err != nil {
		// The checks above catch every type error that yaml.v3 reports, so
		// this is a backstop that keeps the library's wording.
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

var yamlLinePrefix = regexp.MustCompile(`^yaml: line (\d+): `)

// syntaxError rewrites "yaml: line 3: problem" as "NAME:3: problem".
func syntaxError(name string, err error) error {
	msg := err.Error()
	if m := yamlLinePrefix.FindStringSubmatch(msg); m != nil {
		return fmt.Errorf("%s:%s: %s: fix the YAML syntax", name, m[1], msg[len(m[0]):])
	}
	return fmt.Errorf("%s: %s: fix the YAML syntax", name, strings.TrimPrefix(msg, "yaml: "))
}

// checker walks a YAML node tree beside the Go type it decodes into.
type checker struct {
	name string
	errs []error
}

func (c *checker) fail(n *yaml.Node, format string, args ...any) {
	c.errs = append(c.errs, fmt.Errorf("%s:%d: %s", c.name, n.Line, fmt.Sprintf(format, args...)))
}

// mistyped reports that the value n at key is not of type t.
func (c *checker) mistyped(n *yaml.Node, t reflect.Type, key string) {
	if key == "" {
		key = "the document"
	}
	c.fail(n, "%s must be %s, not %s", key, describe(t), show(n))
}

var durationType = reflect.TypeFor[time.Duration]()

// check reports unknown keys and mistyped values in n, which decodes into
// a value of type t found at key (a dotted path, "" at the top).
func (c *checker) check(n *yaml.Node, t reflect.Type, key string) {
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) > 0 {
			c.check(n.Content[0], t, key)
		}
		return
	case yaml.AliasNode:
		if n.Alias != nil {
			c.check(n.Alias, t, key)
		}
		return
	}
	if n.ShortTag() == "!!null" {
		return
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == durationType || t.Kind() == reflect.Interface:
		c.checkScalar(n, t, key)
	case t.Kind() == reflect.Struct:
		c.checkStruct(n, t, key)
	case t.Kind() == reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			c.mistyped(n, t, key)
			return
		}
		for i, item := range n.Content {
			c.check(item, t.Elem(), fmt.Sprintf("%s[%d]", key, i))
		}
	case t.Kind() == reflect.Map:
		if n.Kind != yaml.MappingNode {
			c.mistyped(n, t, key)
			return
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			c.check(n.Content[i+1], t.Elem(), join(key, n.Content[i].Value))
		}
	default:
		c.checkScalar(n, t, key)
	}
}

// checkStruct reports keys that no yaml tag of t names, then checks the
// value of each known key.
func (c *checker) checkStruct(n *yaml.Node, t reflect.Type, key string) {
	if n.Kind != yaml.MappingNode {
		c.mistyped(n, t, key)
		return
	}
	fields := yamlFields(t)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, value := n.Content[i], n.Content[i+1]
		field, ok := fields[k.Value]
		if !ok {
			c.fail(k, "unknown key %q%s: use one of %s", k.Value, inKey(key),
				strings.Join(slices.Sorted(maps.Keys(fields)), ", "))
			continue
		}
		c.check(value, field.Type, join(key, k.Value))
	}
}

// checkScalar decodes n into a fresh value of type t and reports a failure
// in plain words.
func (c *checker) checkScalar(n *yaml.Node, t reflect.Type, key string) {
	if t.Kind() == reflect.Interface {
		return // any YAML value decodes into an interface
	}
	if n.Kind != yaml.ScalarNode {
		c.mistyped(n, t, key)
		return
	}
	if err := n.Decode(reflect.New(t).Interface()); err != nil {
		c.mistyped(n, t, key)
	}
}

// describe names what a value of type t looks like in YAML.
func describe(t reflect.Type) string {
	if t == durationType {
		return "a duration such as 90s, 10m or 1h"
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice:
		return "a list such as [a, b]"
	}
	return "a mapping of keys to values"
}

// show quotes a scalar value, or names the kind of a collection.
func show(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	return fmt.Sprintf("%q", n.Value)
}

// yamlFields maps each yaml key of struct t to its field.
func yamlFields(t reflect.Type) map[string]reflect.StructField {
	fields := make(map[string]reflect.StructField, t.NumField())
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		switch name {
		case "-":
			continue
		case "":
			name = strings.ToLower(f.Name) // yaml.v3's default key
		}
		fields[name] = f
	}
	return fields
}

func join(prefix, key string) string {
	if prefix == "" {
		return key
	}
	return prefix + "." + key
}

func inKey(key string) string {
	if key == "" {
		return ""
	}
	return " in " + key
}
