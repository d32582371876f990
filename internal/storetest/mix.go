package storetest

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/store"
)

// Conformance tests for the mixer (store/mix.go; docs/ANONYMITY.md, "What
// an operator holding the database sees").
func init() {
	register("MixMarks", testMixMarks)
	register("MixPulse", testMixPulse)
	register("MixDecision", testMixDecision)
	register("MixWhileAnswering", testMixWhileAnswering)
}

// mixPulseFixture is an open pulse over n members whose link i is hashed
// linkHash(p, i).
func (f *fixture) mixPulseFixture(n int) *store.PulseRow {
	f.t.Helper()
	l := f.leader("Lena " + f.id())
	tm := f.team(l.ID, "team")
	var ids []string
	for i := range n {
		ids = append(ids, f.rel(l.ID, tm.ID, fmt.Sprintf("P%03d", i)).ID)
	}
	p := &store.PulseRow{Pulse: tl.Pulse{ID: f.id(), LeaderID: l.ID, TeamID: tm.ID, Wave: 1, Question: "Q?", K: 3,
		CommentsK: 10, Delivery: tl.DeliveryEmail, Status: tl.PulseOpen, Population: n, CreatedAt: f.now,
		ClosesAt: f.now.Add(time.Hour)}}
	f.write(func(tx *store.Tx) error {
		if err := tx.CreatePulse(f.ctx, p, store.AskedIDs(ids)); err != nil {
			return err
		}
		if err := tx.CreatePulseTokens(f.ctx, p.ID, ids); err != nil {
			return err
		}
		for i, id := range ids {
			if err := tx.IssuePulseToken(f.ctx, p.ID, id, linkHash(p, i)); err != nil {
				return err
			}
		}
		return nil
	})
	return p
}

func linkHash(p *store.PulseRow, i int) string { return fmt.Sprintf("hash-%s-%d", p.ID, i) }

// mixAnswer stores one response through link i as the service does: the
// link used, the pulse marked, the response added.
func (f *fixture) mixAnswer(tx *store.Tx, p *store.PulseRow, i int, key string) error {
	if ok, err := tx.UsePulseToken(f.ctx, linkHash(p, i)); err != nil || !ok {
		return fmt.Errorf("use link %d: %v %v", i, ok, err)
	}
	if err := tx.MarkMix(f.ctx, store.MixPulse, p.ID); err != nil {
		return err
	}
	return tx.AddPulseResponse(f.ctx, p.ID, key, store.PulseResponse{Answers: fmt.Sprintf("a1=%d", 1+i%5), Comment: fmt.Sprintf("c%04d", i)})
}

func (f *fixture) mix() int {
	f.t.Helper()
	n, err := f.db.Mix(f.ctx)
	if err != nil {
		f.t.Fatalf("mix: %v", err)
	}
	return n
}

func (f *fixture) count(query string, args ...any) int {
	f.t.Helper()
	var n int
	f.read(func(tx *store.Tx) error {
		var err error
		n, err = tx.CountRows(f.ctx, query, args...)
		return err
	})
	return n
}

func testMixMarks(t *testing.T, f *fixture) {
	if n := f.mix(); n != 0 {
		t.Fatalf("Mix on an empty database took %d marks", n)
	}
	f.write(func(tx *store.Tx) error {
		for range 2 { // a second mark of the same is a no-op
			if err := tx.MarkMix(f.ctx, store.MixPulse, "no-such-pulse"); err != nil {
				return err
			}
			if err := tx.MarkMix(f.ctx, store.MixDecision, "no-such-decision"); err != nil {
				return err
			}
		}
		return nil
	})
	err := f.db.Write(f.ctx, func(tx *store.Tx) error { return tx.MarkMix(f.ctx, "checkin", "x") })
	wantCode(t, err, tl.EINTERNAL)
	// A mark rolled back with its transaction is not there.
	boom := tl.Errorf(tl.EINVALID, "stop here")
	if err := f.db.Write(f.ctx, func(tx *store.Tx) error {
		if err := tx.MarkMix(f.ctx, store.MixPulse, "rolled-back"); err != nil {
			return err
		}
		return boom
	}); err != boom {
		t.Fatalf("Write = %v, want fn's error", err)
	}
	if n := f.count("SELECT COUNT(*) FROM voice_mix"); n != 2 {
		t.Fatalf("%d marks stored, want 2", n)
	}
	// Marks for what does not exist (any more) are taken and dropped.
	if n := f.mix(); n != 2 {
		t.Fatalf("Mix took %d marks, want 2", n)
	}
	if n := f.count("SELECT COUNT(*) FROM voice_mix"); n != 0 {
		t.Fatalf("%d marks left after Mix", n)
	}
	if n := f.mix(); n != 0 {
		t.Fatalf("a second Mix took %d marks", n)
	}
}

func testMixPulse(t *testing.T, f *fixture) {
	p := f.mixPulseFixture(4)
	other := f.mixPulseFixture(2)
	f.write(func(tx *store.Tx) error {
		for i := range 3 {
			if err := f.mixAnswer(tx, p, i, fmt.Sprintf("key-%d", i)); err != nil {
				return err
			}
		}
		// Another pulse's answers, left unmarked, are not the mixer's.
		for i := range 2 {
			if ok, err := tx.UsePulseToken(f.ctx, linkHash(other, i)); err != nil || !ok {
				return fmt.Errorf("use link %d of the other pulse: %v %v", i, ok, err)
			}
			if err := tx.AddPulseResponse(f.ctx, other.ID, fmt.Sprintf("other-%d", i), store.PulseResponse{Answers: "a1=1"}); err != nil {
				return err
			}
		}
		// Enough rows for more than one multi-row insert.
		for i := range 1100 {
			if err := tx.AddPulseResponse(f.ctx, p.ID, fmt.Sprintf("bulk-%04d", i), store.PulseResponse{Answers: "a1=2", Comment: fmt.Sprintf("b%04d", i)}); err != nil {
				return err
			}
		}
		return nil
	})
	var before []store.PulseResponse
	var beforeTokens []store.PulseToken
	var otherKeys []string
	f.read(func(tx *store.Tx) error {
		var err error
		if before, err = tx.PulseResponses(f.ctx, p.ID); err != nil {
			return err
		}
		if beforeTokens, err = tx.PulseTokens(f.ctx, p.ID); err != nil {
			return err
		}
		otherKeys, err = tx.ResponseKeys(f.ctx, other.ID)
		return err
	})
	if n := f.mix(); n != 1 {
		t.Fatalf("Mix took %d marks, want 1", n)
	}
	f.read(func(tx *store.Tx) error {
		after, err := tx.PulseResponses(f.ctx, p.ID)
		if err != nil {
			return err
		}
		key := func(r store.PulseResponse) string { return r.Answers + "|" + r.Comment }
		diff(t, "responses after the mix (as a set)", slices.Sorted(slices.Values(ids(after, key))), slices.Sorted(slices.Values(ids(before, key))))
		keys, err := tx.ResponseKeys(f.ctx, p.ID)
		if err != nil {
			return err
		}
		for _, k := range keys {
			if len(k) < 20 {
				t.Fatalf("key %q survived the mix: keys must be new", k)
			}
		}
		if len(slices.Compact(slices.Sorted(slices.Values(keys)))) != len(before) {
			t.Fatal("the mix made duplicate keys")
		}
		tokens, err := tx.PulseTokens(f.ctx, p.ID)
		if err != nil {
			return err
		}
		diff(t, "links after the mix", tokens, beforeTokens)
		got, err := tx.ResponseKeys(f.ctx, other.ID)
		if err != nil {
			return err
		}
		diff(t, "the unmarked pulse's keys", got, otherKeys)
		return nil
	})
	if n := f.count("SELECT COUNT(*) FROM voice_mix"); n != 0 {
		t.Fatalf("%d marks left after Mix", n)
	}
	switch f.db.Dialect() {
	case store.Postgres:
		// Every response and every used link was last written by the
		// mix: xmin ties none of them to an answer's transaction.
		n := f.count("SELECT COUNT(DISTINCT x) FROM (SELECT xmin::text AS x FROM pulse_responses WHERE pulse_id = $1 "+
			"UNION ALL SELECT xmin::text FROM pulse_tokens WHERE pulse_id = $1 AND used = 1) s", p.ID)
		if n != 1 {
			t.Fatalf("the responses and used links carry %d xmins, want 1", n)
		}
	case store.SQLite:
		var busy, frames, done int
		if err := f.db.SQL().QueryRowContext(f.ctx, "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &frames, &done); err != nil {
			t.Fatal(err)
		}
		if frames != 0 {
			t.Fatalf("the WAL holds %d frames after the mix, want 0", frames)
		}
	}
}

func testMixDecision(t *testing.T, f *fixture) {
	l := f.leader("Lena")
	tm := f.team(l.ID, "team")
	var rels []tl.Relationship
	for i := range 6 {
		rels = append(rels, f.rel(l.ID, tm.ID, fmt.Sprintf("P%d", i)))
	}
	d := tl.Decision{ID: f.id(), LeaderID: l.ID, What: "d", Affects: "team", TeamID: tm.ID, DecidedAt: f.now, CreatedAt: f.now}
	f.write(func(tx *store.Tx) error { return tx.CreateDecision(f.ctx, &d) })
	reactions := []string{tl.ReactionUnderstood, tl.ReactionNotClear, tl.ReactionDisagree}
	for i, r := range rels {
		f.write(func(tx *store.Tx) error {
			if err := tx.AddReacted(f.ctx, d.ID, r.ID); err != nil {
				return err
			}
			if err := tx.MarkMix(f.ctx, store.MixDecision, d.ID); err != nil {
				return err
			}
			return tx.AddReaction(f.ctx, d.ID, fmt.Sprintf("key-%d", i), reactions[i%3])
		})
	}
	var tally tl.ReactionCounts
	f.read(func(tx *store.Tx) error {
		var err error
		tally, err = tx.TallyReactions(f.ctx, d.ID)
		return err
	})
	if n := f.mix(); n != 1 {
		t.Fatalf("Mix took %d marks, want 1", n)
	}
	f.read(func(tx *store.Tx) error {
		got, err := tx.TallyReactions(f.ctx, d.ID)
		if err != nil {
			return err
		}
		diff(t, "reactions after the mix", got, tally)
		for _, r := range rels {
			done, err := tx.Reacted(f.ctx, r.ID)
			if err != nil {
				return err
			}
			if !done[d.ID] {
				t.Errorf("%s's reaction is no longer recorded", r.Person)
			}
		}
		return nil
	})
	if n := f.count("SELECT COUNT(*) FROM decision_reactions WHERE decision_id = $1 AND id LIKE 'key-%'", d.ID); n != 0 {
		t.Fatalf("%d reactions kept their keys", n)
	}
	if f.db.Dialect() == store.Postgres {
		n := f.count("SELECT COUNT(DISTINCT x) FROM (SELECT xmin::text AS x FROM decision_reactions WHERE decision_id = $1 "+
			"UNION ALL SELECT xmin::text FROM decision_reacted WHERE decision_id = $1) s", d.ID)
		if n != 1 {
			t.Fatalf("the reactions and who reacted carry %d xmins, want 1", n)
		}
	}
}

// testMixWhileAnswering mixes again and again while answers arrive (and
// share transactions with the mixes): none is lost or doubled, and a
// last mix leaves nothing marked.
func testMixWhileAnswering(t *testing.T, f *fixture) {
	const writers, each = 4, 25
	p := f.mixPulseFixture(writers * each)
	stop := make(chan struct{})
	var mixes sync.WaitGroup
	mixes.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := f.db.Mix(f.ctx); err != nil {
				t.Errorf("mix: %v", err)
				return
			}
		}
	})
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for j := range each {
				i := w*each + j
				if err := f.db.Write(f.ctx, func(tx *store.Tx) error { return f.mixAnswer(tx, p, i, fmt.Sprintf("key-%d", i)) }); err != nil {
					t.Errorf("answer %d: %v", i, err)
				}
			}
		})
	}
	wg.Wait()
	close(stop)
	mixes.Wait()
	f.mix()
	if n := f.count("SELECT COUNT(*) FROM pulse_responses WHERE pulse_id = $1", p.ID); n != writers*each {
		t.Fatalf("%d responses, want %d", n, writers*each)
	}
	if n := f.count("SELECT COUNT(DISTINCT comment) FROM pulse_responses WHERE pulse_id = $1", p.ID); n != writers*each {
		t.Fatalf("%d distinct responses, want %d", n, writers*each)
	}
	if n := f.count("SELECT COUNT(*) FROM pulse_tokens WHERE pulse_id = $1 AND used = 1", p.ID); n != writers*each {
		t.Fatalf("%d used links, want %d", n, writers*each)
	}
	if n := f.count("SELECT COUNT(*) FROM voice_mix"); n != 0 {
		t.Fatalf("%d marks left after the last mix", n)
	}
}
