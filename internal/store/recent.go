package store

import (
	"context"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	tl "github.com/trustledger/trustledger"
)

// RecentRef names one entry of the last weeks: which, and when. It is
// what a read needs to know is there; the entry's content and targets,
// which never change once written (only its note can be erased), can come
// from a copy kept by the caller (EventsByID, TargetsOf). Whether an entry
// was reversed or repaired is for the caller to tell from the entries
// themselves: a reversal or an apology is never dated before what it
// points at, so it is in any list of the weeks since that entry.
type RecentRef struct {
	EventID    string
	OccurredAt time.Time
}

func scanRecentRef(rows rowScanner, r *RecentRef) error {
	var at int64
	if err := rows.Scan(&r.EventID, &at); err != nil {
		return err
	}
	r.OccurredAt = time.UnixMilli(at).UTC()
	return nil
}

// RecentRefs lists the entries applied to relID since since, oldest
// first (occurred_at, then id), as EventsFor orders them, from the
// targets' index alone.
func (tx *Tx) RecentRefs(ctx context.Context, relID string, since time.Time) ([]RecentRef, error) {
	return list(ctx, tx, "recent entries",
		"SELECT t.event_id, t.occurred_at FROM event_targets t "+
			"WHERE t.relationship_id = $1 AND t.occurred_at >= $2 ORDER BY t.occurred_at, t.event_id",
		[]any{relID, sinceMillis(since)}, scanRecentRef)
}

// LeaderRecent lists the leader's entries since since, oldest first
// (occurred_at, then id): one row an entry, however many people a
// team-wide entry reached (its targets say whom), read from the ledger's
// index alone.
func (tx *Tx) LeaderRecent(ctx context.Context, leaderID string, since time.Time) ([]RecentRef, error) {
	return list(ctx, tx, "recent entries",
		"SELECT e.id, e.occurred_at FROM events e "+
			"WHERE e.leader_id = $1 AND e.occurred_at >= $2 ORDER BY e.occurred_at, e.id",
		[]any{leaderID, sinceMillis(since)}, scanRecentRef)
}

// TargetsOf returns the relationships each of the entries ids was
// applied to, by entry id, each list sorted. Callers pass ids they have
// read as the leader's (EventsByID).
func (tx *Tx) TargetsOf(ctx context.Context, ids []string) (map[string][]string, error) {
	out := make(map[string][]string, len(ids))
	for chunk := range slices.Chunk(ids, idChunk) {
		q, args := inIDs("SELECT event_id, relationship_id FROM event_targets WHERE event_id IN (", chunk)
		pairs, err := list(ctx, tx, "entry targets", q+") ORDER BY event_id, relationship_id", args,
			func(rows rowScanner, p *[2]string) error { return rows.Scan(&p[0], &p[1]) })
		if err != nil {
			return nil, err
		}
		for _, p := range pairs {
			out[p[0]] = append(out[p[0]], p[1])
		}
	}
	return out, nil
}

// inIDs begins a query whose IN list, left open for the caller to
// close, names ids from $1 on.
func inIDs(prefix string, ids []string) (string, []any) {
	var q strings.Builder
	args := make([]any, 0, len(ids))
	q.WriteString(prefix)
	for i, id := range ids {
		if i > 0 {
			q.WriteString(", ")
		}
		args = append(args, id)
		q.WriteString("$" + strconv.Itoa(len(args)))
	}
	return q.String(), args
}

// idChunk is how many ids one EventsByID query names: well under
// SQLite's and PostgreSQL's limits on bound parameters.
const idChunk = 400

// EventsByID reads the leader's entries with the given ids, with their
// snapshots and without their targets, in no particular order. An id
// that is not the leader's is left out. The entries are found by id
// alone and the leader checked on each: given the leader in the query,
// PostgreSQL without statistics may walk all the leader's entries.
func (tx *Tx) EventsByID(ctx context.Context, leaderID string, ids []string) ([]tl.Event, error) {
	out := make([]tl.Event, 0, len(ids))
	for chunk := range slices.Chunk(ids, idChunk) {
		q, args := inIDs("SELECT "+eventSelect+" FROM events e WHERE e.id IN (", chunk)
		evs, err := list(ctx, tx, "entries by id", q+")", args, scanEvent)
		if err != nil {
			return nil, err
		}
		for _, e := range evs {
			if e.LeaderID == leaderID {
				out = append(out, e)
			}
		}
	}
	return out, fillSnapshots(ctx, tx, out, func(e *tl.Event) *tl.Event { return e })
}

func sinceMillis(since time.Time) int64 {
	if since.IsZero() {
		return math.MinInt64
	}
	return since.UnixMilli()
}
