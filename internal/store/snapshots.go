package store

import (
	"context"
	"database/sql"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/engine"
)

// A check-in or pulse event carries its measurement (engine.Snapshot) in
// event_snapshots, one row per event. The snapshot's time is the event's
// occurred_at.

func isSnapshotKind(k engine.Kind) bool {
	return k == engine.KindCheckin || k == engine.KindPulse
}

// putSnapshot stores ev's snapshot; EINVALID when a snapshot kind has none
// or another kind has one.
func (tx *Tx) putSnapshot(ctx context.Context, ev *tl.Event) error {
	if !isSnapshotKind(ev.Kind) {
		if ev.Snapshot != nil {
			return errorf("put snapshot", tl.EINVALID, "entry %s is %s, which carries no measurement", ev.ID, ev.Kind)
		}
		return nil
	}
	if ev.Snapshot == nil {
		// A reversal of a measurement carries none: it points at one.
		if ev.Reverses != "" {
			return nil
		}
		return errorf("put snapshot", tl.EINVALID, "entry %s is %s and needs its measurement", ev.ID, ev.Kind)
	}
	s := ev.Snapshot
	return tx.later(ctx, "append snapshot", nil,
		"INSERT INTO event_snapshots (event_id, p_ability, p_benevolence, p_integrity, rwg_ability, rwg_benevolence, rwg_integrity, n) "+
			"VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
		ev.ID, s.P[engine.Ability], s.P[engine.Benevolence], s.P[engine.Integrity],
		s.Rwg[engine.Ability], s.Rwg[engine.Benevolence], s.Rwg[engine.Integrity], int64(s.N))
}

// fillSnapshot loads the snapshot of a check-in or pulse event.
func (tx *Tx) fillSnapshot(ctx context.Context, ev *tl.Event) error {
	if !isSnapshotKind(ev.Kind) || ev.Reverses != "" {
		return nil
	}
	s := engine.Snapshot{At: ev.OccurredAt}
	var n int64
	err := tx.queryRowContext(ctx,
		"SELECT p_ability, p_benevolence, p_integrity, rwg_ability, rwg_benevolence, rwg_integrity, n FROM event_snapshots WHERE event_id = $1",
		ev.ID).Scan(&s.P[engine.Ability], &s.P[engine.Benevolence], &s.P[engine.Integrity],
		&s.Rwg[engine.Ability], &s.Rwg[engine.Benevolence], &s.Rwg[engine.Integrity], &n)
	if err == sql.ErrNoRows {
		return nil
	}
	if err != nil {
		return translate("read snapshot", err)
	}
	s.N = int(n)
	ev.Snapshot = &s
	return nil
}

// fillSnapshots loads the snapshots of the measurement events in evs.
func fillSnapshots[T any](ctx context.Context, tx *Tx, evs []T, ev func(*T) *tl.Event) error {
	for i := range evs {
		if err := tx.fillSnapshot(ctx, ev(&evs[i])); err != nil {
			return err
		}
	}
	return nil
}
