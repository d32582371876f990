package app

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/engine"
	"github.com/trustledger/trustledger/internal/store"
)

// maxEarlier is how many earlier steps the week report shows.
const maxEarlier = 12

// assessOne assesses one relationship now from its stored state.
func (a *App) assessOne(ctx context.Context, tx *store.Tx, set engine.Settings, r *tl.Relationship, now time.Time) (engine.Assessment, []engine.Recent, error) {
	st, err := tx.State(ctx, r.ID)
	if err != nil {
		return engine.Assessment{}, nil, err
	}
	recent, err := a.recentFor(ctx, tx, r.LeaderID, r.ID, now.Add(-recentWindow(set)))
	if err != nil {
		return engine.Assessment{}, nil, err
	}
	return set.Assess(st, r.Bases, recent, now), recent, nil
}

// Week returns this week's step, choosing and storing it the first time
// it is asked for, and the outcome of the steps accepted before.
func (a *App) Week(ctx context.Context, leaderID string) (*tl.WeekReport, error) {
	now := a.clock()
	// Once this week's step is chosen (the common case: every dashboard
	// load) a read is enough; only choosing it writes.
	var out *tl.WeekReport
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		loc, err := a.leaderZone(ctx, tx, leaderID)
		if err != nil {
			return err
		}
		if _, err := tx.StepForWeek(ctx, leaderID, tl.WeekStartIn(now, loc)); err != nil {
			return err
		}
		out, err = a.weekReport(ctx, tx, leaderID, now)
		return err
	})
	if tl.ErrorCode(err) == tl.ENOTFOUND {
		err = a.db.Write(ctx, func(tx *store.Tx) error {
			var err error
			out, err = a.weekReport(ctx, tx, leaderID, now)
			return err
		})
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

// weekReport builds the week's report in tx, choosing and storing this
// week's step when there is none yet (tx must then be a write).
func (a *App) weekReport(ctx context.Context, tx *store.Tx, leaderID string, now time.Time) (*tl.WeekReport, error) {
	var out *tl.WeekReport
	err := func() error {
		l, err := checkLeader(ctx, tx, leaderID)
		if err != nil {
			return err
		}
		// The week, the step's due date and the dates its reason names
		// are the leader's (docs/MODEL.md, choice 39).
		loc := zoneOf(ctx, l)
		ws := tl.WeekStartIn(now, loc)
		set, err := settingsFor(ctx, tx, leaderID)
		if err != nil {
			return err
		}
		steps, err := tx.Steps(ctx, leaderID)
		if err != nil {
			return err
		}
		rep := &tl.WeekReport{WeekStart: ws, Earlier: []tl.Step{}, Outcomes: []string{}}
		step, err := tx.StepForWeek(ctx, leaderID, ws)
		switch {
		case err == nil:
			rep.Step = step
		case tl.ErrorCode(err) != tl.ENOTFOUND:
			return err
		default:
			if rep.Step, rep.None, err = a.chooseStep(ctx, tx, set, leaderID, steps, now, loc); err != nil {
				return err
			}
		}
		if rep.Step != nil {
			r, err := tx.RelationshipByID(ctx, leaderID, rep.Step.RelationshipID)
			if err != nil {
				return err
			}
			as, recent, err := a.assessOne(ctx, tx, set, r, now)
			if err != nil {
				return err
			}
			rep.Why = stepWhy(set, rep.Step, r.Person, as, recent, now.In(loc))
		}

		current := map[string]engine.Assessment{}
		for _, s := range steps {
			if len(rep.Earlier) == maxEarlier {
				break
			}
			if s.AcceptedAt.IsZero() || (rep.Step != nil && s.ID == rep.Step.ID) {
				continue
			}
			outcome := string(engine.OutcomePending)
			switch {
			case s.Status == tl.StepSkipped:
				outcome = string(tl.StepSkipped)
			case !now.Before(s.AcceptedAt.Add(days(set.OutcomeDays))):
				as, ok := current[s.RelationshipID]
				if !ok {
					r, err := tx.RelationshipByID(ctx, leaderID, s.RelationshipID)
					if err != nil {
						return err
					}
					if as, _, err = a.assessOne(ctx, tx, set, r, now); err != nil {
						return err
					}
					current[s.RelationshipID] = as
				}
				outcome = string(set.CheckOutcome(baseline(s), as, s.AcceptedAt))
			}
			rep.Earlier = append(rep.Earlier, s)
			rep.Outcomes = append(rep.Outcomes, outcome)
		}
		out = rep
		return nil
	}()
	if err != nil {
		return nil, err
	}
	return out, nil
}

// baseline rebuilds the part of an assessment a step keeps for its
// outcome check.
func baseline(s tl.Step) engine.Assessment {
	return engine.Assessment{
		At:       s.AcceptedAt,
		Trust:    engine.Opinion{E: s.BaselineE, N: s.BaselineN},
		Quadrant: s.BaselineQuad,
		Evidence: s.BaselineN,
	}
}

// chooseStep runs the weekly pick (§10) and the recommendation (§11) and
// stores the suggestion; when nothing is eligible, no step and why not
// (noStep). loc is the leader's zone, which names the week and words the
// step.
func (a *App) chooseStep(ctx context.Context, tx *store.Tx, set engine.Settings, leaderID string, steps []tl.Step, now time.Time, loc *time.Location) (*tl.Step, string, error) {
	rels, err := tx.Relationships(ctx, leaderID)
	if err != nil {
		return nil, "", err
	}
	states, err := tx.States(ctx, leaderID)
	if err != nil {
		return nil, "", err
	}
	last := map[string]time.Time{}
	for _, s := range steps {
		if !s.AcceptedAt.IsZero() && s.AcceptedAt.After(last[s.RelationshipID]) {
			last[s.RelationshipID] = s.AcceptedAt
		}
	}
	byRel, err := a.recentByRelationship(ctx, tx, leaderID, rels, now.Add(-recentWindow(set)))
	if err != nil {
		return nil, "", err
	}
	cands := make([]engine.Candidate, 0, len(rels))
	assess := make([]engine.Assessment, 0, len(rels))
	recents := make([][]engine.Recent, 0, len(rels))
	for _, r := range rels {
		recent := byRel[r.ID]
		as := set.Assess(states[r.ID], r.Bases, recent, now)
		cands = append(cands, engine.Candidate{
			ID: r.ID, Authority: as.Authority, E: as.Trust.E, PrBelowA: as.PrBelowA,
			Active: r.Active, LastAccepted: last[r.ID],
		})
		assess = append(assess, as)
		recents = append(recents, recent)
	}
	var active []engine.Assessment
	for j, r := range rels {
		if r.Active {
			active = append(active, assess[j])
		}
	}
	if err := recordWeek(ctx, tx, leaderID, active, tl.WeekStartIn(now, loc)); err != nil {
		return nil, "", err
	}
	i := set.Pick(cands, now)
	if i < 0 {
		return nil, noStep(set, rels, cands, now), nil
	}
	rec := set.Recommend(assess[i], recents[i], nil, now.In(loc))
	s := &tl.Step{
		ID: store.NewID(now), LeaderID: leaderID, RelationshipID: rels[i].ID, Person: rels[i].Person,
		WeekStart: tl.WeekStartIn(now, loc), Rule: rec.Rule, Dim: rec.Dim, Move: rec.Move, Text: rec.Text,
		Status: tl.StepSuggested, BaselineE: assess[i].Trust.E, BaselineQuad: assess[i].Quadrant,
		BaselineN: assess[i].Evidence, CreatedAt: now,
	}
	if err := tx.CreateStep(ctx, s); err != nil {
		return nil, "", err
	}
	if err := notify(ctx, tx, leaderID, tl.EventStepSuggested, s.ID,
		slackf("This week's step: %s (%s). %s", s.Person, s.Move, s.Text),
		map[string]any{"step_id": s.ID, "person": s.Person, "move": s.Move, "text": s.Text, "week_start": s.WeekStart}, now); err != nil {
		return nil, "", err
	}
	return s, "", nil
}

// noStep says why the pick found nobody this week, for "No step this
// week: …." on the dashboard, in the weekly mail and in the CLI, each
// case in its own words, since each asks something else of the leader.
// They read it as those do: the gap threshold is "far ahead", not a
// number, and the cooldown the days a step is given to work; the
// settings' names stay on the settings page. cands are rels' candidates,
// in the same order.
func noStep(set engine.Settings, rels []tl.Relationship, cands []engine.Candidate, now time.Time) string {
	active := 0
	for _, r := range rels {
		if r.Active {
			active++
		}
	}
	switch {
	case len(rels) == 0:
		return "you have not added anyone you lead yet"
	case active == 0:
		return "nobody in your ledger is still among the people you lead"
	}
	rest := set.Resting(cands, now)
	if len(rest) == 0 {
		return "authority is not far ahead of trust with anyone you lead"
	}
	names := make([]string, len(rest))
	for i, j := range rest {
		names[i] = rels[j].Person
	}
	slices.Sort(names)
	return fmt.Sprintf("authority is far ahead of trust only with %s, %s you accepted in the last %s days: give %s time to work",
		famJoin(names), plural(len(names), "whose step", "whose steps"), strconv.FormatFloat(set.CooldownDays, 'f', -1, 64), plural(len(names), "it", "them"))
}

// AcceptStep takes this week's step on as a promise to the person, due
// when the recommendation says, and takes the baseline for the outcome
// check at acceptance.
func (a *App) AcceptStep(ctx context.Context, leaderID string) (*tl.Step, *tl.Promise, error) {
	now := a.clock()
	var step *tl.Step
	var prom *tl.Promise
	err := a.db.WriteLeader(ctx, leaderID, func(tx *store.Tx) error {
		l, err := checkLeader(ctx, tx, leaderID)
		if err != nil {
			return err
		}
		ws := tl.WeekStartIn(now, zoneOf(ctx, l))
		set, err := settingsFor(ctx, tx, leaderID)
		if err != nil {
			return err
		}
		s, err := tx.StepForWeek(ctx, leaderID, ws)
		if err != nil {
			if tl.ErrorCode(err) == tl.ENOTFOUND {
				return tl.Errorf(tl.ENOTFOUND, "no step for this week yet: see it first with: trustledger week")
			}
			return err
		}
		prom, err = a.acceptStep(ctx, tx, set, s, ws, now)
		step = s
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	return step, prom, nil
}

// acceptStep takes s, the step of the week ws, on as a promise. AcceptStep
// and the weekly email's links (weeklymail_links.go) both accept here.
func (a *App) acceptStep(ctx context.Context, tx *store.Tx, set engine.Settings, s *tl.Step, ws, now time.Time) (*tl.Promise, error) {
	if s.Status != tl.StepSuggested {
		return nil, tl.Errorf(tl.ECONFLICT, "this week's step is already %s", s.Status)
	}
	r, err := tx.RelationshipByID(ctx, s.LeaderID, s.RelationshipID)
	if err != nil {
		return nil, err
	}
	as, recent, err := a.assessOne(ctx, tx, set, r, now)
	if err != nil {
		return nil, err
	}
	// Due at the end of the week where the leader lives.
	loc, err := a.leaderZone(ctx, tx, s.LeaderID)
	if err != nil {
		return nil, err
	}
	due := set.Recommend(as, recent, nil, now.In(loc)).Due
	if due.IsZero() || due.Before(now) {
		due = tl.WeekBegins(ws, loc).AddDate(0, 0, 7).Add(-time.Millisecond)
	}
	c := &tl.Promise{
		ID: store.NewID(now), LeaderID: s.LeaderID, RelationshipID: r.ID, To: r.Person,
		What: "this week's step: " + s.Text, Due: due.UTC().Truncate(time.Millisecond),
		Status: tl.PromiseOpen, CreatedAt: now, StepID: s.ID,
	}
	if err := tx.CreatePromise(ctx, c); err != nil {
		return nil, err
	}
	s.Status, s.AcceptedAt, s.PromiseID = tl.StepAccepted, now, c.ID
	s.BaselineE, s.BaselineQuad, s.BaselineN = as.Trust.E, as.Quadrant, as.Evidence
	if err := tx.UpdateStep(ctx, s); err != nil {
		return nil, err
	}
	return c, nil
}

// CloseStep closes the most recent accepted step: done keeps its
// promise (a promise-kept entry, late if past due); skipped closes the
// promise as renegotiated, with no entry and no broken-promise
// penalty. This week's step may also be skipped before it is accepted.
func (a *App) CloseStep(ctx context.Context, leaderID string, status tl.StepStatus) (*tl.Step, error) {
	if status != tl.StepDone && status != tl.StepSkipped {
		return nil, tl.Invalidf("status", "a step is closed as done or skipped, not %q", status)
	}
	now := a.clock()
	var out *tl.Step
	err := a.db.WriteLeader(ctx, leaderID, func(tx *store.Tx) error {
		l, err := checkLeader(ctx, tx, leaderID)
		if err != nil {
			return err
		}
		set, err := settingsFor(ctx, tx, leaderID)
		if err != nil {
			return err
		}
		steps, err := tx.Steps(ctx, leaderID)
		if err != nil {
			return err
		}
		var s *tl.Step
		for i := range steps {
			if steps[i].Status == tl.StepAccepted {
				s = &steps[i]
				break
			}
		}
		if s == nil && status == tl.StepSkipped {
			for i := range steps {
				if steps[i].Status == tl.StepSuggested && steps[i].WeekStart.Equal(tl.WeekStartIn(now, zoneOf(ctx, l))) {
					s = &steps[i]
					break
				}
			}
		}
		if s == nil {
			return tl.Errorf(tl.ENOTFOUND, "no accepted step to close: accept this week's step with: trustledger week accept")
		}
		if _, err := a.closeStep(ctx, tx, set, s, status, now); err != nil {
			return err
		}
		out = s
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// closeStep closes s as done or skipped, and its promise with it (kept,
// or renegotiated), returning the promise. CloseStep and the weekly
// email's links (weeklymail_links.go) both close here.
func (a *App) closeStep(ctx context.Context, tx *store.Tx, set engine.Settings, s *tl.Step, status tl.StepStatus, now time.Time) (*tl.Promise, error) {
	var c *tl.Promise
	if s.PromiseID != "" {
		var err error
		if c, err = tx.PromiseByID(ctx, s.LeaderID, s.PromiseID); err != nil {
			return nil, err
		}
		if c.Status == tl.PromiseOpen {
			if status == tl.StepDone {
				if c, err = a.resolve(ctx, tx, set, c, tl.PromiseKept, time.Time{}); err != nil {
					return nil, err
				}
			} else {
				c.Status, c.ResolvedAt = tl.PromiseRenegotiated, now
				if err := tx.UpdatePromise(ctx, c); err != nil {
					return nil, err
				}
			}
		}
	}
	s.Status, s.ClosedAt = status, now
	if err := tx.UpdateStep(ctx, s); err != nil {
		return nil, err
	}
	return c, nil
}

// AddJournal keeps a private reflection: question 1–3 answers one of the
// article's questions, 0 is a free note.
func (a *App) AddJournal(ctx context.Context, leaderID string, question int, text string) (*tl.JournalEntry, error) {
	if question < 0 || question > len(tl.ReflectionQuestions) {
		return nil, tl.Invalidf("question", "question must be 1–%d for the article's questions, or 0 for a free note; got %d", len(tl.ReflectionQuestions), question)
	}
	if strings.TrimSpace(text) == "" {
		return nil, tl.Invalidf("text", "Write something first: the entry is empty, and a sentence is enough")
	}
	text, err := checkText("the journal entry", text, tl.MaxNoteLength)
	if err != nil {
		return nil, tl.WithField(err, "text")
	}
	now := a.clock()
	j := &tl.JournalEntry{ID: store.NewID(now), LeaderID: leaderID, Question: question, Text: text, CreatedAt: now}
	err = a.db.Write(ctx, func(tx *store.Tx) error {
		l, err := checkLeader(ctx, tx, leaderID)
		if err != nil {
			return err
		}
		j.WeekStart = tl.WeekStartIn(now, zoneOf(ctx, l))
		return tx.CreateJournal(ctx, j)
	})
	if err != nil {
		return nil, err
	}
	return j, nil
}

// Journal lists the leader's entries, newest first.
func (a *App) Journal(ctx context.Context, leaderID string) ([]tl.JournalEntry, error) {
	return listForLeader(ctx, a, leaderID, (*store.Tx).Journal)
}

// Settings returns the model's defaults with the leader's overrides.
func (a *App) Settings(ctx context.Context, leaderID string) (engine.Settings, error) {
	var out engine.Settings
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		if _, err := checkLeader(ctx, tx, leaderID); err != nil {
			return err
		}
		var err error
		out, err = settingsFor(ctx, tx, leaderID)
		return err
	})
	return out, err
}

// SetSetting overrides one setting for the leader and rebuilds the
// leader's running state from the ledger, so that what status shows is
// what a replay with the new settings gives.
func (a *App) SetSetting(ctx context.Context, leaderID, name string, value float64) error {
	if math.IsNaN(value) || math.IsInf(value, 0) {
		return tl.Invalidf("value", "setting %s needs a finite number", name)
	}
	return a.db.Write(ctx, func(tx *store.Tx) error {
		if _, err := checkLeader(ctx, tx, leaderID); err != nil {
			return err
		}
		set, err := settingsFor(ctx, tx, leaderID)
		if err != nil {
			return err
		}
		if err := set.Set(name, value); err != nil {
			return tl.Invalidf("value", "%w (see: trustledger settings)", err)
		}
		if name == "anonymity_k" || name == "comments_k" {
			if open, err := tx.HasOpenPulse(ctx, leaderID); err != nil {
				return err
			} else if open {
				return tl.Errorf(tl.ECONFLICT, "%s is fixed for a pulse when it launches, and you have an open pulse: change it after the pulse closes (it applies to pulses launched after that)", name)
			}
		}
		if err := set.Validate(); err != nil {
			return tl.Invalidf("value", "%w", err)
		}
		if err := tx.PutSetting(ctx, tl.Setting{LeaderID: leaderID, Name: name, Value: value}); err != nil {
			return err
		}
		return rebuildStates(ctx, tx, leaderID, set)
	})
}
