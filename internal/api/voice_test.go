package api_test

import (
	"context"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/api"
	"github.com/trustledger/trustledger/internal/api/remote"
	"github.com/trustledger/trustledger/internal/mail"
	"github.com/trustledger/trustledger/internal/storetest"
)

// The team's voice over the API: who counts toward k (listVoiceRoster),
// the confirmation mailed to a person's address (sendAddressConfirmation),
// the window link that only goes by mail (sendWindowLink), approvals by an
// administrator who does not lead the person (listApprovals,
// approvePerson), and pulses that go only by email (launchPulse). The
// team's side is played as the people would: the test delivers the
// outbox in process and opens the links in the letters.

// deliver sends what waits in the outbox to memory and returns, per
// address, the texts of the letters it got, oldest first.
func (e *env) deliver() map[string][]string {
	e.t.Helper()
	letters, err := mail.DeliverInProcess(context.Background(), e.db, e.app.MailRenderer("https://tl.example"), e.clock)
	if err != nil {
		e.t.Fatalf("deliver the outbox: %v", err)
	}
	out := map[string][]string{}
	for _, l := range letters {
		out[l.To] = append(out[l.To], l.Text)
	}
	return out
}

// linkIn is the token of the link with prefix ("/v/", "/p/", "/w/") in a
// letter, or "".
func linkIn(text, prefix string) string {
	g := regexp.MustCompile(regexp.QuoteMeta(prefix) + `([A-Z2-7]{26})\b`).FindStringSubmatch(text)
	if g == nil {
		return ""
	}
	return g[1]
}

// addPeople adds people with an address name@example.com each.
func (e *env) addPeople(c caller, names ...string) {
	e.t.Helper()
	for _, n := range names {
		if res := c.post("/people", obj{"name": n, "email": strings.ToLower(n) + "@example.com"}); res.status != 201 {
			e.t.Fatalf("create %s: %s", n, res)
		}
	}
}

// confirm delivers the outbox and has each of the named people (all who
// got a confirmation link, when none is named) confirm their address with
// the newest link mailed to it; it returns the addresses confirmed.
func (e *env) confirm(names ...string) []string {
	e.t.Helper()
	only := map[string]bool{}
	for _, n := range names {
		only[strings.ToLower(n)+"@example.com"] = true
	}
	var who []string
	for to, texts := range e.deliver() {
		tok := ""
		for _, text := range texts {
			if t := linkIn(text, "/v/"); t != "" {
				tok = t
			}
		}
		if tok == "" || (len(only) > 0 && !only[to]) {
			continue
		}
		if err := e.app.ConfirmAddress(context.Background(), tok); err != nil {
			e.t.Fatalf("%s confirms their address: %v", to, err)
		}
		who = append(who, to)
	}
	return who
}

// roster is the whole voice roster through the API, walking pages of two.
func roster(t *testing.T, c caller) map[string]tl.Standing {
	t.Helper()
	out := map[string]tl.Standing{}
	cursor := ""
	for pages := 0; ; pages++ {
		p := as[api.Page[tl.Standing]](t, c.get(list("/voice-roster", 2, cursor)), 200)
		for _, s := range p.Items {
			if _, ok := out[s.Person]; ok {
				t.Fatalf("%s on two pages", s.Person)
			}
			out[s.Person] = s
		}
		if cursor = p.NextCursor; cursor == "" {
			return out
		}
		if pages > 10 {
			t.Fatal("the roster's pages do not end")
		}
	}
}

func TestVoiceRoster(t *testing.T) {
	bothDatabases(t, func(t *testing.T, e *env) {
		e.addPeople(e.c, "Ana", "Ben", "Cleo", "Dev", "Eve")
		if res := e.c.post("/people", obj{"name": "Finn"}); res.status != 201 {
			t.Fatalf("create Finn: %s", res)
		}
		r := roster(t, e.c)
		if len(r) != 6 {
			t.Fatalf("roster of %d, want 6: %v", len(r), r)
		}
		for n, s := range r {
			want := tl.StepConfirm
			if n == "Finn" {
				want = tl.StepAddress
			}
			if s.Counts || s.Step != want || s.Reason == "" || s.RelationshipID == "" {
				t.Errorf("%s before confirming: %+v, want step %s with a reason", n, s, want)
			}
		}

		// They confirm through the mailed links: they count a week later.
		if who := e.confirm(); len(who) != 5 {
			t.Fatalf("%d people got a confirmation link, want 5: %v", len(who), who)
		}
		for n, s := range roster(t, e.c) {
			if n == "Finn" {
				continue
			}
			if s.Counts || s.Step != tl.StepWait || s.From.IsZero() || !s.From.Equal(start.Add(tl.MemberWait)) {
				t.Errorf("%s after confirming: %+v, want to wait until %s", n, s, start.Add(tl.MemberWait))
			}
		}
		e.advance(tl.MemberWait)
		for n, s := range roster(t, e.c) {
			if s.Counts != (n != "Finn") {
				t.Errorf("%s a week after confirming: %+v", n, s)
			}
		}

		// A read token reads it; a changed address starts again.
		if res := e.client(e.read).get("/voice-roster"); res.status != 200 {
			t.Fatalf("read token: %s", res)
		}
		if res := e.c.put("/people/Ana/email", obj{"email": "ana@example.net"}); res.status != 200 {
			t.Fatalf("set Ana's email: %s", res)
		}
		if s := roster(t, e.c)["Ana"]; s.Counts || s.Step != tl.StepConfirm {
			t.Errorf("Ana with a new address: %+v", s)
		}
		envelope(t, e.c.get(list("/voice-roster", 0, "bm90LWFuLWlk")), 400, tl.EINVALID)
		envelope(t, e.client("").get("/voice-roster", refused), 401, tl.EUNAUTHORIZED)
	})
}

func TestSendAddressConfirmation(t *testing.T) {
	bothDatabases(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		e.addPeople(e.c, "Ana", "Ben")
		if res := e.c.post("/people", obj{"name": "Finn"}); res.status != 201 {
			t.Fatalf("create Finn: %s", res)
		}
		first := linkIn(strings.Join(e.deliver()["ana@example.com"], "\n"), "/v/")
		if first == "" {
			t.Fatal("adding Ana with an address mailed her no confirmation link")
		}

		// Sent again: a new link by mail, nothing in the answer; the first
		// link stops working.
		e.advance(time.Minute)
		res := e.c.post("/people/Ana/address-confirmation", nil)
		if res.status != 201 {
			t.Fatalf("send again: %s", res)
		}
		if strings.Contains(string(res.body), "/v/") || strings.Contains(string(res.body), "token") {
			t.Errorf("the answer shows the link: %s", res.body)
		}
		letters := e.deliver()
		if len(letters) != 1 || len(letters["ana@example.com"]) != 1 {
			t.Fatalf("letters after sending again: %v", letters)
		}
		second := linkIn(letters["ana@example.com"][0], "/v/")
		if second == "" || second == first {
			t.Fatalf("the new letter's link %q (the first was %q)", second, first)
		}
		if _, err := e.app.AddressConfirmation(ctx, first); tl.ErrorCode(err) != tl.ENOTFOUND {
			t.Errorf("the first link still works: %v", err)
		}

		// An Idempotency-Key sends once.
		e.advance(time.Minute)
		r1 := e.c.post("/people/Ben/address-confirmation", nil, key("confirm-ben"))
		r2 := e.c.post("/people/Ben/address-confirmation", nil, key("confirm-ben"))
		if r1.status != 201 || r2.status != 201 || r2.header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("send with a key twice: %s / %s (replayed %q)", r1, r2, r2.header.Get("Idempotent-Replayed"))
		}
		// Ben's first letter went with Ana's; now one resend, not two.
		if n := len(e.deliver()["ben@example.com"]); n != 1 {
			t.Errorf("Ben got %d letters for one key, want 1", n)
		}

		// Errors: no address, unknown person, already confirmed, read token.
		envelope(t, e.c.post("/people/Finn/address-confirmation", nil), 400, tl.EINVALID)
		envelope(t, e.c.post("/people/Nobody/address-confirmation", nil), 404, tl.ENOTFOUND)
		if err := e.app.ConfirmAddress(ctx, second); err != nil {
			t.Fatal(err)
		}
		envelope(t, e.c.post("/people/Ana/address-confirmation", nil), 409, tl.ECONFLICT)
		envelope(t, e.client(e.read).post("/people/Ben/address-confirmation", nil), 403, tl.EFORBIDDEN)
	})
}

func TestSendWindowLink(t *testing.T) {
	bothDatabases(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		e.addPeople(e.c, "Ana", "Ben")
		if res := e.c.post("/people", obj{"name": "Finn"}); res.status != 201 {
			t.Fatalf("create Finn: %s", res)
		}
		// Not before the person confirmed their address.
		if eb := envelope(t, e.c.post("/people/Ana/window-link", nil), 400, tl.EINVALID); !strings.Contains(eb.Message, "confirmed") {
			t.Errorf("unconfirmed: %q", eb.Message)
		}
		e.confirm()

		res := e.c.post("/people/Ana/window-link", nil)
		if res.status != 201 {
			t.Fatalf("send: %s", res)
		}
		if strings.Contains(string(res.body), "/w/") || strings.Contains(string(res.body), "token") {
			t.Errorf("the answer shows the link: %s", res.body)
		}
		letters := e.deliver()
		if len(letters) != 1 || len(letters["ana@example.com"]) != 1 {
			t.Fatalf("letters: %v", letters)
		}
		first := linkIn(letters["ana@example.com"][0], "/w/")
		if first == "" || !strings.Contains(letters["ana@example.com"][0], "https://tl.example/w/"+first) {
			t.Fatalf("no window link in Ana's letter:\n%s", letters["ana@example.com"][0])
		}
		if _, err := e.app.OpenWindowLink(ctx, first); err != nil {
			t.Fatalf("Ana opens her window: %v", err)
		}

		// An Idempotency-Key sends once; a new send makes a new link and
		// stops the old one.
		e.advance(time.Minute)
		r1 := e.c.post("/people/Ana/window-link", nil, key("window-ana"))
		r2 := e.c.post("/people/Ana/window-link", nil, key("window-ana"))
		if r1.status != 201 || r2.status != 201 || r2.header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("send with a key twice: %s / %s", r1, r2)
		}
		again := e.deliver()["ana@example.com"]
		if len(again) != 1 {
			t.Fatalf("Ana got %d letters for one key, want 1", len(again))
		}
		if second := linkIn(again[0], "/w/"); second == "" || second == first {
			t.Fatalf("the new link %q (the first was %q)", second, first)
		} else if _, err := e.app.OpenWindowLink(ctx, second); err != nil {
			t.Fatalf("the new link: %v", err)
		}
		if _, err := e.app.OpenWindowLink(ctx, first); err == nil {
			t.Error("the first window link still works after a new one was sent")
		}

		envelope(t, e.c.post("/people/Finn/window-link", nil), 400, tl.EINVALID)
		envelope(t, e.c.post("/people/Nobody/window-link", nil), 404, tl.ENOTFOUND)
		envelope(t, e.client(e.read).post("/people/Ana/window-link", nil), 403, tl.EFORBIDDEN)
	})
}

func TestLaunchPulseByEmail(t *testing.T) {
	bothDatabases(t, func(t *testing.T, e *env) {
		team := []string{"Ana", "Ben", "Cleo", "Dev", "Eve"}
		e.addPeople(e.c, team...)
		e.addPeople(e.c, "Finn")

		// There are no shared links: the document allows only "email".
		if eb := envelope(t, e.c.post("/pulses", obj{"delivery": "link"}, refused), 400, tl.EINVALID); len(eb.Details) == 0 || eb.Details[0].Location != "body.delivery" {
			t.Errorf("delivery link: %+v, want a detail at body.delivery", eb)
		}
		// Nobody counts yet.
		if eb := envelope(t, e.c.post("/pulses", obj{}), 400, tl.EINVALID); !strings.Contains(eb.Message, "your team has nobody who can be asked yet") {
			t.Errorf("launch before anyone counts: %q", eb.Message)
		}

		// The five confirm, Finn does not; a week later the five are asked.
		if who := e.confirm(team...); len(who) != 5 {
			t.Fatalf("confirmed %v, want the five", who)
		}
		e.advance(tl.MemberWait)

		l1 := e.c.post("/pulses", obj{"delivery": "email"}, key("launch-1"))
		got := as[tl.PulseLaunch](t, l1, 201)
		if got.Pulse.Delivery != tl.DeliveryEmail || got.Queued != 5 || got.Pulse.Population != 5 {
			t.Errorf("launch: %s", l1.body)
		}
		if len(got.NotAsked) != 1 || got.NotAsked[0].Person != "Finn" || got.NotAsked[0].Step != tl.StepConfirm {
			t.Errorf("not asked: %s", l1.body)
		}
		l2 := e.c.post("/pulses", obj{"delivery": "email"}, key("launch-1"))
		if l2.status != 201 || as[tl.PulseLaunch](t, l2, 201).Pulse.ID != got.Pulse.ID || l2.header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("a retry launched again: %s", l2)
		}
		letters := e.deliver()
		if len(letters) != 5 {
			t.Fatalf("invitations reached %d people, want 5: %v", len(letters), letters)
		}
		for _, n := range team {
			texts := letters[strings.ToLower(n)+"@example.com"]
			if len(texts) != 1 || linkIn(texts[0], "/p/") == "" {
				t.Errorf("%s's invitation: %v", n, texts)
			}
		}
		envelope(t, e.c.post("/pulses", obj{}), 409, tl.ECONFLICT)
	})
}

func TestApprovals(t *testing.T) {
	bothDatabases(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		// Sam leads a team at Lena's installation; Lena owns it and does
		// not lead Sam's people, so she approves them.
		inv, token, err := e.app.Invite(ctx, e.owner.ID, "sam@example.org", tl.RoleLeader)
		if err != nil || inv == nil {
			t.Fatalf("invite Sam: %v", err)
		}
		sam, err := e.app.AcceptInvite(ctx, token, "Sam", "correct horse battery")
		if err != nil {
			t.Fatal(err)
		}
		_, samToken, err := e.app.CreateToken(ctx, sam.ID, "sam", tl.ScopeWrite)
		if err != nil {
			t.Fatal(err)
		}
		sc := e.client(samToken)
		e.addPeople(sc, "Kim", "Lou")
		e.addPeople(e.c, "Ana")
		e.confirm()
		e.advance(tl.MemberWait)

		if s := roster(t, sc)["Kim"]; s.Counts || s.Step != tl.StepApproval {
			t.Errorf("Kim before approval: %+v", s)
		}
		if s := roster(t, e.c)["Ana"]; !s.Counts {
			t.Errorf("Ana, whose leader is the only administrator, needs no approval: %+v", s)
		}

		ids := map[string]string{}
		for _, a := range as[api.Page[tl.Approval]](t, e.c.get("/approvals"), 200).Items {
			if a.Leader != "Sam" || !a.Confirmed || a.RelationshipID == "" {
				t.Errorf("approval %+v", a)
			}
			ids[a.Person] = a.RelationshipID
		}
		if len(ids) != 2 || ids["Kim"] == "" || ids["Lou"] == "" {
			t.Fatalf("approvals list %v, want Kim and Lou (not Lena's own Ana)", ids)
		}
		if page := as[api.Page[tl.Approval]](t, e.c.get(list("/approvals", 1, "")), 200); len(page.Items) != 1 || page.NextCursor == "" {
			t.Errorf("a page of one: %+v", page)
		}

		// Sam may neither list nor approve: he is no administrator, and
		// nobody vouches for their own team.
		envelope(t, sc.get("/approvals"), 403, tl.EFORBIDDEN)
		envelope(t, sc.post("/approvals/"+ids["Lou"], nil), 403, tl.EFORBIDDEN)
		ana := roster(t, e.c)["Ana"].RelationshipID
		envelope(t, e.c.post("/approvals/"+ana, nil), 403, tl.EFORBIDDEN)

		// Lena approves Kim once; a retry with the key replays, a second
		// approval without it conflicts.
		a1 := e.c.post("/approvals/"+ids["Kim"], nil, key("approve-kim"))
		a2 := e.c.post("/approvals/"+ids["Kim"], nil, key("approve-kim"))
		if a1.status != 201 || a2.status != 201 || a2.header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("approve with a key twice: %s / %s", a1, a2)
		}
		envelope(t, e.c.post("/approvals/"+ids["Kim"], nil), 409, tl.ECONFLICT)
		if s := roster(t, sc)["Kim"]; !s.Counts {
			t.Errorf("Kim approved, confirmed a week ago: %+v", s)
		}
		if s := roster(t, sc)["Lou"]; s.Counts || s.Step != tl.StepApproval {
			t.Errorf("Lou, not approved: %+v", s)
		}
		if left := as[api.Page[tl.Approval]](t, e.c.get("/approvals"), 200); len(left.Items) != 1 || left.Items[0].Person != "Lou" {
			t.Errorf("approvals after Kim's: %+v", left)
		}

		envelope(t, e.c.post("/approvals/no-such-id", nil), 404, tl.ENOTFOUND)
		envelope(t, e.client(e.read).post("/approvals/"+ids["Lou"], nil), 403, tl.EFORBIDDEN)
		envelope(t, e.client("").get("/approvals", refused), 401, tl.EUNAUTHORIZED)
	})
}

// TestRemoteVoice: the CLI's remote service reaches the new operations
// and gives what the app gives.
func TestRemoteVoice(t *testing.T) {
	e := newEnv(t, storetest.OpenSQLite(t))
	ctx := context.Background()
	_, token, err := e.app.Invite(ctx, e.owner.ID, "sam@example.org", tl.RoleLeader)
	if err != nil {
		t.Fatal(err)
	}
	sam, err := e.app.AcceptInvite(ctx, token, "Sam", "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	e.addPeople(e.c, "Ana", "Ben")
	if _, err := e.app.AddPerson(ctx, sam.LeaderID, tl.PersonInput{Name: "Kim", Email: "kim@example.com", Kind: "direct-report"}); err != nil {
		t.Fatal(err)
	}
	e.confirm("Ana", "Kim")
	r, err := remote.New(ctx, e.srv.URL, e.write, e.hc)
	if err != nil {
		t.Fatal(err)
	}
	lid := e.owner.LeaderID

	got, err := r.VoiceRoster(ctx, lid)
	want, _ := e.app.VoiceRoster(ctx, lid)
	if err != nil || len(got) != 2 || !reflect.DeepEqual(got, want) {
		t.Errorf("remote roster %+v %v, want %+v", got, err, want)
	}
	if err := r.SendConfirmation(ctx, lid, "Ben"); err != nil {
		t.Errorf("remote send confirmation: %v", err)
	}
	if err := r.SendConfirmation(ctx, lid, "Ana"); tl.ErrorCode(err) != tl.ECONFLICT {
		t.Errorf("remote send confirmation to a confirmed address: %v", err)
	}
	if err := r.SendWindowLink(ctx, lid, "Ana"); err != nil {
		t.Errorf("remote window link: %v", err)
	}
	if err := r.SendWindowLink(ctx, lid, "Ben"); tl.ErrorCode(err) != tl.EINVALID {
		t.Errorf("remote window link to an unconfirmed address: %v", err)
	}
	aps, err := r.Approvals(ctx, e.owner.ID)
	if err != nil || len(aps) != 1 || aps[0].Person != "Kim" || aps[0].Leader != "Sam" {
		t.Fatalf("remote approvals %+v %v", aps, err)
	}
	if err := r.Approve(ctx, e.owner.ID, aps[0].RelationshipID); err != nil {
		t.Errorf("remote approve: %v", err)
	}
	if err := r.Approve(ctx, e.owner.ID, aps[0].RelationshipID); tl.ErrorCode(err) != tl.ECONFLICT {
		t.Errorf("remote approve twice: %v", err)
	}
	if _, err := r.Approvals(ctx, sam.ID); tl.ErrorCode(err) != tl.EFORBIDDEN {
		t.Errorf("remote approvals for another account: %v", err)
	}
}
