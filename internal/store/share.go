package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
)

// The instances' share of the write lanes. PostgreSQL runs a schema's
// writes best when few transactions, each committing many writes, run at
// once: on the two-core machine of docs/PERFORMANCE.md three or four
// lanes in all did as well as eight, and three instances of eight lanes
// each (24 small transactions at a time) ran at 81% of one instance,
// where three of one lane each ran as fast as one of eight. So the lanes
// are a budget of the schema's, not of each instance: the instances that
// serve one schema find each other and split the budget, and an instance
// added to the set adds HTTP and Go work without adding write
// transactions. (docs/ARCHITECTURE.md, "Writes".)
//
// An instance finds the others through PostgreSQL itself, with no table
// and no heartbeat to keep: it names its connections
// "trustledger/TAG/ID" (TAG from the schema, ID its own) and counts the
// distinct IDs in pg_stat_activity, which every role may read for
// application names. An instance whose connections are gone (it stopped,
// crashed, or sat idle long enough for its pool to close them) stops
// counting, and an idle instance needs no share; a failover moves the
// count to the new primary with the connections.

// DefaultWriteLanes is the write budget of a schema when Options.WriteLanes
// is not set: the best measured on a two-core database server
// (docs/PERFORMANCE.md, "API ingest"). A bigger server, or one further
// away on the network, does better with more.
const DefaultWriteLanes = 4

// MaxWriteLanes bounds Options.WriteLanes: more transactions at once than
// this would need a pool bigger than PostgreSQL's default 100 connections
// allow for three instances.
const MaxWriteLanes = 32

// shareEvery is how often an instance counts the others. A new instance
// takes its share within this time; until then the set runs a lane or a
// few more than the budget.
const shareEvery = 5 * time.Second

// appPrefix starts the application name of every trustledger connection.
const appPrefix = "trustledger/"

// sharing is what an instance knows of its share.
type sharing struct {
	budget    int          // lanes for all instances of the schema
	id        string       // this instance, in its connections' names
	tag       atomic.Value // string: the schema's tag, once known
	theirs    string       // the application_name the connection string set
	active    atomic.Int32 // lanes this instance runs now
	instances atomic.Int32 // instances seen at the last count
}

func newSharing(budget int, theirs string) *sharing {
	var b [4]byte
	_, _ = rand.Read(b[:])
	s := &sharing{budget: budget, id: hex.EncodeToString(b[:]), theirs: theirs}
	s.tag.Store("")
	s.active.Store(int32(budget))
	s.instances.Store(1)
	return s
}

// name is the application name for a new connection: this instance's
// once the schema is known, followed by the connection string's own. The
// server keeps 63 bytes of it, and trustledger's part is the first 37.
func (s *sharing) name() string {
	tag := s.tag.Load().(string)
	if tag == "" {
		return s.theirs
	}
	n := appPrefix + tag + "/" + s.id
	if s.theirs != "" {
		n += " " + s.theirs
	}
	return n
}

// schemaTag is the part of the application name that tells a schema's
// instances from another schema's.
func schemaTag(schema string) string {
	return fmt.Sprintf("%016x", uint64(lockKey("trustledger instances "+schema)))
}

// nameConnections makes the pool's connections carry the instance's name
// from now on: those opened before the schema was known are closed.
func (db *DB) nameConnections() {
	db.share.tag.Store(schemaTag(db.schema))
	db.pool.Reset()
}

// shareOf is the lanes of each of n instances that split budget lanes:
// an even share, since a load balancer gives each instance as many
// requests, and never less than one, so that every instance can write.
// What an even split leaves over is not run: the instances together run
// at most budget write transactions at once, unless there are more of
// them than that.
func shareOf(budget, n int) int {
	return max(budget/max(n, 1), 1)
}

// Share counts the instances that serve this schema now and takes this
// instance's share of the write lanes. It runs every shareEvery in the
// background; tests and benchmarks call it to settle the share at once.
// On SQLite there is one writer and nothing to share.
func (db *DB) Share(ctx context.Context) error {
	if db.dialect != Postgres {
		return nil
	}
	// The others: this instance counts itself, whether or not it holds
	// a connection just now.
	prefix := appPrefix + db.share.tag.Load().(string) + "/"
	var others int
	err := db.r.QueryRowContext(ctx,
		`SELECT count(DISTINCT split_part(application_name, ' ', 1)) FROM pg_stat_activity
		WHERE datname = current_database() AND starts_with(application_name, $1)
		AND split_part(application_name, ' ', 1) <> $2`, prefix, prefix+db.share.id).Scan(&others)
	if err != nil {
		return internal("count instances", err)
	}
	db.share.instances.Store(int32(others + 1))
	db.share.active.Store(int32(shareOf(db.share.budget, others+1)))
	return nil
}

// shareLoop recounts the instances every shareEvery until the lanes stop.
// A count that fails (the database is away) keeps the last share.
func (db *DB) shareLoop() {
	t := time.NewTicker(shareEvery)
	defer t.Stop()
	for {
		select {
		case <-db.quit:
			return
		case <-t.C:
			ctx, cancel := context.WithTimeout(context.Background(), shareEvery)
			_ = db.Share(ctx)
			cancel()
		}
	}
}

// LaneStats is what an instance knows of the write lanes' split.
type LaneStats struct {
	Lanes     int // lanes this instance runs now
	Instances int // instances of the schema at the last count, this one too
	Budget    int // lanes of all instances together
}

// LaneStats reports this instance's share of the write lanes; on SQLite,
// its one lane.
func (db *DB) LaneStats() LaneStats {
	if db.share == nil {
		return LaneStats{Lanes: 1, Instances: 1, Budget: 1}
	}
	return LaneStats{
		Lanes:     int(db.share.active.Load()),
		Instances: int(db.share.instances.Load()),
		Budget:    db.share.budget,
	}
}

// beforeConnect names each new connection (see sharing.name).
func (s *sharing) beforeConnect(_ context.Context, cc *pgx.ConnConfig) error {
	if n := s.name(); n != "" {
		cc.RuntimeParams["application_name"] = n
	}
	return nil
}
