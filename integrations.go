package trustledger

import (
	"context"
	"time"
)

// CalendarService is a leader's iCalendar feed of promises (PRODUCT.md
// §3): a secret address a calendar subscribes to. Only a hash of its
// token is stored; making a new address or revoking ends the old one.
type CalendarService interface {
	// CalendarLink makes (or replaces) the feed's token, shown once.
	CalendarLink(ctx context.Context, leaderID string) (string, error)
	// RevokeCalendar ends the feed.
	RevokeCalendar(ctx context.Context, leaderID string) error
	// HasCalendar reports whether the leader has a live feed.
	HasCalendar(ctx context.Context, leaderID string) (bool, error)
	// Calendar renders the feed a token opens (text/calendar).
	Calendar(ctx context.Context, token string) (string, error)
}

// PersonData is everything stored about one person a leader leads: the
// relationship, the ledger entries about them, the promises made to them,
// the decisions that named them, their named check-ins and their
// confirmations. Anonymous pulse answers and decision reactions are not
// in it: nothing links them to anyone.
type PersonData struct {
	Exported      time.Time         `json:"exported_at"`
	Relationship  Relationship      `json:"relationship"`
	Events        []Event           `json:"events"`
	Promises      []Promise         `json:"promises"`
	Decisions     []Decision        `json:"decisions"`
	Checkins      []Checkin         `json:"checkins"`
	Confirmations map[string]string `json:"confirmations"` // promise id → confirmed or disputed
}

// PrivacyService gives a person's data out and erases it (PRODUCT.md:
// "A person can export their data and have it erased"). Erasure keeps the
// ledger's shape, so every score stays as it was, but the person's name,
// address and words are gone.
type PrivacyService interface {
	PersonData(ctx context.Context, leaderID, person string) (*PersonData, error)
	ErasePerson(ctx context.Context, leaderID, person string) (*Relationship, error)
}

// Webhook events.
const (
	EventPromiseDue     = "promise.due"     // an open promise is due within a day
	EventPromiseOverdue = "promise.overdue" // the system broke an open promise past its grace
	EventStepSuggested  = "step.suggested"  // this week's step was chosen
	EventPulseReleased  = "pulse.released"  // a pulse closed with results
	EventDigestWeekly   = "digest.weekly"   // the weekly digest, at the leader's chosen day and hour
)

// WebhookEvents lists every event a webhook can ask for.
var WebhookEvents = []string{EventPromiseDue, EventPromiseOverdue, EventStepSuggested, EventPulseReleased, EventDigestWeekly}

// WebhookSignatureHeader carries "t=UNIX,v1=HEX": HEX is the
// HMAC-SHA256 of "UNIX.BODY" with the webhook's secret. A receiver
// recomputes it and refuses old timestamps.
const WebhookSignatureHeader = "X-Trustledger-Signature"

// WebhookDeliveryHeader carries a delivery's id, also in the body as
// "delivery_id": the same on every retry of one message, so a receiver
// drops a repeat it has seen.
const WebhookDeliveryHeader = "X-Trustledger-Delivery"

// Webhook is an outgoing endpoint. Deliveries are JSON with a "text"
// field and Block Kit "blocks", so a Slack incoming webhook shows them as
// they are (with what people typed escaped), carry an HMAC-SHA256
// signature of the timestamp and body with the webhook's secret
// (WebhookSignatureHeader) and a delivery id (WebhookDeliveryHeader). Its
// URL may not point inside the server's own network unless the operator
// allows it (docs/OPERATIONS.md, "Integrations").
type Webhook struct {
	ID        string    `json:"id"`
	URL       string    `json:"url"`
	Events    []string  `json:"events"`
	CreatedAt time.Time `json:"created_at"`
}

// WebhookService manages a leader's webhooks.
type WebhookService interface {
	// AddWebhook registers url for events (all when empty) and returns
	// the signing secret, shown once.
	AddWebhook(ctx context.Context, leaderID, url string, events []string) (*Webhook, string, error)
	Webhooks(ctx context.Context, leaderID string) ([]Webhook, error)
	RemoveWebhook(ctx context.Context, leaderID, id string) error
}
