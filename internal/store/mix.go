package store

import (
	"context"
	"crypto/rand"
	"errors"
	mrand "math/rand/v2"
	"strconv"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// The mixer (docs/ANONYMITY.md, "What an operator holding the database
// sees"). The transaction that stores an anonymous answer also marks the
// member's link used (or records that they reacted), so for a while the
// database can tie the two together: on SQLite the WAL holds that commit's
// pages side by side, and the answer's cell lies in its page in the order
// of submission; on PostgreSQL both row versions carry the same xmin and
// the response's ctid follows the others'. The answer's transaction
// therefore marks its pulse or decision in voice_mix, and Mix, soon after,
// rewrites every anonymous row of what was marked in a random order under
// new keys and rewrites who answered unchanged, all in one transaction, so
// that every row of both kinds was last written by that one transaction;
// then it empties SQLite's WAL, or has PostgreSQL VACUUM the dead rows.

// What MarkMix marks.
const (
	MixPulse    = "pulse"    // pulse_responses, and pulse_tokens' used links
	MixDecision = "decision" // decision_reactions, and decision_reacted
)

// MarkMix marks a pulse or decision whose anonymous rows this transaction
// adds to; marking it again is a no-op.
func (tx *Tx) MarkMix(ctx context.Context, kind, refID string) error {
	if kind != MixPulse && kind != MixDecision {
		return internal("mark mix", errors.New("unknown kind "+kind))
	}
	_, err := tx.exec(ctx, "mark mix",
		"INSERT INTO voice_mix (kind, ref_id) VALUES ($1, $2) ON CONFLICT (kind, ref_id) DO NOTHING", kind, refID)
	return err
}

type mixMark struct{ kind, ref string }

// Mix claims every mark, rewrites what each one names (see above) and
// removes the marks, in one write transaction, and returns how many marks
// it took. A crash at any point leaves either the marks or the mixed rows:
// what is left is mixed by the next call. Then, outside the transaction,
// SQLite's WAL is checkpointed and truncated (on every call, so that the
// pages of writes made since, such as passes that were opened and have
// expired, leave it too), and PostgreSQL vacuums the tables the mix wrote
// (when it mixed something). An error from that second step leaves the
// data as it was: the mix is committed, and the next call tries again.
func (db *DB) Mix(ctx context.Context) (int, error) {
	var pending bool
	err := db.Read(ctx, func(tx *Tx) error {
		return tx.queryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM voice_mix)").Scan(intBool{&pending})
	})
	if err != nil {
		return 0, translate("mix", err)
	}
	n := 0
	if pending {
		err = db.WriteQuiet(ctx, func(tx *Tx) error {
			n = 0
			marks, err := list(ctx, tx, "mix", "SELECT kind, ref_id FROM voice_mix ORDER BY kind, ref_id", nil,
				func(rows rowScanner, m *mixMark) error { return rows.Scan(&m.kind, &m.ref) })
			if err != nil {
				return err
			}
			var seed [32]byte
			_, _ = rand.Read(seed[:]) // never fails (crypto/rand panics instead)
			rnd := mrand.New(mrand.NewChaCha8(seed))
			for _, m := range marks {
				switch m.kind {
				case MixPulse:
					err = tx.mixPulse(ctx, m.ref, rnd)
				case MixDecision:
					err = tx.mixDecision(ctx, m.ref, rnd)
				default:
					continue // a kind from a later version: left for it
				}
				if err != nil {
					return err
				}
				if _, err := tx.exec(ctx, "mix", "DELETE FROM voice_mix WHERE kind = $1 AND ref_id = $2", m.kind, m.ref); err != nil {
					return err
				}
				n++
			}
			return nil
		})
		if err != nil {
			return 0, err
		}
	}
	if db.dialect == Postgres {
		if n == 0 {
			return 0, nil
		}
		// VACUUM cannot run in a transaction: one statement on a pool
		// connection. It frees the dead versions (the rows as the
		// answers wrote them) for reuse; it does not zero their bytes.
		_, err := db.w.ExecContext(ctx, "VACUUM pulse_responses, pulse_tokens, decision_reactions, decision_reacted, passes, voice_mix")
		return n, translate("vacuum after mix", err)
	}
	return n, db.truncateWAL(ctx)
}

// mixPulse rewrites a pulse's responses in a random order under new keys,
// and its used links unchanged.
func (tx *Tx) mixPulse(ctx context.Context, pulseID string, rnd *mrand.Rand) error {
	rs, err := list(ctx, tx, "mix responses", "SELECT answers, comment FROM pulse_responses WHERE pulse_id = $1",
		[]any{pulseID}, func(rows rowScanner, r *PulseResponse) error { return rows.Scan(&r.Answers, &r.Comment) })
	if err != nil {
		return err
	}
	if _, err := tx.exec(ctx, "mix responses", "DELETE FROM pulse_responses WHERE pulse_id = $1", pulseID); err != nil {
		return err
	}
	rnd.Shuffle(len(rs), func(i, j int) { rs[i], rs[j] = rs[j], rs[i] })
	cols := []string{"pulse_id", "id", "answers", "comment"}
	for start := 0; start < len(rs); start += batchRows {
		chunk := rs[start:min(start+batchRows, len(rs))]
		args := make([]any, 0, len(cols)*len(chunk))
		for _, r := range chunk {
			args = append(args, pulseID, rand.Text(), r.Answers, r.Comment)
		}
		if err := tx.execUncached(ctx, "mix responses", tx.multiInsert("pulse_responses", cols, len(chunk)), args...); err != nil {
			return err
		}
	}
	// Who was asked, used or not, is written again in a random order too:
	// updated in place, the used links' row versions (PostgreSQL's ctid)
	// would line up in the order people answered.
	toks, err := list(ctx, tx, "mix links",
		"SELECT pulse_id, relationship_id, token_hash, used FROM pulse_tokens WHERE pulse_id = $1", []any{pulseID}, scanPulseToken)
	if err != nil {
		return err
	}
	if _, err := tx.exec(ctx, "mix links", "DELETE FROM pulse_tokens WHERE pulse_id = $1", pulseID); err != nil {
		return err
	}
	rnd.Shuffle(len(toks), func(i, j int) { toks[i], toks[j] = toks[j], toks[i] })
	tcols := []string{"pulse_id", "relationship_id", "token_hash", "used"}
	for start := 0; start < len(toks); start += batchRows {
		chunk := toks[start:min(start+batchRows, len(toks))]
		args := make([]any, 0, len(tcols)*len(chunk))
		for _, t := range chunk {
			args = append(args, t.PulseID, t.RelationshipID, nullID(t.TokenHash), b2i(t.Used))
		}
		if err := tx.execUncached(ctx, "mix links", tx.multiInsert("pulse_tokens", tcols, len(chunk)), args...); err != nil {
			return err
		}
	}
	return nil
}

// mixDecision rewrites a decision's reactions in a random order under new
// keys, and who reacted unchanged.
func (tx *Tx) mixDecision(ctx context.Context, decisionID string, rnd *mrand.Rand) error {
	rs, err := list(ctx, tx, "mix reactions", "SELECT reaction FROM decision_reactions WHERE decision_id = $1",
		[]any{decisionID}, func(rows rowScanner, s *string) error { return rows.Scan(s) })
	if err != nil {
		return err
	}
	if _, err := tx.exec(ctx, "mix reactions", "DELETE FROM decision_reactions WHERE decision_id = $1", decisionID); err != nil {
		return err
	}
	rnd.Shuffle(len(rs), func(i, j int) { rs[i], rs[j] = rs[j], rs[i] })
	cols := []string{"decision_id", "id", "reaction"}
	for start := 0; start < len(rs); start += batchRows {
		chunk := rs[start:min(start+batchRows, len(rs))]
		args := make([]any, 0, len(cols)*len(chunk))
		for _, r := range chunk {
			args = append(args, decisionID, rand.Text(), r)
		}
		if err := tx.execUncached(ctx, "mix reactions", tx.multiInsert("decision_reactions", cols, len(chunk)), args...); err != nil {
			return err
		}
	}
	// Who reacted, written again in a random order: in the order rows were
	// added (SQLite's cells, PostgreSQL's ctid) they would say in which
	// order people reacted.
	who, err := list(ctx, tx, "mix reacted", "SELECT relationship_id FROM decision_reacted WHERE decision_id = $1",
		[]any{decisionID}, func(rows rowScanner, s *string) error { return rows.Scan(s) })
	if err != nil {
		return err
	}
	if _, err := tx.exec(ctx, "mix reacted", "DELETE FROM decision_reacted WHERE decision_id = $1", decisionID); err != nil {
		return err
	}
	rnd.Shuffle(len(who), func(i, j int) { who[i], who[j] = who[j], who[i] })
	for start := 0; start < len(who); start += batchRows {
		chunk := who[start:min(start+batchRows, len(who))]
		args := make([]any, 0, 2*len(chunk))
		for _, id := range chunk {
			args = append(args, decisionID, id)
		}
		if err := tx.execUncached(ctx, "mix reacted", tx.multiInsert("decision_reacted", []string{"decision_id", "relationship_id"}, len(chunk)), args...); err != nil {
			return err
		}
	}
	return nil
}

// execUncached runs a statement without offering it to the SQLite
// writer's statement cache: the mixer's inserts have as many rows as a
// pulse has answers, one new statement per count, and would fill the
// cache with statements seldom used again.
func (tx *Tx) execUncached(ctx context.Context, op, query string, args ...any) error {
	ctx = tx.ctx(ctx)
	tx.forgetStates()
	if err := tx.flushHeld(ctx); err != nil {
		return err
	}
	_, err := tx.tx.ExecContext(ctx, query, args...)
	return translate(op, err)
}

// How the WAL is emptied: each try waits at most walBusyWait for readers
// to leave the frames it must copy, holding the writer connection (and so
// every writer) meanwhile; between tries the writers run.
const (
	walTries    = 5
	walBusyWait = 200 // milliseconds
	walPause    = 50 * time.Millisecond
)

// errWALBusy is a checkpoint that readers kept from finishing.
var errWALBusy = errors.New("readers kept the WAL from being emptied; the next mix tries again")

// truncateWAL copies the WAL into the database and truncates it to zero
// bytes, so no earlier transaction's pages stay in it. It runs on the
// writer connection, outside any transaction: db.w holds that one
// connection, which the writer goroutine takes for each batch and gives
// back after the commit, so taking it here waits for the batch under way
// and holds the next one back until the checkpoint ends. Data is never at
// risk: a checkpoint that cannot finish leaves the WAL as it was.
func (db *DB) truncateWAL(ctx context.Context) error {
	var last error
	for try := range walTries {
		if try > 0 {
			t := time.NewTimer(walPause)
			select {
			case <-ctx.Done():
				t.Stop()
				return translate("checkpoint", ctx.Err())
			case <-t.C:
			}
		}
		busy, err := db.checkpointOnce(ctx)
		switch {
		case err == nil && !busy:
			return nil
		case err == nil || isBusy(err):
			last = errWALBusy
		default:
			return internal("checkpoint", err)
		}
	}
	return internal("checkpoint", last)
}

// checkpointOnce runs PRAGMA wal_checkpoint(TRUNCATE) once with a short
// busy timeout, then restores the house one (5000 ms, see sqlitePragmas).
func (db *DB) checkpointOnce(ctx context.Context) (busy bool, err error) {
	conn, err := db.w.Conn(ctx)
	if err != nil {
		return false, err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "PRAGMA busy_timeout = "+strconv.Itoa(walBusyWait)); err != nil {
		return false, err
	}
	defer func() {
		if _, rerr := conn.ExecContext(context.WithoutCancel(ctx), "PRAGMA busy_timeout = 5000"); rerr != nil && err == nil {
			err = rerr
		}
	}()
	var b, frames, done int64
	if err := conn.QueryRowContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)").Scan(&b, &frames, &done); err != nil {
		return false, err
	}
	return b != 0, nil
}

// isBusy reports whether err is SQLite's SQLITE_BUSY (or one of its
// extended codes).
func isBusy(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_BUSY
}
