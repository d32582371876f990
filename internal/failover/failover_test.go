//go:build linux

// Package failover is one test and its helpers, and nothing else:
// TestFailover starts a PostgreSQL primary with a synchronous streaming
// standby and three `trustledger serve` processes on a multi-host
// connection string, kills the primary under load and promotes the
// standby, and checks that no acknowledged write is lost, that the outbox
// and the periodic jobs do each thing once, and that the instances recover
// on their own (docs/OPERATIONS.md, "Several instances on a highly
// available PostgreSQL"). It runs on Linux (process groups, a
// parent-death signal). With no code outside the tests, the package is not
// part of the README's project structure.
package failover

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/app"
	"github.com/trustledger/trustledger/internal/store"
	"github.com/trustledger/trustledger/internal/webhook"
)

const (
	leaders   = 3
	perLeader = 4 // people each leader leads
	writers   = 6 // clients posting at once, spread over the instances
	gap       = 2500 * time.Millisecond
)

// TestFailover (docs/OPERATIONS.md, "Several instances on a highly
// available PostgreSQL"): a primary and its synchronous standby, three
// `serve` processes on a multi-host connection string with
// target_session_attrs=read-write. Under load (ledger entries and
// promises due within a day through the JSON API, which the tick
// announces to a webhook; and promises already overdue, made by the test
// through the services, which the tick breaks and announces), the
// primary's whole process group is killed with SIGKILL; 2.5 s later the
// standby is promoted. Then:
//
//   - every write the API acknowledged is on the new primary, once, and
//     nothing is stored twice;
//   - every overdue promise was broken once (one promise-broken entry),
//     and every promise's announcement reached the webhook once, under
//     one delivery id: a worker that posted a delivery as the primary
//     died keeps trying to mark it sent until the standby takes over
//     (mail.Mark);
//   - the three processes never restarted, and writes succeed on each
//     after the promotion;
//   - meanwhile clients got 503 with Retry-After and never another 5xx,
//     and /readyz said 503 on each instance, then 200.
//
// A POST in flight at the kill is answered 503 and sent again with its
// Idempotency-Key. The key is kept in the write's own transaction, so a
// write the kill rolled back left it free and the retry creates it; only
// a write whose COMMIT reached the standby before the kill keeps the key,
// and its retry answers 409. So every 409 must be a write stored once
// (docs/OPERATIONS.md says what a client makes of it).
func TestFailover(t *testing.T) {
	if testing.Short() {
		t.Skip("starts two PostgreSQL servers and three trustledger processes; skipped with -short")
	}
	pg := startPair(t, "trustledger")
	work := t.TempDir()
	bin := buildTrustledger(t, work)
	hooks := newReceiver(t)
	tokens, leaderIDs := seed(t, pg.dsn(), hooks.srv.URL+"/hook")

	var insts []*instance
	for i := range 3 {
		insts = append(insts, startInstance(t, bin, pg.dsn(), work, i))
	}
	client := &http.Client{Timeout: 20 * time.Second}
	waitReady(t, client, insts, 30*time.Second)

	probeCtx, stopProbes := context.WithCancel(context.Background())
	t.Cleanup(stopProbes)
	probes := pollReady(probeCtx, client, insts)
	load := startLoad(t, client, insts, tokens)
	overdue := startPromiser(t, pg.dsn(), leaderIDs)

	time.Sleep(2 * time.Second)
	if load.acked() == 0 {
		t.Fatal("no write was acknowledged before the kill")
	}
	pg.primary.kill()
	killedAt := time.Now()
	t.Logf("killed the primary after %d acknowledged writes", load.acked())
	time.Sleep(gap)
	pg.promote()
	promotedAt := time.Now()
	t.Logf("promoted the standby %.1f s after the kill", promotedAt.Sub(killedAt).Seconds())

	// The instances find the new primary on their own.
	waitReady(t, client, insts, 30*time.Second)
	readyAt := time.Now()
	time.Sleep(2 * time.Second)
	load.stop()
	overdue.stop()
	stopProbes()
	seen := probes()
	t.Logf("all ready %.1f s after the promotion; %d writes acknowledged; statuses %v, %d connections failed",
		readyAt.Sub(promotedAt).Seconds(), load.acked(), load.tally.statuses, load.tally.netErrs)

	// (d) 503 with Retry-After, never another 5xx; /readyz not ready in
	// the gap, 200 after.
	for _, b := range load.tally.bad {
		t.Errorf("a client got %s", b)
	}
	if load.tally.statuses[http.StatusServiceUnavailable] == 0 {
		t.Errorf("no client got a 503 during the gap: the load missed it")
	}
	if load.tally.netErrs > 0 {
		t.Errorf("%d requests got no answer: the instances should answer every request, with 503 when the database is away", load.tally.netErrs)
	}
	for i, ps := range seen {
		notReady := 0
		for _, p := range ps {
			if p.at.After(killedAt) && p.at.Before(promotedAt) && p.status != http.StatusOK {
				notReady++
			}
			if p.status != http.StatusOK && p.status != http.StatusServiceUnavailable {
				t.Errorf("instance %d: /readyz answered %d at +%.1f s (only 200 or 503)", i, p.status, p.at.Sub(killedAt).Seconds())
			}
			if p.status == http.StatusServiceUnavailable && p.retryAfter == "" {
				t.Errorf("instance %d: /readyz answered 503 without Retry-After at +%.1f s", i, p.at.Sub(killedAt).Seconds())
			}
		}
		if notReady == 0 {
			t.Errorf("instance %d: /readyz never said not ready between the kill and the promotion", i)
		}
		if last := ps[len(ps)-1]; last.status != http.StatusOK {
			t.Errorf("instance %d: /readyz answers %d after the promotion", i, last.status)
		}
	}

	// (c) The same processes, and each took writes after the promotion.
	for i, in := range insts {
		if !in.alive() || in.cmd.Process.Pid != in.pid {
			t.Errorf("instance %d (pid %d) did not survive the failover", i, in.pid)
		}
		if n := load.ackedAfter(i, promotedAt); n == 0 {
			t.Errorf("instance %d acknowledged no write after the promotion", i)
		}
	}
	resp, err := client.Get(insts[0].url + "/healthz")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Errorf("/healthz after the failover: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}

	checkOnNewPrimary(t, pg, load, overdue, hooks)
}

// seed makes the leaders (the first signs up, the others accept an
// invitation), their people, a write token each, and a webhook each to
// the receiver for every event. It returns the tokens and the leaders'
// ids.
func seed(t *testing.T, dsn, hookURL string) (tokens, leaderIDs []string) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	a := app.New(db, app.Options{Webhooks: webhook.Policy{AllowPrivate: true}})
	owner, err := a.Signup(ctx, tl.SignupInput{Email: "leader0@example.org", Name: "Leader 0", Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	for l := range leaders {
		u := owner
		if l > 0 {
			_, inv, err := a.Invite(ctx, owner.ID, fmt.Sprintf("leader%d@example.org", l), tl.RoleLeader)
			if err != nil {
				t.Fatal(err)
			}
			if u, err = a.AcceptInvite(ctx, inv, fmt.Sprintf("Leader %d", l), "correct horse battery"); err != nil {
				t.Fatal(err)
			}
		}
		_, tok, err := a.CreateToken(ctx, u.ID, "failover", tl.ScopeWrite)
		if err != nil {
			t.Fatal(err)
		}
		tokens, leaderIDs = append(tokens, tok), append(leaderIDs, u.LeaderID)
		for i := range perLeader {
			if _, err := a.AddPerson(ctx, u.LeaderID, tl.PersonInput{Name: fmt.Sprintf("P%d", i), Kind: "direct-report"}); err != nil {
				t.Fatal(err)
			}
		}
		if _, _, err := a.AddWebhook(ctx, u.LeaderID, hookURL, nil); err != nil {
			t.Fatal(err)
		}
	}
	return tokens, leaderIDs
}

// ack is a write the API acknowledged.
type ack struct {
	note      string // the entry's note, or the promise's text
	promiseID string // for a promise
	inst      int
	at        time.Time
}

// loadRun is the clients' work: what was acknowledged and what they saw.
type loadRun struct {
	t       *testing.T
	client  *http.Client
	insts   []*instance
	tokens  []string
	tally   tally
	mu      sync.Mutex
	acks    []ack
	unknown []string // notes of writes answered 409 on a retry with their key
	done    chan struct{}
	once    sync.Once
	wg      sync.WaitGroup
}

// startLoad starts the writers. Each posts in turn to the instances, a
// ledger entry three times out of four and otherwise a promise due in
// twelve hours (the tick announces it to the webhook: promise.due), for
// the leaders in turn. A write answered 503 is sent again with the same
// Idempotency-Key after half a second, sooner than Retry-After asks, to
// keep the pressure on during the gap.
func startLoad(t *testing.T, client *http.Client, insts []*instance, tokens []string) *loadRun {
	l := &loadRun{t: t, client: client, insts: insts, tokens: tokens, done: make(chan struct{})}
	t.Cleanup(l.stop) // before the instances stop, on a failure too
	due := time.Now().Add(12 * time.Hour).UTC().Format(time.RFC3339)
	for w := range writers {
		l.wg.Go(func() {
			for n := 0; ; n++ {
				select {
				case <-l.done:
					return
				default:
				}
				note := fmt.Sprintf("w%d-%04d", w, n)
				leader, person := (w+n)%leaders, n%perLeader
				inst := (w + n) % len(insts)
				path, body := "/api/v1/events", fmt.Sprintf(`{"who":"P%d","kind":"recognition","note":%q}`, person, note)
				if n%4 == 3 {
					path, body = "/api/v1/promises", fmt.Sprintf(`{"to":"P%d","what":%q,"due":%q}`, person, note, due)
				}
				l.write(note, leader, inst, path, []byte(body))
			}
		})
	}
	return l
}

// write sends one create until it is acknowledged, refused, or its
// outcome cannot be known.
func (l *loadRun) write(note string, leader, inst int, path string, body []byte) {
	key := rand.Text()
	for range 60 {
		resp, b, err := apiPost(l.client, l.insts[inst].url+path, l.tokens[leader], key, body)
		if err != nil {
			l.tally.mu.Lock()
			l.tally.netErrs++
			l.tally.mu.Unlock()
			time.Sleep(200 * time.Millisecond)
			continue
		}
		l.tally.add(resp.StatusCode, resp.Header.Get("Retry-After"), b)
		switch resp.StatusCode {
		case http.StatusCreated:
			a := ack{note: note, inst: inst, at: time.Now()}
			if strings.HasSuffix(path, "/promises") {
				var p tl.Promise
				if err := json.Unmarshal(b, &p); err != nil || p.ID == "" {
					l.t.Errorf("%s: a promise without an id: %s", note, b)
					return
				}
				a.promiseID = p.ID
			}
			l.mu.Lock()
			l.acks = append(l.acks, a)
			l.mu.Unlock()
			return
		case http.StatusServiceUnavailable:
			time.Sleep(500 * time.Millisecond)
		case http.StatusConflict:
			// The key's first request committed, and the kill came before
			// its answer was stored (docs/API.md, "Creating exactly
			// once"): the client is told to check; the test checks that
			// it was stored, once.
			l.mu.Lock()
			l.unknown = append(l.unknown, note)
			l.mu.Unlock()
			return
		default:
			l.t.Errorf("%s on instance %d: %d %s", note, inst, resp.StatusCode, b)
			return
		}
	}
	l.t.Errorf("%s: not acknowledged after 60 tries", note)
}

// stop ends the load and waits for the writes under way.
func (l *loadRun) stop() {
	l.once.Do(func() { close(l.done) })
	l.wg.Wait()
}

func (l *loadRun) acked() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.acks)
}

// ackedAfter counts the writes instance i acknowledged after t.
func (l *loadRun) ackedAfter(i int, t time.Time) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, a := range l.acks {
		if a.inst == i && a.at.After(t) {
			n++
		}
	}
	return n
}

// promiser makes promises already past due, for the instances' ticks to
// break. The API refuses a due date in the past, so the test makes them
// through the services with a clock ten days back, on the same multi-host
// connection string: a fourth writer going through the failover.
type promiser struct {
	t       *testing.T
	mu      sync.Mutex
	made    []string // ids of the promises whose write returned nil
	unavail int      // writes that failed as EUNAVAILABLE
	done    chan struct{}
	once    sync.Once
	wg      sync.WaitGroup
}

func startPromiser(t *testing.T, dsn string, leaderIDs []string) *promiser {
	p := &promiser{t: t, done: make(chan struct{})}
	db, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	back := time.Now().Add(-10 * 24 * time.Hour)
	a := app.New(db, app.Options{Now: func() time.Time { return back }})
	t.Cleanup(func() { p.stop(); db.Close() })
	p.wg.Go(func() {
		for n := 0; ; n++ {
			select {
			case <-p.done:
				return
			case <-time.After(100 * time.Millisecond):
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			c, err := a.AddPromise(ctx, leaderIDs[n%leaders], tl.PromiseInput{To: fmt.Sprintf("P%d", n%perLeader),
				What: fmt.Sprintf("overdue-%04d", n), Due: back.Add(time.Hour)})
			cancel()
			p.mu.Lock()
			switch {
			case err == nil:
				p.made = append(p.made, c.ID)
			case tl.ErrorCode(err) == tl.EUNAVAILABLE:
				p.unavail++
			default:
				p.t.Errorf("add an overdue promise: %v (code %s)", err, tl.ErrorCode(err))
			}
			p.mu.Unlock()
		}
	})
	return p
}

func (p *promiser) stop() {
	p.once.Do(func() { close(p.done) })
	p.wg.Wait()
}

// checkOnNewPrimary reads the promoted standby directly: the acknowledged
// writes, the promises the tick broke, and the outbox, once the outbox
// has drained; and compares the webhook deliveries with it.
func checkOnNewPrimary(t *testing.T, pg *pair, load *loadRun, overdue *promiser, hooks *receiver) {
	t.Helper()
	ctx := context.Background()
	conn, err := pg.standby.connect(ctx, pg.db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)

	var dueSoon []string // through the API: announced, promise.due
	for _, a := range load.acks {
		if a.promiseID != "" {
			dueSoon = append(dueSoon, a.promiseID)
		}
	}
	promises := overdue.made // past due: broken, promise.overdue
	if len(dueSoon) == 0 || len(promises) == 0 {
		t.Fatalf("%d promises due soon and %d overdue were made: too few to check", len(dueSoon), len(promises))
	}
	// The tick breaks every overdue promise and announces every promise
	// due soon, and the webhook worker sends every delivery; wait for all
	// three: a promise made at the end of the load is announced by the
	// next tick. (Mail waits in the outbox: the instances have no mail
	// server.)
	deadline := time.Now().Add(30 * time.Second)
	for {
		var pending, open, announced int
		err := conn.QueryRow(ctx, "SELECT count(*) FROM outbox WHERE kind = $1 AND status = $2", store.KindWebhook, store.MailPending).Scan(&pending)
		if err == nil {
			err = conn.QueryRow(ctx, "SELECT count(*) FROM commitments WHERE id = ANY($1) AND status <> 'broken'", promises).Scan(&open)
		}
		if err == nil {
			// A delivery's key is webhook:HOOK:EVENT:PROMISE:DUE (notify).
			err = conn.QueryRow(ctx, `SELECT count(DISTINCT split_part(dedupe_key, ':', 4)) FROM outbox
				WHERE kind = $1 AND split_part(dedupe_key, ':', 3) = $2 AND split_part(dedupe_key, ':', 4) = ANY($3)`,
				store.KindWebhook, tl.EventPromiseDue, dueSoon).Scan(&announced)
		}
		if err != nil {
			t.Fatal(err)
		}
		if pending == 0 && open == 0 && announced == len(dueSoon) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("30 s after the load: %d deliveries pending, %d overdue promises not broken, %d of %d promises due soon announced",
				pending, open, announced, len(dueSoon))
		}
		time.Sleep(100 * time.Millisecond)
	}

	// (a) Every acknowledged write is stored, once; nothing is stored twice.
	stored := map[string]int{}
	rows, err := conn.Query(ctx, "SELECT note FROM events WHERE kind = 'recognition' UNION ALL SELECT what FROM commitments")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var note string
		if err := rows.Scan(&note); err != nil {
			t.Fatal(err)
		}
		stored[note]++
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	for _, a := range load.acks {
		if stored[a.note] != 1 {
			t.Errorf("%s was acknowledged by instance %d and is stored %d times on the new primary", a.note, a.inst, stored[a.note])
		}
	}
	for note, n := range stored {
		if n > 1 {
			t.Errorf("%s is stored %d times", note, n)
		}
	}
	t.Logf("%d writes acknowledged through the API, %d stored with the overdue promises; %d answered 409 on a retry; %d overdue promises made, %d refused as unavailable",
		len(load.acks), len(stored), len(load.unknown), len(overdue.made), overdue.unavail)
	for _, note := range load.unknown {
		if stored[note] != 1 {
			t.Errorf("%s: 503, then 409 with the same key, yet stored %d times: the key must be kept only by a write that committed", note, stored[note])
		}
	}

	// (b) Each overdue promise was broken once: one promise-broken entry;
	// and each delivery in the outbox arrived, under its own id.
	broken := map[string]int{}
	rows, err = conn.Query(ctx, "SELECT commitment_id FROM events WHERE kind = 'promise-broken'")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		broken[id]++
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	for _, id := range promises {
		if broken[id] != 1 {
			t.Errorf("promise %s has %d promise-broken entries, want 1", id, broken[id])
		}
	}
	for id, n := range broken {
		if n > 1 {
			t.Errorf("promise %s was broken %d times", id, n)
		}
	}

	type outboxRow struct{ id, status, key string }
	var outbox []outboxRow
	rows, err = conn.Query(ctx, "SELECT id, status, dedupe_key FROM outbox WHERE kind = $1", store.KindWebhook)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var r outboxRow
		if err := rows.Scan(&r.id, &r.status, &r.key); err != nil {
			t.Fatal(err)
		}
		outbox = append(outbox, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	got := hooks.deliveries()
	arrived := map[string]int{}
	bodies := map[string][]byte{}
	byPromise := map[string][]string{} // event and promise → distinct delivery ids
	for _, d := range got {
		arrived[d.id]++
		if prev, ok := bodies[d.id]; ok && string(prev) != string(d.body) {
			t.Errorf("delivery %s arrived twice with different bodies", d.id)
		}
		bodies[d.id] = d.body
		k := d.event + " " + d.promiseID
		if d.promiseID != "" && !slices.Contains(byPromise[k], d.id) {
			byPromise[k] = append(byPromise[k], d.id)
		}
	}
	inOutbox := map[string]bool{}
	for _, r := range outbox {
		inOutbox[r.id] = true
		if r.status != store.MailSent {
			t.Errorf("delivery %s (%s) is %s, not sent", r.id, r.key, r.status)
		}
		if arrived[r.id] == 0 {
			t.Errorf("delivery %s (%s) is in the outbox but never arrived", r.id, r.key)
		}
	}
	var repeats []string
	for id, n := range arrived {
		if !inOutbox[id] {
			t.Errorf("delivery %s arrived (%d times) but is not in the new primary's outbox", id, n)
		}
		if n > 1 {
			repeats = append(repeats, fmt.Sprintf("%s ×%d", id, n))
		}
	}
	sort.Strings(repeats)
	for event, ids := range map[string][]string{tl.EventPromiseOverdue: promises, tl.EventPromiseDue: dueSoon} {
		for _, id := range ids {
			if got := byPromise[event+" "+id]; len(got) != 1 {
				t.Errorf("promise %s: %d %s deliveries with ids %v, want 1", id, len(got), event, got)
			}
		}
	}
	// Once: a worker that has posted a delivery keeps trying to mark it
	// sent, through the failover, for half its lease (mail.Mark).
	if len(repeats) > 0 {
		t.Errorf("%d deliveries arrived more than once: %v", len(repeats), repeats)
	}
	t.Logf("%d webhook deliveries in the outbox, %d POSTs received, repeated (same id): %v", len(outbox), len(got), repeats)
}
