package app

import (
	"context"
	"strings"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/engine"
	"github.com/trustledger/trustledger/internal/store"
)

// AddPromise records a promise to a person or a team. Making a promise is
// not evidence; keeping or breaking it is.
func (a *App) AddPromise(ctx context.Context, leaderID string, in tl.PromiseInput) (*tl.Promise, error) {
	if strings.TrimSpace(in.What) == "" {
		return nil, tl.Invalidf("what", "Say what you promised, in the words you used: the promise is empty")
	}
	what, err := checkText("the promise", in.What, tl.MaxTextLength)
	if err != nil {
		return nil, tl.WithField(err, "what")
	}
	now := a.clock()
	if in.Due.IsZero() {
		return nil, tl.Invalidf("due", "Pick the day it is due: a promise needs a due date")
	}
	due := in.Due.UTC().Truncate(time.Millisecond)
	if err := checkLastDue("due", due); err != nil {
		return nil, err
	}
	if err := checkFirstDate("due", "the promise", due); err != nil {
		return nil, err
	}
	if strings.TrimSpace(in.To) == "" {
		return nil, tl.Invalidf("to", "Pick who the promise is to: a person, or a team")
	}
	var out *tl.Promise
	err = a.db.WriteLeader(ctx, leaderID, func(tx *store.Tx) error {
		l, err := checkLeader(ctx, tx, leaderID)
		if err != nil {
			return err
		}
		// A due date is a moment (a front end reads a day given without a
		// time as the end of that day in the leader's zone). One up to a
		// day old is taken, for a promise recorded late.
		if due.Before(now.Add(-day)) {
			return tl.Invalidf("due", "the due date %s is in the past: give today or a later date", due.In(zoneOf(ctx, l)).Format("2006-01-02"))
		}
		t, err := resolveWho(ctx, tx, leaderID, in.To)
		if err != nil {
			return tl.WithField(err, "to")
		}
		c := &tl.Promise{
			ID: store.NewID(now), LeaderID: leaderID, To: t.display(), What: what, Due: due,
			Status: tl.PromiseOpen, CreatedAt: now,
		}
		if t.rel != nil {
			c.RelationshipID = t.rel.ID
		} else {
			c.TeamID = t.team.ID
		}
		out = c
		return tx.CreatePromise(ctx, c)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// lastDue is the latest due date taken: the end of 9998-12-31 in UTC. A
// calendar date has four digits for its year (RFC 5545, 3.3.4), and the
// feed writes a promise's day where the leader lives and the day after it
// (internal/ical), so a year of slack keeps both below 10000 in any zone.
var lastDue = time.Date(9998, 12, 31, 23, 59, 59, 999e6, time.UTC)

// checkLastDue refuses a due date after lastDue.
func checkLastDue(field string, due time.Time) error {
	if due.After(lastDue) {
		return tl.Invalidf(field, "the due date %s is too far ahead: give a date up to 9998-12-31", due.Format("2006-01-02"))
	}
	return nil
}

// ResolvePromise closes an open promise and logs what happened, as the
// leader's own (self) evidence: a "kept" claim starts unconfirmed
// (MODEL.md §5). Renegotiating returns the new open promise.
func (a *App) ResolvePromise(ctx context.Context, leaderID, id string, outcome tl.PromiseStatus, newDue time.Time) (*tl.Promise, error) {
	switch outcome {
	case tl.PromiseKept, tl.PromiseKeptLate, tl.PromiseRenegotiated, tl.PromiseBroken:
	default:
		return nil, tl.Invalidf("outcome", "unknown outcome %q: use kept, kept-late, renegotiated or broken", outcome)
	}
	var out *tl.Promise
	err := a.db.WriteLeader(ctx, leaderID, func(tx *store.Tx) error {
		if _, err := checkLeader(ctx, tx, leaderID); err != nil {
			return err
		}
		set, err := settingsFor(ctx, tx, leaderID)
		if err != nil {
			return err
		}
		c, err := findPromise(ctx, tx, leaderID, id)
		if err != nil {
			return err
		}
		out, err = a.resolve(ctx, tx, set, c, outcome, newDue)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func findPromise(ctx context.Context, tx *store.Tx, leaderID, id string) (*tl.Promise, error) {
	c, err := tx.PromiseByID(ctx, leaderID, strings.TrimSpace(id))
	if err != nil {
		if tl.ErrorCode(err) == tl.ENOTFOUND {
			return nil, tl.Errorf(tl.ENOTFOUND, "no promise %q (list them with: trustledger promise list)", id)
		}
		return nil, err
	}
	if c.Status != tl.PromiseOpen {
		return nil, tl.Errorf(tl.ECONFLICT, "promise %s (%q) is already %s", c.ID, c.What, c.Status)
	}
	return c, nil
}

// resolve closes the open promise c with outcome inside tx.
func (a *App) resolve(ctx context.Context, tx *store.Tx, set engine.Settings, c *tl.Promise, outcome tl.PromiseStatus, newDue time.Time) (*tl.Promise, error) {
	now := a.clock()
	loc, err := a.leaderZone(ctx, tx, c.LeaderID)
	if err != nil {
		return nil, err
	}
	// Kept on its due day is kept on time, to the end of that day where
	// the leader lives.
	onTime := !now.After(tl.EndOfDay(c.Due, loc))
	var kind engine.Kind
	result := c
	switch outcome {
	case tl.PromiseKept, tl.PromiseKeptLate:
		if outcome == tl.PromiseKept && onTime {
			kind = kindPromiseKept
		} else {
			kind, outcome = kindPromiseKeptLate, tl.PromiseKeptLate
		}
	case tl.PromiseBroken:
		kind = kindPromiseBroken
	case tl.PromiseRenegotiated:
		if !onTime {
			return nil, tl.Invalidf("outcome", "promise %s was due on %s: a promise is renegotiated before it is due; resolve it as kept-late or broken instead", c.ID, c.Due.In(loc).Format("2006-01-02"))
		}
		if newDue.IsZero() {
			return nil, tl.Invalidf("new_due", "renegotiating needs the new due date: pick the new due date you agreed on")
		}
		newDue = newDue.UTC().Truncate(time.Millisecond)
		if err := checkLastDue("new_due", newDue); err != nil {
			return nil, err
		}
		if tl.EndOfDay(newDue, loc).Before(now) {
			return nil, tl.Invalidf("new_due", "the new due date %s is in the past: give today or a later date", newDue.In(loc).Format("2006-01-02"))
		}
		kind = kindPromiseRenegotiated
		next := &tl.Promise{
			ID: store.NewID(now), LeaderID: c.LeaderID, RelationshipID: c.RelationshipID, TeamID: c.TeamID,
			To: c.To, What: c.What, Due: newDue, Status: tl.PromiseOpen, CreatedAt: now, StepID: c.StepID,
		}
		if err := tx.CreatePromise(ctx, next); err != nil {
			return nil, err
		}
		if c.StepID != "" {
			if err := relinkStep(ctx, tx, c.LeaderID, c.StepID, next.ID); err != nil {
				return nil, err
			}
		}
		result = next
	}
	c.Status, c.ResolvedAt = outcome, now
	if err := tx.UpdatePromise(ctx, c); err != nil {
		return nil, err
	}
	targets, err := promiseTargets(ctx, tx, c)
	if err != nil {
		return nil, err
	}
	ev := &tl.Event{
		ID: store.NewID(now), LeaderID: c.LeaderID, Kind: kind, OccurredAt: now, RecordedAt: now,
		Source: engine.Self, Severity: engine.Normal, Note: c.What, RecordedBy: byLeader, PromiseID: c.ID,
	}
	setSubject(ev, c)
	if err := record(ctx, tx, set, ev, targets, nil); err != nil {
		return nil, err
	}
	return result, nil
}

// relinkStep points a step at the promise that replaced its old one.
func relinkStep(ctx context.Context, tx *store.Tx, leaderID, stepID, promiseID string) error {
	steps, err := tx.Steps(ctx, leaderID)
	if err != nil {
		return err
	}
	for i := range steps {
		if steps[i].ID == stepID {
			steps[i].PromiseID = promiseID
			return tx.UpdateStep(ctx, &steps[i])
		}
	}
	return nil
}

func setSubject(ev *tl.Event, c *tl.Promise) {
	if c.RelationshipID != "" {
		ev.Subject, ev.RelationshipID = tl.SubjectPerson, c.RelationshipID
	} else {
		ev.Subject, ev.TeamID = tl.SubjectTeam, c.TeamID
	}
}

// promiseTargets are the relationships a promise's outcome applies to:
// the person, or the team's members as they are now.
func promiseTargets(ctx context.Context, tx *store.Tx, c *tl.Promise) ([]tl.Relationship, error) {
	if c.RelationshipID != "" {
		r, err := tx.RelationshipByID(ctx, c.LeaderID, c.RelationshipID)
		if err != nil {
			return nil, err
		}
		return []tl.Relationship{*r}, nil
	}
	return tx.TeamMembers(ctx, c.LeaderID, c.TeamID)
}

// Promises lists the leader's promises with one status, or all for "".
func (a *App) Promises(ctx context.Context, leaderID string, status tl.PromiseStatus) ([]tl.Promise, error) {
	switch status {
	case "", tl.PromiseOpen, tl.PromiseKept, tl.PromiseKeptLate, tl.PromiseRenegotiated, tl.PromiseBroken:
	default:
		return nil, tl.Invalidf("status", "unknown promise status %q: use open, kept, kept-late, renegotiated or broken", status)
	}
	var out []tl.Promise
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		if _, err := checkLeader(ctx, tx, leaderID); err != nil {
			return err
		}
		var err error
		out, err = tx.Promises(ctx, leaderID, status)
		return err
	})
	return nonNil(out), err
}

// SayDo counts promises kept (on time or late) against those that were
// resolved or are due. Renegotiated promises are left out: the promise
// that replaced them counts instead.
func (a *App) SayDo(ctx context.Context, leaderID string) (kept, due int, err error) {
	now := a.clock()
	err = a.db.Read(ctx, func(tx *store.Tx) error {
		l, err := checkLeader(ctx, tx, leaderID)
		if err != nil {
			return err
		}
		all, err := tx.Promises(ctx, leaderID, "")
		if err != nil {
			return err
		}
		r := sayDo(all, now, zoneOf(ctx, l))
		kept, due = r.Kept, r.Due
		return nil
	})
	return kept, due, err
}

// Decide records a decision and the entry it makes: explained when it has
// a why, unexplained (a transparency withdrawal) when not.
func (a *App) Decide(ctx context.Context, leaderID string, in tl.DecisionInput) (*tl.Decision, error) {
	if strings.TrimSpace(in.What) == "" {
		return nil, tl.Invalidf("what", "Say what you decided: the decision is empty")
	}
	what, err := checkText("the decision", in.What, tl.MaxTextLength)
	if err != nil {
		return nil, tl.WithField(err, "what")
	}
	why := strings.TrimSpace(in.Why)
	if len([]rune(why)) > tl.MaxTextLength {
		return nil, tl.Invalidf("why", "the why may have at most %d characters: shorten it", tl.MaxTextLength)
	}
	now := a.clock()
	at := in.At.UTC().Truncate(time.Millisecond)
	if in.At.IsZero() {
		at = now
	}
	if at.After(now) {
		return nil, tl.Invalidf("at", "the decision is dated %s, in the future: record decisions once they are made", at.Format("2006-01-02"))
	}
	if err := checkFirstDate("at", "the decision", at); err != nil {
		return nil, err
	}
	affects := strings.TrimSpace(in.Affects)
	if affects == "" {
		affects = tl.DefaultTeamName
	}
	var out *tl.Decision
	err = a.db.WriteLeader(ctx, leaderID, func(tx *store.Tx) error {
		if _, err := checkLeader(ctx, tx, leaderID); err != nil {
			return err
		}
		set, err := settingsFor(ctx, tx, leaderID)
		if err != nil {
			return err
		}
		t, err := resolveWho(ctx, tx, leaderID, affects)
		if err != nil {
			return tl.WithField(err, "affects")
		}
		if len(t.members) == 0 {
			return tl.Invalidf("affects", "team %q has no active members yet: add one with: trustledger person add NAME --kind KIND --team %s", t.team.Name, t.team.Name)
		}
		d := &tl.Decision{
			ID: store.NewID(now), LeaderID: leaderID, What: what, Why: why, Affects: t.display(),
			DecidedAt: at, CreatedAt: now,
		}
		ev := &tl.Event{
			ID: store.NewID(now), LeaderID: leaderID, Subject: t.subject, Kind: kindDecisionExplained,
			OccurredAt: at, RecordedAt: now, Source: engine.Self, Severity: engine.Normal,
			Note: what, RecordedBy: byLeader, DecisionID: d.ID,
		}
		if why == "" {
			ev.Kind = kindDecisionUnexplained
		}
		if t.rel != nil {
			d.RelationshipID, ev.RelationshipID = t.rel.ID, t.rel.ID
		} else {
			d.TeamID, ev.TeamID = t.team.ID, t.team.ID
		}
		if err := tx.CreateDecision(ctx, d); err != nil {
			return err
		}
		out = d
		return record(ctx, tx, set, ev, t.members, nil)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Decisions lists the leader's decisions, newest first.
func (a *App) Decisions(ctx context.Context, leaderID string) ([]tl.Decision, error) {
	return listForLeader(ctx, a, leaderID, (*store.Tx).Decisions)
}
