package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/store"
	"github.com/trustledger/trustledger/internal/storetest"
)

// TestGroupCommit: many writers at once share commits, yet each write is
// its own unit: a failing write (an error, a constraint violation, a
// panic) leaves no trace and fails alone, the others are all stored, and
// a write whose caller gave up before its turn is not run.
func TestGroupCommit(t *testing.T) {
	for name, open := range map[string]func(testing.TB) *store.DB{"sqlite": storetest.OpenSQLite, "postgres": storetest.OpenPostgres} {
		t.Run(name, func(t *testing.T) {
			db := open(t)
			ctx := context.Background()
			at := time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)
			const n = 200
			if err := db.Write(ctx, func(tx *store.Tx) error {
				return tx.CreateLeader(ctx, &tl.Leader{ID: "L999", Name: "first", CreatedAt: at})
			}); err != nil {
				t.Fatal(err)
			}
			errs := make([]error, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					defer func() {
						if p := recover(); p != nil {
							errs[i] = fmt.Errorf("panic: %v", p)
						}
					}()
					errs[i] = db.Write(ctx, func(tx *store.Tx) error {
						l := &tl.Leader{ID: fmt.Sprintf("L%03d", i), Name: fmt.Sprintf("leader %d", i), CreatedAt: at}
						if err := tx.CreateLeader(ctx, l); err != nil {
							return err
						}
						switch i % 10 {
						case 3: // an error after a write: the write is undone
							return tl.Errorf(tl.EINVALID, "no %d", i)
						case 5: // a constraint violation after a write
							return tx.CreateLeader(ctx, &tl.Leader{ID: "L999", Name: "dup", CreatedAt: at})
						case 7:
							panic(fmt.Sprintf("boom %d", i))
						}
						return nil
					})
				}()
			}
			wg.Wait()
			var ls []tl.Leader
			if err := db.Read(ctx, func(tx *store.Tx) (err error) { ls, err = tx.Leaders(ctx); return err }); err != nil {
				t.Fatal(err)
			}
			stored := map[string]bool{}
			for _, l := range ls {
				stored[l.ID] = true
			}
			for i, err := range errs {
				id := fmt.Sprintf("L%03d", i)
				switch i % 10 {
				case 3, 5, 7:
					if err == nil || stored[id] {
						t.Errorf("write %d should have failed alone: err %v, stored %v", i, err, stored[id])
					}
				default:
					if err != nil || !stored[id] {
						t.Errorf("write %d: err %v, stored %v", i, err, stored[id])
					}
				}
			}
			if len(ls) != n*7/10+1 {
				t.Errorf("%d leaders stored, want %d", len(ls), n*7/10+1)
			}

			if st := db.WriteStats(); st.Commits >= st.Writes {
				t.Errorf("%d writes in %d transactions: concurrent writes never shared a commit", st.Writes, st.Commits)
			}
			// A caller that gave up before its turn: its write is not run.
			cctx, cancel := context.WithCancel(ctx)
			cancel()
			ran := false
			err := db.Write(cctx, func(tx *store.Tx) error { ran = true; return nil })
			if err == nil || ran {
				t.Errorf("cancelled write: err %v, ran %v", err, ran)
			}
			// After Close, writes fail instead of hanging.
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
			if err := db.Write(ctx, func(tx *store.Tx) error { return nil }); err == nil {
				t.Error("a write after Close succeeded")
			}
		})
	}
}

// TestWriteQuietIsNotCounted: a quiet write commits like any other, but
// does not move WriteStats, so caches keyed on it stay as they were
// (docs/ANONYMITY.md, rule 3).
func TestWriteQuietIsNotCounted(t *testing.T) {
	for name, open := range map[string]func(testing.TB) *store.DB{"sqlite": storetest.OpenSQLite, "postgres": storetest.OpenPostgres} {
		t.Run(name, func(t *testing.T) {
			db := open(t)
			ctx := context.Background()
			before := db.WriteStats().Writes
			if err := db.WriteQuiet(ctx, func(tx *store.Tx) error { return tx.MarkMix(ctx, store.MixPulse, "pulse-1") }); err != nil {
				t.Fatal(err)
			}
			var n int
			if err := db.SQL().QueryRowContext(ctx, "SELECT COUNT(*) FROM voice_mix").Scan(&n); err != nil || n != 1 {
				t.Fatalf("the quiet write stored %d marks (%v), want 1", n, err)
			}
			if got := db.WriteStats().Writes; got != before {
				t.Fatalf("a quiet write moved the write count from %d to %d", before, got)
			}
			if err := db.Write(ctx, func(tx *store.Tx) error { return nil }); err != nil {
				t.Fatal(err)
			}
			if got := db.WriteStats().Writes; got != before+1 {
				t.Fatalf("a write moved the write count from %d to %d, want +1", before, got)
			}
		})
	}
}
