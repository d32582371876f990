package app

// Every anonymity threshold in one place (docs/ANONYMITY.md): how many
// answers a number needs, the floors no setting lowers, and the bands a
// leader sees of a count. The release of a result over its population is
// in anonymity_release.go, the exact check behind it in anonymity.go; who
// counts toward k is in standing.go.

import (
	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/engine"
	"github.com/trustledger/trustledger/internal/store"
)

// enough reports whether n answers may stand behind a number that needs
// k: every scale, the outcome shares, and the comments (with comments_k).
func enough(n, k int) bool { return n >= k }

// holdFloors raises settings stored before a floor was enforced to the
// floor (rule 8), so what the settings show is what holds.
func holdFloors(s *engine.Settings) {
	s.KFloor = max(s.KFloor, engine.MinK)
	s.K = max(s.K, s.KFloor)
	s.CommentsK = max(s.CommentsK, engine.MinCommentsK)
}

// countBand is the coarse count of n answers: published while a pulse is
// open, and shown as it stands once it has closed.
func countBand(n int, p *store.PulseRow) string {
	switch {
	case n >= p.CommentsK:
		return tl.CountCommentsK
	case n >= p.K:
		return tl.CountK
	}
	return tl.CountBelowK
}

// publishedBand is the band published for an open pulse with n answers.
// A threshold shows only where at least k of the people asked could still
// be missing when it is reached: otherwise reaching it would tell the
// leader, before the close, that (nearly) everyone, named, had answered.
func publishedBand(n int, p *store.PulseRow) string {
	switch {
	case p.Population-p.K < p.K:
		return tl.CountHidden
	case n >= p.CommentsK && p.Population-p.CommentsK >= p.K:
		return tl.CountCommentsK
	case n >= p.K:
		return tl.CountK
	}
	return tl.CountBelowK
}
