package store

import (
	"context"

	tl "github.com/trustledger/trustledger"
)

// ErasePerson removes a person's name, address and words while keeping
// the ledger's shape: the relationship is renamed to newName and made
// inactive; notes of entries about them, their check-in comments, their
// window link and unsent mail to them go; promises and decisions name
// them by newName. Entries, targets and running state stay, so every
// score reads as before.
func (tx *Tx) ErasePerson(ctx context.Context, r *tl.Relationship, newName string) error {
	steps := []struct {
		op, q string
		args  []any
	}{
		{"erase relationship", "UPDATE relationships SET person = $1, person_lower = $2, email = '', active = 0 WHERE id = $3 AND leader_id = $4",
			[]any{newName, lower(newName), r.ID, r.LeaderID}},
		{"erase notes", "UPDATE events SET note = '' WHERE relationship_id = $1 AND leader_id = $2", []any{r.ID, r.LeaderID}},
		{"erase check-ins", "UPDATE checkins SET comment = '' WHERE relationship_id = $1", []any{r.ID}},
		{"erase promises", "UPDATE commitments SET recipient = $1 WHERE relationship_id = $2", []any{newName, r.ID}},
		{"erase steps", "UPDATE steps SET person = $1 WHERE relationship_id = $2", []any{newName, r.ID}},
		{"erase decisions", "UPDATE decisions SET affects = $1 WHERE relationship_id = $2", []any{newName, r.ID}},
		{"erase window link", "DELETE FROM window_links WHERE relationship_id = $1", []any{r.ID}},
		{"erase address asked at", "UPDATE pulse_population SET email = '' WHERE relationship_id = $1", []any{r.ID}},
		{"erase address confirmation", "DELETE FROM address_confirmations WHERE relationship_id = $1", []any{r.ID}},
		{"erase passes", "DELETE FROM passes WHERE purpose = $1 AND ref_id = $2", []any{PassWindow, r.ID}},
		{"erase mail", "DELETE FROM outbox WHERE status = $1 AND (ref2 = $2 OR (to_addr = $3 AND to_addr <> ''))", []any{MailPending, r.ID, r.Email}},
		// The name in the leader's own words about anyone: promises,
		// decisions, steps, other entries' notes and the journal.
		{"erase name in promises", "UPDATE commitments SET what = REPLACE(what, $1, $2) WHERE leader_id = $3", []any{r.Person, newName, r.LeaderID}},
		{"erase name in decisions", "UPDATE decisions SET what = REPLACE(what, $1, $2), why = REPLACE(why, $1, $2) WHERE leader_id = $3", []any{r.Person, newName, r.LeaderID}},
		{"erase name in steps", "UPDATE steps SET body = REPLACE(body, $1, $2) WHERE leader_id = $3", []any{r.Person, newName, r.LeaderID}},
		{"erase name in notes", "UPDATE events SET note = REPLACE(note, $1, $2) WHERE leader_id = $3", []any{r.Person, newName, r.LeaderID}},
		{"erase name in journal", "UPDATE journal SET body = REPLACE(body, $1, $2) WHERE leader_id = $3", []any{r.Person, newName, r.LeaderID}},
		{"erase sent mail", "UPDATE outbox SET to_addr = '', to_name = '' WHERE ref2 = $1 OR (to_addr = $2 AND to_addr <> '')", []any{r.ID, r.Email}},
	}
	for _, s := range steps {
		if _, err := tx.exec(ctx, s.op, s.q, s.args...); err != nil {
			return err
		}
	}
	return nil
}

// CheckinsFor lists the check-ins of one relationship.
func (tx *Tx) CheckinsFor(ctx context.Context, relID string) ([]CheckinRow, error) {
	return list(ctx, tx, "checkins", "SELECT "+checkinCols+checkinFrom+"WHERE c.relationship_id = $1 ORDER BY c.created_at, c.id",
		[]any{relID}, scanCheckin)
}
