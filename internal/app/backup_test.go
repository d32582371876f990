package app_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/engine"
)

// compareBackups checks that two exports hold the same data. Step.Dim is
// left out: the domain marks it json:"-", so a backup does not carry it.
func compareBackups(t tb, want, got *tl.Backup) {
	t.Helper()
	if d := cmp.Diff(want, got, cmpopts.IgnoreFields(tl.Backup{}, "Exported"), cmpopts.IgnoreFields(tl.Step{}, "Dim")); d != "" {
		t.Fatalf("backups differ (-want +got):\n%s", d)
	}
}

// richLedger gives a leader a bit of everything a backup carries.
func richLedger(t *testing.T, e *env, name string) *tl.Leader {
	t.Helper()
	ctx := e.ctx
	l := e.leader(name)
	must(e.app.AddTeam(ctx, l.ID, "design"))(t)
	e.person(l.ID, "Ana", engine.DirectReport)
	e.person(l.ID, "Ben", engine.CrossFunctional)
	must(e.app.AddPerson(ctx, l.ID, tl.PersonInput{Name: "Cy", Kind: engine.Peer, Team: "design"}))(t)
	for i := range 6 {
		e.clk.Advance(day)
		e.log(l.ID, tl.EventInput{Who: "Ana", Kind: "person-valued", Source: engine.Confirmed})
		e.log(l.ID, tl.EventInput{Who: "team", Kind: "decision-unexplained", At: e.clk.Now().Add(-time.Duration(i) * time.Hour)})
		e.log(l.ID, tl.EventInput{Who: "design", Kind: "recognition", Severity: engine.Major})
	}
	br := e.log(l.ID, tl.EventInput{Who: "Ben", Kind: "competence-failure", Source: engine.System})
	e.clk.Advance(day)
	e.log(l.ID, tl.EventInput{Kind: "apology", Repairs: br.ID, Acknowledges: true, OffersRepair: true})
	oops := e.log(l.ID, tl.EventInput{Who: "Cy", Kind: "dismissed", Note: "not Cy"})
	must(e.app.Reverse(ctx, l.ID, oops.ID, "wrong person"))(t)
	e.log(l.ID, tl.EventInput{Who: "Ana", Kind: "authority-granted", Base: "reward"})
	p := must(e.app.AddPromise(ctx, l.ID, tl.PromiseInput{To: "Ana", What: "review the plan", Due: e.clk.Now().Add(day)}))(t)
	must(e.app.ResolvePromise(ctx, l.ID, p.ID, tl.PromiseKept, time.Time{}))(t)
	must(e.app.AddPromise(ctx, l.ID, tl.PromiseInput{To: "design", What: "book the offsite", Due: e.clk.Now().Add(9 * day)}))(t)
	must(e.app.Decide(ctx, l.ID, tl.DecisionInput{What: "drop the legacy API", Why: "two outages", Affects: "Ben"}))(t)
	must(e.app.Week(ctx, l.ID))(t)
	must2(e.app.AcceptStep(ctx, l.ID))(t)
	must(e.app.AddJournal(ctx, l.ID, 3, "ask before deciding"))(t)
	noErr(t, e.app.SetSetting(ctx, l.ID, "half_life_days", 60))
	return l
}

// TestExportImportRoundTrip exports two leaders, imports them (through
// JSON, as the CLI does) into an empty database and exports again: the
// data, the running state and what status shows must all be equal.
func TestExportImportRoundTrip(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		ctx := e.ctx
		l1 := richLedger(t, e, "Lena")
		l2 := richLedger(t, e, "Marc")
		b := must(e.app.Export(ctx, ""))(t)
		if len(b.Leaders) != 2 || len(b.Events) == 0 || len(b.Settings) != 2 {
			t.Fatalf("export: %d leaders, %d events, %d settings", len(b.Leaders), len(b.Events), len(b.Settings))
		}
		raw, err := json.Marshal(b)
		noErr(t, err)
		var back tl.Backup
		noErr(t, json.Unmarshal(raw, &back))

		o := e.fresh(t)
		noErr(t, o.app.Import(ctx, tl.Operator, &back))
		compareBackups(t, b, must(o.app.Export(ctx, ""))(t))
		for _, l := range []*tl.Leader{l1, l2} {
			// The rebuilt state equals the running state of the original.
			set := must(e.app.Settings(ctx, l.ID))(t)
			if set.HalfLifeDays != 60 {
				t.Fatalf("half-life = %v after the setting", set.HalfLifeDays)
			}
			now := e.clk.Now()
			s1, s2 := e.states(l.ID), o.states(l.ID)
			for id, st := range s1 {
				if !sameReading(set.Read(st, now), set.Read(s2[id], now)) {
					t.Fatalf("relationship %s: imported state differs from the running state", id)
				}
			}
			st1 := must(e.app.Status(ctx, l.ID))(t)
			st2 := must(o.app.Status(ctx, l.ID))(t)
			if d := cmp.Diff(st1, st2, cmpopts.EquateApprox(1e-9, 1e-12)); d != "" {
				t.Fatalf("status differs after import (-before +after):\n%s", d)
			}
		}
		// One leader alone round-trips too.
		one := must(e.app.Export(ctx, l2.ID))(t)
		o2 := e.fresh(t)
		noErr(t, o2.app.Import(ctx, tl.Operator, one))
		compareBackups(t, one, must(o2.app.Export(ctx, ""))(t))
	})
}

// TestImportFailsWhole checks that a bad backup is refused with the first
// bad row named and leaves the database exactly as it was.
func TestImportFailsWhole(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		ctx := e.ctx
		richLedger(t, e, "Lena")
		good := must(e.app.Export(ctx, ""))(t)
		if len(good.Events) < 12 {
			t.Fatalf("need at least 12 events, have %d", len(good.Events))
		}
		clone := func() *tl.Backup {
			raw, err := json.Marshal(good)
			noErr(t, err)
			var b tl.Backup
			noErr(t, json.Unmarshal(raw, &b))
			return &b
		}
		cases := []struct {
			name  string
			edit  func(b *tl.Backup)
			code  string
			parts []string
		}{
			{"unknown kind", func(b *tl.Backup) { b.Events[11].Kind = "x" }, tl.EINVALID,
				[]string{"event 12 (id " + good.Events[11].ID + "): unknown kind \"x\""}},
			{"unknown source", func(b *tl.Backup) { b.Events[3].SourceName = "rumour" }, tl.EINVALID,
				[]string{"event 4 (id ", `unknown source "rumour"`}},
			{"target of nobody", func(b *tl.Backup) { b.Events[0].Targets = []string{"ghost"} }, tl.EINVALID,
				[]string{"event 1 (id ", `"ghost"`}},
			{"dangling reversal", func(b *tl.Backup) {
				for i := range b.Events {
					if b.Events[i].Reverses != "" {
						b.Events[i].Reverses = "missing"
					}
				}
			}, tl.EINVALID, []string{`reverses "missing"`}},
			{"person of another team", func(b *tl.Backup) { b.People[0].TeamID = "nope" }, tl.EINVALID,
				[]string{"relationship 1 (id "}},
			{"bad setting", func(b *tl.Backup) { b.Settings[0].Value = -1 }, tl.EINVALID,
				[]string{"setting 1 (id half_life_days)"}},
			{"journal question", func(b *tl.Backup) { b.Journal[0].Question = 9 }, tl.EINVALID,
				[]string{"journal entry 1 (id "}},
			{"version", func(b *tl.Backup) { b.Version = 7 }, tl.EINVALID, []string{"version 7"}},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				o := e.fresh(t)
				b := clone()
				tc.edit(b)
				wantCode(t, o.app.Import(ctx, tl.Operator, b), tc.code, tc.parts...)
				if ls := must(o.app.Leaders(ctx))(t); len(ls) != 0 {
					t.Fatalf("a failed import left leaders %+v", ls)
				}
			})
		}

		// Importing into the database it came from: the leader exists.
		before := must(e.app.Export(ctx, ""))(t)
		wantCode(t, e.app.Import(ctx, tl.Operator, clone()), tl.ECONFLICT, "leader 1 (id ")
		compareBackups(t, before, must(e.app.Export(ctx, ""))(t))

		// A conflict found only while writing (a journal id already taken
		// by another leader) rolls back everything written before it.
		o := e.fresh(t)
		other := o.leader("Other")
		j := must(o.app.AddJournal(ctx, other.ID, 0, "mine"))(t)
		b := clone()
		b.Journal[0].ID = j.ID
		err := o.app.Import(ctx, tl.Operator, b)
		wantCode(t, err, tl.ECONFLICT, "journal entry 1 (id ")
		if ls := must(o.app.Leaders(ctx))(t); len(ls) != 1 || ls[0].ID != other.ID {
			t.Fatalf("after the failed import the leaders are %+v", ls)
		}
		if !strings.Contains(err.Error(), "already in this database") {
			t.Fatalf("message %q does not say what is in the way", err)
		}
	})
}

// TestImportDropsAddressProofs: a backup file is the leader's to edit, so
// an import takes people's addresses from it but not the proofs that make
// them count toward k (docs/ANONYMITY.md, rule 1): confirmations and
// approvals start again, whatever the file says.
func TestImportDropsAddressProofs(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		hal, owner := e.installation(t)
		ada := e.inviteAndAccept(t, hal.ID, "ada@example.org", "Ada", tl.RoleAdmin)
		people := e.team(owner.LeaderID, 2)
		noErr(t, e.app.Approve(e.ctx, ada.ID, people[0].ID))
		b := must(e.app.Export(e.ctx, owner.LeaderID))(t)
		if len(b.People) != 2 || b.People[0].EmailConfirmedAt.IsZero() || b.People[0].ApprovedBy != ada.ID {
			t.Fatalf("the export does not carry the proofs it should: %+v", b.People)
		}
		// A proof written into the file by hand is dropped too.
		b.People[1].ApprovedAt, b.People[1].ApprovedBy = e.clk.Now(), "made-up"
		o := e.fresh(t)
		noErr(t, o.app.Import(e.ctx, tl.Operator, b))
		got := must(o.app.Export(e.ctx, ""))(t)
		want := *b
		want.People = slices.Clone(b.People)
		for i := range want.People {
			want.People[i].EmailConfirmedAt, want.People[i].ApprovedAt, want.People[i].ApprovedBy = time.Time{}, time.Time{}, ""
		}
		compareBackups(t, &want, got)
		for _, st := range must(o.app.VoiceRoster(e.ctx, owner.LeaderID))(t) {
			if st.Counts || st.Step != tl.StepConfirm {
				t.Fatalf("%s stands %+v after the import; want step confirm", st.Person, st)
			}
		}
	})
}

// TestImportNeedsAnAdministrator: the service itself decides who may
// import (every front end passes its actor): the owner, an admin and the
// Operator (the CLI on its database) may; a leader, a coach, a member or
// an unknown id may not, whatever the file holds, and nothing is written.
func TestImportNeedsAnAdministrator(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		ctx := e.ctx
		richLedger(t, e, "Marc")
		b := must(e.app.Export(ctx, ""))(t)

		o := e.fresh(t)
		hal, ada := o.installation(t) // the owner, and an admin
		leo := o.inviteAndAccept(t, hal.ID, "leo@example.org", "Leo", tl.RoleLeader)
		cora := o.inviteAndAccept(t, hal.ID, "cora@example.org", "Cora", tl.RoleCoach)
		mia := o.inviteAndAccept(t, hal.ID, "mia@example.org", "Mia", tl.RoleMember)
		leaders := len(must(o.app.Leaders(ctx))(t))
		for _, actor := range []string{leo.ID, cora.ID, mia.ID, "no-such-account", ""} {
			wantCode(t, o.app.Import(ctx, actor, b), tl.EFORBIDDEN, "only the owner or an admin may import a backup")
			// Refused before the file is read: a bad one says the same.
			wantCode(t, o.app.Import(ctx, actor, &tl.Backup{Version: 99}), tl.EFORBIDDEN, "only the owner or an admin")
		}
		if n := len(must(o.app.Leaders(ctx))(t)); n != leaders {
			t.Fatalf("refused imports left %d leaders, want %d", n, leaders)
		}
		noErr(t, o.app.Import(ctx, ada.ID, b))
		for _, actor := range []string{hal.ID, tl.Operator} {
			wantCode(t, o.app.Import(ctx, actor, b), tl.ECONFLICT, "already in this database")
		}
	})
}
