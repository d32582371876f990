package api_test

import (
	"testing"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/storetest"
)

// TestFieldNamesAreExact: a body's field names are the document's, to
// the letter. encoding/json, which huma decodes with, would take "nAme"
// for "name"; the document's closed objects refuse it, so the server
// does too, and says which field it does not know.
func TestFieldNamesAreExact(t *testing.T) {
	e := newEnv(t, storetest.OpenSQLite(t))
	for _, body := range []obj{{"nAme": "Ana"}, {"Name": "Ana", "email": "ana@example.com"}, {"name": "Ana", "EMAIL": "ana@example.com"}} {
		eb := envelope(t, e.c.post("/people", body, refused), 400, tl.EINVALID)
		found := false
		for _, d := range eb.Details {
			for k := range body {
				if k != "name" && k != "email" && d.Location == "body."+k {
					found = true
				}
			}
		}
		if !found {
			t.Errorf("POST /people %v: details %+v do not name the unknown field", body, eb.Details)
		}
	}
	if res := e.c.post("/people", obj{"name": "Ana", "email": "ana@example.com"}); res.status != 201 {
		t.Fatalf("the exact names: %s", res)
	}
}
