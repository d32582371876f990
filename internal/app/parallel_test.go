package app_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"sync"
	"testing"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/app"
	"github.com/trustledger/trustledger/internal/engine"
	"github.com/trustledger/trustledger/internal/store"
	"github.com/trustledger/trustledger/internal/storetest"
)

// TestParallelWritersLoseNothing races writers on two instances (two
// store.DBs on one database, each with its own lanes and connections):
// of one leader, whose writes the model must take one at a time, and of
// many leaders, whose writes run in parallel. Among them run writes of
// no single leader (a setting changed, which rebuilds the running state)
// and reversals. Afterwards every acknowledged entry is in the ledger
// once, and every relationship's running state reads the same as a
// replay of its ledger: an update lost between two writers of the same
// relationship would leave the running state short of the replay.
//
// In the last case a third instance comes and goes while the writers run,
// and both instances count the others again and again, so their share of
// the write lanes swings (share.go in the store): a leader's writes then
// move between lanes while the old lane may still hold a batch of them.
func TestParallelWritersLoseNothing(t *testing.T) {
	for _, b := range []struct {
		name  string
		open  func(t *testing.T) (string, [2]*store.DB)
		churn bool
	}{
		{"sqlite", func(t *testing.T) (string, [2]*store.DB) {
			path := filepath.Join(t.TempDir(), "tl.db")
			return path, [2]*store.DB{openDB(t, path), openDB(t, path)}
		}, false},
		{"postgres", func(t *testing.T) (string, [2]*store.DB) {
			dsn := storetest.PostgresSchemaURL(t)
			return dsn, [2]*store.DB{openDB(t, dsn), openDB(t, dsn)}
		}, false},
		{"postgres-shares-changing", func(t *testing.T) (string, [2]*store.DB) {
			dsn := storetest.PostgresSchemaURL(t)
			return dsn, [2]*store.DB{openDB(t, dsn), openDB(t, dsn)}
		}, true},
	} {
		t.Run(b.name, func(t *testing.T) {
			dsn, dbs := b.open(t)
			for _, leaders := range []int{1, 6} {
				t.Run(fmt.Sprintf("%d-leaders", leaders), func(t *testing.T) {
					if !b.churn {
						raceWriters(t, dbs, leaders)
						return
					}
					seen := churnShares(t, dsn, dbs, func() { raceWriters(t, dbs, leaders) })
					if !seen[1] || !seen[2] {
						t.Errorf("the first instance ran with %v lanes while the writers ran, want both 1 and 2", seen)
					}
				})
			}
		})
	}
}

// churnShares runs race while a third instance on dsn's schema opens and
// closes over and over and dbs count the instances after each step, and
// returns the lane counts the first of dbs took meanwhile.
func churnShares(t *testing.T, dsn string, dbs [2]*store.DB, race func()) map[int]bool {
	ctx, stop := context.WithCancel(context.Background())
	seen := map[int]bool{}
	done := make(chan error)
	go func() {
		share := func() error {
			for _, db := range dbs {
				if err := db.Share(ctx); err != nil && ctx.Err() == nil {
					return err
				}
			}
			seen[dbs[0].LaneStats().Lanes] = true
			return nil
		}
		var err error
		for err == nil && ctx.Err() == nil {
			var extra *store.DB
			if extra, err = store.Open(ctx, dsn); err != nil {
				break
			}
			err = share()
			extra.Close()
			if err == nil {
				err = share()
			}
		}
		if ctx.Err() != nil {
			err = nil
		}
		done <- err
	}()
	race()
	stop()
	if err := <-done; err != nil {
		t.Errorf("a third instance coming and going: %v", err)
	}
	return seen
}

func openDB(t *testing.T, dsn string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatalf("open %s: %v", dsn, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func raceWriters(t *testing.T, dbs [2]*store.DB, leaders int) {
	ctx := context.Background()
	clk := newClock(start)
	apps := [2]*app.App{app.New(dbs[0], app.Options{Now: clk.Now}), app.New(dbs[1], app.Options{Now: clk.Now})}
	e := &env{t: t, ctx: ctx, db: dbs[0], clk: clk, app: apps[0]}
	people := []string{"Ana", "Ben", "Cy"}
	var ids []string
	for l := range leaders {
		ld := e.leader(fmt.Sprintf("%s leader %d", t.Name(), l))
		for _, p := range people {
			e.person(ld.ID, p, engine.DirectReport)
		}
		ids = append(ids, ld.ID)
	}
	var kinds []engine.Kind
	for _, k := range engine.Kinds() {
		if !k.IsSnapshot && !k.IsApology && !k.IsPower {
			kinds = append(kinds, k.Kind)
		}
	}

	const writers, each = 12, 20
	var mu sync.Mutex
	logged := map[string]int{} // acknowledged entries per leader
	reversed := map[string]int{}
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for w := range writers {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(w), uint64(leaders)))
			a := apps[w%2]
			var mine []*tl.Event
			for i := range each {
				l := ids[(w+i)%len(ids)]
				switch op := rng.IntN(20); {
				case op == 0 && w == 0:
					// A write of no single leader among the others: it
					// rebuilds the leader's running states.
					if err := a.SetSetting(ctx, l, "kappa_integrity", 2+float64(rng.IntN(5))); err != nil {
						errs <- fmt.Errorf("set setting: %w", err)
					}
				case op == 3:
					// A promise made and kept: an entry of its own, through
					// another write of the leader.
					p, err := a.AddPromise(ctx, l, tl.PromiseInput{To: people[rng.IntN(len(people))], What: fmt.Sprintf("race promise %d-%d", w, i), Due: clk.Now().Add(day)})
					if err == nil {
						_, err = a.ResolvePromise(ctx, l, p.ID, tl.PromiseKept, time.Time{})
					}
					if err != nil {
						errs <- fmt.Errorf("promise: %w", err)
					}
				case op < 3 && len(mine) > 0:
					ev := mine[rng.IntN(len(mine))]
					if _, err := a.Reverse(ctx, ev.LeaderID, ev.ID, ""); err == nil {
						mu.Lock()
						reversed[ev.LeaderID]++
						mu.Unlock()
					} else if tl.ErrorCode(err) != tl.ECONFLICT {
						errs <- fmt.Errorf("reverse: %w", err)
					}
				default:
					who := append(people, "team")[rng.IntN(len(people)+1)]
					ev, err := a.Log(ctx, l, tl.EventInput{Who: who, Kind: kinds[rng.IntN(len(kinds))], Note: fmt.Sprintf("race log %d-%d", w, i)})
					if err != nil {
						errs <- fmt.Errorf("log: %w", err)
						continue
					}
					mine = append(mine, ev)
					mu.Lock()
					logged[l]++
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for _, l := range ids {
		var n int
		noErr(t, dbs[1].Read(ctx, func(tx *store.Tx) error {
			var err error
			n, err = tx.CountRows(ctx, "SELECT count(DISTINCT note) FROM events WHERE leader_id = $1 AND note LIKE 'race log %'", l)
			return err
		}))
		if n != logged[l] {
			t.Errorf("leader %s: %d of the entries logged are in the ledger, %d were acknowledged", l, n, logged[l])
		}
		var rev int
		noErr(t, dbs[1].Read(ctx, func(tx *store.Tx) error {
			var err error
			rev, err = tx.CountRows(ctx, "SELECT count(*) FROM events WHERE leader_id = $1 AND reverses IS NOT NULL AND reverses <> ''", l)
			return err
		}))
		if rev != reversed[l] {
			t.Errorf("leader %s: %d reversals in the ledger, %d acknowledged", l, rev, reversed[l])
		}
		e.checkReplay(l)
	}
}
