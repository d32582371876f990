package app

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/store"
)

var _ tl.WebhookService = (*App)(nil)

// AddWebhook registers an endpoint for some events (all when none given).
func (a *App) AddWebhook(ctx context.Context, leaderID, rawURL string, events []string) (*tl.Webhook, string, error) {
	u, err := url.Parse(strings.TrimSpace(rawURL))
	if strings.TrimSpace(rawURL) == "" {
		return nil, "", tl.Invalidf("url", "Give the address to send events to, such as https://hooks.slack.com/services/…")
	}
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(rawURL) > tl.MaxURLLength {
		return nil, "", tl.Invalidf("url", "%q is not a web address: give the full URL, such as https://hooks.slack.com/services/…", rawURL)
	}
	if len(events) == 0 {
		events = tl.WebhookEvents
	}
	for _, e := range events {
		if !slices.Contains(tl.WebhookEvents, e) {
			return nil, "", tl.Invalidf("events", "unknown event %q: choose from %s", e, strings.Join(tl.WebhookEvents, ", "))
		}
	}
	now := a.clock()
	secret := rand.Text()
	w := &store.Webhook{ID: store.NewID(now), LeaderID: leaderID, URL: u.String(), Secret: secret, Events: slices.Compact(slices.Sorted(slices.Values(events))), CreatedAt: now}
	err = a.db.Write(ctx, func(tx *store.Tx) error {
		if _, err := checkLeader(ctx, tx, leaderID); err != nil {
			return err
		}
		return tx.CreateWebhook(ctx, w)
	})
	if err != nil {
		return nil, "", err
	}
	return &tl.Webhook{ID: w.ID, URL: w.URL, Events: w.Events, CreatedAt: w.CreatedAt}, secret, nil
}

// Webhooks lists the leader's endpoints (without their secrets).
func (a *App) Webhooks(ctx context.Context, leaderID string) ([]tl.Webhook, error) {
	var out []tl.Webhook
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		if _, err := checkLeader(ctx, tx, leaderID); err != nil {
			return err
		}
		ws, err := tx.Webhooks(ctx, leaderID)
		for _, w := range ws {
			out = append(out, tl.Webhook{ID: w.ID, URL: w.URL, Events: w.Events, CreatedAt: w.CreatedAt})
		}
		return err
	})
	return nonNil(out), err
}

// RemoveWebhook deletes an endpoint and its pending deliveries.
func (a *App) RemoveWebhook(ctx context.Context, leaderID, id string) error {
	return a.db.Write(ctx, func(tx *store.Tx) error {
		if _, err := checkLeader(ctx, tx, leaderID); err != nil {
			return err
		}
		return tx.DeleteWebhook(ctx, leaderID, strings.TrimSpace(id))
	})
}

// WebhookPayload is what a delivery posts: Slack shows Text; integrations
// read Event and Data.
type WebhookPayload struct {
	Text   string         `json:"text"`
	Event  string         `json:"event"`
	Leader string         `json:"leader"`
	At     time.Time      `json:"at"`
	Data   map[string]any `json:"data"`
}

// notify queues a delivery of event to every webhook of the leader that
// asked for it, in the caller's transaction. key makes the delivery
// unique (an event about one thing is delivered once per webhook).
func notify(ctx context.Context, tx *store.Tx, leaderID, event, key, text string, data map[string]any, now time.Time) error {
	hooks, err := tx.Webhooks(ctx, leaderID)
	if err != nil || len(hooks) == 0 {
		return err
	}
	l, err := tx.LeaderByID(ctx, leaderID)
	if err != nil {
		return err
	}
	body, err := json.Marshal(WebhookPayload{Text: text, Event: event, Leader: l.Name, At: now, Data: data})
	if err != nil {
		return err
	}
	for _, h := range hooks {
		if !slices.Contains(h.Events, event) {
			continue
		}
		if _, err := tx.EnqueueMail(ctx, &store.Mail{ID: store.NewID(now), Kind: store.KindWebhook,
			DedupeKey: "webhook:" + h.ID + ":" + event + ":" + key, To: h.URL, Ref: h.ID, CreatedAt: now, Body: string(body)}); err != nil {
			return err
		}
	}
	return nil
}
