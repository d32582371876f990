package store

import (
	"context"
	"database/sql"
	"strings"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/engine"
)

// What a write of an entry reads first is the leader's settings and the
// person it is about with their running state. On PostgreSQL each
// statement is a round trip, so SettingsAndPerson reads all three in one,
// and keeps the person and the state for RelationshipByName and State in
// the same transaction (docs/PERFORMANCE.md, "API ingest").

// relColsOr are relCols for a LEFT JOIN, each NULL read as its zero.
var relColsOr = func() string {
	text := map[string]bool{"id": true, "leader_id": true, "person": true, "kind": true, "email": true, "approved_by": true}
	var cols []string
	for _, c := range strings.Split(relCols, ", ") {
		switch {
		case c == "team_id":
			cols = append(cols, "r."+c) // optional: NULL reads as ""
		case text[c]:
			cols = append(cols, "COALESCE(r."+c+", '')")
		default:
			cols = append(cols, "COALESCE(r."+c+", 0)")
		}
	}
	return strings.Join(cols, ", ")
}()

var settingsAndPerson = func() string {
	var st []string
	for _, c := range stateCols {
		st = append(st, "COALESCE(s."+c+", 0)")
	}
	return "SELECT o.name, o.value, CASE WHEN r.id IS NULL THEN 0 ELSE 1 END, " + relColsOr +
		", CASE WHEN s.relationship_id IS NULL THEN 0 ELSE 1 END, " + strings.Join(st, ", ") +
		" FROM leaders l LEFT JOIN settings o ON o.leader_id = l.id" +
		" LEFT JOIN relationships r ON r.leader_id = l.id AND r.person_lower = $2" +
		" LEFT JOIN rel_state s ON s.relationship_id = r.id WHERE l.id = $1 ORDER BY o.name"
}()

// SettingsAndPerson is LeaderSettings (ENOTFOUND when there is no such
// leader) that also looks name up among the leader's people, in the same
// statement: whether or not it is one of them is kept for
// RelationshipByName, and their running state for State, until this
// transaction changes anything.
func (tx *Tx) SettingsAndPerson(ctx context.Context, leaderID, name string) ([]tl.Setting, error) {
	type row struct {
		name  sql.NullString
		value sql.NullFloat64
		isRel bool
		rel   tl.Relationship
		has   bool
		st    engine.State
	}
	rows, err := list(ctx, tx, "settings and person", settingsAndPerson, []any{leaderID, lower(name)},
		func(rows rowScanner, r *row) error {
			var kind string
			dest := append([]any{&r.name, &r.value, intBool{&r.isRel}}, relDest(&r.rel, &kind)...)
			dest, finish := stateDest(append(dest, intBool{&r.has}), &r.st)
			if err := rows.Scan(dest...); err != nil {
				return err
			}
			r.rel.Kind = engine.RelKind(kind)
			finish()
			return nil
		})
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, notFound("no leader with id %q", leaderID)
	}
	out := []tl.Setting{}
	for _, r := range rows {
		if r.name.Valid {
			out = append(out, tl.Setting{LeaderID: leaderID, Name: r.name.String, Value: r.value.Float64})
		}
	}
	first := rows[0]
	if !first.isRel {
		tx.keepPerson(leaderID, name, nil)
		return out, nil
	}
	if !first.has {
		first.st = engine.State{}
	}
	tx.keepPerson(leaderID, name, &first.rel)
	tx.keepState(first.rel.ID, first.st)
	return out, nil
}

// keepPerson remembers what RelationshipByName would find for name (nil:
// no such person), until this transaction changes anything.
func (tx *Tx) keepPerson(leaderID, name string, r *tl.Relationship) {
	if tx.people == nil {
		tx.people = map[string]*tl.Relationship{}
	}
	tx.people[leaderID+"\x00"+lower(name)] = r
}

// keptPerson is what keepPerson kept for name, and whether it kept
// anything.
func (tx *Tx) keptPerson(leaderID, name string) (*tl.Relationship, bool) {
	r, ok := tx.people[leaderID+"\x00"+lower(name)]
	if ok && r != nil {
		c := *r
		return &c, true
	}
	return nil, ok
}
