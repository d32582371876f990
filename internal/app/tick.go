package app

import (
	"context"
	"crypto/sha256"
	"math"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/engine"
	"github.com/trustledger/trustledger/internal/store"
)

// tickTurn is what the jobs of one turn of the periodic work share: the
// moment the turn runs at, each leader's settings once read, and the
// promises the turn broke.
type tickTurn struct {
	a      *App
	now    time.Time
	sets   settingsCache
	zones  zoneCache
	broken []tl.Promise
}

// zone is the leader's zone, read once per turn.
func (t *tickTurn) zone(ctx context.Context, tx *store.Tx, leaderID string) (*time.Location, error) {
	return t.zones.get(ctx, t.a, tx, leaderID)
}

// tickJob is one named job of the periodic work. It runs inside the
// turn's write transaction and sees what the jobs before it wrote.
type tickJob func(ctx context.Context, tx *store.Tx, turn *tickTurn) error

// Tick is the periodic work: serve runs it every minute and the CLI once
// when it opens the database. It runs these jobs, in this order, in one
// write transaction:
//
//  1. breakOverduePromises: open promises past their due date and the
//     leader's grace become broken, with an entry from the system.
//  2. announcePromisesDue: promises due within a day are announced, once
//     per due date.
//  3. closeDuePulses: pulses whose closing time has come are closed, and
//     released when enough people answered.
//  4. deleteExpiredPasses: passes past their time are deleted.
//  5. publishVoiceCounts: the voice's counts are published, once per
//     publication time (publish.go).
//  6. queueDigests: each leader's weekly digest is queued once its day
//     and hour have come in the leader's zone (Monday 08:00 unless they
//     chose otherwise), by mail and to the webhooks that asked for it,
//     once per leader and week: the digest row's key (leader, week)
//     holds it (weeklymail.go).
//  7. remindPromisesDue: on the morning an open promise falls due, at
//     the leader's weekly mail hour, a reminder is queued, once per
//     promise and due date (the outbox key holds it).
//
// The jobs share one transaction on purpose: publishing sees the pulses
// the turn closed as closed, and a turn's closings and publication commit
// together or not at all. After the transaction commits, Tick mixes
// (mixVoiceOnce), as the mixer does on its own.
//
// A promise-broken entry's id is derived from the promise, so two Ticks
// racing on PostgreSQL cannot both record it: the loser's transaction
// fails on the unique id and is retried, and then finds nothing left to
// do. Tick returns the promises it broke.
func (a *App) Tick(ctx context.Context) ([]tl.Promise, error) {
	for attempt := 0; ; attempt++ {
		broken, err := a.tick(ctx, []tickJob{
			a.breakOverduePromises,
			announcePromisesDue,
			a.closeDuePulses,
			deleteExpiredPasses,
			publishVoiceCounts,
			a.queueDigests,
			a.remindPromisesDue,
		})
		if err != nil && tl.ErrorCode(err) == tl.ECONFLICT && attempt < 3 {
			continue
		}
		if err != nil {
			return nil, err
		}
		// The key commitment_id is the promise's JSON and column name, kept
		// so that log queries still find it.
		for _, c := range broken {
			a.log.Info("promise broken by the system", "leader_id", c.LeaderID, "commitment_id", c.ID, "due", c.Due)
		}
		a.mixVoiceOnce(ctx)
		return nonNil(broken), nil
	}
}

// tick runs one turn: jobs in order in one write transaction, at one
// moment.
func (a *App) tick(ctx context.Context, jobs []tickJob) ([]tl.Promise, error) {
	now := a.clock()
	var broken []tl.Promise
	err := a.db.Write(ctx, func(tx *store.Tx) error {
		turn := &tickTurn{a: a, now: now, sets: settingsCache{}, zones: zoneCache{}}
		for _, job := range jobs {
			if err := job(ctx, tx, turn); err != nil {
				return err
			}
		}
		broken = turn.broken
		return nil
	})
	if err != nil {
		return nil, err
	}
	return broken, nil
}

// breakOverduePromises breaks every open promise whose due day plus the
// leader's grace has passed: status broken, a promise-broken entry from
// the system dated when the grace ran out, and a notification. The due
// day ends at midnight in the leader's zone, and the grace counts days
// there (graceEnd).
func (a *App) breakOverduePromises(ctx context.Context, tx *store.Tx, turn *tickTurn) error {
	now := turn.now
	overdue, err := tx.OverduePromises(ctx, now)
	if err != nil {
		return err
	}
	for i := range overdue {
		c := &overdue[i]
		set, err := turn.sets.get(ctx, tx, c.LeaderID)
		if err != nil {
			return err
		}
		loc, err := turn.zone(ctx, tx, c.LeaderID)
		if err != nil {
			return err
		}
		brokeAt := graceEnd(c.Due, set.PromiseGrace, loc)
		if c.Status != tl.PromiseOpen || !brokeAt.Before(now) {
			continue
		}
		c.Status, c.ResolvedAt = tl.PromiseBroken, now
		if err := tx.UpdatePromise(ctx, c); err != nil {
			return err
		}
		targets, err := promiseTargets(ctx, tx, c)
		if err != nil {
			return err
		}
		ev := &tl.Event{
			ID: brokenID(c.ID, brokeAt), LeaderID: c.LeaderID, Kind: kindPromiseBroken,
			OccurredAt: brokeAt, RecordedAt: now, Source: engine.System, Severity: engine.Normal,
			Note: c.What, RecordedBy: bySystem, PromiseID: c.ID,
		}
		setSubject(ev, c)
		if err := record(ctx, tx, set, ev, targets, nil); err != nil {
			return err
		}
		if err := notify(ctx, tx, c.LeaderID, tl.EventPromiseOverdue, c.ID,
			slackf("Overdue: your promise to %s, “%s”, was due %s and is now counted as broken.", c.To, c.What, c.Due.In(loc).Format("Mon 2 Jan")),
			map[string]any{"promise_id": c.ID, "to": c.To, "what": c.What, "due": c.Due}, now); err != nil {
			return err
		}
		turn.broken = append(turn.broken, *c)
	}
	return nil
}

// graceEnd is when an open promise due at due becomes broken: the end of
// its due day in loc, then grace days later there (whole days by the
// calendar, so a change of clocks moves nothing; a fraction of a day as
// hours).
func graceEnd(due time.Time, grace float64, loc *time.Location) time.Time {
	whole := math.Floor(grace)
	end := tl.EndOfDay(due, loc).In(loc).AddDate(0, 0, int(whole))
	return end.Add(days(grace - whole)).UTC()
}

// brokenID is the id of the system's promise-broken entry for one
// promise: the time part of a store id for when it broke, then 16
// characters derived from the promise id. Deterministic, so the entry
// can only be written once.
func brokenID(promiseID string, at time.Time) string {
	const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
	id := store.NewID(at)
	sum := sha256.Sum256([]byte("promise-broken:" + promiseID))
	tail := make([]byte, 16)
	for i := range tail {
		tail[i] = crockford[sum[i]&31]
	}
	if len(id) < 16 {
		return id + string(tail)
	}
	return id[:len(id)-16] + string(tail)
}

// announcePromisesDue notifies each leader of their open promises coming
// due within a day, once per due date (the notification's key holds it).
func announcePromisesDue(ctx context.Context, tx *store.Tx, turn *tickTurn) error {
	now := turn.now
	soon, err := tx.OverduePromises(ctx, now.Add(day))
	if err != nil {
		return err
	}
	for _, c := range soon {
		if c.Status != tl.PromiseOpen || !c.Due.After(now) {
			continue
		}
		loc, err := turn.zone(ctx, tx, c.LeaderID)
		if err != nil {
			return err
		}
		if err := notify(ctx, tx, c.LeaderID, tl.EventPromiseDue, c.ID+":"+c.Due.Format(time.RFC3339),
			slackf("Due %s: your promise to %s, “%s”.", c.Due.In(loc).Format("Mon 2 Jan 15:04 MST"), c.To, c.What),
			map[string]any{"promise_id": c.ID, "to": c.To, "what": c.What, "due": c.Due}, now); err != nil {
			return err
		}
	}
	return nil
}

// closeDuePulses closes every open pulse whose closing time has come
// (closePulse, pulses.go).
func (a *App) closeDuePulses(ctx context.Context, tx *store.Tx, turn *tickTurn) error {
	due, err := tx.DuePulses(ctx, turn.now)
	if err != nil {
		return err
	}
	for i := range due {
		p := &due[i]
		set, err := turn.sets.get(ctx, tx, p.LeaderID)
		if err != nil {
			return err
		}
		if err := closePulse(ctx, tx, set, p, turn.now); err != nil {
			return err
		}
		a.log.Info("pulse closed", "leader_id", p.LeaderID, "pulse_id", p.ID, "released", p.Released)
	}
	return nil
}

// deleteExpiredPasses deletes the passes whose time has run out.
func deleteExpiredPasses(ctx context.Context, tx *store.Tx, turn *tickTurn) error {
	_, err := tx.DeleteExpiredPasses(ctx, turn.now)
	return err
}

// publishVoiceCounts publishes the voice's counts when a publication time
// has come (publishVoice, publish.go).
func publishVoiceCounts(ctx context.Context, tx *store.Tx, turn *tickTurn) error {
	return publishVoice(ctx, tx, turn.sets, turn.now)
}

// mixVoiceOnce mixes after the turn's transaction, so one-shot use (the
// CLI) mixes too; a failure is logged, and what failed stays marked for
// the next mix.
func (a *App) mixVoiceOnce(ctx context.Context) {
	if err := a.MixVoice(ctx); err != nil {
		a.log.Error("mix voice", "err", err)
	}
}
