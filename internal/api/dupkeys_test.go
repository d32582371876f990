package api_test

import (
	"strings"
	"testing"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/storetest"
)

// TestDuplicateKeysAreRefused checks that a body naming a member twice,
// at the top or deeper, in the same spelling or another case (which the
// decoder would read as the same field), is a 400 that names it, with or
// without an Idempotency-Key, and that nothing was created.
func TestDuplicateKeysAreRefused(t *testing.T) {
	e := newEnv(t, storetest.OpenSQLite(t))
	for _, c := range []struct {
		body   string
		expect option
	}{
		{`{"name":"Ana","name":"Bob","kind":"direct-report"}`, judge},
		{`{"name":"Ana","NAME":"Bob","kind":"direct-report"}`, judge},
		// The document refuses the unknown member too.
		{`{"name":"Ana","kind":"direct-report","extra":{"a":1,"a":2}}`, refused},
		{`{"name":"Ana","kind":"direct-report","extra":[{"a":1},{"b":1,"b":2}]}`, refused},
	} {
		for _, opts := range [][]option{{c.expect}, {c.expect, key("k-" + c.body)}} {
			res := e.c.post("/people", c.body, opts...)
			envelope(t, res, 400, tl.EINVALID)
			if !strings.Contains(string(res.body), "twice") {
				t.Errorf("%s: the error does not say which name is repeated: %s", c.body, res.body)
			}
		}
	}
	if res := e.c.get("/people"); strings.Contains(string(res.body), "Ana") {
		t.Fatalf("a refused body created someone: %s", res.body)
	}
}
