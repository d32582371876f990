package trustledger

import "context"

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
