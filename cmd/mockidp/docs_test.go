package main

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/authconform/authconform/mockidp/yamlfile"
)

const (
	docsFile      = "../../docs/mockidp.md"
	docsConfig    = "../../testdata/mockidp/config.yaml"
	docsConfigArg = "testdata/mockidp/config.yaml"
)

func readDocs(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile(docsFile)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// shellBlocks returns the fenced sh blocks of doc.
func shellBlocks(doc string) []string {
	var blocks []string
	for _, part := range strings.Split(doc, "```sh\n")[1:] {
		block, _, _ := strings.Cut(part, "```")
		blocks = append(blocks, block)
	}
	return blocks
}

func TestDocsStartBuiltBinaryInBackground(t *testing.T) {
	doc := readDocs(t)
	for _, block := range shellBlocks(doc) {
		for _, line := range strings.Split(block, "\n") {
			if strings.Contains(line, "go run") && strings.HasSuffix(strings.TrimSpace(line), "&") {
				t.Errorf("docs background go run, whose PID is not mockidp's: %s", line)
			}
		}
	}
	for _, want := range []string{"go build -o bin/mockidp ./cmd/mockidp",
		"bin/mockidp --config " + docsConfigArg + " &", `kill "$MOCKIDP_PID"`} {
		if !strings.Contains(doc, want) {
			t.Errorf("docs lack %q", want)
		}
	}
}

var (
	clientIDFlag    = regexp.MustCompile(`--client-id=(\S+)`)
	clientSecret    = regexp.MustCompile(`--client-secret=(\S+)`)
	redirectURLFlag = regexp.MustCompile(`--redirect-url=(\S+)`)
	basicAuthFlag   = regexp.MustCompile(`curl .*-u ([^:\s]+):(\S+)`)
)

func TestDocsClientsAreInTheStartedConfig(t *testing.T) {
	doc := readDocs(t)
	cfg, err := readConfigFile(docsConfig)
	if err != nil {
		t.Fatal(err)
	}

	secrets := map[string]string{}
	redirects := map[string][]string{}
	for _, c := range cfg.Clients {
		secrets[c.ID] = c.Secret
		redirects[c.ID] = c.RedirectURIs
	}

	id := clientIDFlag.FindStringSubmatch(doc)
	secret := clientSecret.FindStringSubmatch(doc)
	redirect := redirectURLFlag.FindStringSubmatch(doc)
	if id == nil || secret == nil || redirect == nil {
		t.Fatal("docs lack the oauth2-proxy example")
	}

	if got, ok := secrets[id[1]]; !ok || got != secret[1] {
		t.Errorf("oauth2-proxy example uses client %s / %s, which %s does not register",
			id[1], secret[1], docsConfig)
	}
	if !slices.Contains(redirects[id[1]], redirect[1]) {
		t.Errorf("redirect URL %s is not registered for %s in %s", redirect[1], id[1], docsConfig)
	}
	for _, m := range basicAuthFlag.FindAllStringSubmatch(doc, -1) {
		if got, ok := secrets[m[1]]; !ok || got != m[2] {
			t.Errorf("curl example authenticates as %s:%s, which %s does not register",
				m[1], m[2], docsConfig)
		}
	}
}

var formFieldName = regexp.MustCompile(`name="([a-z_]+)"`)

func TestDocsNameLoginFormFields(t *testing.T) {
	doc := readDocs(t)
	// The field names come from the login page template.
	page, err := os.ReadFile("../../mockidp/login.go")
	if err != nil {
		t.Fatal(err)
	}
	var fields []string
	for _, m := range formFieldName.FindAllStringSubmatch(string(page), -1) {
		if !slices.Contains(fields, m[1]) {
			fields = append(fields, m[1])
		}
	}
	for _, want := range []string{"request", "username", "password", "pick", "cancel"} {
		if !slices.Contains(fields, want) {
			t.Fatalf("login page has no field %q; fields: %v", want, fields)
		}
	}
	var tableFirstColumns []string
	for _, line := range strings.Split(doc, "\n") {
		if cells := strings.Split(line, "|"); len(cells) > 2 && cells[0] == "" {
			tableFirstColumns = append(tableFirstColumns, cells[1])
		}
	}
	for _, field := range fields {
		if !slices.ContainsFunc(tableFirstColumns, func(cell string) bool {
			return strings.Contains(cell, "`"+field+"`")
		}) {
			t.Errorf("docs have no table row for the login form field %q", field)
		}
	}
	for _, want := range []string{`--data-urlencode "request=$request"`, "-d username=alice",
		"password=alice-password", "-d pick=alice", "needs no password"} {
		if !strings.Contains(doc, want) {
			t.Errorf("docs' login example lacks %q", want)
		}
	}
}

func TestDocsFlagsExist(t *testing.T) {
	fs, _, _ := newFlagSet()
	tableFlag := regexp.MustCompile("^\\| `--([a-z-]+)")
	for _, line := range strings.Split(readDocs(t), "\n") {
		m := tableFlag.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		if fs.Lookup(m[1]) == nil {
			t.Errorf("docs list --%s, which mockidp does not define", m[1])
		}
	}
}

func TestDocsConfigExampleDecodes(t *testing.T) {
	doc := readDocs(t)
	start := strings.Index(doc, "### 4. Configuration file")
	if start < 0 {
		t.Fatal("docs lack the configuration file section")
	}
	_, rest, _ := strings.Cut(doc[start:], "```yaml\n")
	example, _, _ := strings.Cut(rest, "```")
	var cfg fileConfig
	if err := yamlfile.Decode("docs example", []byte(example), &cfg); err != nil {
		t.Errorf("docs' configuration example does not decode: %v", err)
	}
}
