package yamlfile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

type inner struct {
	Name  string        `yaml:"name"`
	Every time.Duration `yaml:"every"`
	On    *bool         `yaml:"on"`
}

type outer struct {
	Items  []inner        `yaml:"items"`
	Tags   []string       `yaml:"tags"`
	Extra  map[string]any `yaml:"extra"`
	Nested struct {
		Count int `yaml:"count"`
	} `yaml:"nested"`
}

func TestDecodeValidFile(t *testing.T) {
	data := "items:\n  - name: a\n    every: 90s\n    on: true\ntags: [x, y]\n" +
		"extra: {k: [1, 2]}\nnested: {count: 3}\n"
	var got outer
	if err := Decode("f.yaml", []byte(data), &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Items) != 1 || got.Items[0].Every != 90*time.Second || !*got.Items[0].On {
		t.Errorf("items = %+v", got.Items)
	}
	if got.Nested.Count != 3 || len(got.Tags) != 2 {
		t.Errorf("decoded %+v", got)
	}
}

func TestDecodeEmptyLeavesValue(t *testing.T) {
	got := outer{Tags: []string{"keep"}}
	for _, data := range []string{"", "# only a comment\n"} {
		if err := Decode("f.yaml", []byte(data), &got); err != nil {
			t.Errorf("%q: %v", data, err)
		}
	}
	if len(got.Tags) != 1 {
		t.Errorf("tags = %v, want unchanged", got.Tags)
	}
}

func TestDecodeErrorsNameLineKeyAndFix(t *testing.T) {
	for _, tc := range []struct {
		name, data string
		want       []string
	}{
		{"unknown top-level key", "tags: []\nurl: x\n",
			[]string{`f.yaml:2: unknown key "url": use one of extra, items, nested, tags`}},
		{"unknown nested key", "items:\n  - name: a\n    colour: red\n",
			[]string{`f.yaml:3: unknown key "colour" in items[0]: use one of every, name, on`}},
		{"bad duration", "items:\n  - every: 5x\n",
			[]string{`f.yaml:2: items[0].every must be a duration such as 90s, 10m or 1h, not "5x"`}},
		{"bad bool", "items:\n  - on: maybe\n",
			[]string{`f.yaml:2: items[0].on must be true or false, not "maybe"`}},
		{"bad int", "nested:\n  count: many\n",
			[]string{`f.yaml:2: nested.count must be a whole number, not "many"`}},
		{"scalar for list", "tags: x\n", []string{`f.yaml:1: tags must be a list`}},
		{"list for struct", "nested: [1]\n",
			[]string{`f.yaml:1: nested must be a mapping of keys to values, not a list`}},
		{"document is a list", "- a\n",
			[]string{`f.yaml:1: the document must be a mapping of keys to values, not a list`}},
		{"two problems", "url: x\nnested: {count: x}\n",
			[]string{`f.yaml:1: unknown key "url"`, `f.yaml:2: nested.count must be`}},
		{"syntax", "tags: [a\n", []string{"f.yaml:1: ", "fix the YAML syntax"}},
		{"two documents", "tags: []\n---\ntags: []\n",
			[]string{"f.yaml:2: a second YAML document starts here"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got outer
			err := Decode("f.yaml", []byte(tc.data), &got)
			if err == nil {
				t.Fatal("Decode succeeded, want an error")
			}
			for _, want := range tc.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not contain %q", err, want)
				}
			}
			for _, jargon := range []string{"yamlfile.", "Go struct", "unmarshal", "!!"} {
				if strings.Contains(err.Error(), jargon) {
					t.Errorf("error %q contains %q", err, jargon)
				}
			}
		})
	}
}

func TestReadFileCapsSize(t *testing.T) {
	_, err := ReadFile("/dev/zero")
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("ReadFile(/dev/zero) error = %v, want ErrTooLarge", err)
	}
	if !strings.Contains(err.Error(), "4 MiB") {
		t.Errorf("error %q does not state the limit", err)
	}
	exact := filepath.Join(t.TempDir(), "exact")
	if err := os.WriteFile(exact, make([]byte, MaxFileSize), 0o600); err != nil {
		t.Fatal(err)
	}
	if data, err := ReadFile(exact); err != nil || len(data) != MaxFileSize {
		t.Errorf("file of exactly MaxFileSize: %d bytes, error %v", len(data), err)
	}
	if _, err := ReadFile(filepath.Join(t.TempDir(), "missing")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: error %v, want os.ErrNotExist", err)
	}
}
