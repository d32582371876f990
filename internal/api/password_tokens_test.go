package api_test

import (
	"context"
	"testing"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/store"
	"github.com/trustledger/trustledger/internal/storetest"
)

// TestPasswordChangeRevokesTokens checks, on each database, that the API
// tokens an account had stop working once its password changes (whoever
// changed it may be shutting out someone who took them), while a token
// made after the change works.
func TestPasswordChangeRevokesTokens(t *testing.T) {
	for name, open := range map[string]func(testing.TB) *store.DB{"sqlite": storetest.OpenSQLite, "postgres": storetest.OpenPostgres} {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, open(t))
			if res := e.c.get("/people"); res.status != 200 {
				t.Fatalf("write token before the change: %s", res)
			}
			ctx := context.Background()
			if err := e.app.ChangePassword(ctx, e.owner.ID, "", "correct horse battery", "a brand new passphrase"); err != nil {
				t.Fatal(err)
			}
			envelope(t, e.c.get("/people"), 401, tl.EUNAUTHORIZED)
			envelope(t, e.client(e.read).get("/people"), 401, tl.EUNAUTHORIZED)
			_, fresh, err := e.app.CreateToken(ctx, e.owner.ID, "after", tl.ScopeRead)
			if err != nil {
				t.Fatal(err)
			}
			if res := e.client(fresh).get("/people"); res.status != 200 {
				t.Fatalf("token made after the change: %s", res)
			}
		})
	}
}
