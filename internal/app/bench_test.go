package app_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/trustledger/trustledger/internal/app"
	"github.com/trustledger/trustledger/internal/store"
	"github.com/trustledger/trustledger/internal/storetest"
)

// The size PRODUCT.md holds status to: 1M events and 10k
// relationships in the database, the leader asking having 50.
const (
	benchLeaders = 200
	benchPerLead = 50
	benchEvents  = 1_000_000
)

// BenchmarkStatus measures Status for one leader with 50 relationships in
// a database of 1M events and 10k relationships, and reports the p50 and
// p99 of the individual calls.
//
// It runs on SQLite, and on PostgreSQL when TRUSTLEDGER_TEST_POSTGRES is
// set:
//
//	go test -run '^$' -bench BenchmarkStatus -benchtime 300x ./internal/app/
func BenchmarkStatus(b *testing.B) {
	if testing.Short() {
		b.Skip("seeding 1M events takes a while; skipped with -short")
	}
	for _, be := range backends(b) {
		b.Run(be.name, func(b *testing.B) { benchStatus(b, be.open(b)) })
	}
}

func benchStatus(b *testing.B, db *store.DB) {
	ctx := context.Background()
	began := time.Now()
	leaders, err := seedOrdered(ctx, db, benchLeaders, benchPerLead, benchEvents)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("seeded %d events, %d relationships in %v", benchEvents, benchLeaders*benchPerLead, time.Since(began).Round(time.Millisecond))
	leader := leaders[len(leaders)/2].ID
	a := app.New(db, app.Options{Now: func() time.Time { return storetest.SeedEnd }})
	// Warm up once, and check the answer is the real one.
	rep, err := a.Status(ctx, leader)
	if err != nil {
		b.Fatal(err)
	}
	if len(rep.Relationships) != benchPerLead {
		b.Fatalf("status has %d relationships, want %d", len(rep.Relationships), benchPerLead)
	}
	durs := make([]time.Duration, 0, b.N)
	for b.Loop() {
		t0 := time.Now()
		if _, err := a.Status(ctx, leader); err != nil {
			b.Fatal(err)
		}
		durs = append(durs, time.Since(t0))
	}
	b.StopTimer()
	reportQuantiles(b, durs)
}

// reportQuantiles reports the p50 and p99 of the timed calls in ms.
func reportQuantiles(b *testing.B, durs []time.Duration) {
	slices.Sort(durs)
	q := func(p float64) float64 {
		i := min(len(durs)-1, int(p*float64(len(durs))))
		return float64(durs[i]) / float64(time.Millisecond)
	}
	b.ReportMetric(q(0.50), "p50-ms")
	b.ReportMetric(q(0.99), "p99-ms")
}
