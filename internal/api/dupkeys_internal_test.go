package api

import "testing"

func TestDuplicateKeyFinds(t *testing.T) {
	for _, c := range []struct {
		doc, where, name string
	}{
		{`{"a":1,"a":2}`, "body", "a"},
		{`{"a":1,"A":2}`, "body", "A"},
		{`{"x":{"a":1},"y":{"b":[1,{"c":1,"c":2}]}}`, "body.y.b[1]", "c"},
		{`[{"a":1},{"a":1,"b":{},"b":2}]`, "body[1]", "b"},
		{`{"x":{"a":1},"y":{"a":1},"z":[{"a":1},{"a":1}]}`, "", ""},
		{`{"x":{"a":{"b":1}},"a":{"b":2}}`, "", ""},
		{`"just a string"`, "", ""},
		{`{"a":1,`, "", ""},
		{`{}`, "", ""},
	} {
		where, name, found := duplicateKey([]byte(c.doc))
		if found != (c.name != "") || where != c.where || name != c.name {
			t.Errorf("duplicateKey(%s) = %q %q %v, want %q %q", c.doc, where, name, found, c.where, c.name)
		}
	}
}
