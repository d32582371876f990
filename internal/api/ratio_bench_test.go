package api_test

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/trustledger/trustledger/internal/store"
	"github.com/trustledger/trustledger/internal/storetest"
)

// ratioRound is how many events each set-up takes in one round of
// BenchmarkIngestRatio: a few seconds of work, short enough that the
// machine's speed barely changes within a round.
const ratioRound = 2000

// BenchmarkIngestRatio answers what BenchmarkIngest's targets ask (one
// PostgreSQL instance against SQLite, three instances against one) with
// less noise than comparing its cases, which run a minute apart while
// this machine's speed moves by up to a quarter: it sets up SQLite, one
// PostgreSQL instance and three once, then takes the three in turn, 2,000
// events each, b.N rounds, and reports the median of each round's ratios
// (with the lowest, and the median rates)
// (docs/PERFORMANCE.md, "API ingest").
//
//	go test ./internal/api/ -run '^$' -bench IngestRatio -benchtime 10x
func BenchmarkIngestRatio(b *testing.B) {
	rigs := []*ingestRig{
		newIngestRig(b, []*store.DB{storetest.OpenSQLite(b)}, ingestLeaders),
		newIngestRig(b, pgInstances(b, 1), ingestLeaders),
		newIngestRig(b, pgInstances(b, 3), ingestLeaders),
	}
	var one, three []float64
	var rates [3][]float64
	b.ResetTimer()
	for range b.N {
		var rate [3]float64
		for i, r := range rigs {
			rate[i] = r.rate(b, ratioRound)
			rates[i] = append(rates[i], rate[i])
		}
		one = append(one, rate[1]/rate[0])
		three = append(three, rate[2]/rate[1])
	}
	b.StopTimer()
	b.ReportMetric(100*median(one), "pg1/sqlite-%")
	b.ReportMetric(100*median(three), "pg3/pg1-%")
	b.ReportMetric(100*slices.Min(one), "pg1/sqlite-min-%")
	b.ReportMetric(100*slices.Min(three), "pg3/pg1-min-%")
	for i, name := range []string{"sqlite", "pg1", "pg3"} {
		b.ReportMetric(median(rates[i]), name+"-events/s")
	}
	ctx := context.Background()
	for _, r := range rigs {
		n, err := countEvents(ctx, r.dbs[0])
		if err != nil {
			b.Fatal(err)
		}
		if want := int(r.seq.Load()); n != want {
			b.Fatalf("%d events stored, %d posted", n, want)
		}
	}
}

// rate posts n events from ingestClients clients at once, spread over the
// rig's servers, and returns events/s.
func (r *ingestRig) rate(b *testing.B, n int) float64 {
	var left atomic.Int64
	left.Store(int64(n))
	var wg sync.WaitGroup
	start := time.Now()
	for c := range ingestClients {
		inst := r.insts[c%len(r.insts)]
		wg.Go(func() {
			for left.Add(-1) >= 0 {
				if err := r.post(inst); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	return float64(n) / time.Since(start).Seconds()
}

// median is the middle of xs (the mean of the two middle ones when even).
func median(xs []float64) float64 {
	s := slices.Sorted(slices.Values(xs))
	if len(s) == 0 {
		return 0
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
