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
// open ones on their due dates, kept ones marked done, broken ones as
// cancelled. A renegotiated promise and the promises that replaced it are
// one event, under the first one's UID, on the latest one's day, so that a
// subscribed calendar moves the event instead of cancelling it and adding
// another; its SEQUENCE counts the changes along the way (each
// renegotiation, and the last promise's outcome). Every DTSTAMP is now.
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
		first, seq, replaced := promiseChains(cs)
		evs := make([]ical.Event, 0, len(cs))
		for _, c := range cs {
			if replaced[c.ID] {
				continue // its chain's last promise stands for it
			}
			e := ical.Event{UID: "promise-" + first[c.ID] + "@trustledger", Day: c.Due.In(loc), Stamp: c.CreatedAt,
				Sequence: seq[c.ID], Summary: fmt.Sprintf("Promise to %s: %s", c.To, c.What), Status: "CONFIRMED"}
			switch c.Status {
			case tl.PromiseOpen:
				e.Description = "Open. Keep it, or renegotiate it openly before it is due."
			case tl.PromiseKept, tl.PromiseKeptLate:
				e.Summary = "✓ " + e.Summary
				e.Description = string(c.Status) + " on " + c.ResolvedAt.In(loc).Format("2006-01-02")
				e.Stamp = c.ResolvedAt
				e.Sequence++
			default:
				e.Status = "CANCELLED"
				e.Description = string(c.Status) + " on " + c.ResolvedAt.In(loc).Format("2006-01-02")
				e.Stamp = c.ResolvedAt
				e.Sequence++
			}
			if seq[c.ID] > 0 && c.Status == tl.PromiseOpen {
				e.Description = fmt.Sprintf("Open, renegotiated %s. Keep it, or renegotiate it openly before it is due.", times(seq[c.ID]))
			}
			evs = append(evs, e)
		}
		out = ical.Write(l.Name+"'s promises (trustledger)", evs, now)
		return nil
	})
	return out, err
}

// promiseChains links each promise to the one it replaced. Renegotiating
// closes a promise and makes its successor in one transaction, at one
// clock reading (resolve), with the same person or team and words: the
// successor's CreatedAt is the predecessor's ResolvedAt. first is the
// chain's first promise for each, seq the number of renegotiations before
// it, and replaced the promises a later one took over.
func promiseChains(cs []tl.Promise) (first map[string]string, seq map[string]int, replaced map[string]bool) {
	type key struct {
		rel, team, what string
		at              int64
	}
	renegotiated := map[key]string{}
	for _, c := range cs {
		if c.Status == tl.PromiseRenegotiated {
			renegotiated[key{c.RelationshipID, c.TeamID, c.What, c.ResolvedAt.UnixMilli()}] = c.ID
		}
	}
	prev := map[string]string{}
	replaced = map[string]bool{}
	for _, c := range cs {
		if p, ok := renegotiated[key{c.RelationshipID, c.TeamID, c.What, c.CreatedAt.UnixMilli()}]; ok && p != c.ID {
			prev[c.ID] = p
			replaced[p] = true
		}
	}
	first, seq = map[string]string{}, map[string]int{}
	for _, c := range cs {
		id, n := c.ID, 0
		for p, ok := prev[id]; ok && n < len(cs); p, ok = prev[id] {
			id, n = p, n+1
		}
		first[c.ID], seq[c.ID] = id, n
	}
	return first, seq, replaced
}

// times is "once", "twice" or "N times".
func times(n int) string {
	switch n {
	case 1:
		return "once"
	case 2:
		return "twice"
	}
	return fmt.Sprintf("%d times", n)
}
