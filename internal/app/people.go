package app

import (
	"context"
	"strings"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/engine"
	"github.com/trustledger/trustledger/internal/store"
)

// CreateLeader creates a leader and the default team every leader has.
func (a *App) CreateLeader(ctx context.Context, name string) (*tl.Leader, error) {
	name, err := cleanName("leader", name)
	if err != nil {
		return nil, err
	}
	now := a.clock()
	l := &tl.Leader{ID: store.NewID(now), Name: name, CreatedAt: now}
	err = a.db.Write(ctx, func(tx *store.Tx) error {
		if taken, err := exists(tx.LeaderByName(ctx, name)); err != nil {
			return err
		} else if taken {
			return tl.Errorf(tl.ECONFLICT, "a leader named %q already exists: pick another name, or use it with --leader %s", name, name)
		}
		if err := tx.CreateLeader(ctx, l); err != nil {
			return err
		}
		return tx.CreateTeam(ctx, &tl.Team{ID: store.NewID(now), LeaderID: l.ID, Name: tl.DefaultTeamName, CreatedAt: now})
	})
	if err != nil {
		return nil, err
	}
	return l, nil
}

// Leaders lists every leader in the database, by name.
func (a *App) Leaders(ctx context.Context) ([]tl.Leader, error) {
	var out []tl.Leader
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		out, err = tx.Leaders(ctx)
		return err
	})
	return nonNil(out), err
}

// ResolveLeader finds a leader by name, or the only one when name is "".
func (a *App) ResolveLeader(ctx context.Context, name string) (*tl.Leader, error) {
	name = strings.TrimSpace(name)
	var out *tl.Leader
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		all, err := tx.Leaders(ctx)
		if err != nil {
			return err
		}
		names := make([]string, len(all))
		for i, l := range all {
			names[i] = l.Name
		}
		if len(all) == 0 {
			return tl.Errorf(tl.ENOTFOUND, "no leader yet: create one with: trustledger init --leader NAME")
		}
		if name == "" {
			if len(all) > 1 {
				return tl.Errorf(tl.EINVALID, "this database has several leaders (%s): pick one with --leader NAME or TRUSTLEDGER_LEADER", strings.Join(names, ", "))
			}
			out = &all[0]
			return nil
		}
		l, err := tx.LeaderByName(ctx, name)
		if err != nil {
			if tl.ErrorCode(err) == tl.ENOTFOUND {
				msg := "no leader named " + quote(name) + ": known leaders are " + strings.Join(names, ", ")
				if s := suggest(name, names); s != "" {
					msg = "no leader named " + quote(name) + " (did you mean " + s + "?): known leaders are " + strings.Join(names, ", ")
				}
				return &tl.Error{Code: tl.ENOTFOUND, Message: msg}
			}
			return err
		}
		out = l
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// AddPerson starts a relationship with the kind's default power profile,
// overridden base by base, in the named team or the default one.
func (a *App) AddPerson(ctx context.Context, leaderID string, in tl.PersonInput) (*tl.Relationship, error) {
	name, err := cleanName("person", in.Name)
	if err != nil {
		return nil, tl.WithField(err, "name")
	}
	if strings.EqualFold(name, tl.DefaultTeamName) {
		return nil, tl.Invalidf("name", "%q means the whole team: give the person another name", name)
	}
	kind, err := engine.ParseRelKind(strings.TrimSpace(string(in.Kind)))
	if err != nil {
		return nil, tl.Invalidf("kind", "%w", err)
	}
	bases, err := parsePower(engine.DefaultBases(kind), in.Power)
	if err != nil {
		return nil, err
	}
	now := a.clock()
	start := in.Start
	if start.IsZero() {
		start = now
	}
	if start.After(now) {
		return nil, tl.Invalidf("start", "the relationship cannot start in the future (%s): give today or an earlier date", start.Format("2006-01-02"))
	}
	email := ""
	if strings.TrimSpace(in.Email) != "" {
		if email, err = checkEmail(in.Email); err != nil {
			return nil, tl.WithField(err, "email")
		}
	}
	r := &tl.Relationship{
		ID: store.NewID(now), LeaderID: leaderID, Person: name, Email: email, Kind: kind, Bases: bases,
		Active: true, StartedAt: start.UTC().Truncate(time.Millisecond), CreatedAt: now,
	}
	if err := r.Validate(); err != nil {
		return nil, err
	}
	err = a.db.WriteLeader(ctx, leaderID, func(tx *store.Tx) error {
		if _, err := checkLeader(ctx, tx, leaderID); err != nil {
			return err
		}
		team := strings.TrimSpace(in.Team)
		if team == "" {
			team = tl.DefaultTeamName
		}
		tm, err := tx.TeamByName(ctx, leaderID, team)
		if err != nil {
			if tl.ErrorCode(err) == tl.ENOTFOUND {
				return tl.WithField(unknownTeam(ctx, tx, leaderID, team), "team")
			}
			return err
		}
		r.TeamID = tm.ID
		if taken, err := exists(tx.RelationshipByName(ctx, leaderID, name)); err != nil {
			return err
		} else if taken {
			return tl.WithField(tl.Errorf(tl.ECONFLICT, "a person named %q already exists: use another name (e.g. with an initial)", name), "name")
		}
		if taken, err := exists(tx.TeamByName(ctx, leaderID, name)); err != nil {
			return err
		} else if taken {
			return tl.WithField(tl.Errorf(tl.ECONFLICT, "%q is the name of a team: give the person another name", name), "name")
		}
		if err := tx.CreateRelationship(ctx, r); err != nil || r.Email == "" {
			return err
		}
		return queueConfirmation(ctx, tx, r, now)
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

func unknownTeam(ctx context.Context, tx *store.Tx, leaderID, name string) error {
	teams, err := tx.Teams(ctx, leaderID)
	if err != nil {
		return err
	}
	names := make([]string, len(teams))
	for i, t := range teams {
		names[i] = t.Name
	}
	msg := "unknown team " + quote(name) + ": "
	if s := suggest(name, names); s != "" {
		msg += "did you mean " + s + "? "
	}
	msg += "known teams are " + strings.Join(names, ", ") + " (add one with: trustledger team add NAME)"
	return &tl.Error{Code: tl.ENOTFOUND, Message: msg}
}

// People lists the leader's relationships by name.
func (a *App) People(ctx context.Context, leaderID string) ([]tl.Relationship, error) {
	return listForLeader(ctx, a, leaderID, (*store.Tx).Relationships)
}

// SetPower edits the power profile base by base. It is an edit of the
// leader's perception, not a ledger event: authority-granted and
// authority-removed are the events for a real change of power.
func (a *App) SetPower(ctx context.Context, leaderID, person string, power map[string]int) (*tl.Relationship, error) {
	if len(power) == 0 {
		return nil, tl.Invalidf("power", "no power base given: name one or more of %s with a score 0–4", baseNames())
	}
	return a.editPerson(ctx, leaderID, person, func(r *tl.Relationship) (err error) {
		r.Bases, err = parsePower(r.Bases, power)
		return err
	})
}

// SetActive ends or resumes a relationship. An inactive person keeps their
// history but no longer receives team events nor the weekly step.
func (a *App) SetActive(ctx context.Context, leaderID, person string, active bool) (*tl.Relationship, error) {
	return a.editPerson(ctx, leaderID, person, func(r *tl.Relationship) error {
		r.Active = active
		return nil
	})
}

// SetEmail sets (or, with "", clears) the address a person's pulse and
// check-in invitations go to. A new address is sent a link to confirm it,
// and counts toward k only once confirmed (docs/ANONYMITY.md, rule 1); a
// pulse already open keeps the address its people were asked at.
func (a *App) SetEmail(ctx context.Context, leaderID, person, email string) (*tl.Relationship, error) {
	if strings.TrimSpace(email) != "" {
		var err error
		if email, err = checkEmail(email); err != nil {
			return nil, tl.WithField(err, "email")
		}
	} else {
		email = ""
	}
	now := a.clock()
	return a.editPersonTx(ctx, leaderID, person, func(tx *store.Tx, r *tl.Relationship) error {
		return setAddress(ctx, tx, r, email, now)
	})
}

// editPerson finds one of the leader's people, lets edit change the
// relationship, and saves it, in one write transaction.
func (a *App) editPerson(ctx context.Context, leaderID, person string, edit func(*tl.Relationship) error) (*tl.Relationship, error) {
	return a.editPersonTx(ctx, leaderID, person, func(_ *store.Tx, r *tl.Relationship) error { return edit(r) })
}

// editPersonTx is editPerson for an edit that also writes in tx.
func (a *App) editPersonTx(ctx context.Context, leaderID, person string, edit func(*store.Tx, *tl.Relationship) error) (*tl.Relationship, error) {
	var out *tl.Relationship
	err := a.db.WriteLeader(ctx, leaderID, func(tx *store.Tx) error {
		if _, err := checkLeader(ctx, tx, leaderID); err != nil {
			return err
		}
		r, err := findPerson(ctx, tx, leaderID, person)
		if err != nil {
			return err
		}
		if err := edit(tx, r); err != nil {
			return err
		}
		out = r
		return tx.UpdateRelationship(ctx, r)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// AddTeam creates another team for the leader.
func (a *App) AddTeam(ctx context.Context, leaderID, name string) (*tl.Team, error) {
	name, err := cleanName("team", name)
	if err != nil {
		return nil, tl.WithField(err, "name")
	}
	now := a.clock()
	t := &tl.Team{ID: store.NewID(now), LeaderID: leaderID, Name: name, CreatedAt: now}
	err = a.db.WriteLeader(ctx, leaderID, func(tx *store.Tx) error {
		if _, err := checkLeader(ctx, tx, leaderID); err != nil {
			return err
		}
		if taken, err := exists(tx.TeamByName(ctx, leaderID, name)); err != nil {
			return err
		} else if taken {
			return tl.WithField(tl.Errorf(tl.ECONFLICT, "a team named %q already exists", name), "name")
		}
		if taken, err := exists(tx.RelationshipByName(ctx, leaderID, name)); err != nil {
			return err
		} else if taken {
			return tl.WithField(tl.Errorf(tl.ECONFLICT, "%q is the name of a person: give the team another name", name), "name")
		}
		return tx.CreateTeam(ctx, t)
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// Teams lists the leader's teams.
func (a *App) Teams(ctx context.Context, leaderID string) ([]tl.Team, error) {
	return listForLeader(ctx, a, leaderID, (*store.Tx).Teams)
}

// exists turns a lookup into found or not, passing real errors on.
func exists[T any](_ T, err error) (bool, error) {
	switch {
	case err == nil:
		return true, nil
	case tl.ErrorCode(err) == tl.ENOTFOUND:
		return false, nil
	}
	return false, err
}
