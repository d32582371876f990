package store

import (
	"context"
	"time"

	tl "github.com/trustledger/trustledger"
)

// PutCalendarFeed creates or replaces the leader's feed token.
func (tx *Tx) PutCalendarFeed(ctx context.Context, leaderID, hash string, at time.Time) error {
	if err := tx.DeleteCalendarFeed(ctx, leaderID); err != nil {
		return err
	}
	_, err := tx.exec(ctx, "calendar feed", "INSERT INTO calendar_feeds (leader_id, token_hash, created_at) VALUES ($1, $2, $3)",
		leaderID, hash, ms(at))
	return err
}

// DeleteCalendarFeed revokes the leader's feed (no error when none).
func (tx *Tx) DeleteCalendarFeed(ctx context.Context, leaderID string) error {
	_, err := tx.exec(ctx, "calendar feed", "DELETE FROM calendar_feeds WHERE leader_id = $1", leaderID)
	return err
}

// CalendarFeedLeader finds the leader a feed token belongs to.
func (tx *Tx) CalendarFeedLeader(ctx context.Context, hash string) (string, error) {
	ids, err := list(ctx, tx, "calendar feed", "SELECT leader_id FROM calendar_feeds WHERE token_hash = $1", []any{hash},
		func(rows rowScanner, s *string) error { return rows.Scan(s) })
	if err != nil {
		return "", err
	}
	if len(ids) == 0 {
		return "", errorf("calendar feed", tl.ENOTFOUND, "no calendar feed at this address: it may have been revoked")
	}
	return ids[0], nil
}

// HasCalendarFeed reports whether the leader has a live feed.
func (tx *Tx) HasCalendarFeed(ctx context.Context, leaderID string) (bool, error) {
	n, err := tx.CountRows(ctx, "SELECT COUNT(*) FROM calendar_feeds WHERE leader_id = $1", leaderID)
	return n > 0, err
}
