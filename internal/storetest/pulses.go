package storetest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/store"
)

// Conformance tests for the pulse store (docs/ANONYMITY.md): the pulse life cycle
// and what a response row can and cannot hold.
func init() {
	register("PulseLifecycle", testPulseLifecycle)
	register("PulseResponsesHoldNoLink", testPulseResponsesHoldNoLink)
	register("PulsePassesPruned", testPulsePassesPruned)
}

// pulse builds an open pulse row for team tm at f's clock.
func (f *fixture) pulse(leaderID string, tm tl.Team, wave, population int, delivery string) *store.PulseRow {
	return &store.PulseRow{Pulse: tl.Pulse{ID: f.id(), LeaderID: leaderID, TeamID: tm.ID, Team: tm.Name, Wave: wave,
		Question: "Anything else?", K: 5, CommentsK: 10, Delivery: delivery, Status: tl.PulseOpen,
		Population: population, CreatedAt: f.now, ClosesAt: f.now.Add(7 * 24 * time.Hour)}}
}

func testPulseLifecycle(t *testing.T, f *fixture) {
	l := f.leader("Lena")
	other := f.leader("Omar")
	tm := f.team(l.ID, "team")
	var ids []string
	for i := range 6 {
		ids = append(ids, f.rel(l.ID, tm.ID, fmt.Sprintf("P%d", i)).ID)
	}
	slices.Sort(ids)
	p := f.pulse(l.ID, tm, 1, 6, tl.DeliveryLink)
	p.SharedHash = "shared-1"
	f.write(func(tx *store.Tx) error {
		if n, err := tx.NextWave(f.ctx, tm.ID); err != nil || n != 1 {
			t.Errorf("first wave %d %v, want 1", n, err)
		}
		return tx.CreatePulse(f.ctx, p, store.AskedIDs(ids))
	})
	f.read(func(tx *store.Tx) error {
		if n, err := tx.NextWave(f.ctx, tm.ID); err != nil || n != 2 {
			t.Errorf("next wave %d %v, want 2", n, err)
		}
		if id, err := tx.OpenPulseForTeam(f.ctx, tm.ID); err != nil || id != p.ID {
			t.Errorf("open pulse %q %v, want %q", id, err, p.ID)
		}
		if open, err := tx.HasOpenPulse(f.ctx, l.ID); err != nil || !open {
			t.Errorf("has open pulse: %v %v", open, err)
		}
		if open, err := tx.HasOpenPulse(f.ctx, other.ID); err != nil || open {
			t.Errorf("another leader has an open pulse: %v %v", open, err)
		}
		got, err := tx.PulseBySharedHash(f.ctx, "shared-1")
		if err != nil {
			t.Fatalf("by shared hash: %v", err)
		}
		if d := cmp.Diff(p, got); d != "" {
			t.Errorf("pulse round trip (-want +got):\n%s", d)
		}
		if _, err := tx.PulseBySharedHash(f.ctx, "nope"); tl.ErrorCode(err) != tl.ENOTFOUND {
			t.Errorf("unknown shared hash: %v", err)
		}
		if _, err := tx.PulseByID(f.ctx, other.ID, p.ID); tl.ErrorCode(err) != tl.ENOTFOUND {
			t.Errorf("another leader's pulse: %v", err)
		}
		if pop, err := tx.PulsePopulation(f.ctx, p.ID); err != nil || !slices.Equal(pop, ids) {
			t.Errorf("population %v %v, want %v", pop, err, ids)
		}
		if due, err := tx.DuePulses(f.ctx, p.ClosesAt.Add(-time.Millisecond)); err != nil || len(due) != 0 {
			t.Errorf("due before closing time: %v %v", due, err)
		}
		if due, err := tx.DuePulses(f.ctx, p.ClosesAt); err != nil || len(due) != 1 || due[0].ID != p.ID {
			t.Errorf("due at closing time: %v %v", due, err)
		}
		return nil
	})
	// The same wave twice is a conflict (and rolls back).
	dup := f.pulse(l.ID, tm, 1, 6, tl.DeliveryEmail)
	if err := f.db.Write(f.ctx, func(tx *store.Tx) error { return tx.CreatePulse(f.ctx, dup, nil) }); tl.ErrorCode(err) != tl.ECONFLICT {
		t.Errorf("wave 1 again: %v, want ECONFLICT", err)
	}
	// Closing stores the decision; the pulse is no longer open or due.
	p.Status, p.ClosedAt, p.Released, p.SelfAnswers = tl.PulseClosed, f.tick(), true, "a1=5;a2=4"
	p.SelfDone = true
	f.write(func(tx *store.Tx) error { return tx.UpdatePulse(f.ctx, p) })
	q := f.pulse(l.ID, tm, 2, 6, tl.DeliveryEmail)
	q.Withheld = "fewer than 5 people answered"
	f.write(func(tx *store.Tx) error {
		if err := tx.CreatePulse(f.ctx, q, store.AskedIDs(ids)); err != nil {
			return err
		}
		wrong := *q
		wrong.LeaderID = other.ID
		if err := tx.UpdatePulse(f.ctx, &wrong); tl.ErrorCode(err) != tl.ENOTFOUND {
			t.Errorf("another leader updates a pulse: %v", err)
		}
		return nil
	})
	f.read(func(tx *store.Tx) error {
		got, err := tx.PulseByID(f.ctx, l.ID, p.ID)
		if err != nil {
			return err
		}
		if d := cmp.Diff(p, got); d != "" {
			t.Errorf("closed pulse (-want +got):\n%s", d)
		}
		if id, err := tx.OpenPulseForTeam(f.ctx, tm.ID); err != nil || id != q.ID {
			t.Errorf("open pulse after the close %q %v, want wave 2", id, err)
		}
		list, err := tx.Pulses(f.ctx, l.ID)
		if err != nil || len(list) != 2 || list[0].ID != q.ID || list[1].ID != p.ID {
			t.Errorf("pulses, newest first: %v %v", list, err)
		}
		if list, err := tx.Pulses(f.ctx, other.ID); err != nil || len(list) != 0 {
			t.Errorf("another leader's pulses: %v %v", list, err)
		}
		return nil
	})
}

// testPulseResponsesHoldNoLink: a response row has exactly its pulse, a
// key, the answers and the comment; responses come back in key order, not
// in the order they were written; the link record knows nothing of them.
func testPulseResponsesHoldNoLink(t *testing.T, f *fixture) {
	f.read(func(tx *store.Tx) error {
		cols, err := tx.Columns(f.ctx, "pulse_responses")
		if err != nil || !slices.Equal(cols, []string{"answers", "comment", "id", "pulse_id"}) {
			t.Errorf("pulse_responses columns %v %v", cols, err)
		}
		cols, err = tx.Columns(f.ctx, "pulse_tokens")
		if err != nil || !slices.Equal(cols, []string{"pulse_id", "relationship_id", "token_hash", "used"}) {
			t.Errorf("pulse_tokens columns %v %v", cols, err)
		}
		return nil
	})
	l := f.leader("Lena")
	tm := f.team(l.ID, "team")
	var ids []string
	for i := range 5 {
		ids = append(ids, f.rel(l.ID, tm.ID, fmt.Sprintf("P%d", i)).ID)
	}
	p := f.pulse(l.ID, tm, 1, 5, tl.DeliveryEmail)
	// Keys written in descending order come back ascending.
	keys := []string{"zz", "mm", "kk", "dd", "aa"}
	f.write(func(tx *store.Tx) error {
		if err := tx.CreatePulse(f.ctx, p, store.AskedIDs(ids)); err != nil {
			return err
		}
		if err := tx.CreatePulseTokens(f.ctx, p.ID, ids); err != nil {
			return err
		}
		for i, k := range keys {
			if err := tx.AddPulseResponse(f.ctx, p.ID, k, store.PulseResponse{Answers: fmt.Sprintf("a1=%d", i+1), Comment: k}); err != nil {
				return err
			}
		}
		return nil
	})
	err := f.db.Write(f.ctx, func(tx *store.Tx) error {
		return tx.AddPulseResponse(f.ctx, p.ID, "aa", store.PulseResponse{Answers: "a1=1"})
	})
	if tl.ErrorCode(err) != tl.ECONFLICT {
		t.Errorf("a repeated key: %v, want ECONFLICT", err)
	}
	f.read(func(tx *store.Tx) error {
		got, err := tx.ResponseKeys(f.ctx, p.ID)
		if err != nil || !slices.Equal(got, []string{"aa", "dd", "kk", "mm", "zz"}) {
			t.Errorf("keys %v %v, want key order", got, err)
		}
		rs, err := tx.PulseResponses(f.ctx, p.ID)
		if err != nil || len(rs) != 5 || rs[0] != (store.PulseResponse{Answers: "a1=5", Comment: "aa"}) {
			t.Errorf("responses %v %v", rs, err)
		}
		if n, err := tx.CountPulseResponses(f.ctx, p.ID); err != nil || n != 5 {
			t.Errorf("count %d %v", n, err)
		}
		toks, err := tx.PulseTokens(f.ctx, p.ID)
		if err != nil || len(toks) != 5 {
			t.Fatalf("tokens %v %v", toks, err)
		}
		for _, tk := range toks {
			if tk.Used || tk.TokenHash != "" {
				t.Errorf("a new link record is issued or used: %+v", tk)
			}
		}
		return nil
	})
	// Using a link that was never issued does nothing.
	f.write(func(tx *store.Tx) error {
		if ok, err := tx.UsePulseToken(f.ctx, ""); ok || err != nil {
			t.Errorf("using an unissued link: %v %v", ok, err)
		}
		return nil
	})
}

// testPulsePassesPruned: expired passes go, live ones stay, and closing a
// pulse removes its passes only.
func testPulsePassesPruned(t *testing.T, f *fixture) {
	f.write(func(tx *store.Tx) error {
		for i, pass := range []store.Pass{
			{Hash: "old", Purpose: store.PassPulse, Ref: "p1", ExpiresAt: f.now.Add(-time.Second)},
			{Hash: "live-1", Purpose: store.PassPulse, Ref: "p1", ExpiresAt: f.now.Add(time.Hour)},
			{Hash: "live-2", Purpose: store.PassPulse, Ref: "p2", TokenHash: "t", ExpiresAt: f.now.Add(time.Hour)},
			{Hash: "window", Purpose: store.PassWindow, Ref: "p1", ExpiresAt: f.now.Add(time.Hour)},
		} {
			if err := tx.CreatePass(f.ctx, &pass); err != nil {
				return fmt.Errorf("pass %d: %w", i, err)
			}
		}
		n, err := tx.DeleteExpiredPasses(f.ctx, f.now)
		if err != nil || n != 1 {
			t.Errorf("expired passes deleted: %d %v, want 1", n, err)
		}
		return tx.DeletePassesFor(f.ctx, store.PassPulse, "p1")
	})
	f.read(func(tx *store.Tx) error {
		for hash, want := range map[string]bool{"old": false, "live-1": false, "live-2": true} {
			_, err := tx.PassByHash(f.ctx, hash, store.PassPulse, f.now)
			if got := err == nil; got != want {
				t.Errorf("pass %s present %v, want %v (%v)", hash, got, want, err)
			}
		}
		if _, err := tx.PassByHash(f.ctx, "window", store.PassWindow, f.now); err != nil {
			t.Errorf("a window pass went with the pulse's: %v", err)
		}
		return nil
	})
}
