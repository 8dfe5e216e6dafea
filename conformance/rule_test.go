package conformance

import "testing"

func TestRuleMatch(t *testing.T) {
	cases := []struct {
		rule, path string
		want       bool
	}{
		{"/public", "/public", true},
		{"/public", "/public/", false},
		{"/public", "/PUBLIC", false},
		{"/public", "/publicx", false},
		{"/user/<user_id>/public", "/user/7/public", true},
		{"/user/<user_id>/public", "/user//public", false},
		{"/user/<user_id>/public", "/user/a/b/public", false},
		{"/n/<int:n>", "/n/42", true},
		{"/n/<int:n>", "/n/x", false},
		{"/assets/<path:path>.css", "/assets/a/b.css", true},
		{"/assets/<path:path>.css", "/assets/a/b.png", false},
		{"/f/<float:x>", "/f/1.5", true},
		{"/k/<any(a, b):k>", "/k/b", true},
		{"/k/<any(a, b):k>", "/k/c", false},
	}
	for _, c := range cases {
		r := MustParseRule(c.rule)
		if got := r.Match(c.path); got != c.want {
			t.Errorf("%s matches %s: got %v, want %v", c.rule, c.path, got, c.want)
		}
		if !r.Match(r.Example()) {
			t.Errorf("%s does not match its own example %s", c.rule, r.Example())
		}
	}
}

func TestParseRuleErrors(t *testing.T) {
	for _, bad := range []string{"public", "/a/<bad:x>", "/a/<x", "/a/x>", "/a/<any():x>"} {
		if _, err := ParseRule(bad); err == nil {
			t.Errorf("ParseRule(%q): got no error", bad)
		}
	}
}
