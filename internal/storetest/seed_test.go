package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/trustledger/trustledger/internal/engine"
	"github.com/trustledger/trustledger/internal/store"
)

// TestSeedLarge checks a small seed: every row is there and each stored
// state equals replaying that relationship's events.
func TestSeedLarge(t *testing.T) {
	t.Parallel()
	db := OpenSQLite(t)
	ls := SeedLarge(t, db, 3, 4, 500)
	if len(ls) != 3 || ls[0].Name != "leader-0000" {
		t.Fatalf("seeded leaders %v", ls)
	}
	ctx := context.Background()
	set := engine.DefaultSettings()
	total := 0
	err := db.Read(ctx, func(tx *store.Tx) error {
		for _, l := range ls {
			rels, err := tx.Relationships(ctx, l.ID)
			if err != nil {
				return err
			}
			if len(rels) != 4 {
				t.Fatalf("leader %s has %d relationships, want 4", l.Name, len(rels))
			}
			states, err := tx.States(ctx, l.ID)
			if err != nil {
				return err
			}
			for _, r := range rels {
				evs, err := tx.EventsFor(ctx, l.ID, r.ID, time.Time{})
				if err != nil {
					return err
				}
				total += len(evs)
				var es []engine.Event
				for _, e := range evs {
					es = append(es, engine.Event{ID: e.ID, Kind: e.Kind, At: e.OccurredAt, Source: e.Source, Severity: e.Severity})
				}
				want := set.Replay(es)
				got := states[r.ID]
				for d := range engine.NumDims {
					for s := range engine.NumSources {
						if d := got.R[d][s] - want.R[d][s]; d > 1e-9 || d < -1e-9 {
							t.Fatalf("%s/%s: stored state differs from replay: %v vs %v", l.Name, r.Person, got.R, want.R)
						}
					}
				}
				if len(evs) > 0 && !got.TLast.Equal(want.TLast) {
					t.Fatalf("t_last %v, replay %v", got.TLast, want.TLast)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if total != 500 {
		t.Fatalf("%d events seeded, want 500", total)
	}
}

// BenchmarkSeedLarge loads the status benchmark's database: 1M events
// and 10k relationships (200 leaders × 50). Run it once:
//
//	go test ./internal/storetest -run '^$' -bench SeedLarge -benchtime 1x
func BenchmarkSeedLarge(b *testing.B) {
	for b.Loop() {
		b.StopTimer()
		db := OpenSQLite(b)
		b.StartTimer()
		SeedLarge(b, db, 200, 50, 1_000_000)
	}
	b.ReportMetric(float64(1_000_000*b.N)/b.Elapsed().Seconds(), "events/s")
}
