package e2e

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"sort"
	"sync"
	"testing"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/app"
	"github.com/trustledger/trustledger/internal/storetest"
	"github.com/trustledger/trustledger/internal/web"
)

// loadRate is the dashboard load docs/PERFORMANCE.md measures.
const loadRate = 1000

// loadFor is how long each run of BenchmarkDashboardLoad lasts.
const loadFor = 10 * time.Second

// BenchmarkDashboardLoad sends GET / at a steady 1,000 requests/s (open
// loop: requests leave on schedule whether or not earlier ones have
// answered, over at most 64 keep-alive loopback connections) to a real
// http.Server for the big database's leader, for ten seconds, and
// reports the p50 and p99 latency measured from each request's scheduled
// time, so a stall counts for every request it delays. The server's clock
// runs in real time, so its cached reads and pages expire every few
// seconds as in production. Three runs:
//
//   - reads: dashboard reads only;
//
//   - reads+writes: the same while a ledger entry is logged every 100 ms
//     (each write makes every cached read stale at once);
//
//   - uncached: every request computes and renders the page again.
//
//     go test ./internal/e2e/ -run '^$' -bench DashboardLoad -benchtime 1x
func BenchmarkDashboardLoad(b *testing.B) {
	s := openBig(b)
	began := time.Now()
	clock := func() time.Time { return storetest.SeedEnd.Add(time.Since(began)) }
	a := app.New(s.db, app.Options{Now: clock})
	writes := func() int64 { return s.db.WriteStats().Writes }
	for _, run := range []struct {
		name   string
		writes func() int64
		logs   bool
	}{{"reads", writes, false}, {"reads+writes", writes, true}, {"uncached", nil, false}} {
		b.Run(run.name, func(b *testing.B) {
			srv, err := web.New(web.Config{Service: a, Now: clock, Writes: run.writes})
			if err != nil {
				b.Fatal(err)
			}
			for range b.N {
				loadRun(b, s, a, srv.Handler(), run.logs)
			}
		})
	}
}

func loadRun(b *testing.B, s *bigSite, a *app.App, h http.Handler, logs bool) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	hs := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go hs.Serve(ln)
	defer hs.Shutdown(context.Background())
	url := "http://" + ln.Addr().String() + "/"
	tr := &http.Transport{MaxIdleConnsPerHost: rpsClients, MaxConnsPerHost: rpsClients, DisableCompression: true}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	get := func() error {
		req, _ := http.NewRequest("GET", url, nil)
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: s.token})
		res, err := client.Do(req)
		if err != nil {
			return err
		}
		defer res.Body.Close()
		if _, err := io.Copy(io.Discard, res.Body); err != nil {
			return err
		}
		if res.StatusCode != 200 {
			return fmt.Errorf("GET /: %d", res.StatusCode)
		}
		return nil
	}
	if err := get(); err != nil {
		b.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	var logged int
	var wg sync.WaitGroup
	if logs {
		lid := ""
		if u, err := a.SessionUser(ctx, s.token); err == nil {
			lid = u.LeaderID
		}
		ppl, err := a.People(ctx, lid)
		if err != nil || len(ppl) == 0 {
			b.Fatalf("people: %v", err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			t := time.NewTicker(100 * time.Millisecond)
			defer t.Stop()
			for i := 0; ; i++ {
				select {
				case <-ctx.Done():
					return
				case <-t.C:
					if _, err := a.Log(ctx, lid, tl.EventInput{Who: ppl[i%len(ppl)].Person, Kind: "recognition", Note: "load"}); err != nil && ctx.Err() == nil {
						b.Error(err)
					}
					logged++
				}
			}
		}()
	}

	n := int(loadFor.Seconds() * loadRate)
	lat := make([]time.Duration, n)
	errs := make([]error, n)
	sem := make(chan struct{}, rpsClients*4) // requests in flight, queued for a connection
	b.ResetTimer()
	start := time.Now()
	var reqs sync.WaitGroup
	for i := range n {
		at := start.Add(time.Duration(i) * time.Second / loadRate)
		time.Sleep(time.Until(at))
		sem <- struct{}{}
		reqs.Add(1)
		go func() {
			defer reqs.Done()
			defer func() { <-sem }()
			errs[i] = get()
			lat[i] = time.Since(at)
		}()
	}
	reqs.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	stop()
	wg.Wait()
	failed := 0
	for _, err := range errs {
		if err != nil {
			failed++
		}
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	q := func(p float64) float64 { return float64(lat[int(p*float64(n-1))].Microseconds()) / 1000 }
	b.ReportMetric(float64(n)/elapsed.Seconds(), "req/s")
	b.ReportMetric(q(0.50), "p50-ms")
	b.ReportMetric(q(0.99), "p99-ms")
	b.ReportMetric(float64(failed), "errors")
	if logs {
		b.ReportMetric(float64(logged), "writes")
	}
}
