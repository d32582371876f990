package app

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/engine"
	"github.com/trustledger/trustledger/internal/store"
)

// maxKeptEntries bounds the entries an App keeps between reads (a few
// hundred bytes each): past it, the copies are dropped and read again.
const maxKeptEntries = 200_000

// entryCopies keeps copies of ledger entries already read, with the
// relationships each was applied to, by id, so a read of the last weeks
// asks the database which entries are there (a few bytes a row) and
// reads in full only those it has not seen. An entry's content and
// targets never change once written (its note can be erased, and the
// copies hold no notes). What can change, whether a reversal or an
// apology reached it, toRecent tells from the list itself, read afresh
// every time, so a copy is right for every instance, whoever wrote. Without this, every read after a write read every
// recent entry in full, and status and the dashboard grew with their
// number (docs/PERFORMANCE.md, "Many recent entries").
type entryCopies struct {
	mu sync.Mutex
	m  map[string]keptEntry
	// read counts the entries read in full from the database, for the
	// tests that hold a read after a write to the new entries alone.
	read atomic.Int64
}

// keptLists keeps, per leader, the lists of recent entries a read
// transaction found, for the reads that follow until the next write
// through this App's database (or readTTL, for another instance's
// writes, as the status cache): status, this week's step and the
// dashboard read the list once after a write, not once each.
type keptLists struct {
	mu sync.Mutex
	m  map[string]refsEntry
}

type refsEntry struct {
	since  time.Time                      // the lists hold every entry since then
	lists  map[string][]store.TargetEvent // by relationship; shared, never changed
	at     time.Time                      // when it was read
	writes int64                          // the write count it was read after
}

type keptEntry struct {
	ev      tl.Event // without its note
	targets []string // sorted
}

// load returns the entries refs name, by id, from the copies or the
// database. An entry that is not the leader's is left out.
func (a *App) load(ctx context.Context, tx *store.Tx, leaderID string, refs []store.RecentRef) (map[string]keptEntry, error) {
	got := make(map[string]keptEntry, len(refs))
	var missing []string
	a.copies.mu.Lock()
	for _, r := range refs {
		id := r.EventID
		if k, ok := a.copies.m[id]; ok {
			got[id] = k
		} else if _, seen := got[id]; !seen {
			missing = append(missing, id)
		}
	}
	a.copies.mu.Unlock()
	if len(missing) == 0 {
		return got, nil
	}
	missing = dedupe(missing)
	evs, err := tx.EventsByID(ctx, leaderID, missing)
	if err != nil {
		return nil, err
	}
	a.copies.read.Add(int64(len(evs)))
	found := make([]string, len(evs))
	for i, e := range evs {
		found[i] = e.ID
	}
	targets, err := tx.TargetsOf(ctx, found)
	if err != nil {
		return nil, err
	}
	a.copies.mu.Lock()
	defer a.copies.mu.Unlock()
	if a.copies.m == nil || len(a.copies.m)+len(evs) > maxKeptEntries {
		a.copies.m = make(map[string]keptEntry, len(evs))
	}
	for _, e := range evs {
		e.Note = "" // erasable, and no read of the last weeks shows it
		e.Targets = nil
		k := keptEntry{ev: e, targets: targets[e.ID]}
		a.copies.m[e.ID] = k
		got[e.ID] = k
	}
	return got, nil
}

func dedupe(ids []string) []string {
	seen := make(map[string]bool, len(ids))
	out := ids[:0]
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// recentLists is the leader's recent entries by relationship, each list
// oldest first: entries about one person go to that person, team-wide
// entries to every target they were applied to. In a read transaction
// the lists are kept for the reads that follow until the next write
// (keptLists).
func (a *App) recentLists(ctx context.Context, tx *store.Tx, leaderID string, since time.Time) (map[string][]store.TargetEvent, error) {
	writes, keep := tx.KeptUntilWrite()
	now := a.clock()
	if keep {
		a.lists.mu.Lock()
		e, ok := a.lists.m[leaderID]
		a.lists.mu.Unlock()
		if ok && e.writes == writes && !since.Before(e.since) && !now.Before(e.at) && now.Sub(e.at) < readTTL {
			if since.Equal(e.since) {
				return e.lists, nil
			}
			out := make(map[string][]store.TargetEvent, len(e.lists))
			for id, l := range e.lists {
				i, _ := slices.BinarySearchFunc(l, since, func(te store.TargetEvent, t time.Time) int { return te.OccurredAt.Compare(t) })
				out[id] = l[i:]
			}
			return out, nil
		}
	}
	refs, err := tx.LeaderRecent(ctx, leaderID, since)
	if err != nil {
		return nil, err
	}
	got, err := a.load(ctx, tx, leaderID, refs)
	if err != nil {
		return nil, err
	}
	lists := map[string][]store.TargetEvent{}
	for _, r := range refs {
		k, ok := got[r.EventID]
		if !ok {
			continue
		}
		for _, t := range k.targets {
			lists[t] = append(lists[t], store.TargetEvent{Event: k.ev})
		}
	}
	if keep {
		a.lists.mu.Lock()
		defer a.lists.mu.Unlock()
		if a.lists.m == nil || len(a.lists.m) > 10000 {
			a.lists.m = map[string]refsEntry{}
		}
		a.lists.m[leaderID] = refsEntry{since: since, lists: lists, at: now, writes: writes}
	}
	return lists, nil
}

// recentFor loads one relationship's entries since since as the engine's
// Recent list. Reversing entries are left out and their originals marked
// reversed; a breach counts as repaired only when a live apology for it
// reached this relationship. In a read transaction it takes them from
// the leader's lists (recentLists), so a read after status costs no query;
// in a write it asks the relationship's index, which sees the write's own
// entries.
func (a *App) recentFor(ctx context.Context, tx *store.Tx, leaderID, relID string, since time.Time) ([]engine.Recent, error) {
	if _, keep := tx.KeptUntilWrite(); keep {
		lists, err := a.recentLists(ctx, tx, leaderID, since)
		if err != nil {
			return nil, err
		}
		return toRecent(ctx, tx, leaderID, lists[relID])
	}
	refs, err := tx.RecentRefs(ctx, relID, since)
	if err != nil {
		return nil, err
	}
	got, err := a.load(ctx, tx, leaderID, refs)
	if err != nil {
		return nil, err
	}
	evs := make([]store.TargetEvent, 0, len(refs))
	for _, r := range refs {
		if k, ok := got[r.EventID]; ok {
			evs = append(evs, store.TargetEvent{Event: k.ev})
		}
	}
	return toRecent(ctx, tx, leaderID, evs)
}

// recentByRelationship loads the recent entries of every relationship of
// the leader, keyed by relationship id, each list oldest first as
// recentFor gives it. It reads the list of the leader's recent entries
// once, one row an entry however many people it reached: entries about
// one person go to that person, team-wide entries to every target they
// were applied to. Whether an entry was reversed or repaired is decided
// by toRecent from the lists themselves, which is exact because a
// reversal or an apology is never dated before what it points at (a
// reversal reaches the people it is applied to, perhaps fewer than the
// entry it reverses).
func (a *App) recentByRelationship(ctx context.Context, tx *store.Tx, leaderID string, rels []tl.Relationship, since time.Time) (map[string][]engine.Recent, error) {
	lists, err := a.recentLists(ctx, tx, leaderID, since)
	if err != nil {
		return nil, err
	}
	out := make(map[string][]engine.Recent, len(rels))
	for _, r := range rels {
		rc, err := toRecent(ctx, tx, leaderID, lists[r.ID])
		if err != nil {
			return nil, err
		}
		out[r.ID] = rc
	}
	return out, nil
}
