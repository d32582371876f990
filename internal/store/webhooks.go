package store

import (
	"context"
	"strings"
	"time"
)

// Webhook is one of a leader's endpoints.
type Webhook struct {
	ID        string
	LeaderID  string
	URL       string
	Secret    string
	Events    []string
	CreatedAt time.Time
}

const webhookCols = "id, leader_id, url, secret, events, created_at"

func scanWebhook(rows rowScanner, w *Webhook) error {
	var events string
	err := rows.Scan(&w.ID, &w.LeaderID, &w.URL, &w.Secret, &events, msTime{&w.CreatedAt})
	if events != "" {
		w.Events = strings.Split(events, ",")
	}
	return err
}

// CreateWebhook stores an endpoint.
func (tx *Tx) CreateWebhook(ctx context.Context, w *Webhook) error {
	_, err := tx.exec(ctx, "create webhook", "INSERT INTO webhooks ("+webhookCols+") VALUES ($1, $2, $3, $4, $5, $6)",
		w.ID, w.LeaderID, w.URL, w.Secret, strings.Join(w.Events, ","), ms(w.CreatedAt))
	return err
}

// Webhooks lists the leader's endpoints, oldest first.
func (tx *Tx) Webhooks(ctx context.Context, leaderID string) ([]Webhook, error) {
	return list(ctx, tx, "webhooks", "SELECT "+webhookCols+" FROM webhooks WHERE leader_id = $1 ORDER BY created_at, id",
		[]any{leaderID}, scanWebhook)
}

// WebhookByID finds an endpoint whoever owns it (for the delivery worker).
func (tx *Tx) WebhookByID(ctx context.Context, id string) (*Webhook, error) {
	return one(ctx, tx, "webhook", "SELECT "+webhookCols+" FROM webhooks WHERE id = $1", []any{id}, scanWebhook,
		notFound("no webhook %q", id))
}

// DeleteWebhook removes one of the leader's endpoints and its pending
// deliveries.
func (tx *Tx) DeleteWebhook(ctx context.Context, leaderID, id string) error {
	if err := tx.execOne(ctx, "delete webhook", "DELETE FROM webhooks WHERE id = $1 AND leader_id = $2", []any{id, leaderID},
		notFound("no webhook %q: list yours with: trustledger webhook list", id)); err != nil {
		return err
	}
	_, err := tx.exec(ctx, "delete webhook deliveries", "DELETE FROM outbox WHERE kind = $1 AND ref_id = $2 AND status = $3", KindWebhook, id, MailPending)
	return err
}
