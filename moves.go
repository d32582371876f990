package trustledger

import (
	"slices"
	"time"

	"github.com/trustledger/trustledger/internal/engine"
)

// PracticalMove is one of the article's five practical moves for aligning
// power and trust, with the ledger entries that show it made and the ones
// that show its opposite (MODEL.md §2 maps the moves onto the kinds).
type PracticalMove struct {
	Slug     string        // "transparency": stable, the anchor of the move on the moves page
	Name     string        // "Leading with transparency"
	Builders []engine.Kind // entries that show the move made
	Barriers []engine.Kind // entries that show its opposite
	// Steps are the weekly step's moves (engine.Move*) that are this move.
	Steps []string
}

// PracticalMoves lists the five moves in the article's order.
var PracticalMoves = []PracticalMove{
	{Slug: "transparency", Name: "Leading with transparency",
		Builders: []engine.Kind{engine.KindInformationShared, engine.KindDecisionExplained},
		Barriers: []engine.Kind{engine.KindDecisionUnexplained, engine.KindInformationWithheld, engine.KindDeceptionRevealed},
		Steps:    []string{engine.MoveLeadTransp, engine.MoveTransparent}},
	{Slug: "following-through", Name: "Following through",
		Builders: []engine.Kind{engine.KindPromiseKept, engine.KindPromiseKeptLate, engine.KindPromiseRenegotiated},
		Barriers: []engine.Kind{engine.KindPromiseBroken},
		Steps:    []string{engine.MoveFollowThru}},
	{Slug: "empathy", Name: "Balancing authority with empathy",
		Builders: []engine.Kind{engine.KindPersonValued, engine.KindRecognition, engine.KindDecisionDelegated, engine.KindSelfDisclosure},
		Barriers: []engine.Kind{engine.KindAuthorityOverused},
		Steps:    []string{engine.MoveEmpathy, engine.MoveValued}},
	{Slug: "safety", Name: "Creating psychological safety",
		Builders: []engine.Kind{engine.KindInputSought, engine.KindDissentInvited},
		Barriers: []engine.Kind{engine.KindDismissed},
		Steps:    []string{engine.MoveSafety, engine.MoveAskFeedback}},
	{Slug: "consistency", Name: "Modeling consistency",
		Builders: []engine.Kind{engine.KindFairTreatment},
		Barriers: []engine.Kind{engine.KindFavoritism},
		Steps:    []string{engine.MoveConsistency}},
}

// MoveOfStep returns the practical move a weekly step's move belongs to;
// false for a step outside the five (an apology).
func MoveOfStep(move string) (PracticalMove, bool) {
	for _, m := range PracticalMoves {
		if slices.Contains(m.Steps, move) {
			return m, true
		}
	}
	return PracticalMove{}, false
}

// MoveTally is what a stretch of the ledger shows about one practical
// move.
type MoveTally struct {
	Move    PracticalMove
	Made    int    // entries that show the move made
	Against int    // entries that show its opposite
	Last    *Event // the latest entry that shows it made; nil when none
	// Without lists the people, by name, no entry showing the move reached.
	Without []string
}

// TallyMoves counts, for each practical move, the entries of evs dated
// at or after since that show it made and that show its opposite, the
// latest that shows it made, and which of people no such entry reached.
// Reversed entries and reversals do not count. An entry about a team
// reaches the team's members among people (its Targets when they are
// filled). evs may be in any order.
func TallyMoves(evs []Event, people []Relationship, since time.Time) []MoveTally {
	reversed := map[string]bool{}
	for _, e := range evs {
		if e.Reverses != "" {
			reversed[e.Reverses] = true
		}
	}
	out := make([]MoveTally, 0, len(PracticalMoves))
	for _, m := range PracticalMoves {
		t := MoveTally{Move: m, Without: []string{}}
		reached := map[string]bool{}
		for i := range evs {
			e := &evs[i]
			if e.Reverses != "" || reversed[e.ID] || e.OccurredAt.Before(since) {
				continue
			}
			switch {
			case slices.Contains(m.Builders, e.Kind):
				t.Made++
				if t.Last == nil || e.OccurredAt.After(t.Last.OccurredAt) {
					t.Last = e
				}
				for _, p := range people {
					if e.About(p) {
						reached[p.ID] = true
					}
				}
			case slices.Contains(m.Barriers, e.Kind):
				t.Against++
			}
		}
		for _, p := range people {
			if !reached[p.ID] {
				t.Without = append(t.Without, p.Person)
			}
		}
		out = append(out, t)
	}
	return out
}

// About reports whether the entry was about person p: p named, p among
// its targets, or, when the targets are not filled, about p's team.
func (e *Event) About(p Relationship) bool {
	if e.RelationshipID != "" {
		return e.RelationshipID == p.ID
	}
	if len(e.Targets) > 0 {
		return slices.Contains(e.Targets, p.ID)
	}
	return e.TeamID != "" && e.TeamID == p.TeamID
}
