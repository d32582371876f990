package app

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/store"
	"github.com/trustledger/trustledger/internal/webhook"
)

var _ tl.WebhookService = (*App)(nil)

// SetWebhookPolicy sets which addresses a webhook may point at when it is
// saved (Options.Webhooks); serve calls it with its option before it
// serves anything.
func (a *App) SetWebhookPolicy(p webhook.Policy) { a.hooks = p }

// AddWebhook registers an endpoint for some events (all when none given).
func (a *App) AddWebhook(ctx context.Context, leaderID, rawURL string, events []string) (*tl.Webhook, string, error) {
	u, err := url.Parse(strings.TrimSpace(rawURL))
	if strings.TrimSpace(rawURL) == "" {
		return nil, "", tl.Invalidf("url", "Give the address to send events to, such as https://hooks.slack.com/services/…")
	}
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(rawURL) > tl.MaxURLLength {
		return nil, "", tl.Invalidf("url", "%q is not a web address: give the full URL, such as https://hooks.slack.com/services/…", rawURL)
	}
	// The worker checks every connection's address too (webhook.Policy);
	// this says so early, where the user can change the address.
	if err := a.hooks.CheckHost(ctx, u.Hostname()); err != nil {
		return nil, "", tl.Invalidf("url", "%s", err)
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

// WebhookPayload is what a delivery posts: Slack shows Text, or Blocks
// where it reads Block Kit; integrations read Event and Data. DeliveryID
// is the same on every retry of one delivery (and in the
// X-Trustledger-Delivery header), so a receiver can drop a repeat.
type WebhookPayload struct {
	Text       string         `json:"text"`
	Blocks     []SlackBlock   `json:"blocks"`
	DeliveryID string         `json:"delivery_id"`
	Event      string         `json:"event"`
	Leader     string         `json:"leader"`
	At         time.Time      `json:"at"`
	Data       map[string]any `json:"data"`
}

// SlackBlock is a Block Kit section with mrkdwn text.
type SlackBlock struct {
	Type string    `json:"type"`
	Text SlackText `json:"text"`
}

// SlackText is a Block Kit text object.
type SlackText struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

// slackSectionMax is the most characters Slack takes in a section's text.
const slackSectionMax = 3000

// SlackBlocks puts text in sections of mrkdwn, split at line ends so that
// none is over Slack's limit (a longer line is cut into pieces).
func SlackBlocks(text string) []SlackBlock {
	var out []SlackBlock
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			out = append(out, SlackBlock{Type: "section", Text: SlackText{Type: "mrkdwn", Text: string(cur)}})
			cur = nil
		}
	}
	for _, line := range strings.Split(text, "\n") {
		r := []rune(line)
		if len(cur) > 0 && len(cur)+1+len(r) <= slackSectionMax {
			cur = append(append(cur, '\n'), r...)
			continue
		}
		flush()
		for len(r) > slackSectionMax {
			cur = r[:slackSectionMax]
			flush()
			r = r[slackSectionMax:]
		}
		cur = r
	}
	flush()
	return out
}

// slackMsg is a webhook's text, in Slack's mrkdwn, with everything people
// typed escaped: notify takes nothing else. Build one with slackf.
type slackMsg string

// slackText escapes what people typed for Slack's mrkdwn, where &, < and
// > start entities, links and mentions (<!channel>, <@U123>). Every
// webhook text goes through it: slackf for the event messages, and the
// weekly digest (weeklymail_content.go) piece by piece.
var slackText = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace

// slackf formats a webhook's text, escaping every string argument (and
// every argument with a String method) with slackText; format itself is
// the program's own words.
func slackf(format string, args ...any) slackMsg {
	esc := make([]any, len(args))
	for i, v := range args {
		switch v := v.(type) {
		case string:
			esc[i] = slackText(v)
		case fmt.Stringer:
			esc[i] = slackText(v.String())
		default:
			if reflect.ValueOf(v).Kind() == reflect.String { // a named string type
				esc[i] = slackText(fmt.Sprint(v))
			} else {
				esc[i] = v
			}
		}
	}
	return slackMsg(fmt.Sprintf(format, esc...))
}

// notify queues a delivery of event to every webhook of the leader that
// asked for it, in the caller's transaction. key makes the delivery
// unique (an event about one thing is delivered once per webhook). Each
// delivery's id is its outbox row's, in the body and (by the worker) in
// the X-Trustledger-Delivery header.
func notify(ctx context.Context, tx *store.Tx, leaderID, event, key string, text slackMsg, data map[string]any, now time.Time) error {
	hooks, err := tx.Webhooks(ctx, leaderID)
	if err != nil || len(hooks) == 0 {
		return err
	}
	l, err := tx.LeaderByID(ctx, leaderID)
	if err != nil {
		return err
	}
	for _, h := range hooks {
		if !slices.Contains(h.Events, event) {
			continue
		}
		id := store.NewID(now)
		body, err := json.Marshal(WebhookPayload{Text: string(text), Blocks: SlackBlocks(string(text)), DeliveryID: id,
			Event: event, Leader: l.Name, At: now, Data: data})
		if err != nil {
			return err
		}
		if _, err := tx.EnqueueMail(ctx, &store.Mail{ID: id, Kind: store.KindWebhook,
			DedupeKey: "webhook:" + h.ID + ":" + event + ":" + key, To: h.URL, Ref: h.ID, CreatedAt: now, Body: string(body)}); err != nil {
			return err
		}
	}
	return nil
}
