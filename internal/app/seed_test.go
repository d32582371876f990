package app_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/engine"
	"github.com/trustledger/trustledger/internal/store"
	"github.com/trustledger/trustledger/internal/storetest"
)

// seedOrdered bulk-loads leaders × perLeader relationships and events
// person entries spread over the two years before storetest.SeedEnd, with
// each relationship's running state folded by the engine. Unlike
// storetest.SeedLarge it writes relationship by relationship with ids
// that only grow, so every index of the ledger is appended to rather than
// written at random: on a loaded 2-core machine that is the difference
// between minutes and seconds for 1M entries.
func seedOrdered(ctx context.Context, db *store.DB, leaders, perLeader, events int) ([]tl.Leader, error) {
	const span = 2 * 365 * 24 * time.Hour
	end := storetest.SeedEnd
	created := end.Add(-span - 24*time.Hour)
	var kinds []engine.Kind
	for _, k := range engine.Kinds() {
		if len(k.Effects) > 0 && !k.IsApology && !k.IsPower && !k.IsSnapshot {
			kinds = append(kinds, k.Kind)
		}
	}
	set := engine.DefaultSettings()
	rng := rand.New(rand.NewPCG(7, 11))
	perRel := events / max(leaders*perLeader, 1)
	// Ids come from one clock that only moves forward, a millisecond per
	// row, so they sort in insertion order.
	idClock := created
	nextID := func() string {
		idClock = idClock.Add(time.Millisecond)
		return store.NewID(idClock)
	}
	out := make([]tl.Leader, leaders)
	for li := range leaders {
		l := tl.Leader{ID: nextID(), Name: fmt.Sprintf("leader-%04d", li), CreatedAt: created}
		team := tl.Team{ID: nextID(), LeaderID: l.ID, Name: tl.DefaultTeamName, CreatedAt: created}
		out[li] = l
		err := db.Write(ctx, func(tx *store.Tx) error {
			if err := tx.CreateLeader(ctx, &l); err != nil {
				return err
			}
			if err := tx.CreateTeam(ctx, &team); err != nil {
				return err
			}
			evs := make([]tl.Event, 0, perLeader*perRel)
			ats := make([]time.Time, perRel)
			for ri := range perLeader {
				r := tl.Relationship{
					ID: nextID(), LeaderID: l.ID, Person: fmt.Sprintf("person-%03d", ri), TeamID: team.ID,
					Kind: engine.DirectReport, Bases: engine.DefaultBases(engine.DirectReport),
					Active: true, StartedAt: created, CreatedAt: created,
				}
				if err := tx.CreateRelationship(ctx, &r); err != nil {
					return err
				}
				for i := range ats {
					ats[i] = end.Add(-time.Duration(rng.Int64N(int64(span)))).Truncate(time.Millisecond)
				}
				slices.SortFunc(ats, func(a, b time.Time) int { return a.Compare(b) })
				var st engine.State
				for _, at := range ats {
					src := engine.Self
					if x := rng.IntN(10); x == 0 {
						src = engine.Confirmed
					} else if x == 1 {
						src = engine.System
					}
					ev := tl.Event{
						ID: nextID(), LeaderID: l.ID, Subject: tl.SubjectPerson, RelationshipID: r.ID,
						Kind: kinds[rng.IntN(len(kinds))], OccurredAt: at, RecordedAt: at, Source: src,
						Severity: engine.Normal, RecordedBy: "leader", Targets: []string{r.ID},
					}
					set.Apply(&st, engine.Event{ID: ev.ID, Kind: ev.Kind, At: at, Source: src, Severity: engine.Normal})
					evs = append(evs, ev)
				}
				if err := tx.PutState(ctx, r.ID, st); err != nil {
					return err
				}
			}
			return tx.AppendEvents(ctx, evs)
		})
		if err != nil {
			return nil, fmt.Errorf("seed leader %d: %w", li, err)
		}
	}
	return out, nil
}
