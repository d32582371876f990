package api_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/api"
	"github.com/trustledger/trustledger/internal/app"
	"github.com/trustledger/trustledger/internal/store"
	"github.com/trustledger/trustledger/internal/storetest"
	"github.com/trustledger/trustledger/internal/web"
)

// ingestClients is how many loopback clients the ingest benchmark runs
// at once (PRODUCT.md's numbers).
const ingestClients = 64

// ingestPeople is how many people the events go to, spread evenly over
// the leaders.
const ingestPeople = 50

// ingestLeaders is how many leaders the clients write for: an
// organisation's worth, so writers of different leaders can be told from
// writers of one (the "-one-leader" cases).
const ingestLeaders = 50

// BenchmarkIngest posts ledger entries through POST /api/v1/events from
// 64 concurrent keep-alive loopback clients, each create with its own
// Idempotency-Key (as the CLI sends them), against real http.Servers on
// 127.0.0.1: on SQLite (synchronous=FULL), and on PostgreSQL with one
// and with three instances (three apps with their own connection pools
// on one database, the clients spread over them). The events are for 50
// leaders, one person each, in turn; the "-one-leader" cases put all 50
// people under one leader, whose writes the model must take one at a
// time. It reports events/s and the p99 the clients saw, and checks that
// every event was stored exactly once and no request failed.
//
//	go test ./internal/api/ -run '^$' -bench Ingest -benchtime 20000x
func BenchmarkIngest(b *testing.B) {
	for _, c := range []struct {
		suffix  string
		leaders int
	}{{"", ingestLeaders}, {"-one-leader", 1}} {
		b.Run("sqlite"+c.suffix, func(b *testing.B) { benchIngest(b, []*store.DB{storetest.OpenSQLite(b)}, c.leaders) })
		b.Run("postgres-1"+c.suffix, func(b *testing.B) { benchIngest(b, pgInstances(b, 1), c.leaders) })
		b.Run("postgres-3"+c.suffix, func(b *testing.B) { benchIngest(b, pgInstances(b, 3), c.leaders) })
	}
}

// pgInstances opens n pools on one fresh PostgreSQL schema.
func pgInstances(b *testing.B, n int) []*store.DB {
	dsn := storetest.PostgresSchemaURL(b)
	waitForBackends(b, dsn)
	var dbs []*store.DB
	for range n {
		db, err := store.Open(context.Background(), dsn)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { db.Close() })
		dbs = append(dbs, db)
	}
	// Each takes its share of the write lanes now, as it would within
	// seconds on its own, rather than in the measured time.
	for _, db := range dbs {
		if err := db.Share(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
	return dbs
}

// waitForBackends waits a while for the server to have room for the
// pools of a run: between the runs of a benchmark, the backends of the
// last run's pools exit a moment after their connections close, and a
// run of BenchmarkIngestRatio opens 64 of PostgreSQL's default 100.
func waitForBackends(b *testing.B, dsn string) {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(ctx)
	for range 100 {
		var free int
		if err := conn.QueryRow(ctx, `SELECT current_setting('max_connections')::int - count(*) FROM pg_stat_activity`).Scan(&free); err != nil {
			b.Fatal(err)
		}
		if free >= 80 {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// instance is one server: the web app with the API on a loopback port.
type instance struct {
	url string
	hs  *http.Server
}

func serveInstance(b *testing.B, a *app.App) *instance {
	srv, err := web.New(web.Config{Service: a, API: api.New(api.Config{Service: a})})
	if err != nil {
		b.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	hs := srv.HTTPServer(ln.Addr().String())
	go hs.Serve(ln)
	b.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		hs.Shutdown(ctx)
	})
	return &instance{url: "http://" + ln.Addr().String(), hs: hs}
}

// ingestRig is the ingest benchmark's set-up: leaders with a token and
// people each, servers on dbs, and a client that posts one event.
type ingestRig struct {
	dbs   []*store.DB
	insts []*instance
	post  func(inst *instance) error
	seq   atomic.Int64 // events posted
}

// newIngestRig sets up leaders over dbs and warms every connection.
func newIngestRig(b *testing.B, dbs []*store.DB, leaders int) *ingestRig {
	ctx := context.Background()
	first := app.New(dbs[0], app.Options{})
	tokens := make([]string, leaders)
	perLeader := max(1, ingestPeople/leaders)
	owner, err := first.Signup(ctx, tl.SignupInput{Email: "leader00@example.com", Name: "Leader 00", Password: "correct horse battery"})
	if err != nil {
		b.Fatal(err)
	}
	for l := range leaders {
		u := owner
		if l > 0 {
			_, inv, err := first.Invite(ctx, owner.ID, fmt.Sprintf("leader%02d@example.com", l), tl.RoleLeader)
			if err != nil {
				b.Fatal(err)
			}
			if u, err = first.AcceptInvite(ctx, inv, fmt.Sprintf("Leader %02d", l), "correct horse battery"); err != nil {
				b.Fatal(err)
			}
		}
		if _, tokens[l], err = first.CreateToken(ctx, u.ID, "bench", tl.ScopeWrite); err != nil {
			b.Fatal(err)
		}
		for i := range perLeader {
			if _, err := first.AddPerson(ctx, u.LeaderID, tl.PersonInput{Name: fmt.Sprintf("P%02d", i), Kind: "direct-report"}); err != nil {
				b.Fatal(err)
			}
		}
	}
	var insts []*instance
	for _, db := range dbs {
		insts = append(insts, serveInstance(b, app.New(db, app.Options{})))
	}
	tr := &http.Transport{MaxIdleConns: ingestClients, MaxIdleConnsPerHost: ingestClients, IdleConnTimeout: time.Minute, DisableCompression: true}
	b.Cleanup(tr.CloseIdleConnections)
	client := &http.Client{Transport: tr, Timeout: 60 * time.Second}
	r := &ingestRig{dbs: dbs}
	seq := &r.seq
	post := func(inst *instance) error {
		n := seq.Add(1)
		l := int(n) % leaders
		body := fmt.Appendf(nil, `{"who":"P%02d","kind":"recognition","note":"bench %d"}`, (int(n)/leaders)%perLeader, n)
		req, err := http.NewRequest("POST", inst.url+api.Prefix+"/events", bytes.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+tokens[l])
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Idempotency-Key", rand.Text())
		res, err := client.Do(req)
		if err != nil {
			return err
		}
		defer res.Body.Close()
		msg, _ := io.ReadAll(res.Body)
		if res.StatusCode != http.StatusCreated {
			return fmt.Errorf("POST /events: %d %s", res.StatusCode, msg)
		}
		return nil
	}
	// Open the connections before the clock starts, the clients' and the
	// pools' (so PostgreSQL starts its backends, and each prepares its
	// statements, outside the measured time), and warm the caches: every
	// client posts a few times at once, as in the run.
	var warm sync.WaitGroup
	warmErrs := make(chan error, ingestClients)
	for i := range ingestClients {
		warm.Go(func() {
			for range 4 {
				if err := post(insts[i%len(insts)]); err != nil {
					warmErrs <- err
					return
				}
			}
		})
	}
	warm.Wait()
	close(warmErrs)
	for err := range warmErrs {
		b.Fatal(err)
	}
	r.insts, r.post = insts, post
	return r
}

func benchIngest(b *testing.B, dbs []*store.DB, leaders int) {
	ctx := context.Background()
	r := newIngestRig(b, dbs, leaders)
	insts, post, seq := r.insts, r.post, &r.seq
	before := seq.Load()

	procs := runtime.GOMAXPROCS(0)
	b.SetParallelism((ingestClients + procs - 1) / procs)
	lat := make(chan []time.Duration, ingestClients*4)
	var errs atomic.Int64
	var next atomic.Int64
	b.ResetTimer()
	start := time.Now()
	self0 := cpuSelf()
	pg0, _ := cpuPostgres()
	stats0 := writeStats(dbs)
	b.RunParallel(func(pb *testing.PB) {
		inst := insts[int(next.Add(1))%len(insts)]
		var mine []time.Duration
		for pb.Next() {
			t0 := time.Now()
			if err := post(inst); err != nil {
				errs.Add(1)
				b.Error(err)
				continue
			}
			mine = append(mine, time.Since(t0))
		}
		lat <- mine
	})
	elapsed := time.Since(start)
	self, pg := cpuSelf()-self0, time.Duration(0)
	stats := writeStats(dbs)
	if pg1, ok := cpuPostgres(); ok && len(dbs) > 0 && dbs[0].Dialect() == store.Postgres {
		pg = pg1 - pg0
	}
	b.StopTimer()
	close(lat)
	var all []time.Duration
	for l := range lat {
		all = append(all, l...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	b.ReportMetric(float64(len(all))/elapsed.Seconds(), "events/s")
	if len(all) > 0 {
		b.ReportMetric(float64(all[len(all)*99/100].Microseconds())/1000, "p99-ms")
	}
	b.ReportMetric(float64(errs.Load()), "errors")
	if events := seq.Load() - before; events > 0 {
		b.ReportMetric(float64(self.Microseconds())/float64(events), "go-cpu-µs/event")
		b.ReportMetric(float64(pg.Microseconds())/float64(events), "pg-cpu-µs/event")
	}
	if commits := stats.Commits - stats0.Commits; commits > 0 {
		b.ReportMetric(float64(stats.Writes-stats0.Writes)/float64(commits), "writes/commit")
	}

	// Every acknowledged event is stored, once.
	want := int(seq.Load())
	n, err := countEvents(ctx, dbs[0])
	if err != nil {
		b.Fatal(err)
	}
	if n != want {
		b.Fatalf("%d events stored, %d posted (%d before the clock)", n, want, before)
	}
}

// writeStats adds up the instances' write counts.
func writeStats(dbs []*store.DB) store.WriteStats {
	var sum store.WriteStats
	for _, db := range dbs {
		st := db.WriteStats()
		sum.Writes += st.Writes
		sum.Commits += st.Commits
	}
	return sum
}

func countEvents(ctx context.Context, db *store.DB) (int, error) {
	var n int
	err := db.Read(ctx, func(tx *store.Tx) error {
		var err error
		n, err = tx.CountRows(ctx, "SELECT count(*) FROM events")
		return err
	})
	return n, err
}
