package app

import (
	"context"
	"fmt"
	"sort"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/engine"
	"github.com/trustledger/trustledger/internal/store"
)

// BackupVersion is the format Export writes and Import reads.
const BackupVersion = 1

// importBatch is how many events one multi-row insert carries.
const importBatch = 500

// Export writes one leader's data, or every leader's for "", as a Backup
// read in one transaction (a consistent snapshot).
func (a *App) Export(ctx context.Context, leaderID string) (*tl.Backup, error) {
	now := a.clock()
	b := &tl.Backup{
		Version: BackupVersion, Exported: now,
		Leaders: []tl.Leader{}, Teams: []tl.Team{}, People: []tl.Relationship{}, Events: []tl.BackupEvent{},
		Promises: []tl.Promise{}, Decisions: []tl.Decision{}, Steps: []tl.Step{}, Journal: []tl.JournalEntry{},
		Settings: []tl.Setting{},
	}
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		var leaders []tl.Leader
		if leaderID != "" {
			l, err := checkLeader(ctx, tx, leaderID)
			if err != nil {
				return err
			}
			leaders = []tl.Leader{*l}
		} else {
			var err error
			if leaders, err = tx.Leaders(ctx); err != nil {
				return err
			}
		}
		for _, l := range leaders {
			if err := exportLeader(ctx, tx, l, b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return b, nil
}

func exportLeader(ctx context.Context, tx *store.Tx, l tl.Leader, b *tl.Backup) error {
	b.Leaders = append(b.Leaders, l)
	teams, err := tx.Teams(ctx, l.ID)
	if err != nil {
		return err
	}
	b.Teams = append(b.Teams, teams...)
	rels, err := tx.Relationships(ctx, l.ID)
	if err != nil {
		return err
	}
	b.People = append(b.People, rels...)

	// Every entry, then its targets from each relationship's list.
	var evs []tl.Event
	cursor := ""
	for {
		page, err := tx.Events(ctx, l.ID, "", cursor, maxListLen)
		if err != nil {
			return err
		}
		evs = append(evs, page...)
		if len(page) < maxListLen {
			break
		}
		cursor = page[len(page)-1].ID
	}
	targets := make(map[string][]string, len(evs))
	for _, r := range rels {
		tes, err := tx.EventsFor(ctx, l.ID, r.ID, time.Time{})
		if err != nil {
			return err
		}
		for _, te := range tes {
			targets[te.ID] = append(targets[te.ID], r.ID)
		}
	}
	sort.Slice(evs, func(i, j int) bool {
		if !evs[i].OccurredAt.Equal(evs[j].OccurredAt) {
			return evs[i].OccurredAt.Before(evs[j].OccurredAt)
		}
		return evs[i].ID < evs[j].ID
	})
	for _, e := range evs {
		t := targets[e.ID]
		sort.Strings(t)
		e.Targets = t
		b.Events = append(b.Events, tl.BackupEvent{Event: e, SourceName: e.Source.String(), SeverityName: e.Severity.String()})
	}

	cs, err := tx.Promises(ctx, l.ID, "")
	if err != nil {
		return err
	}
	b.Promises = append(b.Promises, cs...)
	ds, err := tx.Decisions(ctx, l.ID)
	if err != nil {
		return err
	}
	b.Decisions = append(b.Decisions, ds...)
	ss, err := tx.Steps(ctx, l.ID)
	if err != nil {
		return err
	}
	b.Steps = append(b.Steps, ss...)
	js, err := tx.Journal(ctx, l.ID)
	if err != nil {
		return err
	}
	b.Journal = append(b.Journal, js...)
	set, err := tx.Settings(ctx, l.ID)
	if err != nil {
		return err
	}
	b.Settings = append(b.Settings, set...)
	return nil
}

// rowErr names the row of a backup that is wrong; a %w operand is its
// cause. Rows are named as the backup's JSON names them, so a promise is
// a commitment (the JSON keeps the old name) and a person a relationship.
func rowErr(code, what string, i int, id, format string, args ...any) *tl.Error {
	e := tl.Errorf(code, format, args...)
	e.Message = fmt.Sprintf("%s %d (id %s): ", what, i+1, id) + e.Message
	return e
}

// wrapRow turns a store conflict on one row into a message naming it,
// over the store's error (which names the operation).
func wrapRow(err error, what string, i int, id string) error {
	if err == nil {
		return nil
	}
	if tl.ErrorCode(err) == tl.ECONFLICT {
		e := rowErr(tl.ECONFLICT, what, i, id, "already in this database")
		e.Err = err
		return e
	}
	return fmt.Errorf("import %s %d (id %s): %w", what, i+1, id, err)
}

// mayImport lets the Operator and those who administer the installation
// import: a backup can hold any leader's data.
func (a *App) mayImport(ctx context.Context, actorID string) error {
	if actorID == tl.Operator {
		return nil
	}
	return a.db.Read(ctx, func(tx *store.Tx) error {
		u, err := tx.UserByID(ctx, actorID)
		if err != nil && tl.ErrorCode(err) != tl.ENOTFOUND {
			return err
		}
		if u == nil || !u.Role.CanAdminister() {
			return tl.Errorf(tl.EFORBIDDEN, "only the owner or an admin may import a backup")
		}
		return nil
	})
}

// Import loads a backup in one transaction: every row is checked first,
// the first bad one is named, and nothing is written unless all of it is.
// The running state is rebuilt by replaying each relationship's entries.
// The actor is checked before the backup, so who may not import learns
// nothing about what is wrong with a file.
func (a *App) Import(ctx context.Context, actorID string, b *tl.Backup) error {
	if err := a.mayImport(ctx, actorID); err != nil {
		return err
	}
	if b == nil {
		return tl.Errorf(tl.EINVALID, "the backup is empty")
	}
	if b.Version != BackupVersion {
		return tl.Errorf(tl.EINVALID, "the backup has version %d; this trustledger reads version %d", b.Version, BackupVersion)
	}
	chk, err := checkBackup(b)
	if err != nil {
		return err
	}
	return a.db.Write(ctx, func(tx *store.Tx) error {
		for i, l := range b.Leaders {
			if _, err := tx.LeaderByID(ctx, l.ID); err == nil {
				return rowErr(tl.ECONFLICT, "leader", i, l.ID, "already in this database")
			} else if tl.ErrorCode(err) != tl.ENOTFOUND {
				return err
			}
			if _, err := tx.LeaderByName(ctx, l.Name); err == nil {
				return rowErr(tl.ECONFLICT, "leader", i, l.ID, "a leader named %q is already in this database", l.Name)
			} else if tl.ErrorCode(err) != tl.ENOTFOUND {
				return err
			}
			if err := tx.CreateLeader(ctx, &l); err != nil {
				return wrapRow(err, "leader", i, l.ID)
			}
		}
		for i, t := range b.Teams {
			if err := tx.CreateTeam(ctx, &t); err != nil {
				return wrapRow(err, "team", i, t.ID)
			}
		}
		for i, r := range b.People {
			// Who counts toward k is not taken from a file the leader
			// can edit (docs/ANONYMITY.md, rule 1).
			r.EmailConfirmedAt, r.ApprovedAt, r.ApprovedBy = time.Time{}, time.Time{}, ""
			if err := tx.CreateRelationship(ctx, &r); err != nil {
				return wrapRow(err, "relationship", i, r.ID)
			}
		}
		for i, d := range b.Decisions {
			if err := tx.CreateDecision(ctx, &d); err != nil {
				return wrapRow(err, "decision", i, d.ID)
			}
		}
		for i, c := range b.Promises {
			if err := tx.CreatePromise(ctx, &c); err != nil {
				return wrapRow(err, "commitment", i, c.ID)
			}
		}
		for i, s := range b.Steps {
			if err := tx.CreateStep(ctx, &s); err != nil {
				return wrapRow(err, "step", i, s.ID)
			}
		}
		evs := make([]tl.Event, len(b.Events))
		for i, e := range b.Events {
			evs[i] = e.Event
			evs[i].Source, evs[i].Severity = chk.sources[i], chk.severities[i]
		}
		for start := 0; start < len(evs); start += importBatch {
			end := min(start+importBatch, len(evs))
			if err := tx.AppendEvents(ctx, evs[start:end]); err != nil {
				if tl.ErrorCode(err) == tl.ECONFLICT {
					return tl.Errorf(tl.ECONFLICT, "events %d–%d: an entry with one of these ids is already in this database", start+1, end)
				}
				return fmt.Errorf("import events %d–%d: %w", start+1, end, err)
			}
		}
		for i, j := range b.Journal {
			if err := tx.CreateJournal(ctx, &j); err != nil {
				return wrapRow(err, "journal entry", i, j.ID)
			}
		}
		for _, s := range b.Settings {
			if err := tx.PutSetting(ctx, s); err != nil {
				return err
			}
		}
		// Running state: a replay of each relationship's live entries.
		live := liveByRelationship(evs)
		for _, r := range b.People {
			st := chk.settings[r.LeaderID].Replay(live[r.ID])
			if err := tx.PutState(ctx, r.ID, st); err != nil {
				return err
			}
		}
		return nil
	})
}

// liveByRelationship groups the entries that still count (not reversing,
// not reversed) by target relationship, apologies linked to their breach.
func liveByRelationship(evs []tl.Event) map[string][]engine.Event {
	byID := make(map[string]*tl.Event, len(evs))
	reversed := map[string]bool{} // event id + "/" + target: a reversal cancels it there
	for i := range evs {
		byID[evs[i].ID] = &evs[i]
		if evs[i].Reverses != "" {
			for _, t := range evs[i].Targets {
				reversed[evs[i].Reverses+"/"+t] = true
			}
		}
	}
	out := map[string][]engine.Event{}
	for i := range evs {
		e := &evs[i]
		if e.Reverses != "" {
			continue
		}
		ee := toEngine(e, byID[e.Repairs])
		for _, t := range e.Targets {
			if !reversed[e.ID+"/"+t] {
				out[t] = append(out[t], ee)
			}
		}
	}
	return out
}
