package storetest

import (
	"testing"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/engine"
	"github.com/trustledger/trustledger/internal/store"
)

// Conformance tests for the weekly step and the journal.
func init() {
	register("Steps", testSteps)
	register("Journal", testJournal)
}

func testSteps(t *testing.T, f *fixture) {
	l := f.leader("Lena")
	a := f.rel(l.ID, "", "Ana")
	w1 := time.Date(2026, 2, 23, 0, 0, 0, 0, time.UTC)
	w2 := w1.Add(7 * 24 * time.Hour)
	s1 := tl.Step{ID: f.id(), LeaderID: l.ID, RelationshipID: a.ID, Person: "Ana", WeekStart: w1,
		Rule: engine.RuleRepair, Dim: engine.Integrity, Move: "apologise", Text: "Apologise to Ana for the missed review",
		Status: tl.StepSuggested, BaselineE: 0.4375, BaselineQuad: engine.Compliance, BaselineN: 6.5, CreatedAt: f.now}
	s2 := tl.Step{ID: f.id(), LeaderID: l.ID, RelationshipID: a.ID, Person: "Ana", WeekStart: w2,
		Rule: engine.RuleWeakest, Dim: engine.Benevolence, Move: "recognize", Text: "Recognise Ana's work",
		Status: tl.StepSuggested, BaselineE: 0.5, BaselineQuad: engine.Undetermined, CreatedAt: f.now}
	f.write(func(tx *store.Tx) error {
		if err := tx.CreateStep(f.ctx, &s1); err != nil {
			return err
		}
		return tx.CreateStep(f.ctx, &s2)
	})
	f.read(func(tx *store.Tx) error {
		got, err := tx.StepForWeek(f.ctx, l.ID, w1)
		if err != nil {
			return err
		}
		diff(t, "step for week 1", *got, s1)
		_, err = tx.StepForWeek(f.ctx, l.ID, w2.Add(7*24*time.Hour))
		wantCode(t, err, tl.ENOTFOUND)
		ss, err := tx.Steps(f.ctx, l.ID)
		if err != nil {
			return err
		}
		diff(t, "steps newest first", ss, []tl.Step{s2, s1})
		return nil
	})
	s1.Status, s1.PromiseID, s1.AcceptedAt, s1.ClosedAt = tl.StepDone, "c-1", f.tick(), f.tick()
	s1.Text = "Apologised"
	f.write(func(tx *store.Tx) error { return tx.UpdateStep(f.ctx, &s1) })
	f.read(func(tx *store.Tx) error {
		got, err := tx.StepForWeek(f.ctx, l.ID, w1)
		if err != nil {
			return err
		}
		diff(t, "updated step", *got, s1)
		return nil
	})
	missing := s2
	missing.ID = "nope"
	err := f.db.Write(f.ctx, func(tx *store.Tx) error { return tx.UpdateStep(f.ctx, &missing) })
	wantCode(t, err, tl.ENOTFOUND)
}

func testJournal(t *testing.T, f *fixture) {
	l := f.leader("Lena")
	w := time.Date(2026, 2, 23, 0, 0, 0, 0, time.UTC)
	j1 := tl.JournalEntry{ID: f.id(), LeaderID: l.ID, WeekStart: w, Question: 2,
		Text: "When I moved the launch without asking.", CreatedAt: f.now}
	j2 := tl.JournalEntry{ID: f.id(), LeaderID: l.ID, WeekStart: w, Question: 0, Text: "free note",
		Shared: true, CreatedAt: f.now}
	f.write(func(tx *store.Tx) error {
		if err := tx.CreateJournal(f.ctx, &j1); err != nil {
			return err
		}
		return tx.CreateJournal(f.ctx, &j2)
	})
	f.read(func(tx *store.Tx) error {
		js, err := tx.Journal(f.ctx, l.ID)
		if err != nil {
			return err
		}
		diff(t, "journal newest first", js, []tl.JournalEntry{j2, j1})
		return nil
	})
}
