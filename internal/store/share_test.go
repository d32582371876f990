package store_test

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/store"
	"github.com/trustledger/trustledger/internal/storetest"
)

// openShared opens one more instance on the PostgreSQL schema of dsn.
func openShared(t *testing.T, dsn string, lanes int) *store.DB {
	t.Helper()
	db, err := store.OpenWith(context.Background(), dsn, store.Options{WriteLanes: lanes})
	if err != nil {
		t.Fatalf("open an instance: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// settle counts the instances again on each of dbs until every one reports
// want, or fails after a while: a closed pool's connections leave
// pg_stat_activity a moment after it closes.
func settle(t *testing.T, want store.LaneStats, dbs ...*store.DB) {
	t.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var got []store.LaneStats
		for _, db := range dbs {
			if err := db.Share(ctx); err != nil {
				t.Fatal(err)
			}
			got = append(got, db.LaneStats())
		}
		same := true
		for _, g := range got {
			same = same && g == want
		}
		if same {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the instances report %+v, want each %+v", got, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestInstancesShareTheWriteLanes: the instances on one PostgreSQL schema
// find each other through their connections' names and split the write
// budget evenly (share.go); an instance of another schema is not one of
// them; one that closes gives its share back; a connection string's own
// application name is kept after trustledger's.
func TestInstancesShareTheWriteLanes(t *testing.T) {
	ctx := context.Background()
	dsn := storetest.PostgresSchemaURL(t)
	a := openShared(t, dsn, 0)
	settle(t, store.LaneStats{Lanes: store.DefaultWriteLanes, Instances: 1, Budget: store.DefaultWriteLanes}, a)

	b := openShared(t, dsn, 0)
	settle(t, store.LaneStats{Lanes: 2, Instances: 2, Budget: 4}, a, b)
	c := openShared(t, dsn, 0)
	// Four lanes do not split evenly in three: one each, and the fourth
	// is not run.
	settle(t, store.LaneStats{Lanes: 1, Instances: 3, Budget: 4}, a, b, c)

	other := openShared(t, storetest.PostgresSchemaURL(t), 6)
	settle(t, store.LaneStats{Lanes: 6, Instances: 1, Budget: 6}, other)
	settle(t, store.LaneStats{Lanes: 1, Instances: 3, Budget: 4}, a)

	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	settle(t, store.LaneStats{Lanes: 2, Instances: 2, Budget: 4}, a, b)

	// More instances than lanes: each still writes, with one lane.
	narrow := storetest.PostgresSchemaURL(t)
	n1, n2, n3 := openShared(t, narrow, 2), openShared(t, narrow, 2), openShared(t, narrow, 2)
	settle(t, store.LaneStats{Lanes: 1, Instances: 3, Budget: 2}, n1, n2, n3)
	f := newLaneFixture(t, n1)
	for i, db := range []*store.DB{n1, n2, n3} {
		id := fmt.Sprintf("narrow-%d", i)
		if err := db.WriteLeader(ctx, f.leader, func(tx *store.Tx) error { return tx.AppendEvent(ctx, f.entry(id)) }); err != nil {
			t.Fatalf("instance %d of 3 on two lanes: %v", i+1, err)
		}
		if !f.stored(t, id) {
			t.Errorf("instance %d of 3 on two lanes: its write is not stored", i+1)
		}
	}

	// The name trustledger gives its connections, and the one the
	// connection string gave, which an operator may be watching for.
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("application_name", "ops-dashboard")
	u.RawQuery = q.Encode()
	named := openShared(t, u.String(), 0)
	var name string
	if err := named.SQL().QueryRowContext(ctx, "SELECT application_name FROM pg_stat_activity WHERE pid = pg_backend_pid()").Scan(&name); err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^trustledger/[0-9a-f]{16}/[0-9a-f]{8} ops-dashboard$`).MatchString(name) {
		t.Errorf("a connection is named %q, want trustledger/TAG/ID followed by the connection string's ops-dashboard", name)
	}
	settle(t, store.LaneStats{Lanes: 1, Instances: 3, Budget: 4}, a, b, named)
}

// TestWriteLanesOutOfRange: a budget that cannot be run is refused with
// what to give instead, before anything connects.
func TestWriteLanesOutOfRange(t *testing.T) {
	dsn := storetest.PostgresSchemaURL(t)
	for _, n := range []int{-1, store.MaxWriteLanes + 1} {
		_, err := store.OpenWith(context.Background(), dsn, store.Options{WriteLanes: n})
		if tl.ErrorCode(err) != tl.EINVALID || !strings.Contains(tl.ErrorMessage(err), "from 1 to 32") {
			t.Errorf("%d write lanes: got %v, want an invalid-input error that says from 1 to 32", n, err)
		}
	}
}

// TestSQLiteHasOneLane: SQLite has one writer and nothing to share.
func TestSQLiteHasOneLane(t *testing.T) {
	db := storetest.OpenSQLite(t)
	if err := db.Share(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := db.LaneStats(); got != (store.LaneStats{Lanes: 1, Instances: 1, Budget: 1}) {
		t.Errorf("SQLite reports %+v, want one lane of one instance", got)
	}
}

// TestBatchPutsOffALeaderAnotherInstanceHolds: a lane's batch waits for
// its first write's leader and takes the others' locks only if they are
// free; a write whose leader another instance's lane holds is put off to
// the next batch, so it holds back neither the batch nor the leaders in
// it, and runs once the other instance lets the leader go.
func TestBatchPutsOffALeaderAnotherInstanceHolds(t *testing.T) {
	ctx := context.Background()
	dsn := storetest.PostgresSchemaURL(t)
	a, b := openShared(t, dsn, 1), openShared(t, dsn, 1)
	read := func(tx *store.Tx) error {
		_, err := tx.CountRows(ctx, "SELECT count(*) FROM leaders")
		return err
	}

	locked, release, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		done <- b.WriteLeader(ctx, "L2", func(tx *store.Tx) error {
			if err := read(tx); err != nil { // sends BEGIN and the locks
				return err
			}
			close(locked)
			<-release
			return nil
		})
	}()
	select {
	case <-locked:
	case err := <-done:
		t.Fatalf("the other instance's write ended before it held the leader: %v", err)
	}

	type outcome struct {
		errs   []error
		putOff []bool
	}
	ran := make(chan outcome, 1)
	go func() {
		errs, putOff := a.BatchForTest(ctx, []string{"L1", "L2", "L3", "L2"}, read)
		ran <- outcome{errs, putOff}
	}()
	var got outcome
	select {
	case got = <-ran:
	case <-time.After(30 * time.Second):
		close(release)
		t.Fatal("the batch waited for the leader that another instance holds")
	}
	if want := []bool{false, true, false, true}; !slices.Equal(got.putOff, want) {
		t.Errorf("put off %v, want %v (only L2's writes, which the other instance holds)", got.putOff, want)
	}
	for i, err := range got.errs {
		if err != nil {
			t.Errorf("write %d: %v", i, err)
		}
	}

	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	errs, putOff := a.BatchForTest(ctx, []string{"L3", "L2"}, read)
	if putOff[1] || errs[1] != nil {
		t.Errorf("once the other instance let L2 go: put off %v, error %v; want it run", putOff[1], errs[1])
	}
}
