package conformance

import (
	"fmt"
	"regexp"
	"strings"
)

// Rule is a route in Flask's rule syntax, such as "/user/<user_id>/public"
// or "/assets/<path:path>.css". Matching follows Flask's defaults: exact,
// case-sensitive, strict about a trailing slash, query not part of the path.
type Rule struct {
	Raw     string
	re      *regexp.Regexp
	example string
	static  bool
}

var ruleVar = regexp.MustCompile(`<(?:([a-zA-Z_][a-zA-Z0-9_]*)(?:\(([^)]*)\))?:)?([a-zA-Z_][a-zA-Z0-9_]*)>`)

// converter is one Flask converter's pattern and a sample value for it.
type converter struct {
	pattern string
	sample  string
}

var converters = map[string]converter{
	"default": {`[^/]+`, "authconform"},
	"string":  {`[^/]+`, "authconform"},
	"int":     {`\d+`, "7"},
	"float":   {`\d+\.\d+`, "1.5"},
	"path":    {`[^/].*?`, "authconform/sample"},
	"uuid":    {`[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}`, "6f1c1a1e-0000-4000-8000-000000000001"},
}

// ParseRule parses a Flask rule.
func ParseRule(s string) (*Rule, error) {
	if !strings.HasPrefix(s, "/") {
		return nil, fmt.Errorf("rule %q must start with /", s)
	}
	var re, example strings.Builder
	re.WriteString("^")
	rest := s
	static := true
	for {
		loc := ruleVar.FindStringSubmatchIndex(rest)
		if loc == nil {
			break
		}
		lit := rest[:loc[0]]
		if strings.ContainsAny(lit, "<>") {
			return nil, fmt.Errorf("rule %q has a malformed <...> part; write <name> or <converter:name>", s)
		}
		re.WriteString(regexp.QuoteMeta(lit))
		example.WriteString(lit)
		name := "default"
		if loc[2] >= 0 {
			name = rest[loc[2]:loc[3]]
		}
		var args string
		if loc[4] >= 0 {
			args = rest[loc[4]:loc[5]]
		}
		if name == "any" {
			opts := splitArgs(args)
			if len(opts) == 0 {
				return nil, fmt.Errorf("rule %q: any() needs at least one value", s)
			}
			quoted := make([]string, len(opts))
			for i, o := range opts {
				quoted[i] = regexp.QuoteMeta(o)
			}
			re.WriteString("(?:" + strings.Join(quoted, "|") + ")")
			example.WriteString(opts[0])
		} else {
			c, ok := converters[name]
			if !ok {
				return nil, fmt.Errorf("rule %q uses unknown converter %q; use string, int, "+
					"float, path, uuid or any", s, name)
			}
			re.WriteString("(?:" + c.pattern + ")")
			example.WriteString(c.sample)
		}
		static = false
		rest = rest[loc[1]:]
	}
	if strings.ContainsAny(rest, "<>") {
		return nil, fmt.Errorf("rule %q has a malformed <...> part; write <name> or <converter:name>", s)
	}
	re.WriteString(regexp.QuoteMeta(rest) + "$")
	example.WriteString(rest)
	compiled, err := regexp.Compile(re.String())
	if err != nil {
		return nil, fmt.Errorf("rule %q: %w", s, err)
	}
	return &Rule{Raw: s, re: compiled, example: example.String(), static: static}, nil
}

func splitArgs(args string) []string {
	var out []string
	for _, a := range strings.Split(args, ",") {
		a = strings.Trim(strings.TrimSpace(a), `"'`)
		if a != "" {
			out = append(out, a)
		}
	}
	return out
}

// Match reports whether a decoded request path matches the rule.
func (r *Rule) Match(path string) bool { return r.re.MatchString(path) }

// Example returns a concrete path that matches the rule.
func (r *Rule) Example() string { return r.example }

// Static reports whether the rule has no variable part.
func (r *Rule) Static() bool { return r.static }

// MustParseRule is ParseRule for rules written in code.
func MustParseRule(s string) *Rule {
	r, err := ParseRule(s)
	if err != nil {
		panic("conformance: " + err.Error())
	}
	return r
}
