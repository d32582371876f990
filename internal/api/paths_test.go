package api_test

import (
	"net/http"
	"testing"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/storetest"
)

// TestUncleanPath: a path with a dot segment or a doubled slash names no
// operation; the API answers 404 with the envelope, as for any path it
// does not have, instead of the mux's redirect to the cleaned path (a
// 307 the document does not describe, to another operation: GET
// /programs/. would list the programs).
func TestUncleanPath(t *testing.T) {
	e := newEnv(t, storetest.OpenSQLite(t))
	for _, p := range []string{"/programs/.", "/programs/..", "/people/./data", "//people", "/people/Ana/../../teams", "/teams/"} {
		res := e.c.get(p, judge) // the document reads "." as an id
		if res.status != http.StatusNotFound {
			t.Errorf("GET %s: %d %s, want 404", p, res.status, res.body)
			continue
		}
		envelope(t, res, http.StatusNotFound, tl.ENOTFOUND)
	}
}
