package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/store"
	"github.com/trustledger/trustledger/internal/storetest"
)

// TestTextThePostgresCannotHold: a NUL (U+0000) or bytes that are not
// UTF-8, in a value written or a key looked up, are the user's mistake
// (PostgreSQL's text cannot hold them): EINVALID with a message that says
// what to remove, never EINTERNAL (a 500). SQLite stores them as given.
func TestTextThePostgresCannotHold(t *testing.T) {
	for _, c := range []struct {
		name string
		open func(testing.TB) *store.DB
	}{{"sqlite", storetest.OpenSQLite}, {"postgres", storetest.OpenPostgres}} {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			db := c.open(t)
			if err := db.Write(ctx, func(tx *store.Tx) error {
				return tx.CreateUser(ctx, &tl.User{ID: "u", Email: "u@example.com", Name: "U", Role: tl.RoleAdmin, CreatedAt: time.Now()}, "")
			}); err != nil {
				t.Fatal(err)
			}
			for i, bad := range []string{"nul\x00byte", "not utf-8 \xff"} {
				check := func(what string, err error) {
					t.Helper()
					if err == nil {
						return
					}
					if code := tl.ErrorCode(err); code == tl.EINTERNAL || code == "" {
						t.Errorf("%s %q: %v (code %q), want the user's mistake", what, bad, err, code)
					}
					if code := tl.ErrorCode(err); code == tl.EINVALID && !strings.Contains(tl.ErrorMessage(err), "U+0000") {
						t.Errorf("%s %q: %q does not say what to remove", what, bad, tl.ErrorMessage(err))
					}
				}
				check("write", db.Write(ctx, func(tx *store.Tx) error {
					return tx.CreateProgram(ctx, &tl.Program{ID: "p" + string(rune('0'+i)), Name: bad, CreatedBy: "u", CreatedAt: time.Now()})
				}))
				check("read", db.Read(ctx, func(tx *store.Tx) error {
					_, err := tx.ProgramByID(ctx, bad)
					return err
				}))
			}
		})
	}
}
