package app_test

import (
	"context"
	"encoding/csv"
	"errors"
	"testing"

	tl "github.com/trustledger/trustledger"
)

// TestServiceErrorsKeepTheirCause: a service error wraps what caused it
// (the context's error, a parser's, the store's), so errors.Is and
// errors.As reach the cause and tl.ErrorOp names the operation that
// failed, while the message people see reads as it always did.
func TestServiceErrorsKeepTheirCause(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		ctx := e.ctx
		l := e.leader("Ada")

		// A cancelled request: the context's error, under the store's
		// internal error, which names its operation.
		cancelled, cancel := context.WithCancel(ctx)
		cancel()
		_, err := e.app.People(cancelled, l.ID)
		wantCode(t, err, tl.EINTERNAL)
		if !errors.Is(err, context.Canceled) || tl.ErrorOp(err) == "" || tl.ErrorMessage(err) != "internal error" {
			t.Errorf("cancelled: %v (op %q, message %q), want context.Canceled under a named operation", err, tl.ErrorOp(err), tl.ErrorMessage(err))
		}

		// A parser's error under the service's, which names the field.
		hal, _ := e.installation(t)
		_, err = e.app.Roster(ctx, hal.ID, []byte("email,name,role\nann\"@example.org,Ann,member\n"), true, nil)
		wantCode(t, err, tl.EINVALID)
		if want := `line 2: bare " in non-quoted-field: check the quotes on that line`; tl.ErrorMessage(err) != want ||
			!errors.Is(err, csv.ErrBareQuote) || tl.ErrorField(err) != "csv" {
			t.Errorf("roster: %q (field %q, is ErrBareQuote %v), want %q", tl.ErrorMessage(err), tl.ErrorField(err), errors.Is(err, csv.ErrBareQuote), want)
		}

		// The engine's error under a setting's.
		err = e.app.SetSetting(ctx, l.ID, "half_life_days", -1)
		wantCode(t, err, tl.EINVALID)
		var te *tl.Error
		if want := "setting half_life_days must be between 1 and 3650, got -1 (see: trustledger settings)"; !errors.As(err, &te) ||
			te.Err == nil || tl.ErrorMessage(err) != want || tl.ErrorField(err) != "value" {
			t.Errorf("setting: %q, want %q over the engine's error", tl.ErrorMessage(err), want)
		}

		// The store's conflict under an import's: the row named for
		// people, the store's operation for the log.
		must(e.app.AddJournal(ctx, l.ID, 0, "mine"))(t)
		b := must(e.app.Export(ctx, ""))(t)
		o := e.fresh(t)
		theirs := must(o.app.AddJournal(ctx, o.leader("Other").ID, 0, "theirs"))(t)
		b.Journal[0].ID = theirs.ID
		err = o.app.Import(ctx, tl.Operator, b)
		wantCode(t, err, tl.ECONFLICT)
		if want := "journal entry 1 (id " + theirs.ID + "): already in this database"; tl.ErrorMessage(err) != want {
			t.Errorf("import: %q, want %q", tl.ErrorMessage(err), want)
		}
		var row, store *tl.Error
		if !errors.As(err, &row) || !errors.As(row.Err, &store) || store.Code != tl.ECONFLICT || store.Op == "" || tl.ErrorOp(err) != store.Op {
			t.Errorf("import: %v does not wrap the store's conflict with its operation (op %q)", err, tl.ErrorOp(err))
		}
	})
}
