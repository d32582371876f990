package app_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/app"
	"github.com/trustledger/trustledger/internal/engine"
	"github.com/trustledger/trustledger/internal/store"
	"github.com/trustledger/trustledger/internal/storetest"
)

// Program size of the rollup benchmark (docs/PERFORMANCE.md).
const (
	programLeaders = 1000
	programPerLead = 100 // 100,000 relationships in all
	programWeeks   = 12
)

// BenchmarkProgramRollup is a coach's rollup of a program of 1,000
// consenting leaders with 100,000 relationships: twelve weeks of
// quadrants each, a step a week (in every status), a released pulse and
// a shared journal entry per leader.
//
//	go test ./internal/app/ -run '^$' -bench ProgramRollup -benchtime 20x
func BenchmarkProgramRollup(b *testing.B) {
	for name, open := range map[string]func(testing.TB) *store.DB{"sqlite": storetest.OpenSQLite, "postgres": storetest.OpenPostgres} {
		b.Run(name, func(b *testing.B) {
			db := open(b)
			ctx := context.Background()
			now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
			a := app.New(db, app.Options{Now: func() time.Time { return now }})
			owner, err := a.Signup(ctx, tl.SignupInput{Email: "hr@example.org", Name: "HR", Password: "a long enough password"})
			if err != nil {
				b.Fatal(err)
			}
			p, err := a.CreateProgram(ctx, owner.ID, "Everyone")
			if err != nil {
				b.Fatal(err)
			}
			began := time.Now()
			seedProgram(b, db, p.ID, now)
			b.Logf("seeded %d leaders and %d relationships in %v", programLeaders, programLeaders*programPerLead, time.Since(began).Round(time.Millisecond))
			r, err := a.Rollup(ctx, owner.ID, p.ID)
			if err != nil {
				b.Fatal(err)
			}
			if r.Consenting != programLeaders || len(r.Weeks) != programWeeks || r.Weeks[0].Leaders != programLeaders {
				b.Fatalf("rollup: %d consenting, %d weeks", r.Consenting, len(r.Weeks))
			}
			total := 0
			for _, n := range r.Weeks[len(r.Weeks)-1].Quadrants {
				total += n
			}
			if total != programLeaders*programPerLead {
				b.Fatalf("the last week counts %d relationships", total)
			}
			if n := r.Steps.Suggested + r.Steps.Accepted + r.Steps.Done + r.Steps.Skipped; n != programLeaders*programWeeks || len(r.Pulses) == 0 || len(r.Shared) == 0 {
				b.Fatalf("rollup: %d steps, %d pulses, %d shared entries", n, len(r.Pulses), len(r.Shared))
			}
			b.ResetTimer()
			for range b.N {
				if _, err := a.Rollup(ctx, owner.ID, p.ID); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// seedProgram writes the program's leaders straight through the store,
// in large transactions.
func seedProgram(b *testing.B, db *store.DB, programID string, now time.Time) {
	ctx := context.Background()
	quads := []string{string(engine.Influence), string(engine.Goodwill), string(engine.Compliance), string(engine.Undetermined)}
	week := now.Truncate(24*time.Hour).AddDate(0, 0, -((int(now.Weekday()) + 6) % 7))
	const per = 50 // leaders per transaction
	for first := 0; first < programLeaders; first += per {
		err := db.Write(ctx, func(tx *store.Tx) error {
			for i := first; i < first+per; i++ {
				at := now.Add(-time.Duration(programLeaders-i) * time.Minute)
				l := &tl.Leader{ID: store.NewID(at), Name: fmt.Sprintf("Leader %04d", i), CreatedAt: at}
				if err := tx.CreateLeader(ctx, l); err != nil {
					return err
				}
				team := &tl.Team{ID: store.NewID(at), LeaderID: l.ID, Name: tl.DefaultTeamName, CreatedAt: at}
				if err := tx.CreateTeam(ctx, team); err != nil {
					return err
				}
				firstRel := ""
				for j := range programPerLead {
					r := &tl.Relationship{ID: store.NewID(at), LeaderID: l.ID, Person: fmt.Sprintf("P%03d", j), TeamID: team.ID,
						Kind: engine.DirectReport, Bases: engine.DefaultBases(engine.DirectReport), Active: true, StartedAt: at, CreatedAt: at}
					if err := tx.CreateRelationship(ctx, r); err != nil {
						return err
					}
					if j == 0 {
						firstRel = r.ID
					}
				}
				for w := range programWeeks {
					counts := map[string]int{}
					for j := range programPerLead {
						counts[quads[(i+j+w)%len(quads)]]++
					}
					if err := tx.PutLeaderWeek(ctx, l.ID, week.AddDate(0, 0, -7*w), counts); err != nil {
						return err
					}
				}
				// A step a week on one relationship, in every status, and a
				// released pulse.
				for w := range programWeeks {
					st := []tl.StepStatus{tl.StepDone, tl.StepAccepted, tl.StepSkipped, tl.StepSuggested}[(i+w)%4]
					s := &tl.Step{ID: store.NewID(at), LeaderID: l.ID, RelationshipID: firstRel, Person: "P000", WeekStart: week.AddDate(0, 0, -7*w),
						Rule: engine.RuleWeakest, Dim: engine.Benevolence, Move: "recognize", Text: "Recognise P000's work", Status: st,
						BaselineE: 0.5, BaselineQuad: engine.Undetermined, CreatedAt: at}
					if err := tx.CreateStep(ctx, s); err != nil {
						return err
					}
				}
				pulse := &store.PulseRow{Pulse: tl.Pulse{ID: store.NewID(at), LeaderID: l.ID, TeamID: team.ID, Team: team.Name, Wave: 1,
					K: 5, CommentsK: 10, Delivery: tl.DeliveryLink, Status: tl.PulseClosed, Population: programPerLead,
					CreatedAt: at, ClosesAt: at, ClosedAt: at}, Released: true}
				if err := tx.CreatePulse(ctx, pulse, nil); err != nil {
					return err
				}
				scales := []tl.ScaleResult{{Scale: "ability", Mean: 3.8, P: 0.7, Rwg: 0.8, Agreement: "strong"}, {Scale: "benevolence", Mean: 3.2, P: 0.55, Rwg: 0.6, Agreement: "moderate"}}
				if err := tx.PutPulseResults(ctx, pulse.ID, l.ID, at, 20, scales); err != nil {
					return err
				}
				if err := tx.CreateJournal(ctx, &tl.JournalEntry{ID: store.NewID(at), LeaderID: l.ID, WeekStart: week, Question: 1, Text: "shared", Shared: true, CreatedAt: at}); err != nil {
					return err
				}
				if err := tx.AddProgramLeader(ctx, programID, l.ID, at); err != nil {
					return err
				}
				if err := tx.SetProgramConsent(ctx, programID, l.ID, true, at); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}
