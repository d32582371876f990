package api_test

import (
	"context"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/api/client"
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
func (e *env) addPeople(c *client.ClientWithResponses, names ...string) {
	e.t.Helper()
	for _, n := range names {
		res, err := c.CreatePersonWithResponse(context.Background(), nil, client.CreatePersonJSONRequestBody{Name: n, Email: ptr(strings.ToLower(n) + "@example.com")})
		if err != nil || res.StatusCode() != 201 {
			e.t.Fatalf("create %s: %v %d %s", n, err, res.StatusCode(), res.Body)
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
func roster(t *testing.T, c *client.ClientWithResponses) map[string]client.Standing {
	t.Helper()
	out := map[string]client.Standing{}
	var cursor *string
	for pages := 0; ; pages++ {
		res, err := c.ListVoiceRosterWithResponse(context.Background(), &client.ListVoiceRosterParams{Limit: ptr(int64(2)), Cursor: cursor})
		if err != nil || res.JSON200 == nil {
			t.Fatalf("voice roster: %v %s", err, res.Body)
		}
		for _, s := range *res.JSON200.Items {
			if _, ok := out[s.Person]; ok {
				t.Fatalf("%s on two pages", s.Person)
			}
			out[s.Person] = s
		}
		if cursor = res.JSON200.NextCursor; cursor == nil {
			return out
		}
		if pages > 10 {
			t.Fatal("the roster's pages do not end")
		}
	}
}

func step(s client.Standing) string {
	if s.Step == nil {
		return ""
	}
	return *s.Step
}

func TestVoiceRoster(t *testing.T) {
	bothDatabases(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		e.addPeople(e.c, "Ana", "Ben", "Cleo", "Dev", "Eve")
		if res, _ := e.c.CreatePersonWithResponse(ctx, nil, client.CreatePersonJSONRequestBody{Name: "Finn"}); res.StatusCode() != 201 {
			t.Fatalf("create Finn: %s", res.Body)
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
			if s.Counts || step(s) != want || s.Reason == nil || *s.Reason == "" || s.RelationshipId == "" {
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
			if s.Counts || step(s) != tl.StepWait || s.CountsFrom == nil || !s.CountsFrom.Equal(start.Add(tl.MemberWait)) {
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
		if res, _ := e.client(e.read).ListVoiceRosterWithResponse(ctx, nil); res.StatusCode() != 200 {
			t.Fatalf("read token: %d %s", res.StatusCode(), res.Body)
		}
		if res, _ := e.c.SetPersonEmailWithResponse(ctx, "Ana", client.SetPersonEmailJSONRequestBody{Email: "ana@example.net"}); res.StatusCode() != 200 {
			t.Fatalf("set Ana's email: %s", res.Body)
		}
		if s := roster(t, e.c)["Ana"]; s.Counts || step(s) != tl.StepConfirm {
			t.Errorf("Ana with a new address: %+v", s)
		}
		bad := "bm90LWFuLWlk"
		res, _ := e.c.ListVoiceRosterWithResponse(ctx, &client.ListVoiceRosterParams{Cursor: &bad})
		envelope(t, res.StatusCode(), res.Body, 400, tl.EINVALID)
		res, _ = e.client("").ListVoiceRosterWithResponse(ctx, nil)
		envelope(t, res.StatusCode(), res.Body, 401, tl.EUNAUTHORIZED)
	})
}

func TestSendAddressConfirmation(t *testing.T) {
	bothDatabases(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		e.addPeople(e.c, "Ana", "Ben")
		if res, _ := e.c.CreatePersonWithResponse(ctx, nil, client.CreatePersonJSONRequestBody{Name: "Finn"}); res.StatusCode() != 201 {
			t.Fatalf("create Finn: %s", res.Body)
		}
		first := linkIn(strings.Join(e.deliver()["ana@example.com"], "\n"), "/v/")
		if first == "" {
			t.Fatal("adding Ana with an address mailed her no confirmation link")
		}

		// Sent again: a new link by mail, nothing in the answer; the first
		// link stops working.
		e.advance(time.Minute)
		res, err := e.c.SendAddressConfirmationWithResponse(ctx, "Ana", nil)
		if err != nil || res.StatusCode() != 201 {
			t.Fatalf("send again: %v %d %s", err, res.StatusCode(), res.Body)
		}
		if strings.Contains(string(res.Body), "/v/") || strings.Contains(string(res.Body), "token") {
			t.Errorf("the answer shows the link: %s", res.Body)
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
		key := "confirm-ben"
		r1, _ := e.c.SendAddressConfirmationWithResponse(ctx, "Ben", &client.SendAddressConfirmationParams{IdempotencyKey: &key})
		r2, _ := e.c.SendAddressConfirmationWithResponse(ctx, "Ben", &client.SendAddressConfirmationParams{IdempotencyKey: &key})
		if r1.StatusCode() != 201 || r2.StatusCode() != 201 || r2.HTTPResponse.Header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("send with a key twice: %d %s / %d %s (replayed %q)", r1.StatusCode(), r1.Body, r2.StatusCode(), r2.Body, r2.HTTPResponse.Header.Get("Idempotent-Replayed"))
		}
		// Ben's first letter went with Ana's; now one resend, not two.
		if n := len(e.deliver()["ben@example.com"]); n != 1 {
			t.Errorf("Ben got %d letters for one key, want 1", n)
		}

		// Errors: no address, unknown person, already confirmed, read token.
		noAddr, _ := e.c.SendAddressConfirmationWithResponse(ctx, "Finn", nil)
		envelope(t, noAddr.StatusCode(), noAddr.Body, 400, tl.EINVALID)
		nobody, _ := e.c.SendAddressConfirmationWithResponse(ctx, "Nobody", nil)
		envelope(t, nobody.StatusCode(), nobody.Body, 404, tl.ENOTFOUND)
		if err := e.app.ConfirmAddress(ctx, second); err != nil {
			t.Fatal(err)
		}
		done, _ := e.c.SendAddressConfirmationWithResponse(ctx, "Ana", nil)
		envelope(t, done.StatusCode(), done.Body, 409, tl.ECONFLICT)
		ro, _ := e.client(e.read).SendAddressConfirmationWithResponse(ctx, "Ben", nil)
		envelope(t, ro.StatusCode(), ro.Body, 403, tl.EFORBIDDEN)
	})
}

func TestSendWindowLink(t *testing.T) {
	bothDatabases(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		e.addPeople(e.c, "Ana", "Ben")
		if res, _ := e.c.CreatePersonWithResponse(ctx, nil, client.CreatePersonJSONRequestBody{Name: "Finn"}); res.StatusCode() != 201 {
			t.Fatalf("create Finn: %s", res.Body)
		}
		// Not before the person confirmed their address.
		early, _ := e.c.SendWindowLinkWithResponse(ctx, "Ana", nil)
		if eb := envelope(t, early.StatusCode(), early.Body, 400, tl.EINVALID); !strings.Contains(eb.Message, "confirmed") {
			t.Errorf("unconfirmed: %q", eb.Message)
		}
		e.confirm()

		res, err := e.c.SendWindowLinkWithResponse(ctx, "Ana", nil)
		if err != nil || res.StatusCode() != 201 {
			t.Fatalf("send: %v %d %s", err, res.StatusCode(), res.Body)
		}
		if strings.Contains(string(res.Body), "/w/") || strings.Contains(string(res.Body), "token") {
			t.Errorf("the answer shows the link: %s", res.Body)
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
		key := "window-ana"
		r1, _ := e.c.SendWindowLinkWithResponse(ctx, "Ana", &client.SendWindowLinkParams{IdempotencyKey: &key})
		r2, _ := e.c.SendWindowLinkWithResponse(ctx, "Ana", &client.SendWindowLinkParams{IdempotencyKey: &key})
		if r1.StatusCode() != 201 || r2.StatusCode() != 201 || r2.HTTPResponse.Header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("send with a key twice: %d %s / %d %s", r1.StatusCode(), r1.Body, r2.StatusCode(), r2.Body)
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

		noAddr, _ := e.c.SendWindowLinkWithResponse(ctx, "Finn", nil)
		envelope(t, noAddr.StatusCode(), noAddr.Body, 400, tl.EINVALID)
		nobody, _ := e.c.SendWindowLinkWithResponse(ctx, "Nobody", nil)
		envelope(t, nobody.StatusCode(), nobody.Body, 404, tl.ENOTFOUND)
		ro, _ := e.client(e.read).SendWindowLinkWithResponse(ctx, "Ana", nil)
		envelope(t, ro.StatusCode(), ro.Body, 403, tl.EFORBIDDEN)
	})
}

func TestLaunchPulseByEmail(t *testing.T) {
	bothDatabases(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		team := []string{"Ana", "Ben", "Cleo", "Dev", "Eve"}
		e.addPeople(e.c, team...)
		e.addPeople(e.c, "Finn")

		// There are no shared links: the document allows only "email".
		link := client.LaunchPulseRequestDelivery("link")
		res, _ := e.c.LaunchPulseWithResponse(ctx, nil, client.LaunchPulseJSONRequestBody{Delivery: &link})
		if eb := envelope(t, res.StatusCode(), res.Body, 400, tl.EINVALID); len(eb.Details) == 0 || eb.Details[0].Location != "body.delivery" {
			t.Errorf("delivery link: %+v, want a detail at body.delivery", eb)
		}
		// Nobody counts yet.
		res, _ = e.c.LaunchPulseWithResponse(ctx, nil, client.LaunchPulseJSONRequestBody{})
		if eb := envelope(t, res.StatusCode(), res.Body, 400, tl.EINVALID); !strings.Contains(eb.Message, "count toward k") {
			t.Errorf("launch before anyone counts: %q", eb.Message)
		}

		// The five confirm, Finn does not; a week later the five are asked.
		if who := e.confirm(team...); len(who) != 5 {
			t.Fatalf("confirmed %v, want the five", who)
		}
		e.advance(tl.MemberWait)

		email := client.LaunchPulseRequestDeliveryEmail
		key := "launch-1"
		l1, err := e.c.LaunchPulseWithResponse(ctx, &client.LaunchPulseParams{IdempotencyKey: &key}, client.LaunchPulseJSONRequestBody{Delivery: &email})
		if err != nil || l1.JSON201 == nil {
			t.Fatalf("launch: %v %d %s", err, l1.StatusCode(), l1.Body)
		}
		got := l1.JSON201
		if got.Pulse.Delivery != tl.DeliveryEmail || got.Queued != 5 || got.Pulse.Population != 5 {
			t.Errorf("launch: %s", l1.Body)
		}
		if got.NotAsked == nil || len(*got.NotAsked) != 1 || (*got.NotAsked)[0].Person != "Finn" || step((*got.NotAsked)[0]) != tl.StepConfirm {
			t.Errorf("not asked: %s", l1.Body)
		}
		l2, _ := e.c.LaunchPulseWithResponse(ctx, &client.LaunchPulseParams{IdempotencyKey: &key}, client.LaunchPulseJSONRequestBody{Delivery: &email})
		if l2.JSON201 == nil || l2.JSON201.Pulse.Id != got.Pulse.Id || l2.HTTPResponse.Header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("a retry launched again: %s", l2.Body)
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
		again, _ := e.c.LaunchPulseWithResponse(ctx, nil, client.LaunchPulseJSONRequestBody{})
		envelope(t, again.StatusCode(), again.Body, 409, tl.ECONFLICT)
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

		if s := roster(t, sc)["Kim"]; s.Counts || step(s) != tl.StepApproval {
			t.Errorf("Kim before approval: %+v", s)
		}
		if s := roster(t, e.c)["Ana"]; !s.Counts {
			t.Errorf("Ana, whose leader is the only administrator, needs no approval: %+v", s)
		}

		list, err := e.c.ListApprovalsWithResponse(ctx, nil)
		if err != nil || list.JSON200 == nil {
			t.Fatalf("approvals: %v %s", err, list.Body)
		}
		ids := map[string]string{}
		for _, a := range *list.JSON200.Items {
			if a.Leader != "Sam" || !a.Confirmed || a.RelationshipId == "" {
				t.Errorf("approval %+v", a)
			}
			ids[a.Person] = a.RelationshipId
		}
		if len(ids) != 2 || ids["Kim"] == "" || ids["Lou"] == "" {
			t.Fatalf("approvals list %v, want Kim and Lou (not Lena's own Ana)", ids)
		}
		page, _ := e.c.ListApprovalsWithResponse(ctx, &client.ListApprovalsParams{Limit: ptr(int64(1))})
		if page.JSON200 == nil || len(*page.JSON200.Items) != 1 || page.JSON200.NextCursor == nil {
			t.Errorf("a page of one: %s", page.Body)
		}

		// Sam may neither list nor approve: he is no administrator, and
		// nobody vouches for their own team.
		denied, _ := sc.ListApprovalsWithResponse(ctx, nil)
		envelope(t, denied.StatusCode(), denied.Body, 403, tl.EFORBIDDEN)
		self, _ := sc.ApprovePersonWithResponse(ctx, ids["Lou"], nil)
		envelope(t, self.StatusCode(), self.Body, 403, tl.EFORBIDDEN)
		ana := roster(t, e.c)["Ana"].RelationshipId
		own, _ := e.c.ApprovePersonWithResponse(ctx, ana, nil)
		envelope(t, own.StatusCode(), own.Body, 403, tl.EFORBIDDEN)

		// Lena approves Kim once; a retry with the key replays, a second
		// approval without it conflicts.
		key := "approve-kim"
		a1, _ := e.c.ApprovePersonWithResponse(ctx, ids["Kim"], &client.ApprovePersonParams{IdempotencyKey: &key})
		a2, _ := e.c.ApprovePersonWithResponse(ctx, ids["Kim"], &client.ApprovePersonParams{IdempotencyKey: &key})
		if a1.StatusCode() != 201 || a2.StatusCode() != 201 || a2.HTTPResponse.Header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("approve with a key twice: %d %s / %d %s", a1.StatusCode(), a1.Body, a2.StatusCode(), a2.Body)
		}
		a3, _ := e.c.ApprovePersonWithResponse(ctx, ids["Kim"], nil)
		envelope(t, a3.StatusCode(), a3.Body, 409, tl.ECONFLICT)
		if s := roster(t, sc)["Kim"]; !s.Counts {
			t.Errorf("Kim approved, confirmed a week ago: %+v", s)
		}
		if s := roster(t, sc)["Lou"]; s.Counts || step(s) != tl.StepApproval {
			t.Errorf("Lou, not approved: %+v", s)
		}
		left, _ := e.c.ListApprovalsWithResponse(ctx, nil)
		if left.JSON200 == nil || len(*left.JSON200.Items) != 1 || (*left.JSON200.Items)[0].Person != "Lou" {
			t.Errorf("approvals after Kim's: %s", left.Body)
		}

		missing, _ := e.c.ApprovePersonWithResponse(ctx, "no-such-id", nil)
		envelope(t, missing.StatusCode(), missing.Body, 404, tl.ENOTFOUND)
		ro, _ := e.client(e.read).ApprovePersonWithResponse(ctx, ids["Lou"], nil)
		envelope(t, ro.StatusCode(), ro.Body, 403, tl.EFORBIDDEN)
		anon, _ := e.client("").ListApprovalsWithResponse(ctx, nil)
		envelope(t, anon.StatusCode(), anon.Body, 401, tl.EUNAUTHORIZED)
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
	r, err := remote.New(ctx, e.srv.URL, e.write, nil)
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
