package app

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/store"
)

var _ tl.PrivacyService = (*App)(nil)

// PersonData gathers everything stored about one person.
func (a *App) PersonData(ctx context.Context, leaderID, person string) (*tl.PersonData, error) {
	now := a.clock()
	var out *tl.PersonData
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		if _, err := checkLeader(ctx, tx, leaderID); err != nil {
			return err
		}
		r, err := findPerson(ctx, tx, leaderID, person)
		if err != nil {
			return err
		}
		d := &tl.PersonData{Exported: now, Relationship: *r, Events: []tl.Event{}, Promises: []tl.Promise{},
			Decisions: []tl.Decision{}, Checkins: []tl.Checkin{}}
		tes, err := tx.EventsFor(ctx, leaderID, r.ID, time.Time{})
		if err != nil {
			return err
		}
		for _, te := range tes {
			d.Events = append(d.Events, te.Event)
		}
		cs, err := tx.Promises(ctx, leaderID, "")
		if err != nil {
			return err
		}
		for _, c := range cs {
			if concerns(c.RelationshipID, c.TeamID, r) {
				d.Promises = append(d.Promises, c)
			}
		}
		ds, err := tx.Decisions(ctx, leaderID)
		if err != nil {
			return err
		}
		for _, x := range ds {
			if concerns(x.RelationshipID, x.TeamID, r) {
				d.Decisions = append(d.Decisions, x)
			}
		}
		cks, err := tx.CheckinsFor(ctx, r.ID)
		if err != nil {
			return err
		}
		for _, c := range cks {
			d.Checkins = append(d.Checkins, withRatings(c))
		}
		if d.Confirmations, err = tx.Confirmations(ctx, r.ID); err != nil {
			return err
		}
		out = d
		return nil
	})
	return out, err
}

// ErasePerson removes the person's name, address and words and ends the
// relationship; the ledger keeps its shape (see store.ErasePerson).
func (a *App) ErasePerson(ctx context.Context, leaderID, person string) (*tl.Relationship, error) {
	var out *tl.Relationship
	err := a.db.Write(ctx, func(tx *store.Tx) error {
		if _, err := checkLeader(ctx, tx, leaderID); err != nil {
			return err
		}
		r, err := findPerson(ctx, tx, leaderID, person)
		if err != nil {
			return err
		}
		rels, err := tx.Relationships(ctx, leaderID)
		if err != nil {
			return err
		}
		names := make([]string, len(rels))
		for i, x := range rels {
			names[i] = x.Person
		}
		name := ""
		for n := 1; ; n++ {
			name = fmt.Sprintf("Erased person %d", n)
			if !slices.ContainsFunc(names, func(s string) bool { return strings.EqualFold(s, name) }) {
				break
			}
		}
		if err := tx.ErasePerson(ctx, r, name); err != nil {
			return err
		}
		r.Person, r.Email, r.Active = name, "", false
		out = r
		return nil
	})
	return out, err
}
