package store

import (
	"context"
	"database/sql"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/engine"
)

// TargetEvent is an event applied to one relationship, with whether a
// reversing entry exists and whether an apology that is not itself
// reversed links to it: what the engine's windowed rules need.
type TargetEvent struct {
	tl.Event
	Reversed bool
	Repaired bool
}

// eventCols are the columns of events in insert order.
var eventCols = []string{
	"id", "leader_id", "subject", "relationship_id", "team_id", "kind", "occurred_at", "recorded_at",
	"source", "severity", "note", "recorded_by", "reverses", "repairs", "acknowledges", "offers_repair",
	"power_base", "power_shift", "commitment_id", "decision_id", // commitment_id is the promise: the column keeps its old name
}

// eventSelect is eventCols qualified by the alias e.
var eventSelect = "e." + strings.Join(eventCols, ", e.")

// severityName stores a severity as its name; 0 (read by the engine as
// normal) is stored as "" so it reads back unchanged.
func severityName(s engine.Severity) (string, error) {
	if s == 0 {
		return "", nil
	}
	switch s {
	case engine.Minor, engine.Normal, engine.Major, engine.Severe:
		return s.String(), nil
	}
	return "", errorf("event", tl.EINVALID, "severity %g is not one of minor, normal, major or severe", float64(s))
}

func parseSeverity(name string) (engine.Severity, error) {
	if name == "" {
		return 0, nil
	}
	return engine.ParseSeverity(name)
}

// eventArgs appends ev's column values in eventCols order.
func eventArgs(args []any, ev *tl.Event) ([]any, error) {
	if ev.Source < 0 || ev.Source >= engine.NumSources {
		return nil, errorf("event", tl.EINVALID, "event %s has an unknown source %d", ev.ID, int(ev.Source))
	}
	sev, err := severityName(ev.Severity)
	if err != nil {
		return nil, err
	}
	return append(args,
		ev.ID, ev.LeaderID, ev.Subject, nullID(ev.RelationshipID), nullID(ev.TeamID), string(ev.Kind),
		ms(ev.OccurredAt), ms(ev.RecordedAt), ev.Source.String(), sev, ev.Note, ev.RecordedBy,
		nullID(ev.Reverses), nullID(ev.Repairs), b2i(ev.Acknowledges), b2i(ev.OffersRepair),
		ev.Base, int64(ev.Shift), nullID(ev.PromiseID), nullID(ev.DecisionID)), nil
}

// eventDest returns scan destinations for eventCols; finish converts the
// text enums once the row is scanned.
func eventDest(ev *tl.Event) (dest []any, finish func() error) {
	var kind, source, severity string
	dest = []any{
		&ev.ID, &ev.LeaderID, &ev.Subject, optStr{&ev.RelationshipID}, optStr{&ev.TeamID}, &kind,
		msTime{&ev.OccurredAt}, msTime{&ev.RecordedAt}, &source, &severity, &ev.Note, &ev.RecordedBy,
		optStr{&ev.Reverses}, optStr{&ev.Repairs}, intBool{&ev.Acknowledges}, intBool{&ev.OffersRepair},
		&ev.Base, &ev.Shift, optStr{&ev.PromiseID}, optStr{&ev.DecisionID},
	}
	return dest, func() error {
		ev.Kind = engine.Kind(kind)
		src, err := engine.ParseSource(source)
		if err != nil {
			return err
		}
		ev.Source = src
		ev.Severity, err = parseSeverity(severity)
		return err
	}
}

func scanEvent(rows rowScanner, ev *tl.Event) error {
	dest, finish := eventDest(ev)
	if err := rows.Scan(dest...); err != nil {
		return err
	}
	return finish()
}

func scanTargetEvent(rows rowScanner, te *TargetEvent) error {
	dest, finish := eventDest(&te.Event)
	dest = append(dest, intBool{&te.Reversed}, intBool{&te.Repaired})
	if err := rows.Scan(dest...); err != nil {
		return err
	}
	return finish()
}

// insertSQL caches "INSERT INTO table (cols) VALUES ($1, …), (…)" for n
// rows: the statement text of a batch depends only on its size.
var insertSQL sync.Map // key: dialect, table, columns and n

// multiInsert builds the one multi-row INSERT both databases run. It is
// the only query whose placeholders differ by dialect: SQLite resolves
// "$N" as a named parameter with a linear search, at parse and again at
// every bind, so a 10,000-parameter batch cost O(n²) (measured: 774
// events/s); on SQLite the builder writes plain "?" in the same order,
// which binds in O(n). The SQL is otherwise identical.
func (tx *Tx) multiInsert(table string, cols []string, n int) string {
	anon := tx.dialect == SQLite
	key := tx.dialect + " " + table + " (" + strings.Join(cols, ",") + ") " + strconv.Itoa(n)
	if q, ok := insertSQL.Load(key); ok {
		return q.(string)
	}
	var b strings.Builder
	b.WriteString("INSERT INTO ")
	b.WriteString(table)
	b.WriteString(" (")
	b.WriteString(strings.Join(cols, ", "))
	b.WriteString(") VALUES ")
	p := 1
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for j := range cols {
			if j > 0 {
				b.WriteString(", ")
			}
			if anon {
				b.WriteByte('?')
			} else {
				b.WriteByte('$')
				b.WriteString(strconv.Itoa(p))
			}
			p++
		}
		b.WriteByte(')')
	}
	q := b.String()
	insertSQL.Store(key, q)
	return q
}

var targetCols = []string{"event_id", "relationship_id", "occurred_at"}

// AppendEvent appends one ledger entry and one event_targets row per
// ev.Targets entry. ev.ID must be set.
func (tx *Tx) AppendEvent(ctx context.Context, ev *tl.Event) error {
	args, err := eventArgs(make([]any, 0, len(eventCols)), ev)
	if err != nil {
		return err
	}
	// Nothing here reads an answer, so on PostgreSQL the statements wait
	// for the write's next round trip (pipeline.go).
	dup := func(err error) error {
		return conflict("append event", err, "an entry with id %q already exists", ev.ID)
	}
	if err := tx.later(ctx, "append event", dup, tx.multiInsert("events", eventCols, 1), args...); err != nil {
		return err
	}
	if err := tx.putSnapshot(ctx, ev); err != nil {
		return err
	}
	if len(ev.Targets) == 0 {
		return nil
	}
	targs := make([]any, 0, len(ev.Targets)*len(targetCols))
	at := ms(ev.OccurredAt)
	for _, t := range ev.Targets {
		targs = append(targs, ev.ID, t, at)
	}
	return tx.later(ctx, "append event targets", nil, tx.multiInsert("event_targets", targetCols, len(ev.Targets)), targs...)
}

// batchRows keeps a batch's parameters well under both databases' limits
// (SQLite 32766, PostgreSQL 65535).
const batchRows = 500

// AppendEvents appends many entries with multi-row inserts, for import
// and benchmarks. It is one transaction's worth of AppendEvent calls.
func (tx *Tx) AppendEvents(ctx context.Context, evs []tl.Event) error {
	args := make([]any, 0, batchRows*len(eventCols))
	for start := 0; start < len(evs); start += batchRows {
		chunk := evs[start:min(start+batchRows, len(evs))]
		args = args[:0]
		for i := range chunk {
			var err error
			if args, err = eventArgs(args, &chunk[i]); err != nil {
				return err
			}
		}
		if _, err := tx.execContext(ctx, tx.multiInsert("events", eventCols, len(chunk)), args...); err != nil {
			return conflict("append events", err, "an entry with one of these ids already exists")
		}
	}
	for i := range evs {
		if err := tx.putSnapshot(ctx, &evs[i]); err != nil {
			return err
		}
	}
	// Targets, in batches of their own.
	args = args[:0]
	n := 0
	flush := func() error {
		if n == 0 {
			return nil
		}
		_, err := tx.exec(ctx, "append event targets", tx.multiInsert("event_targets", targetCols, n), args...)
		args, n = args[:0], 0
		return err
	}
	for i := range evs {
		at := ms(evs[i].OccurredAt)
		for _, t := range evs[i].Targets {
			args = append(args, evs[i].ID, t, at)
			n++
			if n == batchRows*2 {
				if err := flush(); err != nil {
					return err
				}
			}
		}
	}
	return flush()
}

// EventByID finds one of the leader's entries, with its Targets (sorted).
func (tx *Tx) EventByID(ctx context.Context, leaderID, id string) (*tl.Event, error) {
	ev, err := one(ctx, tx, "event", "SELECT "+eventSelect+" FROM events e WHERE e.id = $1 AND e.leader_id = $2",
		[]any{id, leaderID}, scanEvent, notFound("no entry with id %q", id))
	if err != nil {
		return nil, err
	}
	ev.Targets, err = list(ctx, tx, "event targets",
		"SELECT relationship_id FROM event_targets WHERE event_id = $1 ORDER BY relationship_id",
		[]any{id}, func(rows rowScanner, s *string) error { return rows.Scan(s) })
	if err != nil {
		return nil, err
	}
	if err := tx.fillSnapshot(ctx, ev); err != nil {
		return nil, err
	}
	return ev, nil
}

// EventsFor lists the entries applied to one of the leader's
// relationships that occurred at or after since (zero: all), oldest
// first, without Targets, each with whether it was reversed and whether
// a live apology repairs it.
func (tx *Tx) EventsFor(ctx context.Context, leaderID, relID string, since time.Time) ([]TargetEvent, error) {
	from := int64(math.MinInt64)
	if !since.IsZero() {
		from = since.UnixMilli()
	}
	tes, err := list(ctx, tx, "events for relationship",
		"SELECT "+eventSelect+", "+
			// Reversals are found through events_reverses, then checked
			// against this relationship by the targets' primary key. Given
			// a join, SQLite walked every entry of the relationship for each
			// row, and PostgreSQL without statistics turned the inner
			// EXISTS into the same walk: quadratic in the entries. "LIMIT 1
			// OFFSET 0" keeps PostgreSQL from turning a subquery into a
			// join (an OFFSET is a fence to its planner) and means nothing
			// to an EXISTS.
			"EXISTS (SELECT 1 FROM events r WHERE r.reverses = e.id "+
			"AND EXISTS (SELECT 1 FROM event_targets rt WHERE rt.event_id = r.id AND rt.relationship_id = t.relationship_id LIMIT 1 OFFSET 0)), "+
			"EXISTS (SELECT 1 FROM events a WHERE a.repairs = e.id "+
			"AND NOT EXISTS (SELECT 1 FROM events ar WHERE ar.reverses = a.id LIMIT 1 OFFSET 0)) "+
			"FROM event_targets t JOIN events e ON e.id = t.event_id "+
			// The leader is checked once, on the relationship: given
			// e.leader_id instead, PostgreSQL without statistics looked
			// each entry up among all of the leader's.
			"WHERE t.relationship_id = $1 AND t.occurred_at >= $2 "+
			"AND EXISTS (SELECT 1 FROM relationships p WHERE p.id = $1 AND p.leader_id = $3) "+
			"ORDER BY t.occurred_at, t.event_id",
		[]any{relID, from, leaderID}, scanTargetEvent)
	if err != nil {
		return nil, err
	}
	return tes, fillSnapshots(ctx, tx, tes, func(te *TargetEvent) *tl.Event { return &te.Event })
}

// Events lists the leader's ledger newest first (occurred_at, then id,
// descending), only the entries applied to relID when it is not "".
// before is a cursor, the id of the last entry of the previous page;
// the entries strictly older than it follow. Targets are not filled.
func (tx *Tx) Events(ctx context.Context, leaderID, relID string, before string, limit int) ([]tl.Event, error) {
	if limit <= 0 {
		return nil, errorf("events", tl.EINVALID, "a listing needs a limit above 0, got %d", limit)
	}
	var q strings.Builder
	args := []any{leaderID}
	q.WriteString("SELECT " + eventSelect + " FROM ")
	timeCol, idCol := "e.occurred_at", "e.id"
	if relID != "" {
		q.WriteString("event_targets t JOIN events e ON e.id = t.event_id WHERE e.leader_id = $1 AND t.relationship_id = $2")
		args = append(args, relID)
		timeCol, idCol = "t.occurred_at", "t.event_id"
	} else {
		q.WriteString("events e WHERE e.leader_id = $1")
	}
	if before != "" {
		var at int64
		err := tx.queryRowContext(ctx, "SELECT occurred_at FROM events WHERE id = $1 AND leader_id = $2", before, leaderID).Scan(&at)
		if err == sql.ErrNoRows {
			return nil, errorf("events cursor", tl.ENOTFOUND, "no entry with id %q to list before", before)
		}
		if err != nil {
			return nil, translate("events cursor", err)
		}
		n := len(args)
		q.WriteString(" AND (" + timeCol + " < $" + strconv.Itoa(n+1) +
			" OR (" + timeCol + " = $" + strconv.Itoa(n+1) + " AND " + idCol + " < $" + strconv.Itoa(n+2) + "))")
		args = append(args, at, before)
	}
	q.WriteString(" ORDER BY " + timeCol + " DESC, " + idCol + " DESC LIMIT $" + strconv.Itoa(len(args)+1))
	args = append(args, limit)
	evs, err := list(ctx, tx, "events", q.String(), args, scanEvent)
	if err != nil {
		return nil, err
	}
	return evs, fillSnapshots(ctx, tx, evs, func(e *tl.Event) *tl.Event { return e })
}

// ReversedTargets lists the relationships for which a reversing entry
// cancels eventID (every target for a full reversal; one for a person's
// dispute or confirmation of a team promise).
func (tx *Tx) ReversedTargets(ctx context.Context, eventID string) ([]string, error) {
	return list(ctx, tx, "reversed targets",
		"SELECT rt.relationship_id FROM events r JOIN event_targets rt ON rt.event_id = r.id WHERE r.reverses = $1 ORDER BY rt.relationship_id",
		[]any{eventID}, func(rows rowScanner, s *string) error { return rows.Scan(s) })
}

// EventsForPromise lists the leader's entries linked to a promise,
// oldest first, with their Targets.
func (tx *Tx) EventsForPromise(ctx context.Context, leaderID, promiseID string) ([]tl.Event, error) {
	evs, err := list(ctx, tx, "events for promise",
		"SELECT "+eventSelect+" FROM events e WHERE e.leader_id = $1 AND e.commitment_id = $2 ORDER BY e.occurred_at, e.id",
		[]any{leaderID, promiseID}, scanEvent)
	if err != nil {
		return nil, err
	}
	for i := range evs {
		evs[i].Targets, err = list(ctx, tx, "event targets",
			"SELECT relationship_id FROM event_targets WHERE event_id = $1 ORDER BY relationship_id",
			[]any{evs[i].ID}, func(rows rowScanner, s *string) error { return rows.Scan(s) })
		if err != nil {
			return nil, err
		}
	}
	return evs, nil
}

// IsReversed reports whether a reversing entry points at eventID.
func (tx *Tx) IsReversed(ctx context.Context, eventID string) (bool, error) {
	var rev bool
	err := tx.queryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM events WHERE reverses = $1)", eventID).Scan(intBool{&rev})
	if err != nil {
		return false, translate("is reversed", err)
	}
	return rev, nil
}
