package store

import (
	"context"
	"time"
)

// Mail kinds queued in the outbox.
const (
	MailPulseInvite   = "pulse-invite"
	MailPulseReminder = "pulse-reminder"
	MailCheckin       = "checkin"
	MailWindow        = "window"
	// KindWebhook is a webhook delivery: Body holds the JSON, Ref the
	// webhook, To its URL.
	KindWebhook = "webhook"
)

// Outbox states.
const (
	MailPending = "pending"
	MailSent    = "sent"
	MailFailed  = "failed" // gave up after the last retry
)

// Mail is one queued message. The body is rendered when it is sent.
type Mail struct {
	ID         string
	Kind       string
	DedupeKey  string // unique: queuing the same key again does nothing
	To         string // address
	ToName     string
	Ref        string // pulse, check-in or relationship id
	Ref2       string // relationship id, for pulse mail
	Status     string
	Attempts   int
	NextAt     time.Time
	LeaseUntil time.Time
	CreatedAt  time.Time
	SentAt     time.Time
	LastError  string
	Body       string // a webhook's JSON payload ("" for mail, rendered at send time)
}

// EnqueueMail queues m (pending, due at m.NextAt or now) in the caller's
// transaction. It reports false when a message with the same DedupeKey
// was already queued, which is not an error.
func (tx *Tx) EnqueueMail(ctx context.Context, m *Mail) (bool, error) {
	if m.NextAt.IsZero() {
		m.NextAt = m.CreatedAt
	}
	m.Status = MailPending
	res, err := tx.exec(ctx, "enqueue mail",
		"INSERT INTO outbox (id, kind, dedupe_key, to_addr, to_name, ref_id, ref2, status, attempts, next_at, lease_until, created_at, sent_at, last_error, body) "+
			"VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, $9, 0, $10, 0, '', $11) ON CONFLICT (dedupe_key) DO NOTHING",
		m.ID, m.Kind, m.DedupeKey, m.To, m.ToName, m.Ref, m.Ref2, m.Status, ms(m.NextAt), ms(m.CreatedAt), m.Body)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, internal("enqueue mail", err)
	}
	return n == 1, nil
}
