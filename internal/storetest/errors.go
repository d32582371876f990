package storetest

import (
	"context"
	"errors"
	"testing"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/store"
)

func init() {
	register("ErrorsNameTheirOperation", testErrorsNameTheirOperation)
}

// testErrorsNameTheirOperation: every error the store makes says which
// operation failed (the log shows it beside the cause), and a driver's or
// the context's error stays reachable under it with errors.Is and
// errors.As, with the message the caller saw before.
func testErrorsNameTheirOperation(t *testing.T, f *fixture) {
	l := f.leader("Lena")
	f.read(func(tx *store.Tx) error {
		_, err := tx.LeaderByID(f.ctx, "nobody")
		wantCode(t, err, tl.ENOTFOUND)
		if op := tl.ErrorOp(err); op != "leader" || tl.ErrorMessage(err) != `no leader with id "nobody"` {
			t.Errorf("missing leader: op %q, message %q", op, tl.ErrorMessage(err))
		}
		return nil
	})
	err := f.db.Write(f.ctx, func(tx *store.Tx) error {
		return tx.CreateLeader(f.ctx, &tl.Leader{ID: f.id(), Name: l.Name, CreatedAt: f.now})
	})
	wantCode(t, err, tl.ECONFLICT)
	if op := tl.ErrorOp(err); op != "create leader" {
		t.Errorf("duplicate leader: op %q, want create leader", op)
	}
	var te *tl.Error
	if !errors.As(err, &te) || te.Err == nil {
		t.Errorf("duplicate leader %v keeps no driver error", err)
	}

	ctx, cancel := context.WithCancel(f.ctx)
	cancel()
	err = f.db.Read(ctx, func(tx *store.Tx) error {
		_, err := tx.Leaders(ctx)
		return err
	})
	wantCode(t, err, tl.EINTERNAL)
	if !errors.Is(err, context.Canceled) || tl.ErrorOp(err) == "" {
		t.Errorf("a cancelled read: %v (op %q), want context.Canceled under a named operation", err, tl.ErrorOp(err))
	}
}
