package basicauth

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

// Rule is a route in Flask's rule syntax, such as "/user/<user_id>/public",
// "/items/<int:n>" or "/assets/<path:path>.css". A rule matches the escaped
// request path exactly: case-sensitive, strict about a trailing slash, and
// without the query string.
//
// Converters: <name> and <string:name> match one non-empty segment,
// <int:name> digits, <float:name> digits with a decimal point,
// <uuid:name> a UUID, <any(a, b):name> one of the listed values, and
// <path:name> one or more segments.
type Rule struct {
	pattern string
	re      *regexp.Regexp
}

// ruleVariable matches one <converter(arguments):name> part of a rule.
var ruleVariable = regexp.MustCompile(`<(?:([A-Za-z_]\w*)(?:\(([^)]*)\))?:)?([A-Za-z_]\w*)>`)

// converterPatterns are the regular expressions of Flask's converters.
var converterPatterns = map[string]string{
	"":       `[^/]+`,
	"string": `[^/]+`,
	"int":    `[0-9]+`,
	"float":  `[0-9]+\.[0-9]+`,
	"path":   `[^/].*`,
	"uuid": `[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-` +
		`[0-9A-Fa-f]{12}`,
}

// ParseRule compiles a Flask rule. It rejects a rule that does not start
// with "/", a malformed <...> part, an unknown converter and converter
// arguments other than the values of any(...).
func ParseRule(pattern string) (*Rule, error) {
	if !strings.HasPrefix(pattern, "/") {
		return nil, fmt.Errorf("rule %q: must start with /", pattern)
	}
	var expr strings.Builder
	expr.WriteString("^")
	rest := pattern
	for {
		loc := ruleVariable.FindStringSubmatchIndex(rest)
		if loc == nil {
			break
		}
		if err := writeLiteral(&expr, pattern, rest[:loc[0]]); err != nil {
			return nil, err
		}
		converter := submatch(rest, loc, 1)
		arguments := submatch(rest, loc, 2)
		variable, err := converterPattern(pattern, converter, arguments, loc[4] >= 0)
		if err != nil {
			return nil, err
		}
		expr.WriteString("(?:" + variable + ")")
		rest = rest[loc[1]:]
	}
	if err := writeLiteral(&expr, pattern, rest); err != nil {
		return nil, err
	}
	expr.WriteString("$")
	re, err := regexp.Compile(expr.String())
	if err != nil {
		return nil, fmt.Errorf("rule %q: %w", pattern, err)
	}
	return &Rule{pattern: pattern, re: re}, nil
}

// MustParseRule is ParseRule for rules written in code; it panics on error.
func MustParseRule(pattern string) *Rule {
	r, err := ParseRule(pattern)
	if err != nil {
		panic(err)
	}
	return r
}

// Match reports whether the escaped request path matches the rule.
func (r *Rule) Match(escapedPath string) bool { return r.re.MatchString(escapedPath) }

// String returns the rule as written.
func (r *Rule) String() string { return r.pattern }

// writeLiteral appends the fixed text between variables, escaped the way
// net/url escapes a path so that it compares with the escaped request path.
//
// NOTE: a literal with characters that need escaping matches only the
// encoding net/url produces (uppercase hex), so a client that encodes them
// differently gets the 401 challenge on that public route.
func writeLiteral(expr *strings.Builder, pattern, literal string) error {
	if strings.ContainsAny(literal, "<>") {
		return fmt.Errorf("rule %q: malformed <...> part; write <name> or <converter:name>",
			pattern)
	}
	escaped := (&url.URL{Path: literal}).EscapedPath()
	expr.WriteString(regexp.QuoteMeta(escaped))
	return nil
}

// converterPattern returns the expression of one converter.
func converterPattern(pattern, converter, arguments string, hasArguments bool) (string, error) {
	if converter == "any" {
		var values []string
		for _, v := range strings.Split(arguments, ",") {
			v = strings.Trim(strings.TrimSpace(v), `"'`)
			if v != "" {
				values = append(values, regexp.QuoteMeta((&url.URL{Path: v}).EscapedPath()))
			}
		}
		if len(values) == 0 {
			return "", fmt.Errorf("rule %q: any() needs at least one value, as in any(a, b)",
				pattern)
		}
		return strings.Join(values, "|"), nil
	}
	expr, ok := converterPatterns[converter]
	if !ok {
		return "", fmt.Errorf("rule %q: unknown converter %q; use string, int, float, path, "+
			"uuid or any", pattern, converter)
	}
	if hasArguments {
		return "", fmt.Errorf("rule %q: converter arguments are not supported; "+
			"write <%s:name> without (...)", pattern, converter)
	}
	return expr, nil
}

// submatch returns group n of a FindStringSubmatchIndex result, "" if unset.
func submatch(s string, loc []int, n int) string {
	if loc[2*n] < 0 {
		return ""
	}
	return s[loc[2*n]:loc[2*n+1]]
}

// SafePath reports whether an escaped request path may be compared with the
// public rules. It rejects paths that a server, proxy or framework might
// resolve to a different route: an empty segment ("//"), a "." or ".."
// segment, a backslash, and percent-encoded slash, dot, backslash or NUL.
// Such a path is never public, so it always needs credentials.
func SafePath(escapedPath string) bool {
	if !strings.HasPrefix(escapedPath, "/") || strings.Contains(escapedPath, `\`) {
		return false
	}
	lower := strings.ToLower(escapedPath)
	for _, encoded := range []string{"%2f", "%2e", "%5c", "%00"} {
		if strings.Contains(lower, encoded) {
			return false
		}
	}
	segments := strings.Split(escapedPath[1:], "/")
	for i, segment := range segments {
		switch {
		case segment == "." || segment == "..":
			return false
		case segment == "" && i < len(segments)-1:
			return false
		}
	}
	return true
}
