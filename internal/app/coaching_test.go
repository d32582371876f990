package app_test

import (
	"encoding/json"
	"strings"
	"testing"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/engine"
	"github.com/trustledger/trustledger/internal/store"
)

// TestProgramRollup: a coach sees the consenting leaders' aggregates and
// their shared journal entries, never a private word: not an unshared
// entry, a ledger note, a pulse comment, a check-in or a person's name.
// Withdrawn consent takes effect on the next request.
func TestProgramRollup(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		owner := e.signupOwner(t)
		coach := e.inviteAndAccept(t, owner.ID, "cora@example.org", "Cora", tl.RoleCoach)
		other := e.inviteAndAccept(t, owner.ID, "otto@example.org", "Otto", tl.RoleCoach)
		sam := e.inviteAndAccept(t, owner.ID, "sam@example.org", "Sam", tl.RoleLeader)
		member := e.inviteAndAccept(t, owner.ID, "mia@example.org", "Mia", tl.RoleMember)

		_, err := e.app.CreateProgram(e.ctx, coach.ID, "Cohort")
		wantCode(t, err, tl.EFORBIDDEN)
		p := must(e.app.CreateProgram(e.ctx, owner.ID, "Spring cohort"))(t)
		_, err = e.app.CreateProgram(e.ctx, owner.ID, "Spring cohort")
		wantCode(t, err, tl.ECONFLICT, "already exists")
		wantCode(t, e.app.AddCoach(e.ctx, owner.ID, p.ID, "sam@example.org"), tl.EINVALID, "not a coach")
		wantCode(t, e.app.AddCoach(e.ctx, owner.ID, p.ID, "nobody@example.org"), tl.EINVALID, "no account")
		noErr(t, e.app.AddCoach(e.ctx, owner.ID, p.ID, "cora@example.org"))
		noErr(t, e.app.AddLeader(e.ctx, owner.ID, p.ID, "sam@example.org"))
		noErr(t, e.app.AddLeader(e.ctx, owner.ID, p.ID, ownerEmail))
		wantCode(t, e.app.AddLeader(e.ctx, owner.ID, p.ID, "cora@example.org"), tl.ENOTFOUND, "no leader has the account")

		// Private words in Sam's and Lena's accounts.
		const secret = "PRIVATE-WORDS"
		for _, u := range []*tl.User{owner, sam} {
			people := e.team(u.LeaderID, 5)
			if u == sam {
				// Lena, the owner, is an administrator who does not lead
				// Sam's people: she approves them (docs/ANONYMITY.md, rule 1).
				for _, r := range people {
					noErr(t, e.app.Approve(e.ctx, owner.ID, r.ID))
				}
			}
			e.log(u.LeaderID, tl.EventInput{Who: people[0].Person, Kind: "recognition", Note: secret + " ledger note"})
			must(e.app.AddPromise(e.ctx, u.LeaderID, tl.PromiseInput{To: people[1].Person, What: secret + " promise", Due: e.clk.Now().AddDate(0, 0, 7)}))(t)
			must(e.app.Decide(e.ctx, u.LeaderID, tl.DecisionInput{What: secret + " decision", Why: secret + " reason", Affects: "team"}))(t)
			_, tok, err := e.app.AskCheckin(e.ctx, u.LeaderID, people[2].Person, tl.DeliveryLink)
			noErr(t, err)
			pass := must(e.app.OpenCheckinLink(e.ctx, tok))(t)
			noErr(t, e.app.AnswerCheckin(e.ctx, pass, map[string]int{"ca": 2, "cb": 2, "ci": 2}, secret+" check-in comment"))
			must(e.app.AddJournal(e.ctx, u.LeaderID, 1, secret+" unshared journal"))(t)
			must(e.app.Week(e.ctx, u.LeaderID))(t)
			l := must(e.app.LaunchPulse(e.ctx, u.LeaderID, tl.PulseInput{K: 3, Question: "What should I change?"}))(t)
			e.answerN(l.Pulse.ID, 5, func(i int) tl.PulseAnswers {
				a := uniform(4 - i%2)
				a.Comment = secret + " pulse comment"
				return a
			})
			rep := must(e.app.ClosePulse(e.ctx, u.LeaderID, l.Pulse.ID))(t)
			if !rep.Released {
				t.Fatalf("pulse withheld: %s", rep.Withheld)
			}
		}
		shared := must(e.app.AddJournal(e.ctx, sam.LeaderID, 2, "what I learned when I asked first"))(t)
		must(e.app.ShareJournal(e.ctx, sam.LeaderID, shared.ID, true))(t)
		_, err = e.app.ShareJournal(e.ctx, owner.LeaderID, shared.ID, true)
		wantCode(t, err, tl.ENOTFOUND)

		// Nobody consents yet: the coach sees the program, not the people.
		r := must(e.app.Rollup(e.ctx, coach.ID, p.ID))(t)
		if r.Leaders != 2 || r.Consenting != 0 || len(r.Weeks) != 0 || len(r.Pulses) != 0 || len(r.Shared) != 0 || r.Steps != (tl.StepCounts{}) {
			t.Fatalf("rollup before consent: %+v", r)
		}
		_, err = e.app.Rollup(e.ctx, other.ID, p.ID)
		wantCode(t, err, tl.ENOTFOUND)
		_, err = e.app.Rollup(e.ctx, sam.ID, p.ID)
		wantCode(t, err, tl.EFORBIDDEN)
		wantCode(t, e.app.SetConsent(e.ctx, member.ID, p.ID, true), tl.EFORBIDDEN)
		if ps := must(e.app.Programs(e.ctx, other.ID))(t); len(ps) != 0 {
			t.Fatalf("a coach of no program lists %d", len(ps))
		}

		noErr(t, e.app.SetConsent(e.ctx, sam.ID, p.ID, true))
		r = must(e.app.Rollup(e.ctx, coach.ID, p.ID))(t)
		if r.Consenting != 1 || len(r.Weeks) != 1 || r.Weeks[0].Leaders != 1 || len(r.Pulses) != 1 || r.Pulses[0].N != 5 || len(r.Shared) != 1 || r.Steps.Suggested+r.Steps.Accepted == 0 {
			t.Fatalf("rollup with Sam's consent: %+v", r)
		}
		total := 0
		for _, n := range r.Weeks[0].Quadrants {
			total += n
		}
		if total != 5 {
			t.Errorf("week counts %d relationships, want Sam's 5: %v", total, r.Weeks[0].Quadrants)
		}
		b, _ := json.Marshal(r)
		for _, private := range []string{secret, "Member 001", "m001@example.org", "What should I change"} {
			if strings.Contains(string(b), private) {
				t.Errorf("the rollup shows %q:\n%s", private, b)
			}
		}
		if !strings.Contains(string(b), "what I learned when I asked first") {
			t.Errorf("the shared entry is missing:\n%s", b)
		}
		// A leader sees the program and only their own consent.
		d := must(e.app.Program(e.ctx, sam.ID, p.ID))(t)
		if len(d.Leaders) != 1 || d.Leaders[0].LeaderID != sam.LeaderID || len(d.Coaches) != 1 {
			t.Fatalf("Sam's view of the program: %+v", d)
		}

		// Withdrawal: the very next rollup has nothing of Sam.
		noErr(t, e.app.SetConsent(e.ctx, sam.ID, p.ID, false))
		r = must(e.app.Rollup(e.ctx, coach.ID, p.ID))(t)
		if r.Consenting != 0 || len(r.Weeks) != 0 || len(r.Pulses) != 0 || len(r.Shared) != 0 {
			t.Fatalf("rollup after withdrawal: %+v", r)
		}
	})
}

// TestRoster: a roster is checked line by line, and imported all or
// nothing: invitations by mail, members among their leader's people.
func TestRoster(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		owner := e.signupOwner(t)
		e.inviteAndAccept(t, owner.ID, "sam@example.org", "Sam", tl.RoleLeader)
		bad := "email,name,role,team,leader_email\n" +
			"ana@example.org,Ana,member,Platform,sam@example.org\n" +
			"not-an-email,Bob,member,,\n" +
			"cy@example.org,Cy,boss,,\n" +
			"ana@example.org,Ana Again,member,,\n" +
			"dee@example.org,Dee,member,,nobody@example.org\n" +
			"sam@example.org,Sam,leader,,\n" +
			"lou@example.org,Lou,leader,,\n" +
			"eve@example.org,Eve,member,,lou@example.org\n"
		res := must(e.app.Roster(e.ctx, owner.ID, []byte(bad), false, nil))(t)
		if res.Imported || res.Errors != 6 {
			t.Fatalf("a roster with errors: %+v", res)
		}
		want := map[int]string{3: "email", 4: "unknown role", 5: "also on line 2", 6: "invite them with the role leader first",
			7: "already has an account", 9: "invited as a leader on line 8 but has no account until they accept"}
		for _, row := range res.Rows {
			if w, ok := want[row.Line]; ok != (row.Error != "") || (ok && !strings.Contains(row.Error, w)) {
				t.Errorf("line %d: error %q, want %q", row.Line, row.Error, w)
			}
		}
		if n := e.count(t, "invitations"); n != 1 { // Sam's, made above
			t.Fatalf("a refused roster wrote %d invitations", n)
		}

		good := "\ufeffName,Email,Role,Team,Leader_Email\n" +
			"Ana,ana@example.org,member,Platform,sam@example.org\n" +
			"Ben,ben@example.org,member,,sam@example.org\n\n" +
			"Cora,cora@example.org,coach,,\n"
		var seen []int
		dry := must(e.app.Roster(e.ctx, owner.ID, []byte(good), true, nil))(t)
		if dry.Imported || dry.Errors != 0 || len(dry.Rows) != 3 || e.count(t, "invitations") != 1 {
			t.Fatalf("dry run: %+v", dry)
		}
		mailed := e.count(t, "outbox WHERE kind = $1", store.MailInvitation)
		res = must(e.app.Roster(e.ctx, owner.ID, []byte(good), false, func(done, total int) { seen = append(seen, done) }))(t)
		if !res.Imported || res.Invitations != 3 || res.People != 2 || len(seen) == 0 || seen[len(seen)-1] != 3 {
			t.Fatalf("import: %+v, progress %v", res, seen)
		}
		if n := e.count(t, "outbox WHERE kind = $1", store.MailInvitation) - mailed; n != 3 {
			t.Fatalf("%d invitation mails queued, want 3", n)
		}
		sam := must(e.app.ResolveLeader(e.ctx, "Sam"))(t)
		people := must(e.app.People(e.ctx, sam.ID))(t)
		if len(people) != 2 || people[0].Kind != engine.DirectReport {
			t.Fatalf("Sam's people: %+v", people)
		}
		teams := must(e.app.Teams(e.ctx, sam.ID))(t)
		if len(teams) != 2 {
			t.Fatalf("Sam's teams: %+v", teams)
		}
		// A member of a leader who is invited but has not accepted yet.
		must(e.app.InviteByMail(e.ctx, owner.ID, "lou@example.org", tl.RoleLeader))(t)
		pending := must(e.app.Roster(e.ctx, owner.ID, []byte("email,name,role,team,leader_email\neve@example.org,Eve,member,,lou@example.org\n"), true, nil))(t)
		if pending.Errors != 1 || !strings.Contains(pending.Rows[0].Error, "lou@example.org is invited but has not accepted yet") {
			t.Fatalf("a member of a leader who has not accepted: %+v", pending.Rows)
		}
		// The same roster again: everyone is invited already.
		again := must(e.app.Roster(e.ctx, owner.ID, []byte(good), false, nil))(t)
		if again.Imported || again.Errors != 3 {
			t.Fatalf("importing twice: %+v", again)
		}
		for _, in := range []string{"", "email,name\nx@example.org,X\n", "email,name,role,colour\n", "email,name,role\n", "email,name,role\n\"unclosed,x,member\n"} {
			_, err := e.app.Roster(e.ctx, owner.ID, []byte(in), true, nil)
			wantCode(t, err, tl.EINVALID)
		}
	})
}
