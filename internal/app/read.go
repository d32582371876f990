package app

import (
	"context"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/engine"
	"github.com/trustledger/trustledger/internal/store"
)

// recentWindow is how far back the windowed rules look (§7, §10, §11,
// §17): the longest of their windows.
func recentWindow(set engine.Settings) time.Duration {
	return days(max(set.BarrierWindow, set.CommandWindow, set.BreachWindow))
}

func toRecent(ctx context.Context, tx *store.Tx, leaderID string, evs []store.TargetEvent) ([]engine.Recent, error) {
	byID := make(map[string]*tl.Event, len(evs))
	reversed := map[string]bool{}
	for i := range evs {
		byID[evs[i].ID] = &evs[i].Event
		if evs[i].Reverses != "" {
			reversed[evs[i].Reverses] = true
		}
	}
	repaired := map[string]bool{}
	for _, e := range evs {
		if e.Repairs != "" && e.Reverses == "" && !e.Reversed && !reversed[e.ID] {
			repaired[e.Repairs] = true
		}
	}
	out := make([]engine.Recent, 0, len(evs))
	for i := range evs {
		e := &evs[i]
		if e.Reverses != "" {
			continue
		}
		var breach *tl.Event
		if e.Repairs != "" {
			if breach = byID[e.Repairs]; breach == nil {
				b, err := tx.EventByID(ctx, leaderID, e.Repairs)
				if err != nil {
					return nil, err
				}
				breach = b
			}
		}
		out = append(out, engine.Recent{
			Event:    toEngine(&e.Event, breach),
			Repaired: repaired[e.ID],
			Reversed: e.Reversed || reversed[e.ID],
		})
	}
	return out, nil
}

// Status assesses every relationship of the leader from its stored
// running state and the last weeks of entries. It never replays the
// ledger, so its cost does not grow with the ledger's length.
func (a *App) Status(ctx context.Context, leaderID string) (*tl.StatusReport, error) {
	now := a.clock()
	writes := a.db.WriteStats().Writes
	if rep, ok := a.status.get(leaderID, now, writes); ok {
		return rep, nil
	}
	var out *tl.StatusReport
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		l, err := checkLeader(ctx, tx, leaderID)
		if err != nil {
			return err
		}
		set, err := settingsFor(ctx, tx, leaderID)
		if err != nil {
			return err
		}
		rels, err := tx.Relationships(ctx, leaderID)
		if err != nil {
			return err
		}
		states, err := tx.States(ctx, leaderID)
		if err != nil {
			return err
		}
		recent, err := a.recentByRelationship(ctx, tx, leaderID, rels, now.Add(-recentWindow(set)))
		if err != nil {
			return err
		}
		rep := &tl.StatusReport{Leader: *l, At: now, Relationships: make([]tl.RelationshipStatus, 0, len(rels)), Broken: []tl.Promise{}}
		for _, r := range rels {
			rep.Relationships = append(rep.Relationships, tl.RelationshipStatus{
				Relationship: r,
				Assessment:   set.Assess(states[r.ID], r.Bases, recent[r.ID], now),
			})
		}
		out = rep
		return nil
	})
	if err != nil {
		return nil, err
	}
	a.status.put(leaderID, out, now, writes)
	return out, nil
}

// Explain shows one relationship's numbers with every entry's current
// weight and what one more broken promise would cost.
func (a *App) Explain(ctx context.Context, leaderID, person string) (*tl.Explanation, error) {
	now := a.clock()
	var out *tl.Explanation
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		if _, err := checkLeader(ctx, tx, leaderID); err != nil {
			return err
		}
		set, err := settingsFor(ctx, tx, leaderID)
		if err != nil {
			return err
		}
		r, err := findPerson(ctx, tx, leaderID, person)
		if err != nil {
			return err
		}
		st, err := tx.State(ctx, r.ID)
		if err != nil {
			return err
		}
		all, err := tx.EventsFor(ctx, leaderID, r.ID, time.Time{})
		if err != nil {
			return err
		}
		recentAll, err := toRecent(ctx, tx, leaderID, all)
		if err != nil {
			return err
		}
		since := now.Add(-recentWindow(set))
		var live []engine.Event
		recent := make([]engine.Recent, 0)
		for _, rc := range recentAll {
			if !rc.Reversed {
				live = append(live, rc.Event)
			}
			if !rc.At.Before(since) {
				recent = append(recent, rc)
			}
		}
		weights := set.Explain(live, now)
		byID := make(map[string]tl.Event, len(all))
		for _, e := range all {
			byID[e.ID] = e.Event
		}
		events := make(map[string]tl.Event)
		for _, w := range weights {
			if e, ok := byID[w.EventID]; ok {
				events[w.EventID] = e
			}
		}
		_, after := set.BrokenPromiseCost(st, r.Bases, recent, now)
		out = &tl.Explanation{
			Relationship: *r,
			Assessment:   set.Assess(st, r.Bases, recent, now),
			Weights:      nonNil(weights),
			Events:       events,
			IfBroken:     after,
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// liveEvents turns one relationship's ledger into the events a replay
// folds: reversing entries and the entries they reverse cancel out, and
// apologies carry their breach.
func liveEvents(ctx context.Context, tx *store.Tx, leaderID string, evs []store.TargetEvent) ([]engine.Event, error) {
	rc, err := toRecent(ctx, tx, leaderID, evs)
	if err != nil {
		return nil, err
	}
	out := make([]engine.Event, 0, len(rc))
	for _, r := range rc {
		if !r.Reversed {
			out = append(out, r.Event)
		}
	}
	return out, nil
}

// rebuildStates replays every relationship of the leader from the ledger
// with set, keeping the stored snapshots (which are not ledger entries).
func rebuildStates(ctx context.Context, tx *store.Tx, leaderID string, set engine.Settings) error {
	rels, err := tx.Relationships(ctx, leaderID)
	if err != nil {
		return err
	}
	for _, r := range rels {
		evs, err := tx.EventsFor(ctx, leaderID, r.ID, time.Time{})
		if err != nil {
			return err
		}
		live, err := liveEvents(ctx, tx, leaderID, evs)
		if err != nil {
			return err
		}
		old, err := tx.State(ctx, r.ID)
		if err != nil {
			return err
		}
		st := set.Replay(live)
		if st.Checkin == nil {
			st.Checkin = old.Checkin
		}
		if st.Pulse == nil {
			st.Pulse = old.Pulse
		}
		if err := tx.PutState(ctx, r.ID, st); err != nil {
			return err
		}
	}
	return nil
}
