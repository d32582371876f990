package app

import (
	"context"
	"crypto/rand"
	"fmt"
	"strings"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/ical"
	"github.com/trustledger/trustledger/internal/store"
)

var _ tl.CalendarService = (*App)(nil)

// CalendarLink makes or replaces the leader's calendar feed token.
func (a *App) CalendarLink(ctx context.Context, leaderID string) (string, error) {
	token := rand.Text()
	now := a.clock()
	err := a.db.Write(ctx, func(tx *store.Tx) error {
		if _, err := checkLeader(ctx, tx, leaderID); err != nil {
			return err
		}
		return tx.PutCalendarFeed(ctx, leaderID, hashToken(token), now)
	})
	if err != nil {
		return "", err
	}
	return token, nil
}

// RevokeCalendar ends the leader's feed.
func (a *App) RevokeCalendar(ctx context.Context, leaderID string) error {
	return a.db.Write(ctx, func(tx *store.Tx) error {
		if _, err := checkLeader(ctx, tx, leaderID); err != nil {
			return err
		}
		return tx.DeleteCalendarFeed(ctx, leaderID)
	})
}

// HasCalendar reports whether the leader's feed is on.
func (a *App) HasCalendar(ctx context.Context, leaderID string) (bool, error) {
	var on bool
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		if _, err := checkLeader(ctx, tx, leaderID); err != nil {
			return err
		}
		var err error
		on, err = tx.HasCalendarFeed(ctx, leaderID)
		return err
	})
	return on, err
}

// Calendar renders the promises of the leader a feed token belongs to:
// open ones on their due dates, kept ones marked done, broken and
// renegotiated ones as cancelled.
func (a *App) Calendar(ctx context.Context, token string) (string, error) {
	now := a.clock()
	var out string
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		lid, err := tx.CalendarFeedLeader(ctx, hashToken(strings.TrimSpace(token)))
		if err != nil {
			return err
		}
		l, err := tx.LeaderByID(ctx, lid)
		if err != nil {
			return err
		}
		// A promise falls on its due day where the leader lives.
		loc := zoneOf(ctx, l)
		cs, err := tx.Promises(ctx, lid, "")
		if err != nil {
			return err
		}
		evs := make([]ical.Event, 0, len(cs))
		for _, c := range cs {
			e := ical.Event{UID: "promise-" + c.ID + "@trustledger", Day: c.Due.In(loc), Stamp: c.CreatedAt,
				Summary: fmt.Sprintf("Promise to %s: %s", c.To, c.What), Status: "CONFIRMED"}
			switch c.Status {
			case tl.PromiseOpen:
				e.Description = "Open. Keep it, or renegotiate it openly before it is due."
			case tl.PromiseKept, tl.PromiseKeptLate:
				e.Summary = "✓ " + e.Summary
				e.Description = string(c.Status) + " on " + c.ResolvedAt.In(loc).Format("2006-01-02")
				e.Stamp = c.ResolvedAt
			default:
				e.Status = "CANCELLED"
				e.Description = string(c.Status) + " on " + c.ResolvedAt.In(loc).Format("2006-01-02")
				e.Stamp = c.ResolvedAt
			}
			evs = append(evs, e)
		}
		out = ical.Write(l.Name+"'s promises (trustledger)", evs, now)
		return nil
	})
	return out, err
}
