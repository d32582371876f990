package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/engine"
	"github.com/trustledger/trustledger/internal/store"
)

// Conformance tests for team voice and the outbox (docs/ANONYMITY.md).
func init() {
	register("PulseTokensAndResponses", testPulseTokens)
	register("Passes", testPasses)
	register("OutboxClaims", testOutboxClaims)
	register("EventSnapshots", testEventSnapshots)
}

func testPulseTokens(t *testing.T, f *fixture) {
	l := f.leader("Lena")
	tm := f.team(l.ID, "team")
	var ids []string
	for i := range 3 {
		ids = append(ids, f.rel(l.ID, tm.ID, fmt.Sprintf("P%d", i)).ID)
	}
	p := &store.PulseRow{Pulse: tl.Pulse{ID: f.id(), LeaderID: l.ID, TeamID: tm.ID, Wave: 1, K: 3, CommentsK: 10,
		Delivery: tl.DeliveryEmail, Status: tl.PulseOpen, Population: 3, CreatedAt: f.now, ClosesAt: f.now.Add(time.Hour)}}
	f.write(func(tx *store.Tx) error {
		if err := tx.CreatePulse(f.ctx, p, store.AskedIDs(ids)); err != nil {
			return err
		}
		if err := tx.CreatePulseTokens(f.ctx, p.ID, ids); err != nil {
			return err
		}
		if err := tx.IssuePulseToken(f.ctx, p.ID, ids[0], "hash-a"); err != nil {
			return err
		}
		// A pass on the first hash follows the link when it is replaced.
		if err := tx.CreatePass(f.ctx, &store.Pass{Hash: "pass-1", Purpose: store.PassPulse, Ref: p.ID, TokenHash: "hash-a", ExpiresAt: f.now.Add(time.Hour)}); err != nil {
			return err
		}
		return tx.IssuePulseToken(f.ctx, p.ID, ids[0], "hash-b")
	})
	f.read(func(tx *store.Tx) error {
		ps, err := tx.PassByHash(f.ctx, "pass-1", store.PassPulse, f.now)
		if err != nil || ps.TokenHash != "hash-b" {
			t.Errorf("pass after the link was replaced: %+v %v", ps, err)
		}
		if _, err := tx.PulseTokenByHash(f.ctx, "hash-a"); tl.ErrorCode(err) != tl.ENOTFOUND {
			t.Errorf("the replaced link still resolves: %v", err)
		}
		got, err := tx.PulseByID(f.ctx, l.ID, p.ID)
		if err != nil || got.Team != "team" || got.Population != 3 {
			t.Errorf("pulse %+v %v", got, err)
		}
		return nil
	})
	// Concurrent uses of one link: exactly one wins.
	var wins sync.Map
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			_ = f.db.Write(f.ctx, func(tx *store.Tx) error {
				ok, err := tx.UsePulseToken(f.ctx, "hash-b")
				if err == nil && ok {
					wins.Store(i, true)
					return tx.AddPulseResponse(f.ctx, p.ID, fmt.Sprintf("key-%d", i), store.PulseResponse{Answers: "a1=4"})
				}
				return err
			})
		})
	}
	wg.Wait()
	n := 0
	wins.Range(func(any, any) bool { n++; return true })
	f.read(func(tx *store.Tx) error {
		c, err := tx.CountPulseResponses(f.ctx, p.ID)
		if err != nil || c != 1 || n != 1 {
			t.Errorf("%d winners, %d responses (%v); want 1 and 1", n, c, err)
		}
		return nil
	})
	// A used link is issued again (a reminder goes to everyone asked) and
	// stays used: the new link only tells its holder they answered.
	f.write(func(tx *store.Tx) error {
		if err := tx.IssuePulseToken(f.ctx, p.ID, ids[0], "hash-c"); err != nil {
			t.Errorf("issuing a used link again: %v", err)
		}
		tok, err := tx.PulseTokenByHash(f.ctx, "hash-c")
		if err != nil || !tok.Used || tok.RelationshipID != ids[0] {
			t.Errorf("the reissued link: %+v, %v; want it used, for the same person", tok, err)
		}
		return nil
	})
}

func testPasses(t *testing.T, f *fixture) {
	f.write(func(tx *store.Tx) error {
		return tx.CreatePass(f.ctx, &store.Pass{Hash: "h", Purpose: store.PassWindow, Ref: "r", ExpiresAt: f.now.Add(time.Minute)})
	})
	f.read(func(tx *store.Tx) error {
		if _, err := tx.PassByHash(f.ctx, "h", store.PassPulse, f.now); tl.ErrorCode(err) != tl.ENOTFOUND {
			t.Errorf("a window pass answered as a pulse pass: %v", err)
		}
		if _, err := tx.PassByHash(f.ctx, "h", store.PassWindow, f.now.Add(time.Minute)); tl.ErrorCode(err) != tl.ENOTFOUND {
			t.Errorf("an expired pass still works: %v", err)
		}
		return nil
	})
	f.write(func(tx *store.Tx) error {
		ok, err := tx.DeletePass(f.ctx, "h")
		if !ok || err != nil {
			t.Errorf("delete: %v %v", ok, err)
		}
		ok, err = tx.DeletePass(f.ctx, "h")
		if ok || err != nil {
			t.Errorf("second delete: %v %v", ok, err)
		}
		return nil
	})
}

func testOutboxClaims(t *testing.T, f *fixture) {
	f.write(func(tx *store.Tx) error {
		for i := range 20 {
			if _, err := tx.EnqueueMail(f.ctx, &store.Mail{ID: f.id(), Kind: store.MailCheckin, DedupeKey: fmt.Sprint(i), To: "a@b.c", CreatedAt: f.now}); err != nil {
				return err
			}
		}
		again, err := tx.EnqueueMail(f.ctx, &store.Mail{ID: f.id(), Kind: store.MailCheckin, DedupeKey: "0", To: "a@b.c", CreatedAt: f.now})
		if again || err != nil {
			t.Errorf("a duplicate key was queued: %v %v", again, err)
		}
		return nil
	})
	var mu sync.Mutex
	seen := map[string]int{}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for {
				var m *store.Mail
				err := f.db.Write(f.ctx, func(tx *store.Tx) error {
					var err error
					m, err = tx.ClaimMail(f.ctx, f.now, f.now.Add(time.Minute))
					return err
				})
				if err != nil || m == nil {
					return
				}
				mu.Lock()
				seen[m.ID]++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	for id, n := range seen {
		if n != 1 {
			t.Errorf("message %s claimed %d times", id, n)
		}
	}
	if len(seen) != 20 {
		t.Errorf("%d messages claimed, want 20", len(seen))
	}
	f.read(func(tx *store.Tx) error {
		n, err := tx.MailDepth(f.ctx)
		if err != nil || n != 20 {
			t.Errorf("depth %d %v, want 20 pending (claimed, not sent)", n, err)
		}
		return nil
	})
}

func testEventSnapshots(t *testing.T, f *fixture) {
	l := f.leader("Lena")
	tm := f.team(l.ID, "team")
	r := f.rel(l.ID, tm.ID, "Ana")
	ev := f.event(r, engine.KindCheckin)
	snap := &engine.Snapshot{At: ev.OccurredAt, P: [engine.NumDims]float64{0.25, 0.5, 0.75}, Rwg: [engine.NumDims]float64{1, 1, 1}, N: 1}
	ev.Snapshot = snap
	f.append(ev)
	f.read(func(tx *store.Tx) error {
		got, err := tx.EventByID(f.ctx, l.ID, ev.ID)
		if err != nil || got.Snapshot == nil || *got.Snapshot != *snap {
			t.Errorf("snapshot back: %+v %v", got, err)
		}
		return nil
	})
	bad := f.event(r, engine.KindCheckin)
	f.write(func(tx *store.Tx) error {
		if err := tx.AppendEvent(f.ctx, &bad); tl.ErrorCode(err) != tl.EINVALID {
			t.Errorf("a check-in without its measurement: %v", err)
		}
		return nil
	})
}
