package e2e

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/app"
	"github.com/trustledger/trustledger/internal/engine"
	"github.com/trustledger/trustledger/internal/store"
	"github.com/trustledger/trustledger/internal/storetest"
	"github.com/trustledger/trustledger/internal/web"
)

// The size PRODUCT.md holds the pages to: 1M events and 10k relationships in
// the database, the signed-in leader having 50 of them.
const (
	bigLeaders = 200
	bigPerLead = 50
	bigEvents  = 1_000_000
)

// sessionCookie is the session cookie's name on a loopback host
// (internal/web's doc.go, "Cookies"); the benchmarks send requests to
// 127.0.0.1.
const sessionCookie = "__Host-trustledger"

// bigSite is the web app over the big database, with a signed-in user.
type bigSite struct {
	db      *store.DB
	app     *app.App
	handler *web.Server
	token   string   // the user's session token
	people  []string // the user's relationship ids
	seeded  time.Duration
}

// big is seeded once per test binary and shared by the benchmarks that
// need it (seeding takes far longer than any of them).
var big struct {
	once sync.Once
	site *bigSite
	dir  string
	err  error
}

// TestMain removes the big database after the run.
func TestMain(m *testing.M) {
	code := m.Run()
	if big.site != nil {
		big.site.db.Close()
	}
	if big.dir != "" {
		os.RemoveAll(big.dir)
	}
	os.Exit(code)
}

// openBig returns the shared big site, seeding it on first use. The clock
// stands at storetest.SeedEnd, just after the last entry, so the recent
// windows of the dashboard have entries in them.
func openBig(b *testing.B) *bigSite {
	b.Helper()
	if testing.Short() {
		b.Skip("seeding 1M events takes a while; skipped with -short")
	}
	big.once.Do(func() {
		big.dir, big.err = os.MkdirTemp("", "trustledger-e2e-bench-")
		if big.err != nil {
			return
		}
		big.site, big.err = seedBig(context.Background(), filepath.Join(big.dir, "big.db"))
	})
	if big.err != nil {
		b.Fatalf("seed the big database: %v", big.err)
	}
	b.Logf("database: %d events, %d relationships (seeded in %v); the user has %d",
		bigEvents, bigLeaders*bigPerLead, big.site.seeded.Round(time.Millisecond), len(big.site.people))
	return big.site
}

// seedBig signs up the user through the services (so the account, its
// leader and its session are real), then bulk-loads that leader's 50
// relationships and 199 other leaders' with their ledgers straight into
// the store, each relationship's running state folded by the engine from
// exactly its entries, as the services would have left it.
func seedBig(ctx context.Context, path string) (*bigSite, error) {
	began := time.Now()
	db, err := store.Open(ctx, path)
	if err != nil {
		return nil, err
	}
	now := func() time.Time { return storetest.SeedEnd }
	a := app.New(db, app.Options{Now: now})
	u, err := a.Signup(ctx, tl.SignupInput{Email: "bench@example.org", Name: "Bench", Password: "a long enough password"})
	if err != nil {
		db.Close()
		return nil, err
	}
	token, err := a.CreateSession(ctx, u.ID)
	if err != nil {
		db.Close()
		return nil, err
	}
	s := &bigSite{db: db, app: a, token: token}
	if s.people, err = seedLedgers(ctx, db, u.LeaderID); err != nil {
		db.Close()
		return nil, err
	}
	if s.handler, err = web.New(web.Config{Service: a, Now: now, Writes: func() int64 { return db.WriteStats().Writes }}); err != nil {
		db.Close()
		return nil, err
	}
	s.seeded = time.Since(began)
	return s, nil
}

// seedLedgers writes bigLeaders leaders (the user's first) with bigPerLead
// direct reports each and bigEvents entries spread evenly over them and
// over the two years before storetest.SeedEnd. Ids come from a clock that
// only moves forward, so every index is appended to rather than written
// at random, which keeps a million rows to seconds. It returns the user's
// relationship ids.
func seedLedgers(ctx context.Context, db *store.DB, userLeader string) ([]string, error) {
	const span = 2 * 365 * 24 * time.Hour
	end := storetest.SeedEnd
	first := end.Add(-span - 24*time.Hour)
	var kinds []engine.Kind
	for _, k := range engine.Kinds() {
		if len(k.Effects) > 0 && !k.IsApology && !k.IsPower && !k.IsSnapshot {
			kinds = append(kinds, k.Kind)
		}
	}
	if len(kinds) == 0 {
		return nil, fmt.Errorf("the engine lists no kinds with effects")
	}
	set := engine.DefaultSettings()
	rng := rand.New(rand.NewPCG(3, 5))
	perRel := bigEvents / (bigLeaders * bigPerLead)
	idAt := first
	id := func() string { idAt = idAt.Add(time.Millisecond); return store.NewID(idAt) }

	var mine []string
	ats := make([]time.Time, perRel)
	for li := range bigLeaders {
		err := db.Write(ctx, func(tx *store.Tx) error {
			var leader, team string
			if li == 0 {
				tm, err := tx.TeamByName(ctx, userLeader, tl.DefaultTeamName)
				if err != nil {
					return fmt.Errorf("the user's default team: %w", err)
				}
				leader, team = userLeader, tm.ID
			} else {
				l := tl.Leader{ID: id(), Name: fmt.Sprintf("leader-%04d", li), CreatedAt: first}
				if err := tx.CreateLeader(ctx, &l); err != nil {
					return err
				}
				tm := tl.Team{ID: id(), LeaderID: l.ID, Name: tl.DefaultTeamName, CreatedAt: first}
				if err := tx.CreateTeam(ctx, &tm); err != nil {
					return err
				}
				leader, team = l.ID, tm.ID
			}
			evs := make([]tl.Event, 0, bigPerLead*perRel)
			for ri := range bigPerLead {
				r := tl.Relationship{
					ID: id(), LeaderID: leader, Person: fmt.Sprintf("Person %03d", ri), TeamID: team,
					Kind: engine.DirectReport, Bases: engine.DefaultBases(engine.DirectReport),
					Active: true, StartedAt: first, CreatedAt: first,
				}
				if err := tx.CreateRelationship(ctx, &r); err != nil {
					return err
				}
				if li == 0 {
					mine = append(mine, r.ID)
				}
				for i := range ats {
					ats[i] = end.Add(-time.Duration(rng.Int64N(int64(span)))).Truncate(time.Millisecond)
				}
				slices.SortFunc(ats, func(a, b time.Time) int { return a.Compare(b) })
				var st engine.State
				for _, at := range ats {
					src := engine.Self
					switch rng.IntN(10) {
					case 0:
						src = engine.Confirmed
					case 1:
						src = engine.System
					}
					ev := tl.Event{
						ID: id(), LeaderID: leader, Subject: tl.SubjectPerson, RelationshipID: r.ID,
						Kind: kinds[rng.IntN(len(kinds))], OccurredAt: at, RecordedAt: at, Source: src,
						Severity: engine.Normal, RecordedBy: "leader", Targets: []string{r.ID},
					}
					set.Apply(&st, engine.Event{ID: ev.ID, Kind: ev.Kind, At: at, Source: src, Severity: engine.Normal})
					evs = append(evs, ev)
				}
				if err := tx.PutState(ctx, r.ID, st); err != nil {
					return err
				}
			}
			return tx.AppendEvents(ctx, evs)
		})
		if err != nil {
			return nil, fmt.Errorf("leader %d: %w", li, err)
		}
	}
	return mine, nil
}
