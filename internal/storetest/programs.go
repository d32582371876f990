package storetest

import (
	"errors"
	"testing"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/engine"
	"github.com/trustledger/trustledger/internal/store"
)

// Conformance tests for coaching programs (docs/MODEL.md, choices 32–33): programs, their
// coaches and leaders, consent, and the queries a coach's rollup reads,
// which must filter by consent in the database on both backends.
func init() {
	register("Programs", testPrograms)
	register("ProgramConsent", testProgramConsent)
	register("ProgramRollupQueries", testProgramRollupQueries)
	register("ProgramRollback", testProgramRollback)
}

// user stores an account; leaderID may be empty (a coach, an admin).
func (f *fixture) user(email, name string, role tl.Role, leaderID string) tl.User {
	f.t.Helper()
	u := tl.User{ID: f.id(), Email: email, Name: name, Role: role, LeaderID: leaderID, CreatedAt: f.now}
	f.write(func(tx *store.Tx) error { return tx.CreateUser(f.ctx, &u, "hash") })
	return u
}

func (f *fixture) program(name, createdBy string) tl.Program {
	f.t.Helper()
	p := tl.Program{ID: f.id(), Name: name, CreatedBy: createdBy, CreatedAt: f.now}
	f.write(func(tx *store.Tx) error { return tx.CreateProgram(f.ctx, &p) })
	return p
}

func programIDs(ps []tl.Program) []string {
	return ids(ps, func(p tl.Program) string { return p.ID })
}

func testPrograms(t *testing.T, f *fixture) {
	owner := f.user("owner@example.org", "Owner", tl.RoleOwner, "")
	f.read(func(tx *store.Tx) error {
		ps, err := tx.Programs(f.ctx)
		if err != nil {
			return err
		}
		if ps == nil || len(ps) != 0 {
			t.Fatalf("Programs on an empty database = %#v, want an empty non-nil slice", ps)
		}
		_, err = tx.ProgramByID(f.ctx, "nope")
		wantCode(t, err, tl.ENOTFOUND)
		return nil
	})
	spring := f.program("Spring cohort", owner.ID)
	autumn := f.program("Autumn cohort", owner.ID)
	err := f.db.Write(f.ctx, func(tx *store.Tx) error {
		return tx.CreateProgram(f.ctx, &tl.Program{ID: f.id(), Name: "Spring cohort", CreatedBy: owner.ID, CreatedAt: f.now})
	})
	wantCode(t, err, tl.ECONFLICT)

	lena := f.leader("Lena")
	omar := f.leader("Omar")
	f.user("lena@example.org", "Lena", tl.RoleLeader, lena.ID)
	cora := f.user("cora@example.org", "Cora", tl.RoleCoach, "")
	otto := f.user("otto@example.org", "Otto", tl.RoleCoach, "")
	f.write(func(tx *store.Tx) error {
		for range 2 { // adding again is no change
			if err := tx.AddProgramCoach(f.ctx, spring.ID, cora.ID); err != nil {
				return err
			}
			if err := tx.AddProgramLeader(f.ctx, spring.ID, lena.ID, f.now); err != nil {
				return err
			}
		}
		if err := tx.AddProgramLeader(f.ctx, spring.ID, omar.ID, f.now); err != nil {
			return err
		}
		return tx.AddProgramLeader(f.ctx, autumn.ID, lena.ID, f.now)
	})
	f.read(func(tx *store.Tx) error {
		ps, err := tx.Programs(f.ctx)
		if err != nil {
			return err
		}
		diff(t, "programs by name", ps, []tl.Program{autumn, spring})
		got, err := tx.ProgramByID(f.ctx, spring.ID)
		if err != nil {
			return err
		}
		diff(t, "program by id", *got, spring)
		ps, err = tx.ProgramsOfCoach(f.ctx, cora.ID)
		if err != nil {
			return err
		}
		diff(t, "Cora's programs", programIDs(ps), []string{spring.ID})
		if ps, err = tx.ProgramsOfCoach(f.ctx, otto.ID); err != nil || len(ps) != 0 {
			t.Errorf("Otto coaches no program, got %v %v", ps, err)
		}
		ps, err = tx.ProgramsOfLeader(f.ctx, lena.ID)
		if err != nil {
			return err
		}
		diff(t, "Lena's programs", programIDs(ps), []string{autumn.ID, spring.ID})
		for _, c := range []struct {
			user string
			want bool
		}{{cora.ID, true}, {otto.ID, false}} {
			if is, err := tx.IsProgramCoach(f.ctx, spring.ID, c.user); err != nil || is != c.want {
				t.Errorf("IsProgramCoach(%s) = %v %v, want %v", c.user, is, err, c.want)
			}
		}
		cs, err := tx.ProgramCoaches(f.ctx, spring.ID)
		if err != nil {
			return err
		}
		diff(t, "coaches", cs, []tl.ProgramCoach{{UserID: cora.ID, Name: "Cora", Email: "cora@example.org"}})
		ls, err := tx.ProgramLeaders(f.ctx, spring.ID)
		if err != nil {
			return err
		}
		// Added without consent; Omar has no account, so no email.
		diff(t, "leaders", ls, []tl.ProgramLeader{
			{LeaderID: lena.ID, Name: "Lena", Email: "lena@example.org", AddedAt: f.now},
			{LeaderID: omar.ID, Name: "Omar", AddedAt: f.now},
		})
		u, err := tx.LeaderOfEmail(f.ctx, "lena@example.org")
		if err != nil || u.LeaderID != lena.ID {
			t.Errorf("LeaderOfEmail(lena) = %+v %v", u, err)
		}
		_, err = tx.LeaderOfEmail(f.ctx, "cora@example.org") // a coach leads no one
		wantCode(t, err, tl.ENOTFOUND)
		return nil
	})
	// A program's coach must be an account; its leader a leader.
	err = f.db.Write(f.ctx, func(tx *store.Tx) error { return tx.AddProgramCoach(f.ctx, spring.ID, "no-such-user") })
	if err == nil {
		t.Errorf("a coach without an account was added")
	}
	err = f.db.Write(f.ctx, func(tx *store.Tx) error { return tx.AddProgramLeader(f.ctx, "no-such-program", lena.ID, f.now) })
	if err == nil {
		t.Errorf("a leader was added to a program that does not exist")
	}
}

func testProgramConsent(t *testing.T, f *fixture) {
	owner := f.user("owner@example.org", "Owner", tl.RoleOwner, "")
	p := f.program("Cohort", owner.ID)
	lena := f.leader("Lena")
	omar := f.leader("Omar")
	added := f.now
	f.write(func(tx *store.Tx) error { return tx.AddProgramLeader(f.ctx, p.ID, lena.ID, added) })
	consent := func(leaderID string, on bool) (time.Time, error) {
		at := f.tick()
		return at, f.db.Write(f.ctx, func(tx *store.Tx) error { return tx.SetProgramConsent(f.ctx, p.ID, leaderID, on, at) })
	}
	leaders := func() []tl.ProgramLeader {
		var ls []tl.ProgramLeader
		f.read(func(tx *store.Tx) (err error) { ls, err = tx.ProgramLeaders(f.ctx, p.ID); return err })
		return ls
	}
	_, err := consent(omar.ID, true) // not in the program
	wantCode(t, err, tl.ENOTFOUND)

	given, err := consent(lena.ID, true)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "after consent", leaders(), []tl.ProgramLeader{{LeaderID: lena.ID, Name: "Lena", AddedAt: added, Consented: true, ConsentedAt: given}})
	withdrawn, err := consent(lena.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "after withdrawal", leaders(), []tl.ProgramLeader{{LeaderID: lena.ID, Name: "Lena", AddedAt: added, ConsentedAt: given, WithdrawnAt: withdrawn}})
	// Consenting again clears the withdrawal.
	again, err := consent(lena.ID, true)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "after consenting again", leaders(), []tl.ProgramLeader{{LeaderID: lena.ID, Name: "Lena", AddedAt: added, Consented: true, ConsentedAt: again}})
	// Adding the leader again keeps their consent.
	f.write(func(tx *store.Tx) error { return tx.AddProgramLeader(f.ctx, p.ID, lena.ID, f.tick()) })
	if ls := leaders(); len(ls) != 1 || !ls[0].Consented || !ls[0].AddedAt.Equal(added) {
		t.Errorf("adding again changed the membership: %+v", ls)
	}
}

func testProgramRollupQueries(t *testing.T, f *fixture) {
	owner := f.user("owner@example.org", "Owner", tl.RoleOwner, "")
	p := f.program("Cohort", owner.ID)
	lena := f.leader("Lena")   // consents
	omar := f.leader("Omar")   // in the program, does not consent
	zoe := f.leader("Zoë")     // consents, then withdraws
	other := f.leader("Vera")  // not in the program
	quiet := f.leader("Quinn") // consents, no records
	for _, l := range []tl.Leader{lena, omar, zoe, quiet} {
		f.write(func(tx *store.Tx) error { return tx.AddProgramLeader(f.ctx, p.ID, l.ID, f.now) })
	}
	for _, l := range []tl.Leader{lena, zoe, quiet} {
		f.write(func(tx *store.Tx) error { return tx.SetProgramConsent(f.ctx, p.ID, l.ID, true, f.tick()) })
	}
	w0 := time.Date(2026, 2, 16, 0, 0, 0, 0, time.UTC)
	w1, w2 := w0.AddDate(0, 0, 7), w0.AddDate(0, 0, 14)
	f.write(func(tx *store.Tx) error {
		for _, l := range []tl.Leader{lena, omar, zoe, other} {
			if err := tx.PutLeaderWeek(f.ctx, l.ID, w0, map[string]int{"alignment": 9}); err != nil {
				return err
			}
			if err := tx.PutLeaderWeek(f.ctx, l.ID, w1, map[string]int{"alignment": 1, "compliance": 2}); err != nil {
				return err
			}
		}
		// A second record of the same week replaces the first.
		if err := tx.PutLeaderWeek(f.ctx, lena.ID, w1, map[string]int{"alignment": 3, "influence": 1}); err != nil {
			return err
		}
		return tx.PutLeaderWeek(f.ctx, lena.ID, w2, map[string]int{"compliance": 4})
	})
	// Steps: two of Lena's (one done), one of each other leader.
	step := func(l tl.Leader, week time.Time, status tl.StepStatus) {
		r := f.rel(l.ID, "", "Ana "+f.id())
		s := tl.Step{ID: f.id(), LeaderID: l.ID, RelationshipID: r.ID, Person: r.Person, WeekStart: week,
			Rule: engine.RuleWeakest, Dim: engine.Benevolence, Move: "recognize", Text: "PRIVATE step text",
			Status: status, BaselineE: 0.5, BaselineQuad: engine.Undetermined, CreatedAt: f.now}
		f.write(func(tx *store.Tx) error { return tx.CreateStep(f.ctx, &s) })
	}
	step(lena, w1, tl.StepDone)
	step(lena, w2, tl.StepAccepted)
	step(zoe, w1, tl.StepSkipped)
	step(omar, w1, tl.StepDone)
	step(other, w1, tl.StepDone)
	// Released pulses: one per leader, Lena's two.
	pulse := func(l tl.Leader, wave int, n int) time.Time {
		tm := f.team(l.ID, "team "+f.id())
		pr := f.pulse(l.ID, tm, wave, 6, tl.DeliveryLink)
		closed := f.tick()
		f.write(func(tx *store.Tx) error {
			if err := tx.CreatePulse(f.ctx, pr, nil); err != nil {
				return err
			}
			return tx.PutPulseResults(f.ctx, pr.ID, l.ID, closed, n, []tl.ScaleResult{{Scale: "ability", Mean: 4.25, P: 0.8125, Rwg: 0.7, Agreement: "moderate"}})
		})
		return closed
	}
	lenaFirst := pulse(lena, 1, 5)
	lenaSecond := pulse(lena, 2, 6)
	pulse(omar, 1, 7)
	pulse(zoe, 1, 8)
	pulse(other, 1, 9)
	// Journal: shared and unshared entries of every leader.
	journal := func(l tl.Leader, text string, shared bool) tl.JournalEntry {
		j := tl.JournalEntry{ID: f.id(), LeaderID: l.ID, WeekStart: w1, Question: 1, Text: text, Shared: shared, CreatedAt: f.tick()}
		f.write(func(tx *store.Tx) error { return tx.CreateJournal(f.ctx, &j) })
		return j
	}
	journal(lena, "Lena shared, older", true)
	journal(lena, "Lena private", false)
	lenaLater := journal(lena, "Lena shared later", false)
	journal(omar, "Omar shared", true)
	journal(zoe, "Zoë shared", true)
	journal(other, "Vera shared", true)

	// Zoë withdraws: nothing of hers is read any more.
	f.write(func(tx *store.Tx) error { return tx.SetProgramConsent(f.ctx, p.ID, zoe.ID, false, f.tick()) })
	f.write(func(tx *store.Tx) error { return tx.SetJournalShared(f.ctx, lena.ID, lenaLater.ID, true) })
	err := f.db.Write(f.ctx, func(tx *store.Tx) error { return tx.SetJournalShared(f.ctx, omar.ID, lenaLater.ID, false) })
	wantCode(t, err, tl.ENOTFOUND) // another leader's entry

	f.read(func(tx *store.Tx) error {
		weeks, err := tx.ProgramWeeks(f.ctx, p.ID, w1)
		if err != nil {
			return err
		}
		diff(t, "weeks since w1 (Lena only)", weeks, []tl.RollupWeek{
			{WeekStart: w1, Leaders: 1, Quadrants: map[string]int{"alignment": 3, "influence": 1}},
			{WeekStart: w2, Leaders: 1, Quadrants: map[string]int{"compliance": 4}},
		})
		weeks, err = tx.ProgramWeeks(f.ctx, p.ID, w0)
		if err != nil {
			return err
		}
		if len(weeks) != 3 || weeks[0].WeekStart != w0 || weeks[0].Quadrants["alignment"] != 9 || weeks[0].Leaders != 1 {
			t.Errorf("weeks since w0: %+v", weeks)
		}
		steps, err := tx.ProgramSteps(f.ctx, p.ID)
		if err != nil {
			return err
		}
		diff(t, "steps (Lena only)", steps, tl.StepCounts{Accepted: 1, Done: 1})
		pulses, err := tx.ProgramPulses(f.ctx, p.ID, 10)
		if err != nil {
			return err
		}
		diff(t, "pulses (Lena's, newest first)", pulses, []tl.RollupPulse{
			{Leader: "Lena", ClosedAt: lenaSecond, N: 6, Scales: []tl.ScaleResult{{Scale: "ability", Mean: 4.25, P: 0.8125, Rwg: 0.7, Agreement: "moderate"}}},
			{Leader: "Lena", ClosedAt: lenaFirst, N: 5, Scales: []tl.ScaleResult{{Scale: "ability", Mean: 4.25, P: 0.8125, Rwg: 0.7, Agreement: "moderate"}}},
		})
		if pulses, err = tx.ProgramPulses(f.ctx, p.ID, 1); err != nil || len(pulses) != 1 || !pulses[0].ClosedAt.Equal(lenaSecond) {
			t.Errorf("pulses limited to 1: %+v %v", pulses, err)
		}
		shared, err := tx.ProgramShared(f.ctx, p.ID, 10)
		if err != nil {
			return err
		}
		diff(t, "shared entries (Lena's, newest first)", shared, []tl.RollupEntry{
			{Leader: "Lena", WeekStart: w1, Question: 1, Text: "Lena shared later"},
			{Leader: "Lena", WeekStart: w1, Question: 1, Text: "Lena shared, older"},
		})
		if shared, err = tx.ProgramShared(f.ctx, p.ID, 1); err != nil || len(shared) != 1 {
			t.Errorf("shared limited to 1: %+v %v", shared, err)
		}
		got, err := tx.JournalEntry(f.ctx, lena.ID, lenaLater.ID)
		if err != nil || !got.Shared {
			t.Errorf("Lena's later entry after sharing: %+v %v", got, err)
		}
		_, err = tx.JournalEntry(f.ctx, omar.ID, lenaLater.ID)
		wantCode(t, err, tl.ENOTFOUND)
		return nil
	})
	// Lena withdraws too: the very next read has nobody's records.
	f.write(func(tx *store.Tx) error { return tx.SetProgramConsent(f.ctx, p.ID, lena.ID, false, f.tick()) })
	f.read(func(tx *store.Tx) error {
		weeks, err := tx.ProgramWeeks(f.ctx, p.ID, w0)
		if err != nil || len(weeks) != 0 {
			t.Errorf("weeks after every withdrawal: %+v %v", weeks, err)
		}
		steps, err := tx.ProgramSteps(f.ctx, p.ID)
		if err != nil || steps != (tl.StepCounts{}) {
			t.Errorf("steps after every withdrawal: %+v %v", steps, err)
		}
		pulses, err := tx.ProgramPulses(f.ctx, p.ID, 10)
		if err != nil || len(pulses) != 0 {
			t.Errorf("pulses after every withdrawal: %+v %v", pulses, err)
		}
		shared, err := tx.ProgramShared(f.ctx, p.ID, 10)
		if err != nil || len(shared) != 0 {
			t.Errorf("shared after every withdrawal: %+v %v", shared, err)
		}
		return nil
	})
}

// testProgramRollback: a failed transaction leaves no program, coach,
// leader or weekly record behind.
func testProgramRollback(t *testing.T, f *fixture) {
	owner := f.user("owner@example.org", "Owner", tl.RoleOwner, "")
	lena := f.leader("Lena")
	boom := errors.New("boom")
	err := f.db.Write(f.ctx, func(tx *store.Tx) error {
		p := tl.Program{ID: f.id(), Name: "Cohort", CreatedBy: owner.ID, CreatedAt: f.now}
		if err := tx.CreateProgram(f.ctx, &p); err != nil {
			return err
		}
		if err := tx.AddProgramCoach(f.ctx, p.ID, owner.ID); err != nil {
			return err
		}
		if err := tx.AddProgramLeader(f.ctx, p.ID, lena.ID, f.now); err != nil {
			return err
		}
		if err := tx.PutLeaderWeek(f.ctx, lena.ID, f.now, map[string]int{"alignment": 1}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("write returned %v, want boom", err)
	}
	f.read(func(tx *store.Tx) error {
		if ps, err := tx.Programs(f.ctx); err != nil || len(ps) != 0 {
			t.Errorf("programs after rollback: %v %v", ps, err)
		}
		if ps, err := tx.ProgramsOfLeader(f.ctx, lena.ID); err != nil || len(ps) != 0 {
			t.Errorf("Lena's programs after rollback: %v %v", ps, err)
		}
		return nil
	})
	// The name is free again.
	f.program("Cohort", owner.ID)
}
