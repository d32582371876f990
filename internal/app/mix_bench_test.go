package app_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/trustledger/trustledger/internal/app"
)

// BenchmarkSubmitPulseMixing is BenchmarkSubmitPulse with the mixer
// running, as the server runs it: 200 members answer a pulse at once
// while every answer kicks the mixer, which rewrites the pulse's answers
// and empties SQLite's WAL (vacuums on PostgreSQL) about every 100 ms.
//
//	go test -run '^$' -bench BenchmarkSubmitPulse -benchtime 3x ./internal/app/
//
// One iteration is a whole wave of 200 on a new pulse; it reports
// answers/s and the wave's wall time.
func BenchmarkSubmitPulseMixing(b *testing.B) {
	for _, be := range backends(b) {
		b.Run(be.name, func(b *testing.B) {
			ctx := context.Background()
			db := be.open(b)
			a := app.New(db, app.Options{})
			mctx, cancel := context.WithCancel(ctx)
			stopped := make(chan struct{})
			go func() { defer close(stopped); a.RunMixer(mctx) }()
			defer func() { cancel(); <-stopped }()
			var total time.Duration
			for b.Loop() {
				b.StopTimer()
				f := newVoiceFixture(b, ctx, db, time.Now().UTC().Truncate(time.Millisecond), 200)
				b.StartTimer()
				t0 := time.Now()
				var wg sync.WaitGroup
				for i := range f.tokens {
					wg.Go(func() {
						pass, err := a.OpenPulseLink(ctx, f.tokens[i])
						if err == nil {
							err = a.SubmitPulse(ctx, pass, voiceAnswers(""))
						}
						if err != nil {
							b.Error(err)
						}
					})
				}
				wg.Wait()
				total += time.Since(t0)
			}
			if err := a.MixVoice(ctx); err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(200*b.N)/total.Seconds(), "answers/s")
			b.ReportMetric(total.Seconds()/float64(b.N)*1000, "ms/wave")
		})
	}
}
