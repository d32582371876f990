package mail_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/mail"
	"github.com/trustledger/trustledger/internal/mail/mailtest"
	"github.com/trustledger/trustledger/internal/store"
	"github.com/trustledger/trustledger/internal/storetest"
)

func TestParseURL(t *testing.T) {
	c, err := mail.ParseURL("smtp://me:secret@mail.example.org:2525?from=tl@example.org&tls=tls")
	if err != nil || c.Host != "mail.example.org" || c.Port != 2525 || c.Username != "me" || c.Password != "secret" || c.TLS != "tls" || c.From != "tl@example.org" {
		t.Fatalf("%+v %v", c, err)
	}
	if c, err := mail.ParseURL("smtp://mail.example.org?from=a@b.c"); err != nil || c.Port != 587 || c.TLS != "starttls" {
		t.Fatalf("defaults: %+v %v", c, err)
	}
	for in, want := range map[string]string{
		"http://x?from=a@b.c":               "not an smtp:// URL",
		"smtp://x:99999?from=a@b.c":         "not a port number",
		"smtp://x?from=a@b.c&tls=sometimes": "tls=sometimes",
		"smtp://x":                          "?from=",
	} {
		_, err := mail.ParseURL(in)
		if tl.ErrorCode(err) != tl.EINVALID || !strings.Contains(tl.ErrorMessage(err), want) {
			t.Errorf("%s: %v, want EINVALID with %q", in, err, want)
		}
	}
}

// fixedRenderer renders every message the same way, with its id.
type fixedRenderer struct{}

func (fixedRenderer) Render(_ context.Context, m store.Mail) (mail.Message, error) {
	return mail.Message{Subject: "Hello " + m.ToName, Text: "link: https://example.org/p/" + m.ID + "\n", HTML: "<p>hi</p>"}, nil
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func setup(t *testing.T, db *store.DB) (*mailtest.Server, *clock, func() *mail.Worker) {
	srv := mailtest.Start(t)
	cfg, err := mail.ParseURL(srv.URL("trustledger@example.org"))
	if err != nil {
		t.Fatal(err)
	}
	clk := &clock{t: time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC)}
	return srv, clk, func() *mail.Worker {
		sender := mail.NewSMTP(cfg)
		sender.Now = clk.now
		return &mail.Worker{DB: db, Sender: sender, Renderer: fixedRenderer{}, Now: clk.now}
	}
}

func enqueue(t *testing.T, db *store.DB, at time.Time, n int) []string {
	var ids []string
	err := db.Write(context.Background(), func(tx *store.Tx) error {
		for i := range n {
			m := &store.Mail{ID: store.NewID(at), Kind: store.MailPulseInvite, DedupeKey: fmt.Sprintf("k%d", i),
				To: fmt.Sprintf("m%d@example.org", i), ToName: fmt.Sprintf("Member %d", i), Ref: "p", Ref2: "r", CreatedAt: at}
			if _, err := tx.EnqueueMail(context.Background(), m); err != nil {
				return err
			}
			ids = append(ids, m.ID)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

func outbox(t *testing.T, db *store.DB) []store.Mail {
	var out []store.Mail
	if err := db.Read(context.Background(), func(tx *store.Tx) error {
		var err error
		out, err = tx.Outbox(context.Background())
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

func eachDB(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	for _, be := range []struct {
		name string
		open func(testing.TB) *store.DB
	}{{"sqlite", storetest.OpenSQLite}, {"postgres", storetest.OpenPostgres}} {
		t.Run(be.name, func(t *testing.T) { fn(t, be.open(t)) })
	}
}

func TestWorkerDelivers(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		srv, clk, worker := setup(t, db)
		ids := enqueue(t, db, clk.now(), 3)
		// Queuing the same key again is a no-op.
		enqueue(t, db, clk.now(), 3)
		n, err := worker().RunOnce(context.Background())
		if err != nil || n != 3 {
			t.Fatalf("RunOnce: %d, %v", n, err)
		}
		msgs := srv.Messages()
		if len(msgs) != 3 {
			t.Fatalf("%d messages arrived, want 3", len(msgs))
		}
		m := msgs[0]
		for _, want := range []string{
			"From: \"trustledger\" <trustledger@example.org>", "To: \"Member 0\" <m0@example.org>", "Subject: Hello Member 0",
			"Message-ID: <outbox-" + ids[0] + "@example.org>", "Date: Mon, 04 May 2026", "Auto-Submitted: auto-generated",
			"link: https://example.org/p/" + ids[0], "text/html",
		} {
			if !strings.Contains(m.Data, want) {
				t.Errorf("message lacks %q:\n%s", want, m.Data)
			}
		}
		if m.From != "trustledger@example.org" || len(m.To) != 1 || m.To[0] != "m0@example.org" {
			t.Errorf("envelope %s → %v", m.From, m.To)
		}
		for _, o := range outbox(t, db) {
			if o.Status != store.MailSent || o.Attempts != 1 || o.SentAt.IsZero() {
				t.Errorf("outbox row %+v", o)
			}
		}
		if n, _ := worker().RunOnce(context.Background()); n != 0 || len(srv.Messages()) != 3 {
			t.Fatalf("a second run sent again: %d", n)
		}
	})
}

func TestWorkerRetriesWithBackoff(t *testing.T) {
	db := storetest.OpenSQLite(t)
	srv, clk, worker := setup(t, db)
	enqueue(t, db, clk.now(), 1)
	srv.Refuse(1, 451)
	if n, err := worker().RunOnce(context.Background()); n != 1 || err != nil {
		t.Fatalf("first run: %d %v", n, err)
	}
	o := outbox(t, db)[0]
	if o.Status != store.MailPending || o.Attempts != 1 || !o.NextAt.Equal(clk.now().Add(mail.Backoff[0])) || !strings.Contains(o.LastError, "451") {
		t.Fatalf("after a 451: %+v", o)
	}
	// Not before the backoff has passed.
	clk.add(mail.Backoff[0] - time.Second)
	if n, _ := worker().RunOnce(context.Background()); n != 0 {
		t.Fatal("retried before the backoff")
	}
	clk.add(time.Second)
	if n, _ := worker().RunOnce(context.Background()); n != 1 || len(srv.Messages()) != 1 {
		t.Fatalf("retry: %d, %d messages", n, len(srv.Messages()))
	}
	if o := outbox(t, db)[0]; o.Status != store.MailSent || o.Attempts != 2 {
		t.Fatalf("after the retry: %+v", o)
	}
}

func TestWorkerGivesUpOnPermanentErrors(t *testing.T) {
	db := storetest.OpenSQLite(t)
	srv, clk, worker := setup(t, db)
	enqueue(t, db, clk.now(), 1)
	srv.Refuse(1, 550)
	worker().RunOnce(context.Background())
	if o := outbox(t, db)[0]; o.Status != store.MailFailed || !strings.Contains(o.LastError, "550") {
		t.Fatalf("after a 550: %+v", o)
	}
	clk.add(48 * time.Hour)
	if n, _ := worker().RunOnce(context.Background()); n != 0 || len(srv.Messages()) != 0 {
		t.Fatal("a failed message was sent again")
	}
}

// TestWorkersNeverSendTwice: two workers (two instances) race over one
// outbox; every message arrives exactly once.
func TestWorkersNeverSendTwice(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		srv, clk, worker := setup(t, db)
		enqueue(t, db, clk.now(), 50)
		var wg sync.WaitGroup
		for range 3 {
			wg.Go(func() {
				if _, err := worker().RunOnce(context.Background()); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		msgs := srv.Messages()
		seen := map[string]int{}
		for _, m := range msgs {
			seen[m.To[0]]++
		}
		if len(msgs) != 50 || len(seen) != 50 {
			t.Fatalf("%d messages to %d recipients, want 50 and 50", len(msgs), len(seen))
		}
	})
}

// TestWorkerResumesAfterACrash: a worker that claimed a message and died
// leaves a lease; once it expires a new worker sends the message, once.
func TestWorkerResumesAfterACrash(t *testing.T) {
	eachDB(t, testWorkerResumesAfterACrash)
}

func testWorkerResumesAfterACrash(t *testing.T, db *store.DB) {
	srv, clk, worker := setup(t, db)
	enqueue(t, db, clk.now(), 2)
	// The "crashed" worker claims one and never finishes.
	if err := db.Write(context.Background(), func(tx *store.Tx) error {
		m, err := tx.ClaimMail(context.Background(), clk.now(), clk.now().Add(2*time.Minute))
		if m == nil && err == nil {
			err = fmt.Errorf("nothing claimed")
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if n, _ := worker().RunOnce(context.Background()); n != 1 {
		t.Fatalf("the new worker handled %d, want the 1 without a lease", n)
	}
	clk.add(2 * time.Minute)
	if n, _ := worker().RunOnce(context.Background()); n != 1 {
		t.Fatalf("after the lease expired: %d, want 1", n)
	}
	if got := srv.Messages(); len(got) != 2 || got[0].To[0] == got[1].To[0] {
		t.Fatalf("messages %v", got)
	}
	// A cancelled run stops without losing anything.
	enqueue2 := func() {
		db.Write(context.Background(), func(tx *store.Tx) error {
			_, err := tx.EnqueueMail(context.Background(), &store.Mail{ID: store.NewID(clk.now()), Kind: store.MailPulseInvite,
				DedupeKey: "late", To: "late@example.org", ToName: "Late", CreatedAt: clk.now()})
			return err
		})
	}
	enqueue2()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	worker().RunOnce(ctx)
	if n, _ := worker().RunOnce(context.Background()); n != 1 || len(srv.Messages()) != 3 {
		t.Fatalf("after a cancelled run: %d, %d messages", n, len(srv.Messages()))
	}
}

// TestWorkerFailsAfterEightAttempts: a server that keeps answering 451
// gets the message at the backoff schedule, and after the eighth attempt
// the message fails and is never tried again.
func TestWorkerFailsAfterEightAttempts(t *testing.T) {
	db := storetest.OpenSQLite(t)
	srv, clk, worker := setup(t, db)
	enqueue(t, db, clk.now(), 1)
	srv.Refuse(100, 451)
	for i, wait := range mail.Backoff {
		if n, err := worker().RunOnce(context.Background()); n != 1 || err != nil {
			t.Fatalf("attempt %d: %d %v", i+1, n, err)
		}
		o := outbox(t, db)[0]
		if o.Status != store.MailPending || o.Attempts != i+1 || !o.NextAt.Equal(clk.now().Add(wait)) {
			t.Fatalf("after attempt %d: %+v, want pending until +%s", i+1, o, wait)
		}
		clk.add(wait)
	}
	if n, _ := worker().RunOnce(context.Background()); n != 1 {
		t.Fatal("the last attempt did not happen")
	}
	if o := outbox(t, db)[0]; o.Status != store.MailFailed || o.Attempts != 8 || !strings.Contains(o.LastError, "451") {
		t.Fatalf("after 8 attempts: %+v", o)
	}
	srv.Refuse(0, 0)
	clk.add(7 * 24 * time.Hour)
	if n, _ := worker().RunOnce(context.Background()); n != 0 || len(srv.Messages()) != 0 {
		t.Fatal("a failed message was tried again")
	}
	if len(mail.Backoff) != 7 || mail.Backoff[0] != time.Minute {
		t.Errorf("backoff %v: the brief asks for 8 attempts starting after 1 minute", mail.Backoff)
	}
}

// doneRenderer says every message is no longer needed.
type doneRenderer struct{}

func (doneRenderer) Render(context.Context, store.Mail) (mail.Message, error) {
	return mail.Message{Done: true}, nil
}

// TestWorkerDropsMailNoLongerNeeded: a message whose renderer says Done
// (the member answered meanwhile) is closed without a send.
func TestWorkerDropsMailNoLongerNeeded(t *testing.T) {
	db := storetest.OpenSQLite(t)
	srv, clk, worker := setup(t, db)
	enqueue(t, db, clk.now(), 2)
	w := worker()
	if d, err := w.Depth(context.Background()); d != 2 || err != nil {
		t.Fatalf("depth %d %v, want 2", d, err)
	}
	w.Renderer = doneRenderer{}
	var outcomes []string
	w.Observe = func(o string) { outcomes = append(outcomes, o) }
	if n, err := w.RunOnce(context.Background()); n != 2 || err != nil {
		t.Fatalf("RunOnce: %d %v", n, err)
	}
	if len(srv.Messages()) != 0 {
		t.Fatal("a message that was no longer needed was sent")
	}
	for _, o := range outbox(t, db) {
		if o.Status != store.MailSent || o.LastError != "not needed" {
			t.Errorf("outbox row %+v, want sent with \"not needed\"", o)
		}
	}
	if d, _ := w.Depth(context.Background()); d != 0 || fmt.Sprint(outcomes) != "[dropped dropped]" {
		t.Fatalf("depth %d, outcomes %v", d, outcomes)
	}
}

// cancelAfter is a Sender that ends the worker's context right after its
// n-th message went out: a shutdown between the send and its record.
type cancelAfter struct {
	mail.Sender
	n      int
	cancel context.CancelFunc
	mu     sync.Mutex
	sent   int
}

func (c *cancelAfter) Send(ctx context.Context, id, to, name string, m mail.Message) error {
	err := c.Sender.Send(ctx, id, to, name, m)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sent++; c.sent == c.n {
		c.cancel()
	}
	return err
}

// TestWorkerShutdownMidRun: Run is stopped right after a message went
// out and before it was recorded. The worker records it anyway, leaves
// no lease behind, and a new worker (even once every lease has expired)
// sends the rest, none twice.
func TestWorkerShutdownMidRun(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		srv, clk, worker := setup(t, db)
		ids := enqueue(t, db, clk.now(), 10)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		w := worker()
		w.Sender = &cancelAfter{Sender: w.Sender, n: 3, cancel: cancel}
		w.Run(ctx) // returns once ctx ends
		if got := len(srv.Messages()); got != 3 {
			t.Fatalf("%d messages before the shutdown, want 3", got)
		}
		sent := 0
		for _, o := range outbox(t, db) {
			switch {
			case o.Status == store.MailSent:
				sent++
			case o.Status == store.MailPending && o.Attempts == 0 && o.LeaseUntil.IsZero():
			default:
				t.Errorf("after the shutdown: %+v", o)
			}
		}
		if sent != 3 {
			t.Fatalf("%d recorded as sent, want the 3 that went out", sent)
		}
		clk.add(time.Hour) // past any lease
		if n, err := worker().RunOnce(context.Background()); n != 7 || err != nil {
			t.Fatalf("the next worker handled %d (%v), want 7", n, err)
		}
		seen := map[string]int{}
		for _, m := range srv.Messages() {
			for _, id := range ids {
				if strings.Contains(m.Data, "Message-ID: <outbox-"+id+"@") {
					seen[id]++
				}
			}
		}
		for _, id := range ids {
			if seen[id] != 1 {
				t.Errorf("message %s delivered %d times", id, seen[id])
			}
		}
	})
}
