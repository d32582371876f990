package storetest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/engine"
	"github.com/trustledger/trustledger/internal/store"
)

// SeedEnd is when SeedLarge's ledger ends: its events cover the two
// years before it. Benchmarks set their clock here so the recent-event
// windows of status have entries in them.
var SeedEnd = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

// seedSpan is how far back SeedLarge's events go.
const seedSpan = 2 * 365 * 24 * time.Hour

// seedChunk is how many events SeedLarge writes per transaction.
const seedChunk = 20000

// SeedLarge bulk-loads a big database fast for benchmarks: leaders
// "leader-0000"…, each with the default team and relsPerLeader direct
// reports "person-000"…, and events person events spread evenly over
// all relationships and over the two years before SeedEnd. The running
// state of every relationship is folded with the engine from exactly
// those events, so status on the seeded database reads true numbers. It
// is deterministic and returns the leaders in name order.
func SeedLarge(tb testing.TB, db *store.DB, leaders, relsPerLeader, events int) []tl.Leader {
	tb.Helper()
	ctx := context.Background()
	created := SeedEnd.Add(-seedSpan - 24*time.Hour)
	var kinds []engine.Kind
	for _, k := range engine.Kinds() {
		if len(k.Effects) > 0 && !k.IsApology && !k.IsPower && !k.IsSnapshot && !k.IsDirective {
			kinds = append(kinds, k.Kind)
		}
	}
	if len(kinds) == 0 {
		tb.Fatal("seed: the engine lists no evidence kinds")
	}

	ls := make([]tl.Leader, leaders)
	rels := make([]tl.Relationship, 0, leaders*relsPerLeader)
	err := db.Write(ctx, func(tx *store.Tx) error {
		for i := range ls {
			at := created.Add(time.Duration(i) * time.Millisecond)
			ls[i] = tl.Leader{ID: store.NewID(at), Name: fmt.Sprintf("leader-%04d", i), CreatedAt: at}
			if err := tx.CreateLeader(ctx, &ls[i]); err != nil {
				return err
			}
			team := tl.Team{ID: store.NewID(at), LeaderID: ls[i].ID, Name: tl.DefaultTeamName, CreatedAt: at}
			if err := tx.CreateTeam(ctx, &team); err != nil {
				return err
			}
			for j := range relsPerLeader {
				r := tl.Relationship{ID: store.NewID(at), LeaderID: ls[i].ID, Person: fmt.Sprintf("person-%03d", j),
					TeamID: team.ID, Kind: engine.DirectReport, Bases: engine.DefaultBases(engine.DirectReport),
					Active: true, StartedAt: at, CreatedAt: at}
				if err := tx.CreateRelationship(ctx, &r); err != nil {
					return err
				}
				rels = append(rels, r)
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatalf("seed people: %v", err)
	}
	if len(rels) == 0 {
		return ls
	}

	set := engine.DefaultSettings()
	states := make([]engine.State, len(rels))
	rng := rand.New(rand.NewPCG(1, 2))
	start := SeedEnd.Add(-seedSpan)
	step := seedSpan / time.Duration(max(events, 1))
	buf := make([]tl.Event, 0, seedChunk)
	flush := func() {
		if len(buf) == 0 {
			return
		}
		if err := db.Write(ctx, func(tx *store.Tx) error { return tx.AppendEvents(ctx, buf) }); err != nil {
			tb.Fatalf("seed events: %v", err)
		}
		buf = buf[:0]
	}
	for i := range events {
		at := start.Add(time.Duration(i) * step).Truncate(time.Millisecond)
		ri := rng.IntN(len(rels))
		r := &rels[ri]
		src := engine.Self
		if x := rng.IntN(10); x == 0 {
			src = engine.Confirmed
		} else if x == 1 {
			src = engine.System
		}
		ev := tl.Event{ID: store.NewID(at), LeaderID: r.LeaderID, Subject: tl.SubjectPerson, RelationshipID: r.ID,
			Kind: kinds[rng.IntN(len(kinds))], OccurredAt: at, RecordedAt: at, Source: src, Severity: engine.Normal,
			RecordedBy: "leader", Targets: []string{r.ID}}
		set.Apply(&states[ri], engine.Event{ID: ev.ID, Kind: ev.Kind, At: at, Source: src, Severity: engine.Normal})
		buf = append(buf, ev)
		if len(buf) == seedChunk {
			flush()
		}
	}
	flush()

	err = db.Write(ctx, func(tx *store.Tx) error {
		for i := range rels {
			if states[i].TLast.IsZero() {
				continue
			}
			if err := tx.PutState(ctx, rels[i].ID, states[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatalf("seed states: %v", err)
	}
	return ls
}
