package app_test

// Who counts toward k (standing.go, docs/ANONYMITY.md rule 1): each step
// of the rule, the confirmation link, and approvals by an administrator
// who does not lead the people they approve.

import (
	"slices"
	"strings"
	"testing"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/engine"
	"github.com/trustledger/trustledger/internal/store"
)

// standings is the leader's roster by person.
func (e *env) standings(leaderID string) map[string]tl.Standing {
	e.t.Helper()
	out := map[string]tl.Standing{}
	for _, st := range must(e.app.VoiceRoster(e.ctx, leaderID))(e.t) {
		out[st.Person] = st
	}
	return out
}

// wantStep checks that person stands at step (tl.Step*, or "" for
// counting), with a reason that holds every part.
func wantStep(t *testing.T, sts map[string]tl.Standing, person, step string, parts ...string) tl.Standing {
	t.Helper()
	st, ok := sts[person]
	if !ok {
		t.Fatalf("%s is not on the roster", person)
	}
	if st.Step != step || st.Counts != (step == "") {
		t.Fatalf("%s stands %+v, want step %q", person, st, step)
	}
	for _, p := range parts {
		if !strings.Contains(st.Reason, p) {
			t.Fatalf("%s: reason %q does not say %q", person, st.Reason, p)
		}
	}
	return st
}

// add adds a person with an address (or none) to the leader's default team.
func (e *env) add(leaderID, name, email string) *tl.Relationship {
	e.t.Helper()
	return must(e.app.AddPerson(e.ctx, leaderID, tl.PersonInput{Name: name, Email: email, Kind: engine.DirectReport}))(e.t)
}

// confirmations counts the address confirmations queued for a person at
// an address.
func (e *env) confirmations(t *testing.T, r *tl.Relationship, email string) int {
	t.Helper()
	return e.count(t, "outbox WHERE kind = $1 AND ref_id = $2 AND to_addr = $3", store.MailAddressConfirm, r.ID, email)
}

// TestStandingSteps walks each step of the rule at an installation whose
// only administrator is the leader: no address, an address that reaches
// the leader's own mailbox or another person's, not confirmed, waiting,
// counting. No approval is asked for there.
func TestStandingSteps(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		lena := must(e.app.Signup(e.ctx, tl.SignupInput{Email: "Lena.Lima@gmail.com", Name: "Lena", Password: ownerPass}))(t)
		l := lena.LeaderID
		nobody := e.add(l, "Nobody", "")
		plus := e.add(l, "Plus", "lena.lima+team@gmail.com")    // the leader's mailbox with a tag
		dots := e.add(l, "Dots", "L.ENA.LIMA@googlemail.com")   // the same, with dots moved
		ana := e.add(l, "Ana", "ana@corp.example")              // two people
		anaToo := e.add(l, "Ana Too", "Ana+Work@corp.example")  // at one mailbox
		ben := e.add(l, "Ben", "ben@corp.example")              // outside Gmail, dots make
		bEn := e.add(l, "B. En", "b.en@corp.example")           // another mailbox,
		corp := e.add(l, "Lena Corp", "lena.lima@corp.example") // and another domain too
		cleo := e.add(l, "Cleo", "cleo@corp.example")           // who never confirms
		for _, r := range []*tl.Relationship{plus, dots, ana, anaToo, ben, bEn, corp, cleo} {
			if n := e.confirmations(t, r, r.Email); n != 1 {
				t.Fatalf("%s: %d address confirmations queued, want 1", r.Person, n)
			}
		}
		if n := e.count(t, "outbox WHERE kind = $1 AND ref_id = $2", store.MailAddressConfirm, nobody.ID); n != 0 {
			t.Fatalf("a person without an address got %d confirmations", n)
		}

		// Before anyone confirms.
		sts := e.standings(l)
		wantStep(t, sts, "Nobody", tl.StepAddress, "no email address")
		wantStep(t, sts, "Plus", tl.StepAlias, "leader's own mailbox")
		wantStep(t, sts, "Dots", tl.StepAlias, "leader's own mailbox")
		wantStep(t, sts, "Ana", tl.StepAlias, "shares a mailbox")
		wantStep(t, sts, "Ana Too", tl.StepAlias, "shares a mailbox")
		for _, name := range []string{"Ben", "B. En", "Lena Corp", "Cleo"} {
			wantStep(t, sts, name, tl.StepConfirm, "not confirmed")
		}

		// Confirming an alias does not make it count; confirming starts
		// the wait for the others.
		confirmedAt := e.clk.Now()
		e.confirm(plus, dots, ana, anaToo, ben, bEn, corp)
		sts = e.standings(l)
		for _, name := range []string{"Plus", "Dots", "Ana", "Ana Too"} {
			wantStep(t, sts, name, tl.StepAlias)
		}
		for _, name := range []string{"Ben", "B. En", "Lena Corp"} {
			st := wantStep(t, sts, name, tl.StepWait, "counts from")
			if !st.From.Equal(confirmedAt.Add(tl.MemberWait)) {
				t.Fatalf("%s counts from %v, want the confirmation plus the wait, %v", name, st.From, confirmedAt.Add(tl.MemberWait))
			}
		}
		wantStep(t, sts, "Cleo", tl.StepConfirm)
		// The sole administrator's people need no approval.
		for _, st := range sts {
			if st.Step == tl.StepApproval {
				t.Fatalf("%s waits for an approval where the leader is the only administrator", st.Person)
			}
		}

		// The wait ends exactly MemberWait after the confirmation.
		e.clk.Advance(tl.MemberWait - time.Millisecond)
		wantStep(t, e.standings(l), "Ben", tl.StepWait)
		e.clk.Advance(time.Millisecond)
		sts = e.standings(l)
		for _, name := range []string{"Ben", "B. En", "Lena Corp"} {
			wantStep(t, sts, name, "")
		}
		wantStep(t, sts, "Ana", tl.StepAlias)
		wantStep(t, sts, "Dots", tl.StepAlias)

		// Once one of the two at a mailbox leaves, the other stands alone.
		must(e.app.SetActive(e.ctx, l, "Ana Too", false))(t)
		sts = e.standings(l)
		wantStep(t, sts, "Ana", "")
		if _, ok := sts["Ana Too"]; ok {
			t.Fatal("an inactive person is on the roster")
		}
		// A launch asks exactly those who count.
		p := must(e.app.LaunchPulse(e.ctx, l, tl.PulseInput{K: 3}))(t)
		if p.Pulse.Population != 4 {
			t.Fatalf("the pulse asks %d people, want the 4 who count (Ana, Ben, B. En, Lena Corp)", p.Pulse.Population)
		}
		var notAsked []string
		for _, st := range p.NotAsked {
			notAsked = append(notAsked, st.Person)
		}
		slices.Sort(notAsked)
		if want := []string{"Cleo", "Dots", "Nobody", "Plus"}; !slices.Equal(notAsked, want) {
			t.Fatalf("not asked %v, want %v", notAsked, want)
		}
		_, err := e.app.VoiceRoster(e.ctx, "no-such-leader")
		wantCode(t, err, tl.ENOTFOUND)
	})
}

// TestConfirmAddress: the link shows what it confirms without confirming
// it (mail scanners open links), confirms once when pressed, and stops
// working when the address changes or a new link is sent.
func TestConfirmAddress(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		l := e.leader("Lena")
		must(e.app.AddTeam(e.ctx, l.ID, "design"))(t)
		ana := must(e.app.AddPerson(e.ctx, l.ID, tl.PersonInput{Name: "Ana", Email: "ana@example.org", Kind: engine.Peer, Team: "design"}))(t)
		tok := must(e.app.AddressLinkForTest(e.ctx, ana.ID, ana.Email))(t)
		if tok == "" {
			t.Fatal("no confirmation link for Ana")
		}
		c := must(e.app.AddressConfirmation(e.ctx, tok))(t)
		if c.Leader != "Lena" || c.Person != "Ana" || c.Team != "design" || c.Email != "ana@example.org" || c.Confirmed {
			t.Fatalf("the link shows %+v", c)
		}
		wantStep(t, e.standings(l.ID), "Ana", tl.StepConfirm) // looking is not confirming

		// The address changes before Ana presses: the old link, and the
		// mail still queued for the old address, confirm nothing.
		must(e.app.SetEmail(e.ctx, l.ID, "Ana", "ana@new.example"))(t)
		wantCode(t, e.app.ConfirmAddress(e.ctx, tok), tl.ENOTFOUND, "not valid")
		_, err := e.app.AddressConfirmation(e.ctx, tok)
		wantCode(t, err, tl.ENOTFOUND, "not valid")
		if old := must(e.app.AddressLinkForTest(e.ctx, ana.ID, "ana@example.org"))(t); old != "" {
			t.Fatal("a confirmation link was issued for the old address")
		}
		wantStep(t, e.standings(l.ID), "Ana", tl.StepConfirm)

		// A link sent again replaces the one before.
		first := must(e.app.AddressLinkForTest(e.ctx, ana.ID, "ana@new.example"))(t)
		noErr(t, e.app.SendConfirmation(e.ctx, l.ID, "Ana"))
		if n := e.confirmations(t, ana, "ana@new.example"); n != 2 {
			t.Fatalf("%d confirmations queued for the new address, want 2 (the change, the resend)", n)
		}
		second := must(e.app.AddressLinkForTest(e.ctx, ana.ID, "ana@new.example"))(t)
		wantCode(t, e.app.ConfirmAddress(e.ctx, first), tl.ENOTFOUND, "not valid")
		confirmedAt := e.clk.Now()
		noErr(t, e.app.ConfirmAddress(e.ctx, second))
		st := wantStep(t, e.standings(l.ID), "Ana", tl.StepWait)
		if !st.From.Equal(confirmedAt.Add(tl.MemberWait)) {
			t.Fatalf("Ana counts from %v, want %v", st.From, confirmedAt.Add(tl.MemberWait))
		}
		// Pressed twice: nothing changes, and the link still says so.
		e.clk.Advance(time.Hour)
		noErr(t, e.app.ConfirmAddress(e.ctx, second))
		if c := must(e.app.AddressConfirmation(e.ctx, second))(t); !c.Confirmed {
			t.Fatalf("the used link shows %+v, want it confirmed", c)
		}
		wantStep(t, e.standings(l.ID), "Ana", tl.StepWait)
		if st := wantStep(t, e.standings(l.ID), "Ana", tl.StepWait); !st.From.Equal(confirmedAt.Add(tl.MemberWait)) {
			t.Fatalf("pressing again moved the wait to %v", st.From)
		}
		wantCode(t, e.app.ConfirmAddress(e.ctx, ""), tl.ENOTFOUND)
		wantCode(t, e.app.ConfirmAddress(e.ctx, "NOTATOKEN"), tl.ENOTFOUND)
		if tok := must(e.app.AddressLinkForTest(e.ctx, ana.ID, "ana@new.example"))(t); tok != "" {
			t.Fatal("a confirmation link was issued after the address was confirmed")
		}
		// A person made inactive cannot confirm a link they still hold.
		ben := e.add(l.ID, "Ben", "ben@example.org")
		btok := must(e.app.AddressLinkForTest(e.ctx, ben.ID, ben.Email))(t)
		must(e.app.SetActive(e.ctx, l.ID, "Ben", false))(t)
		wantCode(t, e.app.ConfirmAddress(e.ctx, btok), tl.ENOTFOUND)
	})
}

// TestSendConfirmation: what cannot be sent again says why.
func TestSendConfirmation(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		l := e.leader("Lena")
		e.add(l.ID, "Nobody", "")
		ana := e.add(l.ID, "Ana", "ana@example.org")
		e.add(l.ID, "Ben", "ben@example.org")
		wantCode(t, e.app.SendConfirmation(e.ctx, l.ID, "Nobody"), tl.EINVALID, "no email address")
		wantCode(t, e.app.SendConfirmation(e.ctx, l.ID, "Zed"), tl.ENOTFOUND)
		wantCode(t, e.app.SendConfirmation(e.ctx, "no-such-leader", "Ana"), tl.ENOTFOUND)
		must(e.app.SetActive(e.ctx, l.ID, "Ben", false))(t)
		wantCode(t, e.app.SendConfirmation(e.ctx, l.ID, "Ben"), tl.EINVALID, "not active")
		e.confirm(ana)
		wantCode(t, e.app.SendConfirmation(e.ctx, l.ID, "Ana"), tl.ECONFLICT, "already confirmed")
		if n := e.confirmations(t, ana, ana.Email); n != 1 {
			t.Fatalf("%d confirmations queued for Ana, want the first alone", n)
		}
		// Another leader cannot send for Lena's people.
		o := e.leader("Omar")
		wantCode(t, e.app.SendConfirmation(e.ctx, o.ID, "Ana"), tl.ENOTFOUND)
	})
}

// TestApprovals: where an owner or administrator who is not the leader
// exists, the leader's people count only once one of them approved them.
// The leader's own accounts, coaches and leaders cannot approve.
func TestApprovals(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		lena := e.signupOwner(t) // Lena@Example.org, who set the installation up
		l := lena.LeaderID
		ana := e.team(l, 1)[0]
		// A second administrator account at the leader's own mailbox is
		// no one else, nor is any administrator Lena brings in: she could
		// read their mail. The approval step does not start, and they
		// cannot approve.
		alias := e.inviteAndAccept(t, lena.ID, "lena+admin@example.org", "Lena Admin", tl.RoleAdmin)
		zed := e.inviteAndAccept(t, lena.ID, "zed@elsewhere.example", "Zed", tl.RoleAdmin)
		wantStep(t, e.standings(l), ana.Person, "")
		wantCode(t, e.app.Approve(e.ctx, alias.ID, ana.ID), tl.EFORBIDDEN, "must approve them")
		wantCode(t, e.app.Approve(e.ctx, zed.ID, ana.ID), tl.EFORBIDDEN, "must approve them")
		if got := must(e.app.Approvals(e.ctx, zed.ID))(t); len(got) != 0 {
			t.Fatalf("an administrator Lena brought in may approve %+v", got)
		}

		// Where the installation is someone else's, an administrator they
		// brought in starts it for everyone Lena leads, already counting
		// or not. (Here, Lena hands the installation on: a second
		// database, with Hal as the owner who invites Lena and Ada.)
		e = e.fresh(t)
		hal, lena2 := e.installation(t)
		lena, l = lena2, lena2.LeaderID
		people := e.team(l, 2)
		ana, ben := people[0], people[1]
		nobody := e.add(l, "Nobody", "")
		ada := e.inviteAndAccept(t, hal.ID, "ada@example.org", "Ada", tl.RoleAdmin)
		cora := e.inviteAndAccept(t, hal.ID, "cora@example.org", "Cora", tl.RoleCoach)
		sam := e.inviteAndAccept(t, hal.ID, "sam@example.org", "Sam", tl.RoleLeader)
		sts := e.standings(l)
		wantStep(t, sts, ana.Person, tl.StepApproval, "administrator")
		wantStep(t, sts, ben.Person, tl.StepApproval)
		_, err := e.app.LaunchPulse(e.ctx, l, tl.PulseInput{K: 3})
		wantCode(t, err, tl.EINVALID, "your team has nobody who can be asked yet;")

		// Ada lists Lena's people; Lena does not list her own.
		listed := func(actorID string) []string {
			t.Helper()
			var out []string
			for _, ap := range must(e.app.Approvals(e.ctx, actorID))(t) {
				out = append(out, ap.Leader+"/"+ap.Person)
			}
			slices.Sort(out)
			return out
		}
		if got, want := listed(ada.ID), []string{"Lena/" + ana.Person, "Lena/" + ben.Person}; !slices.Equal(got, want) {
			t.Fatalf("Ada may approve %v, want %v", got, want)
		}
		if got := listed(lena.ID); len(got) != 0 {
			t.Fatalf("Lena may approve %v, want none of her own", got)
		}
		// Nobody but an independent owner or administrator approves.
		wantCode(t, e.app.Approve(e.ctx, lena.ID, ana.ID), tl.EFORBIDDEN, "you lead "+ana.Person)
		for _, u := range []*tl.User{cora, sam} {
			wantCode(t, e.app.Approve(e.ctx, u.ID, ana.ID), tl.EFORBIDDEN)
			_, err := e.app.Approvals(e.ctx, u.ID)
			wantCode(t, err, tl.EFORBIDDEN)
		}
		wantStep(t, e.standings(l), ana.Person, tl.StepApproval)

		noErr(t, e.app.Approve(e.ctx, ada.ID, ana.ID))
		var approved *tl.Relationship
		for _, r := range must(e.app.People(e.ctx, l))(t) {
			if r.ID == ana.ID {
				approved = &r
			}
		}
		if approved.ApprovedBy != ada.ID || !approved.ApprovedAt.Equal(e.clk.Now()) {
			t.Fatalf("Ana approved by %q at %v", approved.ApprovedBy, approved.ApprovedAt)
		}
		sts = e.standings(l)
		wantStep(t, sts, ana.Person, "") // confirmed more than a week ago
		wantStep(t, sts, ben.Person, tl.StepApproval)
		wantCode(t, e.app.Approve(e.ctx, ada.ID, ana.ID), tl.ECONFLICT, "already approved")
		wantCode(t, e.app.Approve(e.ctx, ada.ID, nobody.ID), tl.EINVALID, "nothing to approve")
		wantCode(t, e.app.Approve(e.ctx, ada.ID, "no-such-person"), tl.ENOTFOUND)
		if got, want := listed(ada.ID), []string{"Lena/" + ben.Person}; !slices.Equal(got, want) {
			t.Fatalf("after approving Ana, Ada may approve %v, want %v", got, want)
		}

		// Ada leads too: Lena may approve Ada's people, Ada may not.
		dev := e.add(ada.LeaderID, "Dev", "dev@example.org")
		wantCode(t, e.app.Approve(e.ctx, ada.ID, dev.ID), tl.EFORBIDDEN)
		if got := listed(lena.ID); !slices.Equal(got, []string{"Ada/Dev"}) {
			t.Fatalf("Lena may approve %v, want Ada's Dev", got)
		}
		noErr(t, e.app.Approve(e.ctx, lena.ID, dev.ID))
		wantStep(t, e.standings(ada.LeaderID), "Dev", tl.StepConfirm) // approved, but not confirmed yet
	})
}

// TestNewAddressStartsAgain: a new address is confirmed, approved and
// waited for again, and its confirmation goes to it alone; the same
// address given again changes nothing.
func TestNewAddressStartsAgain(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		hal, lena := e.installation(t)
		l := lena.LeaderID
		ada := e.inviteAndAccept(t, hal.ID, "ada@example.org", "Ada", tl.RoleAdmin)
		ana := e.team(l, 1)[0]
		noErr(t, e.app.Approve(e.ctx, ada.ID, ana.ID))
		wantStep(t, e.standings(l), ana.Person, "")

		// The same address, given again: nothing starts again.
		must(e.app.SetEmail(e.ctx, l, ana.Person, ana.Email))(t)
		wantStep(t, e.standings(l), ana.Person, "")
		if n := e.confirmations(t, ana, ana.Email); n != 1 {
			t.Fatalf("%d confirmations for an unchanged address, want the first alone", n)
		}

		r := must(e.app.SetEmail(e.ctx, l, ana.Person, "Ana@Elsewhere.example"))(t)
		if r.Email != "ana@elsewhere.example" || !r.EmailConfirmedAt.IsZero() || !r.ApprovedAt.IsZero() || r.ApprovedBy != "" {
			t.Fatalf("after the change: %+v", r)
		}
		if n := e.confirmations(t, ana, "ana@elsewhere.example"); n != 1 {
			t.Fatalf("%d confirmations queued for the new address, want 1", n)
		}
		wantStep(t, e.standings(l), ana.Person, tl.StepConfirm)
		ana.Email = r.Email
		confirmedAt := e.clk.Now()
		e.confirm(ana)
		wantStep(t, e.standings(l), ana.Person, tl.StepApproval) // the approval was for the old address
		e.clk.Advance(day)
		noErr(t, e.app.Approve(e.ctx, ada.ID, ana.ID))
		st := wantStep(t, e.standings(l), ana.Person, tl.StepWait)
		if !st.From.Equal(confirmedAt.Add(tl.MemberWait)) {
			t.Fatalf("Ana counts from %v, want the new confirmation plus the wait, %v", st.From, confirmedAt.Add(tl.MemberWait))
		}
		e.clk.Set(st.From)
		wantStep(t, e.standings(l), ana.Person, "")

		// No address at all: nothing waits, nothing counts.
		must(e.app.SetEmail(e.ctx, l, ana.Person, ""))(t)
		wantStep(t, e.standings(l), ana.Person, tl.StepAddress)
		if n := e.count(t, "address_confirmations WHERE relationship_id = $1", ana.ID); n != 0 {
			t.Fatalf("%d confirmations wait for a person without an address", n)
		}
	})
}

// TestAcceptedInvitationConfirms: accepting a member invitation that came
// by mail proves the address, for the account and for the person at it;
// the wait still applies.
func TestAcceptedInvitationConfirms(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		lena := e.signupOwner(t)
		ana := e.add(lena.LeaderID, "Ana", "ana@example.org")
		e.clk.Advance(time.Hour)
		at := e.clk.Now()
		e.inviteAndAccept(t, lena.ID, "ana@example.org", "Ana", tl.RoleMember)
		st := wantStep(t, e.standings(lena.LeaderID), "Ana", tl.StepWait)
		if !st.From.Equal(at.Add(tl.MemberWait)) {
			t.Fatalf("Ana counts from %v, want the acceptance plus the wait, %v", st.From, at.Add(tl.MemberWait))
		}
		// The confirmation mail still queued is no longer needed: it is
		// dropped unsent, and its link would only say she is confirmed.
		if tok := must(e.app.AddressLinkForTest(e.ctx, ana.ID, ana.Email))(t); tok != "" {
			t.Fatal("a confirmation link was issued after the invitation confirmed Ana")
		}
	})
}

// installation is an organisation set up by Hal, its owner, where Lena
// leads and administers: an administrator Hal brings in is independent of
// Lena (docs/ANONYMITY.md, rule 1).
func (e *env) installation(t *testing.T) (hal, lena *tl.User) {
	t.Helper()
	hal = must(e.app.Signup(e.ctx, tl.SignupInput{Email: "hal@example.org", Name: "Hal", Password: ownerPass}))(t)
	lena = e.inviteAndAccept(t, hal.ID, "lena@example.org", "Lena", tl.RoleAdmin)
	return hal, lena
}
