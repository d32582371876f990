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
	Promises      []Commitment      `json:"promises"`
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
