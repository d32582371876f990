package storetest

import (
	"testing"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/store"
)

// Conformance tests for the outbox's life cycle (the claims race is
// OutboxClaims in voice.go).
func init() {
	register("OutboxLifecycle", testOutboxLifecycle)
}

// testOutboxLifecycle walks messages through claim, lease expiry, retry
// with a not-before time, sent and failed, and checks that only a due,
// unleased, pending message can be claimed, on both databases.
func testOutboxLifecycle(t *testing.T, f *fixture) {
	t0 := f.now
	var a, b *store.Mail
	f.write(func(tx *store.Tx) error {
		a = &store.Mail{ID: f.id(), Kind: store.MailPulseInvite, DedupeKey: "a", To: "a@example.org", ToName: "A", Ref: "p", Ref2: "r1", CreatedAt: t0}
		b = &store.Mail{ID: f.id(), Kind: store.MailCheckin, DedupeKey: "b", To: "b@example.org", ToName: "B", Ref: "c", CreatedAt: t0}
		for _, m := range []*store.Mail{a, b} {
			if ok, err := tx.EnqueueMail(f.ctx, m); !ok || err != nil {
				t.Errorf("enqueue %s: %v %v", m.DedupeKey, ok, err)
			}
		}
		return nil
	})
	claim := func(now time.Time) *store.Mail {
		t.Helper()
		var m *store.Mail
		f.write(func(tx *store.Tx) error {
			var err error
			m, err = tx.ClaimMail(f.ctx, now, now.Add(time.Minute))
			return err
		})
		return m
	}
	depth := func(want int) {
		t.Helper()
		f.read(func(tx *store.Tx) error {
			if n, err := tx.MailDepth(f.ctx); n != want || err != nil {
				t.Errorf("depth %d %v, want %d", n, err, want)
			}
			return nil
		})
	}
	write := func(fn func(tx *store.Tx) error) {
		t.Helper()
		if err := f.db.Write(f.ctx, fn); err != nil {
			t.Fatal(err)
		}
	}

	// Oldest first; every field comes back; each claim counts an attempt.
	got := claim(t0)
	if got == nil || got.ID != a.ID || got.Kind != a.Kind || got.To != a.To || got.ToName != "A" || got.Ref != "p" || got.Ref2 != "r1" ||
		got.Status != store.MailPending || got.Attempts != 1 || !got.LeaseUntil.Equal(t0.Add(time.Minute)) || !got.CreatedAt.Equal(t0) {
		t.Fatalf("first claim: %+v", got)
	}
	if got := claim(t0); got == nil || got.ID != b.ID {
		t.Fatalf("second claim: %+v, want b", got)
	}
	if got := claim(t0.Add(59 * time.Second)); got != nil {
		t.Fatalf("claimed %s under a running lease", got.ID)
	}
	// A lease that ran out (a crashed worker) is claimed again.
	if got := claim(t0.Add(time.Minute)); got == nil || got.ID != a.ID || got.Attempts != 2 {
		t.Fatalf("after the lease: %+v, want a, attempt 2", got)
	}
	depth(2)

	// A retry waits for its time and clears the lease.
	next := t0.Add(10 * time.Minute)
	write(func(tx *store.Tx) error { return tx.MarkMailRetry(f.ctx, a.ID, next, "451 try later") })
	write(func(tx *store.Tx) error { return tx.MarkMailSent(f.ctx, b.ID, t0.Add(2*time.Minute), "") })
	depth(1)
	if got := claim(next.Add(-time.Millisecond)); got != nil {
		t.Fatalf("claimed %s before its retry time", got.ID)
	}
	got = claim(next)
	if got == nil || got.ID != a.ID || got.Attempts != 3 || got.LastError != "451 try later" {
		t.Fatalf("retry: %+v", got)
	}
	write(func(tx *store.Tx) error { return tx.MarkMailFailed(f.ctx, a.ID, "550 no such user") })
	depth(0)
	if got := claim(t0.Add(48 * time.Hour)); got != nil {
		t.Fatalf("claimed %s, which is sent or failed", got.ID)
	}
	f.read(func(tx *store.Tx) error {
		rows, err := tx.Outbox(f.ctx)
		if err != nil || len(rows) != 2 {
			t.Fatalf("outbox: %v %v", rows, err)
		}
		byID := map[string]store.Mail{rows[0].ID: rows[0], rows[1].ID: rows[1]}
		if r := byID[a.ID]; r.Status != store.MailFailed || r.LastError != "550 no such user" || !r.LeaseUntil.IsZero() {
			t.Errorf("a: %+v", r)
		}
		if r := byID[b.ID]; r.Status != store.MailSent || !r.SentAt.Equal(t0.Add(2*time.Minute)) || !r.LeaseUntil.IsZero() || r.Attempts != 1 {
			t.Errorf("b: %+v", r)
		}
		return nil
	})
	// Marking a message that does not exist is ENOTFOUND.
	if err := f.db.Write(f.ctx, func(tx *store.Tx) error { return tx.MarkMailSent(f.ctx, "nope", t0, "") }); tl.ErrorCode(err) != tl.ENOTFOUND {
		t.Errorf("marking a missing message: %v", err)
	}
}
