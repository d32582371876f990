package webhook_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"net/netip"
	"strings"
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

// TestRefusedAddresses: every range inside a server's own network is
// refused, in IPv4, IPv6 and the IPv6 forms that carry an IPv4 address;
// public addresses are not.
func TestRefusedAddresses(t *testing.T) {
	for addr, want := range map[string]string{
		"127.0.0.1":          "a loopback address",
		"127.255.0.9":        "a loopback address",
		"::1":                "a loopback address",
		"10.0.0.5":           "a private address",
		"172.16.0.1":         "a private address",
		"172.31.255.254":     "a private address",
		"192.168.1.1":        "a private address",
		"169.254.169.254":    "a link-local address",
		"fe80::1":            "a link-local address",
		"fe80::1%eth0":       "a link-local address",
		"fc00::1":            "a unique-local address",
		"fd12:3456::1":       "a unique-local address",
		"0.0.0.0":            "an unspecified address",
		"::":                 "an unspecified address",
		"100.64.0.1":         "a shared (carrier-grade NAT) address",
		"100.127.255.254":    "a shared (carrier-grade NAT) address",
		"224.0.0.1":          "a multicast address",
		"ff02::1":            "a multicast address",
		"255.255.255.255":    "a broadcast address",
		"::ffff:127.0.0.1":   "a loopback address",
		"::ffff:10.0.0.5":    "a private address",
		"::ffff:169.254.1.1": "a link-local address",
		"64:ff9b::7f00:1":    "a loopback address",
		"2002:c0a8:0101::1":  "a private address",
		"93.184.215.14":      "",
		"172.32.0.1":         "",
		"100.128.0.1":        "",
		"2606:4700::1111":    "",
		"::ffff:8.8.8.8":     "",
	} {
		ip := netip.MustParseAddr(addr)
		if got := webhook.Refused(ip); got != want {
			t.Errorf("%s: %q, want %q", addr, got, want)
		}
	}
}

// TestWebhookRefusesOwnNetwork: by default a webhook that points inside the
// server's own network is refused when it is saved, and, whatever was
// saved, at connect time after the name is resolved, with the reason in
// the delivery's error; --webhook-allow-private lets both through.
func TestWebhookRefusesOwnNetwork(t *testing.T) {
	ctx := context.Background()
	db := storetest.OpenSQLite(t)
	now := time.Date(2026, 3, 4, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	rc := &receiver{}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	port := srv.URL[strings.LastIndex(srv.URL, ":")+1:]

	strict := app.New(db, app.Options{Now: clock, Webhooks: webhook.Policy{Lookup: func(_ context.Context, host string) ([]netip.Addr, error) {
		if host == "hooks.internal" {
			return []netip.Addr{netip.MustParseAddr("93.184.215.14"), netip.MustParseAddr("10.0.0.5")}, nil
		}
		return nil, &tl.Error{Code: tl.ENOTFOUND, Message: "no such host"}
	}}})
	l, err := strict.CreateLeader(ctx, "Lena")
	if err != nil {
		t.Fatal(err)
	}
	for url, want := range map[string]string{
		srv.URL + "/hook":                "127.0.0.1 is a loopback address; the server does not post inside its own network unless started with --webhook-allow-private",
		"https://hooks.internal/x":       "hooks.internal resolves to 10.0.0.5, a private address; the server does not post inside its own network unless started with --webhook-allow-private",
		"http://[::ffff:10.1.2.3]/x":     "10.1.2.3 is a private address",
		"http://169.254.169.254/latest/": "169.254.169.254 is a link-local address",
	} {
		_, _, err := strict.AddWebhook(ctx, l.ID, url, nil)
		if tl.ErrorCode(err) != tl.EINVALID || !strings.Contains(tl.ErrorMessage(err), want) {
			t.Errorf("saving %s: %v, want %q", url, err, want)
		}
	}
	// A name that does not resolve now is saved: the connect-time check
	// decides.
	if _, _, err := strict.AddWebhook(ctx, l.ID, "https://hooks.example.org/x", []string{tl.EventPulseReleased}); err != nil {
		t.Fatalf("a name that does not resolve: %v", err)
	}

	// Saved while allowed (or before the check existed); the worker with
	// the default policy still refuses, by the resolved address.
	lax := app.New(db, app.Options{Now: clock, Webhooks: webhook.Policy{AllowPrivate: true}})
	for _, url := range []string{srv.URL + "/hook", "http://localhost:" + port + "/hook"} {
		if _, _, err := lax.AddWebhook(ctx, l.ID, url, []string{tl.EventPromiseDue}); err != nil {
			t.Fatalf("saving %s with private addresses allowed: %v", url, err)
		}
	}
	if _, err := lax.AddPerson(ctx, l.ID, tl.PersonInput{Name: "Ana", Kind: engine.Peer}); err != nil {
		t.Fatal(err)
	}
	if _, err := lax.AddPromise(ctx, l.ID, tl.PromiseInput{To: "Ana", What: "send the budget", Due: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if _, err := lax.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	w := &webhook.Worker{DB: db, Now: clock}
	if n, err := w.RunOnce(ctx); err != nil || n != 2 {
		t.Fatalf("handled %d: %v", n, err)
	}
	if len(rc.tries) != 0 {
		t.Fatalf("the receiver on 127.0.0.1 got %d requests", len(rc.tries))
	}
	rows := hookRows(t, db)
	if len(rows) != 2 {
		t.Fatalf("%d webhook rows", len(rows))
	}
	for _, m := range rows {
		if m.Status != store.MailFailed || !strings.Contains(m.LastError, "a loopback address; the server does not post inside its own network unless started with --webhook-allow-private") {
			t.Errorf("delivery to %s: %s %q", m.To, m.Status, m.LastError)
		}
		if strings.Contains(m.To, "localhost") && !strings.Contains(m.LastError, "localhost resolves to ") {
			t.Errorf("delivery to %s does not name what the name resolved to: %q", m.To, m.LastError)
		}
	}

	// The operator's option lets the same deliveries through.
	now = now.Add(24 * time.Hour)
	if _, err := lax.AddPromise(ctx, l.ID, tl.PromiseInput{To: "Ana", What: "book the room", Due: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if _, err := lax.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	allowed := &webhook.Worker{DB: db, Now: clock, Policy: webhook.Policy{AllowPrivate: true}}
	if n, err := allowed.RunOnce(ctx); err != nil || n != 2 || len(rc.bodies) != 2 {
		t.Fatalf("allowed: handled %d, received %d: %v", n, len(rc.bodies), err)
	}
}

// TestSlackDelivery: what people typed reaches Slack escaped, so it cannot
// mention a channel or a person; each message has one delivery id, the
// same on every retry, in a header and in the body; the body has Block Kit
// blocks beside its text.
func TestSlackDelivery(t *testing.T) {
	ctx := context.Background()
	db := storetest.OpenSQLite(t)
	now := time.Date(2026, 3, 4, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	allow := webhook.Policy{AllowPrivate: true}
	a := app.New(db, app.Options{Now: clock, Webhooks: allow})
	l, err := a.CreateLeader(ctx, "Lena")
	if err != nil {
		t.Fatal(err)
	}
	rc := &receiver{status: []int{500, 503}}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	if _, _, err := a.AddWebhook(ctx, l.ID, srv.URL, []string{tl.EventPromiseDue}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.AddPerson(ctx, l.ID, tl.PersonInput{Name: "Ana <@U999>", Kind: engine.Peer}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.AddPromise(ctx, l.ID, tl.PromiseInput{To: "Ana <@U999>", What: "<!channel> & <@U123>", Due: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	w := &webhook.Worker{DB: db, Now: clock, Policy: allow}
	for i := range 3 {
		if _, err := w.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
		now = now.Add(mail.Backoff[i])
	}
	if len(rc.tries) != 3 || len(rc.bodies) != 1 {
		t.Fatalf("%d tries, %d delivered; want 3 tries (two answered 5xx) and 1 delivered", len(rc.tries), len(rc.bodies))
	}
	id := rc.tries[0].id
	if id == "" {
		t.Fatal("no " + webhook.DeliveryHeader + " header")
	}
	for i, tr := range rc.tries {
		var p app.WebhookPayload
		if err := json.Unmarshal(tr.body, &p); err != nil {
			t.Fatal(err)
		}
		if tr.id != id || p.DeliveryID != id {
			t.Fatalf("try %d: header %q, body %q; the first was %q", i, tr.id, p.DeliveryID, id)
		}
	}
	var p struct {
		Text   string `json:"text"`
		Blocks []struct {
			Type string `json:"type"`
			Text struct {
				Type string `json:"type"`
				Text string `json:"text"`
			} `json:"text"`
		} `json:"blocks"`
		Data map[string]any `json:"data"`
	}
	if err := json.Unmarshal(rc.bodies[0], &p); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"<!channel>", "<@U123>", "<@U999>", " & "} {
		if strings.Contains(p.Text, bad) {
			t.Errorf("text %q holds %q unescaped", p.Text, bad)
		}
	}
	for _, good := range []string{"&lt;!channel&gt; &amp; &lt;@U123&gt;", "Ana &lt;@U999&gt;"} {
		if !strings.Contains(p.Text, good) {
			t.Errorf("text %q lacks %q", p.Text, good)
		}
	}
	if p.Data["what"] != "<!channel> & <@U123>" {
		t.Errorf("data keeps what was typed as it is, got %q", p.Data["what"])
	}
	if len(p.Blocks) == 0 {
		t.Fatal("no blocks")
	}
	var joined []string
	for _, b := range p.Blocks {
		if b.Type != "section" || b.Text.Type != "mrkdwn" || b.Text.Text == "" || len([]rune(b.Text.Text)) > 3000 {
			t.Fatalf("block %+v is not a section of mrkdwn text within Slack's 3,000 characters", b)
		}
		joined = append(joined, b.Text.Text)
	}
	if strings.Join(joined, "\n") != p.Text {
		t.Errorf("blocks say %q, text says %q", joined, p.Text)
	}
}

// TestSlackBlocksSplitLongText: a text longer than a section takes holds
// is split over sections at line ends, none over Slack's limit.
func TestSlackBlocksSplitLongText(t *testing.T) {
	line := strings.Repeat("é", 999)
	text := strings.Join([]string{line, line, line, line, strings.Repeat("x", 3500)}, "\n")
	blocks := app.SlackBlocks(text)
	var parts []string
	for _, b := range blocks {
		s := b.Text.Text
		if b.Type != "section" || b.Text.Type != "mrkdwn" || len([]rune(s)) > 3000 || s == "" {
			t.Fatalf("block of %d characters: %+v", len([]rune(s)), b.Type)
		}
		parts = append(parts, s)
	}
	if len(blocks) < 3 || !strings.HasPrefix(parts[0], line+"\n"+line) {
		t.Fatalf("%d blocks", len(blocks))
	}
}

func hookRows(t *testing.T, db *store.DB) []store.Mail {
	t.Helper()
	var out []store.Mail
	err := db.Read(context.Background(), func(tx *store.Tx) error {
		all, err := tx.Outbox(context.Background())
		for _, m := range all {
			if m.Kind == store.KindWebhook {
				out = append(out, m)
			}
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
