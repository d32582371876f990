package app_test

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/app"
	"github.com/trustledger/trustledger/internal/engine"
	"github.com/trustledger/trustledger/internal/store"
	"github.com/trustledger/trustledger/internal/storetest"
)

// seedEverything fills one of each kind of row: accounts (an administrator
// invited by mail, so with a verified address), people who confirmed their
// addresses and were approved and one who has not confirmed yet, entries
// with snapshots, promises, decisions, a released pulse, a check-in,
// published reactions and reactions still to be mixed, queued mail and a
// calendar feed.
func seedEverything(t *testing.T, e *env) string {
	// Hal set the installation up; Lena leads and administers; Ada, whom
	// Hal invited, approves Lena's people (docs/ANONYMITY.md, rule 1).
	hal := must(e.app.Signup(e.ctx, tl.SignupInput{Email: "hal@example.org", Name: "Hal", Password: "correct horse battery"}))(t)
	must(e.app.InviteByMail(e.ctx, hal.ID, "lena@example.org", tl.RoleAdmin))(t)
	u := must(e.app.AcceptInvite(e.ctx, e.mailedInvitation(t, "lena@example.org"), "Lena", "correct horse battery"))(t)
	l := u.LeaderID
	must(e.app.InviteByMail(e.ctx, hal.ID, "ada@example.org", tl.RoleAdmin))(t)
	ada := must(e.app.AcceptInvite(e.ctx, e.mailedInvitation(t, "ada@example.org"), "Ada", "a long enough password"))(t)
	var people []*tl.Relationship
	for i := range 6 {
		people = append(people, must(e.app.AddPerson(e.ctx, l, tl.PersonInput{Name: fmt.Sprintf("P%d", i), Email: fmt.Sprintf("p%d@example.org", i), Kind: engine.DirectReport}))(t))
	}
	for _, r := range people {
		noErr(t, e.app.Approve(e.ctx, ada.ID, r.ID))
	}
	e.counted(people...)
	// P6 has not confirmed: their confirmation waits.
	must(e.app.AddPerson(e.ctx, l, tl.PersonInput{Name: "P6", Email: "p6@example.org", Kind: engine.DirectReport}))(t)
	e.log(l, tl.EventInput{Who: "P0", Kind: "person-valued", Note: "listened"})
	c := must(e.app.AddPromise(e.ctx, l, tl.PromiseInput{To: "team", What: "roadmap", Due: e.clk.Now().Add(2 * day)}))(t)
	must(e.app.ResolvePromise(e.ctx, l, c.ID, tl.PromiseKept, time.Time{}))(t)
	d := must(e.app.Decide(e.ctx, l, tl.DecisionInput{What: "rota", Why: "fairness", Affects: "team"}))(t)
	noErr(t, e.app.ConfirmPromise(e.ctx, people[0].ID, c.ID, true))
	for _, p := range people[:5] {
		noErr(t, e.app.React(e.ctx, p.ID, d.ID, tl.ReactionUnderstood))
	}
	e.publish() // the reactions are released, and mixed
	p := must(e.app.LaunchPulse(e.ctx, l, tl.PulseInput{Question: "Q?"}))(t)
	e.answerN(p.Pulse.ID, 6, func(i int) tl.PulseAnswers {
		a := uniform(2 + i%3)
		a.Comment = "c"
		return a
	})
	must(e.app.ClosePulse(e.ctx, l, p.Pulse.ID))(t)
	_, tok, err := e.app.AskCheckin(e.ctx, l, "P1", tl.DeliveryLink)
	noErr(t, err)
	pass := must(e.app.OpenCheckinLink(e.ctx, tok))(t)
	noErr(t, e.app.AnswerCheckin(e.ctx, pass, map[string]int{"ca": 4, "cb": 4, "ci": 5}, "ok"))
	must(e.app.LaunchPulse(e.ctx, l, tl.PulseInput{Team: "team"}))(t) // queues mail
	// A reaction not yet published, nor mixed.
	d2 := must(e.app.Decide(e.ctx, l, tl.DecisionInput{What: "rota again", Why: "fairness", Affects: "team"}))(t)
	noErr(t, e.app.React(e.ctx, people[0].ID, d2.ID, tl.ReactionDisagree))
	must(e.app.CalendarLink(e.ctx, l))(t)
	return l
}

// TestBackupRestoreAcrossDatabases: a dump of a live database restores,
// whole and equal, into an empty database of either kind.
func TestBackupRestoreAcrossDatabases(t *testing.T) {
	bes := backends(t)
	for _, from := range bes {
		for _, to := range bes {
			t.Run(from.name+"-to-"+to.name, func(t *testing.T) {
				src := newEnv(t, from)
				l := seedEverything(t, src)
				var buf bytes.Buffer
				counts, err := src.db.Dump(src.ctx, &buf)
				noErr(t, err)
				// The outbox: 7 address confirmations, 2 invitations (Lena's
				// and Ada's), 6 + 6 pulse invitations.
				if counts["pulse_responses"] != 6 || counts["events"] == 0 || counts["outbox"] != 21 {
					t.Fatalf("dump counts %v", counts)
				}
				for _, table := range []string{"address_confirmations", "voice_publications", "voice_mix", "decision_reaction_counts"} {
					if counts[table] == 0 {
						t.Fatalf("the seed left %s empty: its rows are not tried (dump counts %v)", table, counts)
					}
				}
				dst := newEnv(t, to)
				dst.clk.Set(src.clk.Now())
				got, err := dst.db.Restore(dst.ctx, bytes.NewReader(buf.Bytes()))
				noErr(t, err)
				if d := cmp.Diff(counts, got); d != "" {
					t.Fatalf("restored counts differ (-dumped +restored):\n%s", d)
				}
				a := must(src.app.Export(src.ctx, l))(t)
				b := must(dst.app.Export(dst.ctx, l))(t)
				if d := cmp.Diff(a, b, cmpopts.IgnoreFields(tl.Backup{}, "Exported"), cmpopts.EquateEmpty()); d != "" {
					t.Fatalf("the restored database differs (-source +restored):\n%s", d)
				}
				// The restored database works: sign in, read the pulse.
				if _, err := dst.app.Login(dst.ctx, "lena@example.org", "correct horse battery"); err != nil {
					t.Fatalf("login after restore: %v", err)
				}
				// Who counts toward k, and why, is restored with the
				// proofs: confirmations, approvals, the waiting one.
				if d := cmp.Diff(must(src.app.VoiceRoster(src.ctx, l))(t), must(dst.app.VoiceRoster(dst.ctx, l))(t)); d != "" {
					t.Fatalf("who counts differs after restore (-source +restored):\n%s", d)
				}
				ada := must(dst.app.Login(dst.ctx, "ada@example.org", "a long enough password"))(t)
				if ada.EmailVerifiedAt.IsZero() {
					t.Fatal("the administrator's verified address was lost in the restore")
				}
				if invs := must(dst.app.Invitations(dst.ctx, ada.ID))(t); len(invs) != 2 || !invs[0].ByMail || !invs[1].ByMail {
					t.Fatalf("invitations after restore: %+v", invs)
				}
				ps := must(dst.app.Pulses(dst.ctx, l))(t)
				rep := must(dst.app.PulseReport(dst.ctx, l, ps[len(ps)-1].ID))(t)
				if !rep.Released || rep.N != 6 {
					t.Fatalf("pulse after restore: %+v", rep)
				}
				dst.checkReplay(l)
				// Restoring again into the now full database is refused.
				_, err = dst.db.Restore(dst.ctx, bytes.NewReader(buf.Bytes()))
				wantCode(t, err, tl.ECONFLICT, "not empty")
			})
		}
	}
}

// TestRestoreBrokenWritesNothing: a truncated or foreign file is refused
// and leaves the database empty.
func TestRestoreBrokenWritesNothing(t *testing.T) {
	src := newEnv(t, backends(t)[0])
	seedEverything(t, src)
	var buf bytes.Buffer
	_, err := src.db.Dump(src.ctx, &buf)
	noErr(t, err)
	whole := buf.Bytes()
	for name, data := range map[string][]byte{
		"truncated": whole[:len(whole)*2/3],
		"foreign":   []byte(`{"hello":"world"}`),
		"edited":    bytes.Replace(whole, []byte(`"columns":["created_at","id","name","name_lower","tz"]`), []byte(`"columns":["id"]`), 1),
	} {
		t.Run(name, func(t *testing.T) {
			db := storetest.OpenSQLite(t)
			_, err := db.Restore(src.ctx, bytes.NewReader(data))
			wantCode(t, err, tl.EINVALID)
			a := app.New(db, app.Options{})
			if has := must(a.HasUsers(src.ctx))(t); has {
				t.Fatal("a broken restore left accounts behind")
			}
			if ls := must(a.Leaders(src.ctx))(t); len(ls) != 0 {
				t.Fatal("a broken restore left leaders behind")
			}
		})
	}
}

// TestDumpCoversEveryTable: a table added without a place in the dump
// order fails here.
func TestDumpCoversEveryTable(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		var tables []string
		noErr(t, e.db.Read(e.ctx, func(tx *store.Tx) error {
			var err error
			tables, err = tx.Tables(e.ctx)
			return err
		}))
		want := store.DumpTables()
		slices.Sort(want)
		if !slices.Equal(tables, want) {
			t.Fatalf("tables %v\ndump   %v", tables, want)
		}
		if strings.Contains(strings.Join(tables, ","), "goose") {
			t.Fatal("the dump would include goose's table")
		}
	})
}
