package trustledger

import (
	"slices"
	"testing"
	"time"

	"github.com/trustledger/trustledger/internal/engine"
)

// TestPracticalMoves checks the five moves against the engine: every kind
// they name is a kind of the taxonomy on the right side (builders add
// trust, barriers take it away), no kind counts for two moves, and every
// step the engine recommends but the apology belongs to one of them.
func TestPracticalMoves(t *testing.T) {
	if len(PracticalMoves) != 5 {
		t.Fatalf("%d moves, want the article's five", len(PracticalMoves))
	}
	seen := map[engine.Kind]string{}
	for _, m := range PracticalMoves {
		for _, k := range append(slices.Clone(m.Builders), m.Barriers...) {
			info, err := engine.LookupKind(string(k))
			if err != nil {
				t.Fatalf("%s: %v", m.Slug, err)
			}
			want := engine.Builder
			if slices.Contains(m.Barriers, k) {
				want = engine.Barrier
			}
			if info.Group != want {
				t.Errorf("%s: %s is a %s, listed as a %s", m.Slug, k, info.Group, want)
			}
			if other, ok := seen[k]; ok {
				t.Errorf("%s counts for %s and %s", k, other, m.Slug)
			}
			seen[k] = m.Slug
		}
	}
	for _, move := range []string{engine.MoveAskFeedback, engine.MoveTransparent, engine.MoveLeadTransp, engine.MoveFollowThru,
		engine.MoveConsistency, engine.MoveSafety, engine.MoveEmpathy, engine.MoveValued} {
		if _, ok := MoveOfStep(move); !ok {
			t.Errorf("the step move %q belongs to none of the five", move)
		}
	}
	if _, ok := MoveOfStep(engine.MoveApology); ok {
		t.Error("an apology is a repair, not one of the five moves")
	}
}

func TestTallyMoves(t *testing.T) {
	now := time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)
	since := now.AddDate(0, 0, -30)
	people := []Relationship{
		{ID: "ana", Person: "Ana", TeamID: "t1"},
		{ID: "ben", Person: "Ben", TeamID: "t1"},
		{ID: "chen", Person: "Chen", TeamID: "t2"},
	}
	evs := []Event{
		{ID: "1", RelationshipID: "ana", Kind: engine.KindInformationShared, OccurredAt: now.AddDate(0, 0, -3)},
		{ID: "2", TeamID: "t1", Kind: engine.KindDecisionExplained, OccurredAt: now.AddDate(0, 0, -1)},
		{ID: "3", RelationshipID: "chen", Kind: engine.KindInformationShared, OccurredAt: now.AddDate(0, 0, -40)}, // too old
		{ID: "4", RelationshipID: "chen", Kind: engine.KindInformationWithheld, OccurredAt: now.AddDate(0, 0, -2)},
		{ID: "5", RelationshipID: "chen", Kind: engine.KindFairTreatment, OccurredAt: now.AddDate(0, 0, -2)},
		{ID: "6", RelationshipID: "chen", Kind: engine.KindFairTreatment, OccurredAt: now.AddDate(0, 0, -1), Reverses: "5"},
		{ID: "7", RelationshipID: "ben", Kind: engine.KindPromiseBroken, OccurredAt: now.AddDate(0, 0, -5)},
		{ID: "8", Targets: []string{"chen"}, TeamID: "t9", Kind: engine.KindDissentInvited, OccurredAt: now.AddDate(0, 0, -5)},
	}
	got := map[string]MoveTally{}
	for _, m := range TallyMoves(evs, people, since) {
		got[m.Move.Slug] = m
	}
	tr := got["transparency"]
	if tr.Made != 2 || tr.Against != 1 || tr.Last == nil || tr.Last.ID != "2" || !slices.Equal(tr.Without, []string{"Chen"}) {
		t.Errorf("transparency: %+v", tr)
	}
	if ft := got["following-through"]; ft.Made != 0 || ft.Against != 1 || ft.Last != nil || len(ft.Without) != 3 {
		t.Errorf("following through: %+v", ft)
	}
	if c := got["consistency"]; c.Made != 0 || len(c.Without) != 3 {
		t.Errorf("a reversed entry counted: %+v", c)
	}
	if s := got["safety"]; s.Made != 1 || !slices.Equal(s.Without, []string{"Ana", "Ben"}) {
		t.Errorf("safety, by targets: %+v", s)
	}
}
