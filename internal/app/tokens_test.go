package app_test

import (
	"strings"
	"testing"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/store"
)

func TestAPITokens(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		u := must(e.app.Signup(e.ctx, tl.SignupInput{Email: "lena@example.org", Name: "Lena", Password: "correct horse battery"}))(t)
		_, _, err := e.app.CreateToken(e.ctx, u.ID, "", tl.ScopeRead)
		wantCode(t, err, tl.EINVALID, "name")
		_, _, err = e.app.CreateToken(e.ctx, u.ID, "ci", "admin")
		wantCode(t, err, tl.EINVALID, "scope")
		tok, secret, err := e.app.CreateToken(e.ctx, u.ID, "nightly export", "")
		noErr(t, err)
		if tok.Scope != tl.ScopeRead || !strings.HasPrefix(secret, "tl_") || len(secret) < 29 {
			t.Fatalf("token %+v secret %q", tok, secret)
		}
		e.clk.Advance(5 * time.Minute)
		who, got, err := e.app.TokenUser(e.ctx, secret)
		noErr(t, err)
		if who.ID != u.ID || got.ID != tok.ID || got.Scope != tl.ScopeRead {
			t.Fatalf("token user %+v %+v", who, got)
		}
		list := must(e.app.Tokens(e.ctx, u.ID))(t)
		if len(list) != 1 || list[0].LastUsed.IsZero() {
			t.Fatalf("tokens %+v", list)
		}
		// Only the hash is stored.
		var n int
		noErr(t, e.db.Read(e.ctx, func(tx *store.Tx) error {
			var err error
			n, err = tx.CountRows(e.ctx, "SELECT COUNT(*) FROM api_tokens WHERE token_hash = $1", secret)
			return err
		}))
		if n != 0 {
			t.Fatal("the token secret is stored as it is")
		}
		noErr(t, e.app.RevokeToken(e.ctx, u.ID, tok.ID))
		_, _, err = e.app.TokenUser(e.ctx, secret)
		wantCode(t, err, tl.EUNAUTHORIZED, "revoked")
		wantCode(t, e.app.RevokeToken(e.ctx, u.ID, tok.ID), tl.ENOTFOUND)
		_, _, err = e.app.TokenUser(e.ctx, "nonsense")
		wantCode(t, err, tl.EUNAUTHORIZED)
	})
}
