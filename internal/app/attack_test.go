package app_test

// The attacker suite of docs/ANONYMITY.md: each test plays a leader (or an
// administrator) who wants to know what one member said, with everything a
// leader has — their own mailbox, the people they add, the addresses they
// type, the results they are shown — and fails if the attack recovers
// anything. The operator's attacks are in attack_operator_test.go, the
// metrics and log attacks in internal/web/attack_metrics_test.go.

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/engine"
	"github.com/trustledger/trustledger/internal/mail"
	"github.com/trustledger/trustledger/internal/store"
)

// mailboxes delivers the outbox as the mail server would and returns
// every letter, by recipient. An attacker reads only their own.
func (e *env) mailboxes() map[string][]string {
	e.t.Helper()
	letters := must(mail.DeliverInProcess(e.ctx, e.db, e.app.MailRenderer(""), e.clk.Now))(e.t)
	out := map[string][]string{}
	for _, l := range letters {
		out[l.To] = append(out[l.To], l.Text)
	}
	return out
}

// tokenIn finds the token of a link with the prefix ("/p/", "/v/", "/w/",
// "/invite/") in a letter's text.
func tokenIn(text, prefix string) string {
	for line := range strings.SplitSeq(text, "\n") {
		if i := strings.Index(line, prefix); i >= 0 {
			return strings.TrimSpace(line[i+len(prefix):])
		}
	}
	return ""
}

// confirmFrom has whoever reads the mailbox to confirm every address
// confirmation in its letters.
func (e *env) confirmFrom(letters []string) int {
	e.t.Helper()
	n := 0
	for _, text := range letters {
		if tok := tokenIn(text, "/v/"); tok != "" {
			noErr(e.t, e.app.ConfirmAddress(e.ctx, tok))
			n++
		}
	}
	return n
}

// addWithMail adds a person with an address to the leader's default team.
func (e *env) addWithMail(leaderID, name, email string) *tl.Relationship {
	e.t.Helper()
	return must(e.app.AddPerson(e.ctx, leaderID, tl.PersonInput{Name: name, Email: email, Kind: engine.DirectReport}))(e.t)
}

// memberWindow is what a person sees through the window link mailed to
// them.
func (e *env) memberWindow(leaderID, person, email string) *tl.Window {
	e.t.Helper()
	noErr(e.t, e.app.SendWindowLink(e.ctx, leaderID, person))
	var tok string
	for _, text := range e.mailboxes()[email] {
		if t := tokenIn(text, "/w/"); t != "" {
			tok = t
		}
	}
	if tok == "" {
		e.t.Fatalf("no window link reached %s", email)
	}
	pass := must(e.app.OpenWindowLink(e.ctx, tok))(e.t)
	rel := must(e.app.WindowForPass(e.ctx, pass))(e.t)
	return must(e.app.Window(e.ctx, rel))(e.t)
}

// TestAttackFakeMembers: a leader adds people whose mail they read
// themselves, next to one real member, to subtract their known answers
// from the result (rule 1). Aliases of the leader's own mailbox never
// count; where another administrator exists, nobody the leader adds counts
// without their approval; and where the leader is the only administrator
// and has a second mailbox, which no product can stop, the team sees the
// made-up people by name.
func TestAttackFakeMembers(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		lena := e.signupOwner(t) // Lena@Example.org, the only administrator
		ana := e.addWithMail(lena.LeaderID, "Ana", "ana@corp.example")
		e.confirmFrom(e.mailboxes()["ana@corp.example"])
		fakes := []string{"lena+a@example.org", "LENA+b@example.org", "lena+c@example.org", "lena+d@example.org"}
		for i, addr := range fakes {
			e.addWithMail(lena.LeaderID, "Fake "+string(rune('A'+i)), addr)
		}
		boxes := e.mailboxes()
		for _, addr := range fakes {
			// The leader reads these letters: plus-addresses reach her.
			if n := e.confirmFrom(boxes[strings.ToLower(addr)]); n != 1 {
				t.Fatalf("%s got %d confirmation links, want 1", addr, n)
			}
		}
		e.clk.Advance(tl.MemberWait + time.Hour)
		for _, st := range must(e.app.VoiceRoster(e.ctx, lena.LeaderID))(t) {
			if strings.HasPrefix(st.Person, "Fake") && (st.Counts || st.Step != tl.StepAlias) {
				t.Errorf("%s, at an alias of the leader's mailbox, stands %+v; want step alias", st.Person, st)
			}
		}
		_, err := e.app.LaunchPulse(e.ctx, lena.LeaderID, tl.PulseInput{K: 3})
		wantCode(t, err, tl.EINVALID, "your team has 1 person who can be asked;", "reaches the leader's own mailbox")
		_, err = e.app.LaunchPulse(e.ctx, lena.LeaderID, tl.PulseInput{K: 3, Members: []string{"Ana", "Fake A", "Fake B"}})
		wantCode(t, err, tl.EINVALID, "Fake A has an address that reaches the leader's own mailbox")
		if ps := must(e.app.Pulses(e.ctx, lena.LeaderID))(t); len(ps) != 0 {
			t.Fatalf("a pulse went out to made-up people: %+v", ps)
		}

		// A second mailbox of the leader's own, at an installation where
		// she is the only administrator: the product cannot tell, so the
		// team sees who counts, by name, in the window and on the answer
		// page (docs/ANONYMITY.md, what the product cannot prevent).
		for i := range 4 {
			addr := "lena.private" + string(rune('1'+i)) + "@elsewhere.example"
			e.addWithMail(lena.LeaderID, "Second "+string(rune('A'+i)), addr)
			e.confirmFrom(e.mailboxes()[addr])
		}
		e.clk.Advance(tl.MemberWait + time.Hour)
		w := e.memberWindow(lena.LeaderID, ana.Person, ana.Email)
		var seen []string
		for _, st := range w.Voice {
			if st.Counts {
				seen = append(seen, st.Person)
			}
		}
		for _, name := range []string{"Second A", "Second B", "Second C", "Second D"} {
			if !slices.Contains(seen, name) {
				t.Errorf("Ana's window does not show %s among those who count: %v", name, seen)
			}
		}
		if !w.SoleAdmin {
			t.Error("Ana's window does not say that Lena is the only administrator")
		}
		p := must(e.app.LaunchPulse(e.ctx, lena.LeaderID, tl.PulseInput{}))(t)
		tok := ""
		for _, text := range e.mailboxes()[ana.Email] {
			if x := tokenIn(text, "/p/"); x != "" {
				tok = x
			}
		}
		form := must(e.app.PulseForm(e.ctx, must(e.app.OpenPulseLink(e.ctx, tok))(t)))(t)
		if !slices.Contains(form.Asked, "Second A") || !slices.Contains(form.Asked, "Ana") || len(form.Asked) != p.Pulse.Population {
			t.Errorf("Ana's answer page names %v, want everyone asked (%d) with Second A", form.Asked, p.Pulse.Population)
		}
	})
}

// TestAttackFakeMembersWithAnAdministrator: where an administrator who is
// not the leader exists, people the leader adds count only once that
// administrator approved them, whatever mailbox they are at.
func TestAttackFakeMembersWithAnAdministrator(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		hal := must(e.app.Signup(e.ctx, tl.SignupInput{Email: "hal@example.org", Name: "Hal", Password: ownerPass}))(t)
		_, lena := e.adminAndLeader(t, hal)
		e.addWithMail(lena.LeaderID, "Ana", "ana@corp.example")
		for i := range 4 {
			e.addWithMail(lena.LeaderID, "Fake "+string(rune('A'+i)), "lena.private"+string(rune('1'+i))+"@elsewhere.example")
		}
		for _, letters := range e.mailboxes() {
			e.confirmFrom(letters) // Ana confirms hers; Lena confirms the fakes'
		}
		e.clk.Advance(tl.MemberWait + time.Hour)
		for _, st := range must(e.app.VoiceRoster(e.ctx, lena.LeaderID))(t) {
			if st.Counts || st.Step != tl.StepApproval {
				t.Errorf("%s stands %+v before any approval; want step approval", st.Person, st)
			}
		}
		_, err := e.app.LaunchPulse(e.ctx, lena.LeaderID, tl.PulseInput{K: 3})
		wantCode(t, err, tl.EINVALID, "your team has nobody who can be asked yet;", "waits for an administrator")
		// Lena cannot approve her own people, through any route.
		for _, ap := range must(e.app.Approvals(e.ctx, hal.ID))(t) {
			wantCode(t, e.app.Approve(e.ctx, lena.ID, ap.RelationshipID), tl.EFORBIDDEN)
		}
	})
}

// adminAndLeader makes, next to the owner, a leader account (Lena, at
// lena@example.org) whose invitation came by mail.
func (e *env) adminAndLeader(t *testing.T, owner *tl.User) (*tl.User, *tl.User) {
	t.Helper()
	must(e.app.InviteByMail(e.ctx, owner.ID, "lena@example.org", tl.RoleLeader))(t)
	tok := tokenIn(e.mailboxes()["lena@example.org"][0], "/invite/")
	lena := must(e.app.AcceptInvite(e.ctx, tok, "Lena", "a long enough password"))(t)
	return owner, lena
}

// TestAttackFakeReactors: made-up people react with known values beside
// one real member (rule 1): they cannot react, and one real reaction is
// never published.
func TestAttackFakeReactors(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		lena := e.signupOwner(t)
		ana := e.addWithMail(lena.LeaderID, "Ana", "ana@corp.example")
		e.confirmFrom(e.mailboxes()[ana.Email])
		var fakes []*tl.Relationship
		for i := range 4 {
			f := e.addWithMail(lena.LeaderID, "Fake "+string(rune('A'+i)), "lena+r"+string(rune('a'+i))+"@example.org")
			e.confirmFrom(e.mailboxes()[f.Email])
			fakes = append(fakes, f)
		}
		e.clk.Advance(tl.MemberWait + time.Hour)
		d := must(e.app.Decide(e.ctx, lena.LeaderID, tl.DecisionInput{What: "Move the launch", Why: "QA found blockers", Affects: "team"}))(t)
		for _, f := range fakes {
			wantCode(t, e.app.React(e.ctx, f.ID, d.ID, tl.ReactionDisagree), tl.EFORBIDDEN, "cannot be counted")
		}
		noErr(t, e.app.React(e.ctx, ana.ID, d.ID, tl.ReactionNotClear))
		e.publish()
		w := e.memberWindow(lena.LeaderID, ana.Person, ana.Email)
		for _, wd := range w.Decisions {
			if wd.Reactions.N != 0 {
				t.Fatalf("reactions published with one real reactor: %+v", wd.Reactions)
			}
		}
		if n := e.count(t, "decision_reactions"); n != 1 {
			t.Fatalf("%d reactions stored, want Ana's alone", n)
		}
	})
}

// TestAttackSharedLink: the leader fills a shared link with k−1 known
// answers (rule 2). No shared link can be launched, an old one takes no
// answers, and its result is never shown.
func TestAttackSharedLink(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		lena := e.signupOwner(t)
		people := e.team(lena.LeaderID, 6)
		_, err := e.app.LaunchPulse(e.ctx, lena.LeaderID, tl.PulseInput{Delivery: tl.DeliveryLink})
		wantCode(t, err, tl.EINVALID, "shared link")

		// A shared-link pulse launched before the rule, still open.
		shared := "SHAREDLINKTOKENFROMBEFORETHERULE"
		teams := must(e.app.Teams(e.ctx, lena.LeaderID))(t)
		p := &store.PulseRow{Pulse: tl.Pulse{ID: "pulse-old", LeaderID: lena.LeaderID, TeamID: teams[0].ID, Team: teams[0].Name,
			Wave: 1, K: 5, CommentsK: 10, Delivery: tl.DeliveryLink, Status: tl.PulseOpen, Population: len(people),
			CreatedAt: e.clk.Now(), ClosesAt: e.clk.Now().Add(48 * time.Hour)}, SharedHash: sha256Hex(shared)}
		ids := make([]string, len(people))
		for i, r := range people {
			ids[i] = r.ID
		}
		noErr(t, e.db.Write(e.ctx, func(tx *store.Tx) error { return tx.CreatePulse(e.ctx, p, store.AskedIDs(ids)) }))
		for range 5 {
			_, err := e.app.OpenPulseLink(e.ctx, shared)
			wantCode(t, err, tl.ENOTFOUND, "no longer takes answers")
		}
		rep := must(e.app.ClosePulse(e.ctx, lena.LeaderID, p.ID))(t)
		if rep.Released || rep.N != 0 || rep.Scales != nil || !strings.Contains(rep.Withheld, "shared link") {
			t.Fatalf("an old shared-link pulse shows %+v", rep)
		}
	})
}

// TestAttackAddressChangeReminder: while a pulse is open, the leader moves
// members' addresses to mailboxes she reads and sends a reminder, to see
// who gets one and to get a link in their name; and watches the count
// (rule 3). Reminders go to everyone asked, at the addresses they were
// asked at, and the count moves only at publication times.
func TestAttackAddressChangeReminder(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		lena := e.signupOwner(t)
		people := e.team(lena.LeaderID, 10) // 2k: a band is published at all
		asked := map[string]bool{}
		for _, r := range people {
			asked[r.Email] = true
		}
		e.mailboxes() // the confirmations, already used
		p := must(e.app.LaunchPulse(e.ctx, lena.LeaderID, tl.PulseInput{}))(t)
		boxes := e.mailboxes()
		// Five answer (Member 001 to 005); the others do not.
		for _, r := range people[:5] {
			tok := tokenIn(boxes[r.Email][len(boxes[r.Email])-1], "/p/")
			noErr(t, e.answer(tok, uniform(4)))
		}
		// The count a leader watches has not moved: it is published at
		// fixed times, not as answers arrive.
		if c := must(e.app.PulseReport(e.ctx, lena.LeaderID, p.Pulse.ID))(t).Count; c != tl.CountBelowK {
			t.Fatalf("count band %q right after five answers; want %q until the next publication", c, tl.CountBelowK)
		}
		// The leader moves one who answered and the one who did not to
		// her own mailboxes, then reminds.
		must(e.app.SetEmail(e.ctx, lena.LeaderID, people[0].Person, "lena+0@example.org"))(t)
		must(e.app.SetEmail(e.ctx, lena.LeaderID, people[5].Person, "lena+5@example.org"))(t)
		noErr(t, e.app.RemindPulse(e.ctx, lena.LeaderID, p.Pulse.ID))
		boxes = e.mailboxes()
		reminded := map[string]int{}
		for to, letters := range boxes {
			for _, text := range letters {
				if tokenIn(text, "/p/") == "" {
					continue
				}
				if !asked[to] {
					t.Errorf("a pulse link went to %s, which was not asked: %q", to, text)
				}
				reminded[to]++
			}
		}
		if len(reminded) != len(people) {
			t.Fatalf("reminders reached %d addresses, want all %d asked, answered or not: %v", len(reminded), len(people), reminded)
		}
		// What the reminder says does not depend on whether one answered.
		strip := func(s string) string {
			s = strings.ReplaceAll(s, tokenIn(s, "/p/"), "TOKEN")
			for _, r := range people {
				s = strings.ReplaceAll(s, r.Person, "NAME")
			}
			return s
		}
		if a, b := strip(boxes[people[0].Email][0]), strip(boxes[people[5].Email][0]); a != b {
			t.Errorf("the reminder to one who answered differs from the one to one who did not:\n%s\n---\n%s", a, b)
		}
		e.publish()
		if c := must(e.app.PulseReport(e.ctx, lena.LeaderID, p.Pulse.ID))(t).Count; c != tl.CountK {
			t.Errorf("count band %q after publication; want %q", c, tl.CountK)
		}
	})
}

// TestAttackDifferencing: three released waves over overlapping groups,
// each pair differing by at least k people, whose combination is the sum
// of two people's answers (rule 4). The third is refused before anyone is
// asked, so no such combination exists among released results.
func TestAttackDifferencing(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		lena := e.signupOwner(t)
		people := e.team(lena.LeaderID, 12)
		names := func(from, to int) []string {
			var out []string
			for _, r := range people[from-1 : to] {
				out = append(out, r.Person)
			}
			return out
		}
		wave := func(members []string) *tl.PulseReport {
			p, err := e.app.LaunchPulse(e.ctx, lena.LeaderID, tl.PulseInput{Members: members})
			if err != nil {
				return &tl.PulseReport{Withheld: err.Error()}
			}
			e.answerN(p.Pulse.ID, len(members), func(int) tl.PulseAnswers { return uniform(1) })
			e.clk.Advance(time.Hour)
			return must(e.app.ClosePulse(e.ctx, lena.LeaderID, p.Pulse.ID))(t)
		}
		a := wave(names(1, 5))  // people 1–5
		b := wave(names(1, 10)) // people 1–10: B − A is people 6–10
		if !a.Released || !b.Released {
			t.Fatalf("A or B withheld: %q / %q", a.Withheld, b.Withheld)
		}
		// C = people 6–12 differs from A by 12 and from B by 7, yet
		// C − B + A is people 11 and 12 alone.
		c := wave(names(6, 12))
		if c.Released {
			t.Fatalf("C was released: C − B + A gives the sum of two people's answers (%v)", c.Scales)
		}
		if !strings.Contains(c.Withheld, "could never be shown") {
			t.Errorf("C was refused for the wrong reason: %q", c.Withheld)
		}
	})
}

// TestAttackWithheldSignal: whether a wave is released must not depend on
// who answered it (rule 5). The same groups with the same counts get the
// same verdict whoever answered; the old rule, comparing who answered,
// withheld the second wave exactly when Member 001 skipped it.
func TestAttackWithheldSignal(t *testing.T) {
	for _, be := range backends(t) {
		t.Run(be.name, func(t *testing.T) {
			verdicts := map[string][]string{}
			for _, who := range []string{"answered", "skipped"} {
				e := newEnv(t, be)
				lena := e.signupOwner(t)
				people := e.team(lena.LeaderID, 6)
				var got []string
				for w := range 2 {
					p := must(e.app.LaunchPulse(e.ctx, lena.LeaderID, tl.PulseInput{}))(t)
					links := e.links(p.Pulse.ID)
					// Five of six answer: in wave 1 people 1–5; in wave 2
					// the same, or people 2–6 (Member 001 skips).
					answering := people[:5]
					if w == 1 && who == "skipped" {
						answering = people[1:]
					}
					for _, r := range answering {
						noErr(t, e.answer(links[r.ID], uniform(3)))
					}
					rep := must(e.app.ClosePulse(e.ctx, lena.LeaderID, p.Pulse.ID))(t)
					got = append(got, strings.TrimSpace(rep.Withheld)+"|released="+map[bool]string{true: "yes", false: "no"}[rep.Released])
					e.clk.Advance(24 * time.Hour)
				}
				verdicts[who] = got
			}
			if !slices.Equal(verdicts["answered"], verdicts["skipped"]) {
				t.Fatalf("the verdicts tell whether Member 001 answered:\n answered: %v\n skipped:  %v", verdicts["answered"], verdicts["skipped"])
			}
		})
	}
}

// TestAttackMemberAccount: the leader makes a member account for a
// member's address from an invitation she sees, or moves the member's
// address to her own mailbox and opens their window, to see what they
// reacted to (rule 6).
func TestAttackMemberAccount(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		lena := e.signupOwner(t)
		people := e.team(lena.LeaderID, 5)
		ana := people[0]
		_, _, err := e.app.Invite(e.ctx, lena.ID, ana.Email, tl.RoleMember)
		wantCode(t, err, tl.EINVALID, "goes by email")

		// An account made before the rule, from a link its inviter saw:
		// its address was never proved, so it opens no window.
		old := &tl.User{ID: "user-old-member", Email: ana.Email, Name: "Ana", Role: tl.RoleMember, CreatedAt: e.clk.Now()}
		noErr(t, e.db.Write(e.ctx, func(tx *store.Tx) error { return tx.CreateUser(e.ctx, old, "") }))
		if rels := must(e.app.MemberRelationships(e.ctx, old.ID))(t); len(rels) != 0 {
			t.Fatalf("an account whose address nobody proved opens %d windows", len(rels))
		}

		// Ana reacts to a decision; then the leader moves Ana's address to
		// an alias of hers, confirms it, gets a member account for it by a
		// mailed invitation to herself, and opens "Ana's" window.
		d := must(e.app.Decide(e.ctx, lena.LeaderID, tl.DecisionInput{What: "Move the launch", Why: "QA found blockers", Affects: "team"}))(t)
		noErr(t, e.app.React(e.ctx, ana.ID, d.ID, tl.ReactionDisagree))
		e.mailboxes()
		must(e.app.SetEmail(e.ctx, lena.LeaderID, ana.Person, "lena+ana@example.org"))(t)
		e.confirmFrom(e.mailboxes()["lena+ana@example.org"])
		must(e.app.InviteByMail(e.ctx, lena.ID, "lena+ana@example.org", tl.RoleMember))(t)
		tok := tokenIn(e.mailboxes()["lena+ana@example.org"][0], "/invite/")
		fake := must(e.app.AcceptInvite(e.ctx, tok, "Not Ana", "a long enough password"))(t)
		rels := must(e.app.MemberRelationships(e.ctx, fake.ID))(t)
		if len(rels) != 1 {
			t.Fatalf("the leader's member account opens %d windows, want the one she took over", len(rels))
		}
		w := must(e.app.Window(e.ctx, rels[0].ID))(t)
		for _, wd := range w.Decisions {
			if wd.Reacted {
				t.Fatalf("the window of the address the leader took over says Ana reacted to %q", wd.Decision.What)
			}
		}
		if w.Counts {
			t.Fatal("an address at the leader's own mailbox counts toward k")
		}
		// And no window link ever reaches the leader's mailboxes.
		noErr(t, e.app.SendWindowLink(e.ctx, lena.LeaderID, people[1].Person))
		for to, letters := range e.mailboxes() {
			for _, text := range letters {
				if tokenIn(text, "/w/") != "" && to != people[1].Email {
					t.Errorf("a window link reached %s", to)
				}
			}
		}
	})
}

// TestAttackFloors: the documents say comments need 10 answers; no setting
// may lower that, or k below 3 (rule 8).
func TestAttackFloors(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		lena := e.signupOwner(t)
		lid := lena.LeaderID
		wantCode(t, e.app.SetSetting(e.ctx, lid, "comments_k", 3), tl.EINVALID, "at least 10")
		wantCode(t, e.app.SetSetting(e.ctx, lid, "anonymity_k", 2), tl.EINVALID, "at least 3")
		wantCode(t, e.app.SetSetting(e.ctx, lid, "anonymity_floor", 2), tl.EINVALID, "at least 3")
		// An override stored before the floor was enforced reads as the
		// floor.
		noErr(t, e.db.Write(e.ctx, func(tx *store.Tx) error {
			return tx.PutSetting(e.ctx, tl.Setting{LeaderID: lid, Name: "comments_k", Value: 3})
		}))
		set := must(e.app.Settings(e.ctx, lid))(t)
		if set.CommentsK != engine.MinCommentsK {
			t.Fatalf("comments_k reads %d, want the floor %d", set.CommentsK, engine.MinCommentsK)
		}
		e.team(lid, 8)
		p := must(e.app.LaunchPulse(e.ctx, lid, tl.PulseInput{Question: "Anything else?"}))(t)
		if p.Pulse.CommentsK != tl.CommentsFloor {
			t.Fatalf("the pulse needs %d answers for comments, want %d", p.Pulse.CommentsK, tl.CommentsFloor)
		}
		e.answerN(p.Pulse.ID, 8, func(i int) tl.PulseAnswers {
			a := uniform(4)
			a.Comment = "I wrote this, number " + string(rune('1'+i))
			return a
		})
		rep := must(e.app.ClosePulse(e.ctx, lid, p.Pulse.ID))(t)
		if !rep.Released || len(rep.Comments) != 0 {
			t.Fatalf("with 8 answers: released %v, %d comments shown; want results and no comment", rep.Released, len(rep.Comments))
		}
	})
}

var _ = context.Background
