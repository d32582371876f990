package webhook_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/app"
	"github.com/trustledger/trustledger/internal/engine"
	"github.com/trustledger/trustledger/internal/mail"
	"github.com/trustledger/trustledger/internal/store"
	"github.com/trustledger/trustledger/internal/storetest"
	"github.com/trustledger/trustledger/internal/webhook"
)

type receiver struct {
	mu     sync.Mutex
	bodies [][]byte
	sigs   []string
	status []int // answers to give, in order; then 200
	tries  []try // every request, whatever the answer
}

// try is one request a receiver saw: its delivery id header and body.
type try struct {
	id   string
	body []byte
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.tries = append(rc.tries, try{r.Header.Get(webhook.DeliveryHeader), b})
	code := 200
	if len(rc.status) > 0 {
		code, rc.status = rc.status[0], rc.status[1:]
	}
	if code == 200 {
		rc.bodies = append(rc.bodies, b)
		rc.sigs = append(rc.sigs, r.Header.Get(webhook.SignatureHeader))
	}
	w.WriteHeader(code)
}

func TestWebhookDeliveries(t *testing.T) {
	for _, be := range []struct {
		name string
		open func(testing.TB) *store.DB
	}{{"sqlite", storetest.OpenSQLite}, {"postgres", storetest.OpenPostgres}} {
		t.Run(be.name, func(t *testing.T) {
			ctx := context.Background()
			db := be.open(t)
			now := time.Date(2026, 3, 4, 9, 0, 0, 0, time.UTC)
			clock := func() time.Time { return now }
			// The receiver is an httptest server on 127.0.0.1: inside the
			// server's own network, which needs the operator's consent
			// (TestWebhookRefusesOwnNetwork shows the default).
			allow := webhook.Policy{AllowPrivate: true}
			a := app.New(db, app.Options{Now: clock, Webhooks: allow})
			l, err := a.CreateLeader(ctx, "Lena")
			if err != nil {
				t.Fatal(err)
			}
			rc := &receiver{status: []int{500}}
			srv := httptest.NewServer(rc)
			defer srv.Close()
			if _, _, err := a.AddWebhook(ctx, l.ID, "ftp://x", nil); tl.ErrorCode(err) != tl.EINVALID {
				t.Fatalf("a non-web address: %v", err)
			}
			if _, _, err := a.AddWebhook(ctx, l.ID, srv.URL, []string{"promise.kept"}); tl.ErrorCode(err) != tl.EINVALID {
				t.Fatalf("an unknown event: %v", err)
			}
			hook, secret, err := a.AddWebhook(ctx, l.ID, srv.URL+"/hook", nil)
			if err != nil || secret == "" || len(hook.Events) != len(tl.WebhookEvents) {
				t.Fatalf("add: %+v %v", hook, err)
			}
			// A promise broken by the system, one coming due, this week's step.
			for i := range 5 {
				if _, err := a.AddPerson(ctx, l.ID, tl.PersonInput{Name: fmt.Sprintf("P%d", i), Kind: engine.DirectReport}); err != nil {
					t.Fatal(err)
				}
			}
			c, err := a.AddPromise(ctx, l.ID, tl.PromiseInput{To: "P0", What: "send the budget", Due: now.Add(time.Hour)})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := a.Tick(ctx); err != nil { // due within a day
				t.Fatal(err)
			}
			if _, err := a.Tick(ctx); err != nil { // announced once
				t.Fatal(err)
			}
			now = now.Add(3 * 24 * time.Hour)
			if _, err := a.Tick(ctx); err != nil { // broken
				t.Fatal(err)
			}
			if _, err := a.Week(ctx, l.ID); err != nil {
				t.Fatal(err)
			}

			w := &webhook.Worker{DB: db, Now: clock, Policy: allow}
			n, err := w.RunOnce(ctx)
			if err != nil {
				t.Fatal(err)
			}
			// The first delivery met a 500 and waits for its retry.
			now = now.Add(mail.Backoff[0])
			m, err := w.RunOnce(ctx)
			if err != nil || n+m < 3 {
				t.Fatalf("handled %d then %d: %v", n, m, err)
			}
			events := map[string]int{}
			for i, b := range rc.bodies {
				var p app.WebhookPayload
				if err := json.Unmarshal(b, &p); err != nil || p.Text == "" || p.Leader != "Lena" {
					t.Fatalf("delivery %s: %+v %v", b, p, err)
				}
				events[p.Event]++
				if got := rc.sigs[i]; !strings.HasPrefix(got, "t=") || !checkSig(secret, got, b) {
					t.Fatalf("signature %q does not verify", got)
				}
				if p.Event == tl.EventPromiseOverdue && (p.Data["promise_id"] != c.ID || !strings.Contains(p.Text, "send the budget")) {
					t.Fatalf("overdue delivery %+v", p)
				}
			}
			if events[tl.EventPromiseDue] != 1 || events[tl.EventPromiseOverdue] != 1 {
				t.Fatalf("deliveries by event %v", events)
			}
			// A 4xx other than 429 is not retried; removing the webhook drops
			// what is pending.
			rc.mu.Lock()
			rc.status = []int{410}
			rc.mu.Unlock()
			now = now.Add(7 * 24 * time.Hour)
			if _, err := a.Week(ctx, l.ID); err != nil {
				t.Fatal(err)
			}
			before := len(rc.bodies)
			w.RunOnce(ctx)
			now = now.Add(time.Hour)
			w.RunOnce(ctx)
			if len(rc.bodies) != before {
				t.Fatal("a delivery answered 410 was retried")
			}
			if err := a.RemoveWebhook(ctx, l.ID, hook.ID); err != nil {
				t.Fatal(err)
			}
			if hooks, _ := a.Webhooks(ctx, l.ID); len(hooks) != 0 {
				t.Fatal("the webhook is still listed")
			}
		})
	}
}

func checkSig(secret, header string, body []byte) bool {
	var ts int64
	if _, err := fmt.Sscanf(header, "t=%d,", &ts); err != nil {
		return false
	}
	return webhook.Sign(secret, time.Unix(ts, 0), body) == header
}
