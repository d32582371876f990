package app_test

// A security review's attacks on the team's voice (docs/ANONYMITY.md),
// through routes the attacker suite (attack_test.go,
// attack_operator_test.go) does not play. Each test plays the attacker
// and FAILS while the leak it shows exists: they are written before the
// fix, for the lead to make them pass.

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/app"
	"github.com/trustledger/trustledger/internal/store"
)

// TestAttackReviewCommentIntersection: a leader asks two overlapping groups
// of ten whose only common member is Ana. Rule 4 checks the populations as
// sums (every linear combination stands on k people or more, which holds:
// the two waves differ by 18 people), so both waves are released with
// their comments. But comments are a set, not a sum: the comment both
// waves share is the one written by the only person both asked. In the
// worst case rule 4 itself assumes (everyone answers the same way in
// every wave), that is Ana's comment, word for word; in practice it is
// the comment on the same subject in the same words. comments_k (10)
// promises a comment hides among at least 10 people.
func TestAttackReviewCommentIntersection(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		lena := e.signupOwner(t)
		people := e.team(lena.LeaderID, 19)
		ana := people[0]
		said := map[string]string{}
		for i, r := range people {
			said[r.ID] = fmt.Sprintf("What I would change: point %d, as %s sees it", i+1, r.Person)
		}
		wave := func(group []*tl.Relationship) *tl.PulseReport {
			var names []string
			for _, r := range group {
				names = append(names, r.Person)
			}
			p, err := e.app.LaunchPulse(e.ctx, lena.LeaderID, tl.PulseInput{Members: names, Question: "What should change?"})
			if err != nil {
				return &tl.PulseReport{Withheld: err.Error()}
			}
			links := e.links(p.Pulse.ID)
			for _, r := range group {
				a := uniform(3)
				a.Comment = said[r.ID]
				noErr(t, e.answer(links[r.ID], a))
			}
			e.clk.Advance(time.Hour)
			return must(e.app.ClosePulse(e.ctx, lena.LeaderID, p.Pulse.ID))(t)
		}
		// Wave 1: Ana and members 2–10. Wave 2: Ana and members 11–19.
		a := wave(append([]*tl.Relationship{ana}, people[1:10]...))
		e.clk.Advance(7 * day)
		b := wave(append([]*tl.Relationship{ana}, people[10:19]...))
		t.Logf("wave 1: released %v, %d comments (%q); wave 2: released %v, %d comments (%q)",
			a.Released, len(a.Comments), a.Withheld, b.Released, len(b.Comments), b.Withheld)
		var both []string
		for _, c := range a.Comments {
			if slices.Contains(b.Comments, c) {
				both = append(both, c)
			}
		}
		if len(both) == 1 && both[0] == said[ana.ID] {
			t.Errorf("the leader intersects the comments of two released waves (10 answers each, comments_k %d) "+
				"and reads Ana's own comment: %q", a.Pulse.CommentsK, both[0])
		}
	})
}

// TestAttackReviewStatusClock: GET /status (App.Status) is cached until
// something is written, anything at all, and says when it was computed
// (StatusReport.At). A leader who polls it learns whether a write happened
// since the last poll: a member opening their pulse link, answering, the
// mix that follows, a reaction. Polled a few times a second, it dates each
// answer to the second, which rule 3 says nobody can watch ("Nothing to
// watch while a pulse is open"). The attack compares two identical
// installations, one where Member 001 answers between the leader's two
// looks and one where nobody does: the leader must see the same thing.
func TestAttackReviewStatusClock(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		run := func(e *env, answer bool) (first, second time.Time) {
			lena := e.signupOwner(t)
			people := e.team(lena.LeaderID, 6)
			p := must(e.app.LaunchPulse(e.ctx, lena.LeaderID, tl.PulseInput{}))(t)
			links := e.links(p.Pulse.ID) // the invitations go out
			first = must(e.app.Status(e.ctx, lena.LeaderID))(t).At
			e.clk.Advance(2 * time.Second)
			if answer {
				noErr(t, e.answer(links[people[0].ID], uniform(4)))
			}
			e.clk.Advance(time.Second)
			second = must(e.app.Status(e.ctx, lena.LeaderID))(t).At
			return first, second
		}
		q1, q2 := run(e.fresh(t), false)
		a1, a2 := run(e, true)
		if !q2.Equal(a2) {
			t.Errorf("the leader's second GET /status says at=%s when Member 001 answered a second earlier, "+
				"at=%s when nobody did (first look at %s / %s): the time an answer arrived shows",
				a2.Format(time.RFC3339Nano), q2.Format(time.RFC3339Nano), a1.Format(time.RFC3339Nano), q1.Format(time.RFC3339Nano))
		}
	})
}

// puppetAdmin has an administrator make another administrator from an
// invitation link shown to them, at an address nobody has to read, and
// accept it themselves.
func (e *env) puppetAdmin(t *testing.T, actorID, email string) *tl.User {
	t.Helper()
	_, tok, err := e.app.Invite(e.ctx, actorID, email, tl.RoleAdmin)
	noErr(t, err)
	return must(e.app.AcceptInvite(e.ctx, tok, "Zed", "a long enough password"))(t)
}

// TestAttackReviewPuppetApprover: at an installation whose owner (Hal) is
// not the leader, rule 1 lets nobody Lena adds count until an
// administrator who does not lead them approves them. Lena is an
// administrator too. She invites "Zed" as an administrator with a link
// shown to her (only member invitations must go by mail), accepts it
// herself, and has Zed approve four people at mailboxes she reads (not
// aliases of her own). After the week's wait they count; a pulse over Ana
// and them is released, and subtraction gives Ana's answer. docs/
// ANONYMITY.md admits made-up people only "at an installation with no
// other administrator".
func TestAttackReviewPuppetApprover(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		hal := must(e.app.Signup(e.ctx, tl.SignupInput{Email: "hal@example.org", Name: "Hal", Password: ownerPass}))(t)
		must(e.app.InviteByMail(e.ctx, hal.ID, "lena@example.org", tl.RoleAdmin))(t)
		lena := must(e.app.AcceptInvite(e.ctx, e.mailedInvitation(t, "lena@example.org"), "Lena", "a long enough password"))(t)

		ana := e.addWithMail(lena.LeaderID, "Ana", "ana@corp.example")
		e.confirmFrom(e.mailboxes()[ana.Email])
		for _, ap := range must(e.app.Approvals(e.ctx, hal.ID))(t) {
			if ap.Person == "Ana" {
				noErr(t, e.app.Approve(e.ctx, hal.ID, ap.RelationshipID)) // the real administrator approves the real member
			}
		}

		zed := e.puppetAdmin(t, lena.ID, "zed@nowhere.example")
		var fakes []*tl.Relationship
		for i := range 4 {
			f := e.addWithMail(lena.LeaderID, fmt.Sprintf("Fake %c", 'A'+i), fmt.Sprintf("lena.private%d@elsewhere.example", i+1))
			e.confirmFrom(e.mailboxes()[f.Email]) // Lena reads these mailboxes
			fakes = append(fakes, f)
		}
		for _, ap := range must(e.app.Approvals(e.ctx, zed.ID))(t) {
			if strings.HasPrefix(ap.Person, "Fake") {
				if err := e.app.Approve(e.ctx, zed.ID, ap.RelationshipID); err != nil {
					t.Logf("Zed cannot approve %s: %v", ap.Person, err)
				}
			}
		}
		e.clk.Advance(tl.MemberWait + time.Hour)

		p, err := e.app.LaunchPulse(e.ctx, lena.LeaderID, tl.PulseInput{K: 5})
		if err != nil {
			t.Logf("the pulse over Ana and the made-up people is refused: %v", err)
			return
		}
		boxes := e.mailboxes()
		link := func(addr string) string {
			letters := boxes[addr]
			if len(letters) == 0 {
				t.Fatalf("no pulse link reached %s", addr)
			}
			return tokenIn(letters[len(letters)-1], "/p/")
		}
		for _, f := range fakes {
			noErr(t, e.answer(link(f.Email), uniform(5))) // the leader answers in their names
		}
		anaSaid := uniform(2)
		noErr(t, e.answer(link(ana.Email), anaSaid))
		rep := must(e.app.ClosePulse(e.ctx, lena.LeaderID, p.Pulse.ID))(t)
		if !rep.Released {
			t.Logf("withheld: %s", rep.Withheld)
			return
		}
		for _, s := range rep.Scales {
			if s.Scale != tl.ScaleAbility {
				continue
			}
			got := float64(rep.N)*s.Mean - float64(len(fakes))*5
			if int(got+0.5) == anaSaid.Answers["a1"] {
				t.Errorf("Lena's puppet administrator %s approved %d people at her own mailboxes beside Hal, the owner; "+
					"the pulse asked %d people and Ana's ability answer comes out as %d×%.2f − %d×5 = %.0f",
					zed.Email, len(fakes), p.Pulse.Population, rep.N, s.Mean, len(fakes), got)
			}
		}
	})
}

// TestAttackReviewPuppetSoleAdmin: rule 1 says that where the leader is the
// installation's only administrator, approvals fall away "and the team
// window says so". The sole owner makes a second administrator from a link
// she sees, at an address nobody reads: the team's window now says another
// administrator vouches for who counts.
func TestAttackReviewPuppetSoleAdmin(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		lena := e.signupOwner(t)
		people := e.team(lena.LeaderID, 5)
		ana := people[0]
		if w := e.memberWindow(lena.LeaderID, ana.Person, ana.Email); !w.SoleAdmin {
			t.Fatal("before the attack, Ana's window does not say Lena is the only administrator")
		}
		e.puppetAdmin(t, lena.ID, "zed@nowhere.example")
		if w := e.memberWindow(lena.LeaderID, ana.Person, ana.Email); !w.SoleAdmin {
			t.Errorf("Lena is still the only person administering the installation (Zed is an account she made from a link "+
				"she saw, at an address nobody proved), yet Ana's window says sole_admin=%v: the team is told an independent "+
				"administrator approves who counts", w.SoleAdmin)
		}
	})
}

// TestAttackReviewFullTurnoutBand: a pulse over exactly k people (allowed:
// LaunchPulse wants k or more). While it is open, the rough count moves to
// "at least k" at a publication time only when every person asked has
// answered, so the leader learns, before the close, that Ana answered, and
// between which two publication times the last answer came. The same holds
// at comments_k for a population of exactly comments_k, and the exact
// count at close equals the population whenever everyone answered: "how
// many answered" then is "who answered".
func TestAttackReviewFullTurnoutBand(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		lena := e.signupOwner(t)
		people := e.team(lena.LeaderID, 5)
		p, err := e.app.LaunchPulse(e.ctx, lena.LeaderID, tl.PulseInput{K: 5})
		if err != nil {
			t.Logf("a pulse over exactly k people is refused: %v", err)
			return
		}
		links := e.links(p.Pulse.ID)
		e.publish()
		before := e.clk.Now()
		bandBefore := must(e.app.PulseReport(e.ctx, lena.LeaderID, p.Pulse.ID))(t).Count
		for _, r := range people {
			noErr(t, e.answer(links[r.ID], uniform(4)))
		}
		e.publish()
		rep := must(e.app.PulseReport(e.ctx, lena.LeaderID, p.Pulse.ID))(t)
		threshold := map[string]int{tl.CountK: rep.Pulse.K, tl.CountCommentsK: rep.Pulse.CommentsK}[rep.Count]
		if rep.Pulse.Status == tl.PulseOpen && threshold > 0 && threshold >= rep.Pulse.Population {
			t.Errorf("the open pulse asked %d people and its band went from %q (published %s) to %q (published %s): "+
				"at least %d of %d answered, so the leader knows, before the close, that %s and everyone else answered, "+
				"the last of them between those two times",
				rep.Pulse.Population, bandBefore, before.Format(time.RFC3339), rep.Count, e.clk.Now().Format(time.RFC3339),
				threshold, rep.Pulse.Population, people[0].Person)
		}
	})
}

// TestAttackReviewOperatorWhoOrder: the operator's copy must not show the
// order in which people answered or reacted (docs/ANONYMITY.md: the
// operator cannot learn "in which order people answered"; after the mix
// "nothing shows the order"). TestAttackOperatorCopy looks at the order of
// the answers and reactions; this looks at the order of the records of
// who gave them, which the mix rewrites in place:
//   - decision_reacted is an ordinary rowid table on SQLite and its rows
//     are inserted as people react; the mix's UPDATE … SET relationship_id
//     = relationship_id keeps the rowids, so ORDER BY rowid is the order of
//     the reactions;
//   - on PostgreSQL the mix's UPDATE writes the new row versions in the
//     order of the old ones, so ORDER BY ctid follows the order of the
//     reactions, and, when each answer is mixed alone (the running server
//     mixes 0.1 s after an answer), of the used pulse links too.
func TestAttackReviewOperatorWhoOrder(t *testing.T) {
	for _, be := range backends(t) {
		for _, kind := range []string{"pulse", "reaction"} {
			for _, mixEach := range []bool{false, true} {
				name := be.name + "/" + kind + "/one-mix"
				if mixEach {
					name = be.name + "/" + kind + "/mix-after-each"
				}
				t.Run(name, func(t *testing.T) {
					ctx := context.Background()
					db := be.open(t)
					clk := newClock(start)
					a := app.New(db, app.Options{Now: clk.Now})
					f := newVoiceFixture(t, ctx, db, clk.Now(), 20)
					// They answer (or react) in an order unrelated to their ids
					// or names.
					var want []string
					for i := range f.members {
						j := (7*i + 3) % len(f.members)
						r := f.members[j]
						if kind == "pulse" {
							pass := must(a.OpenPulseLink(ctx, f.tokens[j]))(t)
							noErr(t, a.SubmitPulse(ctx, pass, voiceAnswers("")))
						} else {
							noErr(t, a.React(ctx, r.ID, f.decision.ID, voiceReactions[i%len(voiceReactions)]))
						}
						want = append(want, r.Person)
						if mixEach {
							noErr(t, a.MixVoice(ctx))
						}
					}
					noErr(t, a.MixVoice(ctx))
					ord := "rowid"
					if be.name == "postgres" {
						ord = "ctid"
					}
					// What the operator runs on their copy of the database.
					q := "SELECT relationship_id FROM decision_reacted WHERE decision_id = $1 ORDER BY " + ord
					id := f.decision.ID
					if kind == "pulse" {
						q = "SELECT relationship_id FROM pulse_tokens WHERE pulse_id = $1 AND used = 1 ORDER BY " + ord
						id = f.pulse.ID
					}
					var got []string
					if be.name == "sqlite" && kind == "reaction" {
						// decision_reacted has no rowid: the operator reads
						// where each row's cell lies in the table's pages.
						q = "the cells of decision_reacted in its pages"
						for _, rel := range cellOrder(t, ctx, db, "decision_reacted", memberIDs(f)) {
							got = append(got, f.name(rel))
						}
					} else {
						rows, err := db.SQL().QueryContext(ctx, q, id)
						noErr(t, err)
						for rows.Next() {
							var rel string
							noErr(t, rows.Scan(&rel))
							got = append(got, f.name(rel))
						}
						noErr(t, rows.Err())
						rows.Close()
					}
					if len(got) != len(want) {
						t.Fatalf("found %d of the %d people in %s", len(got), len(want), q)
					}
					// Kendall's tau between the stored order and the order they
					// answered in: about 0 for a random order (|tau| > 0.6 has a
					// chance below 10^-4 over 20 people), ±1 for that order or
					// its reverse.
					if tau := kendall(got, want); tau > 0.6 || tau < -0.6 {
						t.Errorf("after the mix, %s\nfollows the order people answered in (Kendall tau %.2f):\n answered: %s\n stored:   %s",
							q, tau, strings.Join(want, ", "), strings.Join(got, ", "))
					}
				})
			}
		}
	}
}

// memberIDs are the fixture's members' relationship ids.
func memberIDs(f *voiceFixture) []string {
	out := make([]string, len(f.members))
	for i, r := range f.members {
		out[i] = r.ID
	}
	return out
}

// cellOrder is the order in which the given ids' cells lie in a SQLite
// table's pages (page by page, then by offset within the page), as an
// operator with the file would read it (dbstat and sqlite_dbpage show the
// same bytes the file holds).
func cellOrder(t *testing.T, ctx context.Context, db *store.DB, table string, ids []string) []string {
	t.Helper()
	rows, err := db.SQL().QueryContext(ctx, "SELECT pageno FROM dbstat WHERE name = $1 AND pagetype = 'leaf' ORDER BY path", table)
	noErr(t, err)
	var pages []int64
	for rows.Next() {
		var p int64
		noErr(t, rows.Scan(&p))
		pages = append(pages, p)
	}
	noErr(t, rows.Err())
	rows.Close()
	type cell struct {
		id        string
		page, off int
	}
	var cells []cell
	for pi, p := range pages {
		var data []byte
		noErr(t, db.SQL().QueryRowContext(ctx, "SELECT data FROM sqlite_dbpage WHERE pgno = $1", p).Scan(&data))
		for _, id := range ids {
			if off := bytes.Index(data, []byte(id)); off >= 0 {
				cells = append(cells, cell{id, pi, off})
			}
		}
	}
	slices.SortFunc(cells, func(a, b cell) int {
		if a.page != b.page {
			return a.page - b.page
		}
		return a.off - b.off
	})
	out := make([]string, len(cells))
	for i, c := range cells {
		out[i] = c.id
	}
	return out
}

// kendall is Kendall's rank correlation between two orders of the same
// items.
func kendall(got, want []string) float64 {
	pos := map[string]int{}
	for i, s := range want {
		pos[s] = i
	}
	var c, d int
	for i := range got {
		for j := i + 1; j < len(got); j++ {
			if pos[got[i]] < pos[got[j]] {
				c++
			} else {
				d++
			}
		}
	}
	if c+d == 0 {
		return 0
	}
	return float64(c-d) / float64(c+d)
}

// TestAttackReviewOperatorLeftoverPass: a member opens their pulse link on
// the phone, again on the laptop a few minutes later, and answers there.
// The pass they answered with is deleted; the other one stays in the
// passes table, live (not a deleted row), until it expires two hours
// later, in every copy and every `trustledger backup` meanwhile. It holds
// the hash of the member's link and its expiry, so the operator reads
// "Member 004 opened their link at 09:30 and it has been used": who
// answered, and when to within minutes. docs/ANONYMITY.md says the
// operator cannot learn when you answered and that nothing stored about
// an answer holds its time or its link.
func TestAttackReviewOperatorLeftoverPass(t *testing.T) {
	for _, be := range backends(t) {
		t.Run(be.name, func(t *testing.T) {
			ctx := context.Background()
			db := be.open(t)
			clk := newClock(start)
			a := app.New(db, app.Options{Now: clk.Now})
			f := newVoiceFixture(t, ctx, db, clk.Now(), 8)
			// Others answer plainly.
			for i := range 3 {
				pass := must(a.OpenPulseLink(ctx, f.tokens[i]))(t)
				noErr(t, a.SubmitPulse(ctx, pass, voiceAnswers("")))
			}
			clk.Advance(17 * time.Minute)
			opened := clk.Now()
			must(a.OpenPulseLink(ctx, f.tokens[3]))(t) // on the phone
			clk.Advance(4 * time.Minute)
			pass := must(a.OpenPulseLink(ctx, f.tokens[3]))(t) // on the laptop
			noErr(t, a.SubmitPulse(ctx, pass, voiceAnswers("")))
			noErr(t, a.MixVoice(ctx))
			clk.Advance(10 * time.Minute)
			_, err := a.Tick(ctx) // the server's minute tick: expired passes go, this one has not expired
			noErr(t, err)

			// The operator's query on their copy.
			rows, err := db.SQL().QueryContext(ctx,
				"SELECT t.relationship_id, s.expires_at FROM passes s JOIN pulse_tokens t ON t.token_hash = s.token_hash "+
					"WHERE t.pulse_id = $1 AND t.used = 1", f.pulse.ID)
			noErr(t, err)
			defer rows.Close()
			for rows.Next() {
				var id string
				var exp int64
				noErr(t, rows.Scan(&id, &exp))
				at := time.UnixMilli(exp).UTC().Add(-tl.AnswerPassTTL)
				t.Errorf("the passes table says %s, whose link is used, opened it at %s (they did at %s)",
					f.name(id), at.Format(time.RFC3339), opened.Format(time.RFC3339))
			}
			noErr(t, rows.Err())
		})
	}
}
