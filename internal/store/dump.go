package store

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"

	tl "github.com/trustledger/trustledger"
)

// A dump is the whole database as JSON lines, the same for SQLite and
// PostgreSQL, so a backup restores into either: a header line, then per
// table a line naming it and its columns, then one line per row (an
// array of values: numbers, strings or null). It is read in one snapshot
// (a read transaction on SQLite, REPEATABLE READ on PostgreSQL), so it is
// consistent while the server keeps writing.

// DumpVersion is the format of a dump; restore refuses others.
const DumpVersion = 1

// dumpTables are every table, parents before children, so a restore in
// this order satisfies the foreign keys. The schema test checks that no
// table is missing.
var dumpTables = []string{
	"leaders", "teams", "relationships", "address_confirmations", "events", "event_targets", "event_snapshots", "rel_state",
	"commitments", "decisions", "steps", "journal", "settings", // commitments holds the promises: the table keeps its old name
	"users", "sessions", "invitations", "login_failures", "api_tokens", "identities", "idempotency_keys",
	"pulses", "pulse_population", "pulse_tokens", "pulse_responses", "passes",
	"checkins", "window_links", "promise_confirmations", "decision_reacted", "decision_reactions", "decision_reaction_counts",
	"outbox", "calendar_feeds", "webhooks",
	"programs", "program_coaches", "program_leaders", "leader_weeks", "pulse_results",
	"voice_publications", "voice_mix",
	"digest_schedules", "digests", "mail_links",
}

type dumpHeader struct {
	Format  string `json:"format"`
	Version int    `json:"version"`
	Dialect string `json:"dialect"`
}

type dumpTable struct {
	Table   string   `json:"table"`
	Columns []string `json:"columns"`
	Rows    int      `json:"rows"`
}

// Dump writes the whole database to w from one consistent snapshot and
// returns the number of rows per table.
func (db *DB) Dump(ctx context.Context, w io.Writer) (map[string]int, error) {
	opts := &sql.TxOptions{ReadOnly: db.dialect == Postgres}
	if db.dialect == Postgres {
		opts.Isolation = sql.LevelRepeatableRead
	}
	counts := map[string]int{}
	bw := bufio.NewWriterSize(w, 1<<16)
	enc := json.NewEncoder(bw)
	err := db.run(ctx, db.r, opts, func(tx *Tx) error {
		if err := enc.Encode(dumpHeader{Format: "trustledger-dump", Version: DumpVersion, Dialect: db.dialect}); err != nil {
			return err
		}
		for _, table := range dumpTables {
			cols, err := tx.Columns(ctx, table)
			if err != nil {
				return err
			}
			n, err := tx.CountRows(ctx, "SELECT COUNT(*) FROM "+table)
			if err != nil {
				return err
			}
			if err := enc.Encode(dumpTable{Table: table, Columns: cols, Rows: n}); err != nil {
				return err
			}
			rows, err := tx.queryContext(ctx, "SELECT "+strings.Join(cols, ", ")+" FROM "+table+" ORDER BY "+strings.Join(cols, ", "))
			if err != nil {
				return translate("dump "+table, err)
			}
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			for rows.Next() {
				if err := rows.Scan(ptrs...); err != nil {
					rows.Close()
					return internal("dump "+table, err)
				}
				for i, v := range vals {
					if b, ok := v.([]byte); ok {
						vals[i] = string(b)
					}
				}
				if err := enc.Encode(vals); err != nil {
					rows.Close()
					return err
				}
				counts[table]++
			}
			if err := rows.Err(); err != nil {
				rows.Close()
				return translate("dump "+table, err)
			}
			rows.Close()
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return counts, bw.Flush()
}

// Restore loads a dump into this database, which must be empty (no
// leaders and no accounts), in one transaction: a broken or truncated
// dump writes nothing.
func (db *DB) Restore(ctx context.Context, r io.Reader) (map[string]int, error) {
	dec := json.NewDecoder(bufio.NewReaderSize(r, 1<<16))
	dec.UseNumber()
	var h dumpHeader
	if err := dec.Decode(&h); err != nil || h.Format != "trustledger-dump" {
		e := errorf("restore", tl.EINVALID, "this is not a trustledger backup (made with: trustledger backup FILE)")
		e.Err = err
		return nil, e
	}
	if h.Version != DumpVersion {
		return nil, errorf("restore", tl.EINVALID, "this backup has format version %d; this trustledger reads version %d", h.Version, DumpVersion)
	}
	known := map[string]bool{}
	for _, t := range dumpTables {
		known[t] = true
	}
	counts := map[string]int{}
	err := db.Write(ctx, func(tx *Tx) error {
		for _, t := range []string{"leaders", "users"} {
			n, err := tx.CountRows(ctx, "SELECT COUNT(*) FROM "+t)
			if err != nil {
				return err
			}
			if n > 0 {
				return errorf("restore", tl.ECONFLICT, "the database is not empty: restore into a new database file, or a new, empty database on your Postgres server")
			}
		}
		// An empty database may already hold the markers its own tick
		// wrote (when the voice last published, what waits for the
		// mixer); the backup's take their place.
		for _, t := range []string{"voice_publications", "voice_mix"} {
			if _, err := tx.exec(ctx, "restore "+t, "DELETE FROM "+t); err != nil {
				return err
			}
		}
		for {
			var t dumpTable
			if err := dec.Decode(&t); err == io.EOF {
				break
			} else if err != nil {
				return errorf("restore", tl.EINVALID, "the backup is damaged after %s: %w", lastTable(counts), err)
			}
			if !known[t.Table] {
				return errorf("restore", tl.EINVALID, "the backup has a table %q this version does not know", t.Table)
			}
			have, err := tx.Columns(ctx, t.Table)
			if err != nil {
				return err
			}
			if strings.Join(have, ",") != strings.Join(t.Columns, ",") {
				return errorf("restore", tl.EINVALID, "table %s has columns %v in the backup but %v here: restore with the trustledger version that made it", t.Table, t.Columns, have)
			}
			batch := make([]any, 0, batchRows*len(t.Columns))
			n := 0
			flush := func() error {
				if n == 0 {
					return nil
				}
				_, err := tx.exec(ctx, "restore "+t.Table, tx.multiInsert(t.Table, t.Columns, n), batch...)
				batch, n = batch[:0], 0
				return err
			}
			for i := range t.Rows {
				var row []any
				if err := dec.Decode(&row); err != nil {
					return errorf("restore", tl.EINVALID, "the backup ends inside table %s (row %d of %d): it is incomplete", t.Table, i+1, t.Rows)
				}
				if len(row) != len(t.Columns) {
					return errorf("restore", tl.EINVALID, "row %d of table %s has %d values, not %d", i+1, t.Table, len(row), len(t.Columns))
				}
				for _, v := range row {
					batch = append(batch, dumpValue(v))
				}
				n++
				counts[t.Table]++
				if n == max(1, 30000/len(t.Columns)/2) {
					if err := flush(); err != nil {
						return err
					}
				}
			}
			if err := flush(); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return counts, nil
}

// DumpTables lists the tables a dump holds, in restore order.
func DumpTables() []string { return append([]string(nil), dumpTables...) }

// Tables lists the database's own tables (not goose's), by name.
func (tx *Tx) Tables(ctx context.Context) ([]string, error) {
	q := "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> 'goose_db_version' ORDER BY table_name"
	if tx.dialect == SQLite {
		q = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'goose_db_version' ORDER BY name"
	}
	return list(ctx, tx, "tables", q, nil, func(rows rowScanner, s *string) error { return rows.Scan(s) })
}

// dumpValue turns a decoded JSON value back into a column value.
func dumpValue(v any) any {
	n, ok := v.(json.Number)
	if !ok {
		return v
	}
	if i, err := n.Int64(); err == nil {
		return i
	}
	f, err := n.Float64()
	if err != nil || math.IsInf(f, 0) {
		return n.String()
	}
	return f
}

func lastTable(counts map[string]int) string {
	last := "the header"
	for _, t := range dumpTables {
		if _, ok := counts[t]; ok {
			last = fmt.Sprintf("table %s", t)
		}
	}
	return last
}
