package store

import (
	"context"
	"time"
)

const mailCols = "id, kind, dedupe_key, to_addr, to_name, ref_id, ref2, status, attempts, next_at, lease_until, created_at, sent_at, last_error, body"

func scanMail(rows rowScanner, m *Mail) error {
	return rows.Scan(&m.ID, &m.Kind, &m.DedupeKey, &m.To, &m.ToName, &m.Ref, &m.Ref2, &m.Status, &m.Attempts,
		msTime{&m.NextAt}, msTime{&m.LeaseUntil}, msTime{&m.CreatedAt}, msTime{&m.SentAt}, &m.LastError, &m.Body)
}

// ClaimMail takes the next due message for a worker: it holds a lease on
// it until leaseUntil and counts the attempt. nil when nothing is due.
// One statement decides, so concurrent workers (or instances) never claim
// the same message while its lease runs; a worker that dies leaves a
// lease that simply expires. The outer WHERE checks the lease and the
// status again: on PostgreSQL a claim that waited for another worker's
// row lock sees that worker's row, not the subquery's, which may by then
// be marked sent (its lease back to 0).
// Webhook deliveries share the outbox but not the mail worker: ClaimMail
// never takes them and ClaimWebhook takes nothing else.
func (tx *Tx) ClaimMail(ctx context.Context, now, leaseUntil time.Time) (*Mail, error) {
	return tx.claim(ctx, now, leaseUntil, "<>")
}

// ClaimWebhook is ClaimMail for webhook deliveries.
func (tx *Tx) ClaimWebhook(ctx context.Context, now, leaseUntil time.Time) (*Mail, error) {
	return tx.claim(ctx, now, leaseUntil, "=")
}

func (tx *Tx) claim(ctx context.Context, now, leaseUntil time.Time, kindOp string) (*Mail, error) {
	ms0 := ms(now)
	got, err := list(ctx, tx, "claim outbox",
		"UPDATE outbox SET lease_until = $1, attempts = attempts + 1 "+
			"WHERE id = (SELECT id FROM outbox WHERE status = $2 AND next_at <= $3 AND lease_until <= $3 AND kind "+kindOp+" $4 "+
			"ORDER BY next_at, id LIMIT 1) AND lease_until <= $3 AND status = $2 RETURNING "+mailCols,
		[]any{ms(leaseUntil), MailPending, ms0, KindWebhook}, scanMail)
	if err != nil || len(got) == 0 {
		return nil, err
	}
	return &got[0], nil
}

// MarkMailSent records a message as delivered (or as no longer needed,
// with a note).
func (tx *Tx) MarkMailSent(ctx context.Context, id string, at time.Time, note string) error {
	return tx.execOne(ctx, "mail sent",
		"UPDATE outbox SET status = $1, sent_at = $2, lease_until = 0, last_error = $3 WHERE id = $4",
		[]any{MailSent, ms(at), note, id}, notFound("no queued message %q", id))
}

// MarkMailRetry puts a message back for another attempt at next.
func (tx *Tx) MarkMailRetry(ctx context.Context, id string, next time.Time, errText string) error {
	return tx.execOne(ctx, "mail retry",
		"UPDATE outbox SET next_at = $1, lease_until = 0, last_error = $2 WHERE id = $3 AND status = $4",
		[]any{ms(next), errText, id, MailPending}, notFound("no queued message %q", id))
}

// MarkMailFailed gives up on a message.
func (tx *Tx) MarkMailFailed(ctx context.Context, id, errText string) error {
	return tx.execOne(ctx, "mail failed",
		"UPDATE outbox SET status = $1, lease_until = 0, last_error = $2 WHERE id = $3",
		[]any{MailFailed, errText, id}, notFound("no queued message %q", id))
}

// MailDepth counts the messages waiting to be sent.
func (tx *Tx) MailDepth(ctx context.Context) (int, error) {
	return tx.CountRows(ctx, "SELECT COUNT(*) FROM outbox WHERE status = $1", MailPending)
}

// Outbox lists every queued message, oldest first (for tests and the
// operator).
func (tx *Tx) Outbox(ctx context.Context) ([]Mail, error) {
	return list(ctx, tx, "outbox", "SELECT "+mailCols+" FROM outbox ORDER BY created_at, id", nil, scanMail)
}
