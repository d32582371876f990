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
)

// recentKinds cycles through builders and barriers, as a busy leader's
// last weeks would: promises, decisions, care, overruling, directives.
var recentKinds = []engine.Kind{
	engine.KindPromiseKept, engine.KindDecisionExplained, engine.KindPersonValued,
	engine.KindDirective, engine.KindInputSought, engine.KindDecisionUnexplained,
	engine.KindRecognition, engine.KindAuthorityOverused, engine.KindInformationShared,
	engine.KindPromiseBroken,
}

// BenchmarkRecentEntries measures what the dashboard and the API read
// after a write (status, this week's step and the team views), for one
// person whose last 42 days hold 200 to 1,600 entries, and for 50 people
// sharing 400 team-wide entries. Every read comes after a write, so no
// kept answer serves it. The times should not grow with the number of
// entries faster than the entries themselves (docs/PERFORMANCE.md, "Many
// recent entries"):
//
//	go test ./internal/app/ -run '^$' -bench RecentEntries -benchtime 100x
func BenchmarkRecentEntries(b *testing.B) {
	for _, be := range backends(b) {
		for _, n := range []int{200, 400, 800, 1600} {
			b.Run(fmt.Sprintf("%s/one-person-%d", be.name, n), func(b *testing.B) {
				benchRecent(b, be.open(b), 1, n, false)
			})
		}
		b.Run(be.name+"/team-50-people-400", func(b *testing.B) {
			benchRecent(b, be.open(b), 50, 400, true)
		})
	}
}

func benchRecent(b *testing.B, db *store.DB, people, entries int, teamWide bool) {
	ctx := context.Background()
	now := time.Date(2026, 11, 18, 10, 0, 0, 0, time.UTC)
	clk := newClock(now.Add(-42 * day))
	a := app.New(db, app.Options{Now: clk.Now})
	l, err := a.CreateLeader(ctx, "Lena")
	if err != nil {
		b.Fatal(err)
	}
	if teamWide {
		if _, err := a.AddTeam(ctx, l.ID, "platform"); err != nil {
			b.Fatal(err)
		}
	}
	var who []string
	for i := range people {
		in := tl.PersonInput{Name: fmt.Sprintf("Person %02d", i), Kind: engine.DirectReport}
		if teamWide {
			in.Team = "platform"
		}
		r, err := a.AddPerson(ctx, l.ID, in)
		if err != nil {
			b.Fatal(err)
		}
		who = append(who, r.Person)
	}
	target := who[0]
	if teamWide {
		target = "platform"
	}
	step := 42 * day / time.Duration(entries+1)
	for i := range entries {
		clk.Set(now.Add(-42*day + time.Duration(i+1)*step))
		if _, err := a.Log(ctx, l.ID, tl.EventInput{Who: target, Kind: recentKinds[i%len(recentKinds)]}); err != nil {
			b.Fatal(err)
		}
	}
	clk.Set(now)
	read := func() {
		if _, err := a.Status(ctx, l.ID); err != nil {
			b.Fatal(err)
		}
		if _, err := a.Week(ctx, l.ID); err != nil {
			b.Fatal(err)
		}
		if _, err := a.TeamViews(ctx, l.ID); err != nil {
			b.Fatal(err)
		}
	}
	read()
	durs := make([]time.Duration, 0, b.N)
	for b.Loop() {
		b.StopTimer()
		// A write forgets every kept read, as a leader's entry does.
		if _, err := a.AddJournal(ctx, l.ID, 1, "what did I promise this week?"); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		t0 := time.Now()
		read()
		durs = append(durs, time.Since(t0))
	}
	b.StopTimer()
	reportQuantiles(b, durs)
}
