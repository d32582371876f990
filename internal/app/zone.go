package app

import (
	"context"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/store"
)

// leaderZone is the time zone a leader's weeks, due dates and mail follow
// (docs/MODEL.md, choice 39). Every part of the services that needs the
// leader's local time asks here, so that the zone is read in one place.
//
// The zone is the leader's own (leaders.tz), which is also the zone of
// the account that leads. A leader without one (made by the CLI, with no
// account) follows the zone of the caller, which the CLI gives with
// tl.WithZone, and UTC when the caller gives none (the server's tick).
// Locations are cached by name in tl.LoadZone.
func (a *App) leaderZone(ctx context.Context, tx *store.Tx, leaderID string) (*time.Location, error) {
	l, err := tx.LeaderByID(ctx, leaderID)
	if err != nil {
		return nil, err
	}
	return zoneOf(ctx, l), nil
}

// zoneOf is the zone of a leader already read: its own, else the
// caller's, else UTC. A stored name the zone database no longer knows
// (a zone withdrawn from it) reads as UTC rather than locking the leader
// out.
func zoneOf(ctx context.Context, l *tl.Leader) *time.Location {
	if l.TimeZone != "" {
		return zoneNamed(l.TimeZone)
	}
	if loc := tl.ZoneFrom(ctx); loc != nil {
		return loc
	}
	return time.UTC
}

// zoneNamed is the location of a stored zone's name: UTC for "" or a
// name the zone database no longer knows.
func zoneNamed(name string) *time.Location {
	loc, err := tl.LoadZone(name)
	if err != nil {
		return time.UTC
	}
	return loc
}

// zoneCache holds the zones of the leaders one transaction's work goes
// over (the tick).
type zoneCache map[string]*time.Location

// get returns the leader's zone, reading it once.
func (c zoneCache) get(ctx context.Context, a *App, tx *store.Tx, leaderID string) (*time.Location, error) {
	if loc, ok := c[leaderID]; ok {
		return loc, nil
	}
	loc, err := a.leaderZone(ctx, tx, leaderID)
	if err == nil {
		c[leaderID] = loc
	}
	return loc, err
}

// checkZone reads a zone's name as it is stored: trimmed, checked with
// tl.LoadZone, "" as UTC.
func checkZone(name string) (string, error) {
	loc, err := tl.LoadZone(name)
	if err != nil {
		return "", err
	}
	return tl.ZoneName(loc), nil
}

// SetTimeZone changes the zone of an account: its leader's for an account
// that leads (its weeks and due dates follow from then on; dates already
// stored stay the instants they are), its own otherwise. A name the zone
// database does not know changes nothing and is EINVALID on time_zone.
func (a *App) SetTimeZone(ctx context.Context, userID, zone string) (*tl.User, error) {
	name, err := checkZone(zone)
	if err != nil {
		return nil, err
	}
	var out *tl.User
	err = a.db.Write(ctx, func(tx *store.Tx) error {
		u, err := tx.UserByID(ctx, userID)
		if err != nil {
			return err
		}
		if u.LeaderID != "" {
			err = tx.SetLeaderZone(ctx, u.LeaderID, name)
		} else {
			err = tx.SetUserZone(ctx, u.ID, name)
		}
		if err != nil {
			return err
		}
		u.TimeZone = name
		out = u
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
