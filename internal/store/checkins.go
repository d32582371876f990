package store

import (
	"context"

	tl "github.com/trustledger/trustledger"
)

// Named check-ins: a leader asks one person, by name. A check-in's link
// token is stored only as its hash, and a replaced check-in is deleted so
// that its link stops working.

// CheckinRow is a check-in as stored.
type CheckinRow struct {
	tl.Checkin
	TokenHash string
	Ratings   string // "ca=4;cb=3;ci=5", "" until answered
	EventID   string
}

const checkinCols = "c.id, c.leader_id, c.relationship_id, r.person, c.delivery, c.token_hash, c.created_at, c.answered_at, c.ratings, c.comment, c.event_id"

const checkinFrom = " FROM checkins c JOIN relationships r ON r.id = c.relationship_id "

func scanCheckin(rows rowScanner, c *CheckinRow) error {
	return rows.Scan(&c.ID, &c.LeaderID, &c.RelationshipID, &c.Person, &c.Delivery, optStr{&c.TokenHash},
		msTime{&c.CreatedAt}, msTime{&c.AnsweredAt}, &c.Ratings, &c.Comment, optStr{&c.EventID})
}

// CreateCheckin stores a new check-in.
func (tx *Tx) CreateCheckin(ctx context.Context, c *CheckinRow) error {
	_, err := tx.exec(ctx, "create checkin",
		"INSERT INTO checkins (id, leader_id, relationship_id, delivery, token_hash, created_at, answered_at, ratings, comment, event_id) "+
			"VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
		c.ID, c.LeaderID, c.RelationshipID, c.Delivery, nullID(c.TokenHash), ms(c.CreatedAt), ms(c.AnsweredAt),
		c.Ratings, c.Comment, nullID(c.EventID))
	return err
}

// UpdateCheckin saves a check-in's token, answer and entry.
func (tx *Tx) UpdateCheckin(ctx context.Context, c *CheckinRow) error {
	return tx.execOne(ctx, "update checkin",
		"UPDATE checkins SET token_hash = $1, answered_at = $2, ratings = $3, comment = $4, event_id = $5 WHERE id = $6",
		[]any{nullID(c.TokenHash), ms(c.AnsweredAt), c.Ratings, c.Comment, nullID(c.EventID), c.ID},
		notFound("no check-in with id %q", c.ID))
}

// DeleteCheckin removes an unanswered check-in that was replaced.
func (tx *Tx) DeleteCheckin(ctx context.Context, id string) error {
	return tx.execOne(ctx, "delete checkin", "DELETE FROM checkins WHERE id = $1 AND answered_at = 0", []any{id},
		notFound("no open check-in with id %q", id))
}

// CheckinByID finds a check-in whoever asked it.
func (tx *Tx) CheckinByID(ctx context.Context, id string) (*CheckinRow, error) {
	return one(ctx, tx, "checkin", "SELECT "+checkinCols+checkinFrom+"WHERE c.id = $1", []any{id}, scanCheckin,
		notFound("no check-in with id %q", id))
}

// CheckinByHash finds the check-in a link token belongs to.
func (tx *Tx) CheckinByHash(ctx context.Context, hash string) (*CheckinRow, error) {
	return one(ctx, tx, "checkin", "SELECT "+checkinCols+checkinFrom+"WHERE c.token_hash = $1", []any{hash}, scanCheckin,
		notFound("no check-in for this link"))
}

// Checkins lists the leader's check-ins, newest first.
func (tx *Tx) Checkins(ctx context.Context, leaderID string) ([]CheckinRow, error) {
	return list(ctx, tx, "checkins", "SELECT "+checkinCols+checkinFrom+"WHERE c.leader_id = $1 ORDER BY c.created_at DESC, c.id DESC",
		[]any{leaderID}, scanCheckin)
}

// OpenCheckinFor finds the unanswered check-in of a relationship, if any.
func (tx *Tx) OpenCheckinFor(ctx context.Context, relID string) (*CheckinRow, error) {
	return one(ctx, tx, "checkin", "SELECT "+checkinCols+checkinFrom+"WHERE c.relationship_id = $1 AND c.answered_at = 0",
		[]any{relID}, scanCheckin, notFound("no open check-in"))
}
