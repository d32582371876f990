package store

import (
	"context"
	"time"

	tl "github.com/trustledger/trustledger"
)

// The team's window: a person's link, their named word on kept promises,
// and decision reactions. Who reacted (decision_reacted) and what they
// said (decision_reactions, under a random key in a table without rowid)
// are kept apart, with nothing that joins them; the counts shown are
// stored separately and move only in batches of k.

// PutWindowLink creates or replaces a relationship's window link.
func (tx *Tx) PutWindowLink(ctx context.Context, relID, hash string, at time.Time) error {
	if _, err := tx.exec(ctx, "window link", "DELETE FROM window_links WHERE relationship_id = $1", relID); err != nil {
		return err
	}
	_, err := tx.exec(ctx, "window link", "INSERT INTO window_links (relationship_id, token_hash, created_at) VALUES ($1, $2, $3)",
		relID, hash, ms(at))
	return err
}

// WindowLinkByHash finds the relationship a window link belongs to.
func (tx *Tx) WindowLinkByHash(ctx context.Context, hash string) (string, error) {
	ids, err := list(ctx, tx, "window link", "SELECT relationship_id FROM window_links WHERE token_hash = $1", []any{hash},
		func(rows rowScanner, s *string) error { return rows.Scan(s) })
	if err != nil {
		return "", err
	}
	if len(ids) == 0 {
		return "", errorf("window link", tl.ENOTFOUND, "this link is not valid: it may have been replaced by a newer one")
	}
	return ids[0], nil
}

// RelationshipAny finds a relationship whoever leads it.
func (tx *Tx) RelationshipAny(ctx context.Context, id string) (*tl.Relationship, error) {
	return one(ctx, tx, "relationship", "SELECT "+relCols+" FROM relationships WHERE id = $1", []any{id}, scanRel,
		notFound("no relationship with id %q", id))
}

// RelationshipsByEmail lists the active relationships, of any leader,
// whose person has this address.
func (tx *Tx) RelationshipsByEmail(ctx context.Context, email string) ([]tl.Relationship, error) {
	return list(ctx, tx, "relationships by email",
		"SELECT "+relCols+" FROM relationships WHERE email = $1 AND active = 1 ORDER BY leader_id, id", []any{email}, scanRel)
}

// Confirmation is a member's named word on a kept promise.
type Confirmation struct {
	PromiseID      string // the column commitment_id: the column keeps its old name
	RelationshipID string
	State          string // confirmed or disputed
	EventID        string
	CreatedAt      time.Time
}

// AddConfirmation stores one; ECONFLICT when the person already did.
func (tx *Tx) AddConfirmation(ctx context.Context, c *Confirmation) error {
	_, err := tx.execContext(ctx,
		"INSERT INTO promise_confirmations (commitment_id, relationship_id, state, event_id, created_at) VALUES ($1, $2, $3, $4, $5)",
		c.PromiseID, c.RelationshipID, c.State, nullID(c.EventID), ms(c.CreatedAt))
	return conflict("confirm", err, "you have already said whether this promise was kept")
}

// Confirmations maps promise id → state for one relationship.
func (tx *Tx) Confirmations(ctx context.Context, relID string) (map[string]string, error) {
	rows, err := list(ctx, tx, "confirmations", "SELECT commitment_id, state FROM promise_confirmations WHERE relationship_id = $1",
		[]any{relID}, func(rows rowScanner, c *Confirmation) error { return rows.Scan(&c.PromiseID, &c.State) })
	out := map[string]string{}
	for _, c := range rows {
		out[c.PromiseID] = c.State
	}
	return out, err
}

// ReactionCounts is a decision's released reaction counts.
type ReactionCounts struct {
	tl.ReactionCounts
	EventID string
}

// AddReacted records that a person reacted to a decision; ECONFLICT when
// they already did.
func (tx *Tx) AddReacted(ctx context.Context, decisionID, relID string) error {
	_, err := tx.execContext(ctx, "INSERT INTO decision_reacted (decision_id, relationship_id) VALUES ($1, $2)", decisionID, relID)
	return conflict("react", err, "you have already reacted to this decision")
}

// Reacted lists the decisions a person reacted to.
func (tx *Tx) Reacted(ctx context.Context, relID string) (map[string]bool, error) {
	ids, err := list(ctx, tx, "reacted", "SELECT decision_id FROM decision_reacted WHERE relationship_id = $1", []any{relID},
		func(rows rowScanner, s *string) error { return rows.Scan(s) })
	out := map[string]bool{}
	for _, id := range ids {
		out[id] = true
	}
	return out, err
}

// AddReaction stores one anonymous reaction under a random key.
func (tx *Tx) AddReaction(ctx context.Context, decisionID, key, reaction string) error {
	_, err := tx.exec(ctx, "add reaction", "INSERT INTO decision_reactions (decision_id, id, reaction) VALUES ($1, $2, $3)",
		decisionID, key, reaction)
	return err
}

// TallyReactions counts a decision's reactions as stored now.
func (tx *Tx) TallyReactions(ctx context.Context, decisionID string) (tl.ReactionCounts, error) {
	rs, err := list(ctx, tx, "reactions", "SELECT reaction FROM decision_reactions WHERE decision_id = $1", []any{decisionID},
		func(rows rowScanner, s *string) error { return rows.Scan(s) })
	var c tl.ReactionCounts
	for _, r := range rs {
		c.N++
		switch r {
		case tl.ReactionUnderstood:
			c.Understood++
		case tl.ReactionNotClear:
			c.NotClear++
		case tl.ReactionDisagree:
			c.Disagree++
		}
	}
	return c, err
}

// ReleasedReactions returns the counts last released for a decision
// (zero when none).
func (tx *Tx) ReleasedReactions(ctx context.Context, decisionID string) (ReactionCounts, error) {
	rows, err := list(ctx, tx, "released reactions",
		"SELECT n, understood, not_clear, disagree, event_id FROM decision_reaction_counts WHERE decision_id = $1", []any{decisionID},
		func(rows rowScanner, c *ReactionCounts) error {
			return rows.Scan(&c.N, &c.Understood, &c.NotClear, &c.Disagree, optStr{&c.EventID})
		})
	if err != nil || len(rows) == 0 {
		return ReactionCounts{}, err
	}
	return rows[0], nil
}

// PutReleasedReactions saves the counts shown for a decision.
func (tx *Tx) PutReleasedReactions(ctx context.Context, decisionID string, c ReactionCounts) error {
	if _, err := tx.exec(ctx, "release reactions", "DELETE FROM decision_reaction_counts WHERE decision_id = $1", decisionID); err != nil {
		return err
	}
	_, err := tx.exec(ctx, "release reactions",
		"INSERT INTO decision_reaction_counts (decision_id, n, understood, not_clear, disagree, event_id) VALUES ($1, $2, $3, $4, $5, $6)",
		decisionID, c.N, c.Understood, c.NotClear, c.Disagree, nullID(c.EventID))
	return err
}

// DecisionByID finds one of the leader's decisions.
func (tx *Tx) DecisionByID(ctx context.Context, leaderID, id string) (*tl.Decision, error) {
	return one(ctx, tx, "decision", "SELECT "+decisionCols+" FROM decisions WHERE id = $1 AND leader_id = $2",
		[]any{id, leaderID}, scanDecision, notFound("no decision with id %q", id))
}

// PendingReactions lists the decisions (with their leaders) that hold
// more reactions than were last released, for the next publication.
func (tx *Tx) PendingReactions(ctx context.Context) ([][2]string, error) {
	return list(ctx, tx, "pending reactions",
		"SELECT d.id, d.leader_id FROM decisions d WHERE "+
			"(SELECT COUNT(*) FROM decision_reactions r WHERE r.decision_id = d.id) > "+
			"COALESCE((SELECT c.n FROM decision_reaction_counts c WHERE c.decision_id = d.id), 0) ORDER BY d.id",
		nil, func(rows rowScanner, p *[2]string) error { return rows.Scan(&p[0], &p[1]) })
}

// OpenPulses lists every open pulse, for the publication of their counts.
func (tx *Tx) OpenPulses(ctx context.Context) ([]PulseRow, error) {
	return list(ctx, tx, "open pulses", "SELECT "+pulseCols+pulseFrom+"WHERE p.status = 'open' ORDER BY p.id", nil, scanPulse)
}

// ForgetReacted drops the record of which decisions a person reacted to
// (never what they said): their address changed, and whoever holds it
// now must not see what the one before did (docs/ANONYMITY.md, rule 6).
func (tx *Tx) ForgetReacted(ctx context.Context, relID string) error {
	_, err := tx.exec(ctx, "forget reacted", "DELETE FROM decision_reacted WHERE relationship_id = $1", relID)
	return err
}

// DeleteWindowLink ends a person's window link, if they have one.
func (tx *Tx) DeleteWindowLink(ctx context.Context, relID string) error {
	_, err := tx.exec(ctx, "delete window link", "DELETE FROM window_links WHERE relationship_id = $1", relID)
	return err
}
