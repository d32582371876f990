package main

import (
	"context"
	"fmt"
	"io"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/app"
	"github.com/trustledger/trustledger/internal/engine"
	"github.com/trustledger/trustledger/internal/mail/mailtest"
	"github.com/trustledger/trustledger/internal/store"
	"github.com/trustledger/trustledger/internal/storetest"
)

// envInstance carries a child's serve arguments (separated by \x1f).
const envInstance = "TRUSTLEDGER_TEST_INSTANCE_ARGS"

// TestInstanceChild is not a test: it is `trustledger serve` in a process
// of its own, started by TestThreeInstances so that it can be killed.
func TestInstanceChild(t *testing.T) {
	args := os.Getenv(envInstance)
	if args == "" {
		t.Skip("started only by TestThreeInstances")
	}
	os.Exit(run(context.Background(), strings.Split(args, "\x1f"), os.Stdout, os.Stderr, os.Getenv))
}

func freePort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestThreeInstances (docs/OPERATIONS.md, several instances): three `serve` processes on one
// PostgreSQL database start together (migrations run once, under a lock),
// share sessions, and coordinate the background work through the
// database. While requests spread over all three, one is killed with
// SIGKILL. Then: every acknowledged write is stored exactly once, every
// overdue promise is broken exactly once, and every invitation is
// delivered, at most the killed instance's one message twice, and then
// with the same Message-ID, so a mail server or client can drop it.
func TestThreeInstances(t *testing.T) {
	if testing.Short() {
		t.Skip("starts three servers; skipped with -short")
	}
	dsn := storetest.PostgresSchemaURL(t)
	smtp := mailtest.Start(t)
	now := time.Date(2026, 11, 10, 9, 0, 0, 0, time.UTC)
	later := now.Add(72 * time.Hour) // the instances' clock: the promises are overdue

	var addrs []string
	var procs []*exec.Cmd
	for i := range 3 {
		addr := freePort(t)
		args := []string{"serve", "--db", dsn, "--addr", addr, "--smtp", smtp.URL("trustledger@example.org"),
			"--base-url", "http://tl.example.org", "--tick-every", "150ms", "--mail-poll", "50ms", "--mail-lease", "2s",
			"--now", later.Format(time.RFC3339)}
		cmd := exec.Command(os.Args[0], "-test.run=^TestInstanceChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), envInstance+"="+strings.Join(args, "\x1f"))
		cmd.Stdout, cmd.Stderr = nil, nil
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
		addrs, procs = append(addrs, addr), append(procs, cmd)
		_ = i
	}
	client := &http.Client{Timeout: 5 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	deadline := time.Now().Add(30 * time.Second)
	for _, a := range addrs {
		for {
			resp, err := client.Get("http://" + a + "/readyz")
			if err == nil && resp.StatusCode == 200 {
				resp.Body.Close()
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("instance %s never became ready: %v", a, err)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}

	// The three migrated one database; seed it through the services.
	ctx := context.Background()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	a := app.New(db, app.Options{Now: func() time.Time { return now }})
	u, err := a.Signup(ctx, tl.SignupInput{Email: "lena@example.org", Name: "Lena", Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	const people = 12
	for i := range people {
		if _, err := a.AddPerson(ctx, u.LeaderID, tl.PersonInput{Name: fmt.Sprintf("P%02d", i), Email: fmt.Sprintf("p%02d@example.org", i), Kind: engine.DirectReport}); err != nil {
			t.Fatal(err)
		}
		if _, err := a.AddPromise(ctx, u.LeaderID, tl.PromiseInput{To: fmt.Sprintf("P%02d", i), What: "x", Due: now.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	// The instances mail each person the link that confirms their
	// address; each confirms it, a week and a day before the pulse, so
	// that all of them count toward k (docs/ANONYMITY.md, rule 1).
	confirmAt := app.New(db, app.Options{Now: func() time.Time { return now.Add(-tl.MemberWait - 24*time.Hour) }})
	confirmations := linksIn(t, smtp, "/v/", people)
	if len(confirmations) != people {
		t.Fatalf("%d confirmation links arrived, want %d", len(confirmations), people)
	}
	for _, tok := range confirmations {
		if err := confirmAt.ConfirmAddress(ctx, tok); err != nil {
			t.Fatalf("confirm an address: %v", err)
		}
	}
	if l, err := a.LaunchPulse(ctx, u.LeaderID, tl.PulseInput{}); err != nil || l.Pulse.Population != people {
		t.Fatalf("launch: %v %+v", err, l)
	}
	token, err := app.New(db, app.Options{Now: func() time.Time { return later }}).CreateSession(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}

	// Writes spread over the three instances; the second is killed after
	// a third of them.
	const writes = 90
	var mu sync.Mutex
	acked := map[string]bool{}
	var wg sync.WaitGroup
	for w := range writes {
		if w == writes/3 {
			wg.Wait()
			if err := procs[1].Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
		}
		wg.Go(func() {
			note := fmt.Sprintf("write-%03d", w)
			form := url.Values{"who": {fmt.Sprintf("P%02d", w%people)}, "kind": {"person-valued"}, "note": {note}}
			req, _ := http.NewRequest("POST", "http://"+addrs[w%3]+"/log", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.AddCookie(&http.Cookie{Name: "__Host-trustledger", Value: token})
			resp, err := client.Do(req)
			if err != nil {
				return // the killed instance: not acknowledged
			}
			resp.Body.Close()
			if resp.StatusCode == http.StatusSeeOther && !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
				mu.Lock()
				acked[note] = true
				mu.Unlock()
			} else if w%3 != 1 {
				t.Errorf("%s on %s: status %d", note, addrs[w%3], resp.StatusCode)
			}
		})
	}
	wg.Wait()

	// The survivors finish the mail and the ticks.
	deadline = time.Now().Add(30 * time.Second)
	for {
		var depth, broken int
		err := db.Read(ctx, func(tx *store.Tx) error {
			var err error
			if depth, err = tx.MailDepth(ctx); err != nil {
				return err
			}
			broken, err = tx.CountRows(ctx, "SELECT COUNT(*) FROM commitments WHERE status = 'broken'") // the promises' table keeps its old name
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if depth == 0 && broken == people {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 30 s: %d messages still queued, %d of %d promises broken", depth, broken, people)
		}
		time.Sleep(100 * time.Millisecond)
	}

	// Every acknowledged write is there exactly once.
	evs, err := a.Events(ctx, u.LeaderID, tl.EventFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	brokenPer := map[string]int{}
	for _, e := range evs {
		if strings.HasPrefix(e.Note, "write-") {
			seen[e.Note]++
		}
		if e.Kind == "promise-broken" {
			brokenPer[e.PromiseID]++
		}
	}
	for note := range acked {
		if seen[note] != 1 {
			t.Errorf("%s was acknowledged and is stored %d times", note, seen[note])
		}
	}
	for note, n := range seen {
		if n != 1 {
			t.Errorf("%s is stored %d times", note, n)
		}
	}
	if len(acked) < writes*2/3-1 {
		t.Errorf("only %d of %d writes were acknowledged", len(acked), writes)
	}
	if len(brokenPer) != people {
		t.Errorf("%d promises have a broken entry, want %d", len(brokenPer), people)
	}
	for c, n := range brokenPer {
		if n != 1 {
			t.Errorf("promise %s was broken %d times", c, n)
		}
	}
	// Every invitation arrived; a repeat is only possible for a message the
	// killed instance was sending, and carries the same Message-ID.
	byTo := map[string][]string{}
	for _, m := range smtp.Messages() {
		if !strings.Contains(decodeQP(m.Data), "/p/") {
			continue // a confirmation, before the pulse
		}
		id := ""
		for _, line := range strings.Split(m.Data, "\n") {
			if v, ok := strings.CutPrefix(line, "Message-ID: "); ok {
				id = v
			}
		}
		byTo[m.To[0]] = append(byTo[m.To[0]], id)
	}
	if len(byTo) != people {
		t.Fatalf("invitations reached %d people, want %d", len(byTo), people)
	}
	repeats := 0
	for to, ids := range byTo {
		if len(ids) > 1 {
			repeats += len(ids) - 1
			for _, id := range ids[1:] {
				if id != ids[0] {
					t.Errorf("%s got two different messages: %v", to, ids)
				}
			}
		}
	}
	if repeats > 1 {
		t.Errorf("%d repeated deliveries; only the one message in flight at the kill may repeat", repeats)
	}
	t.Logf("%d of %d writes acknowledged, %d mail repeats", len(acked), writes, repeats)
}

// decodeQP is a message as received, with its quoted-printable soft line
// breaks and escapes undone.
func decodeQP(data string) string {
	b, _ := io.ReadAll(quotedprintable.NewReader(strings.NewReader(data)))
	return string(b)
}

// linksIn waits (up to 30 s) until n messages with a link whose path
// starts with prefix arrived at the SMTP server, and returns the links'
// tokens.
func linksIn(t *testing.T, smtp *mailtest.Server, prefix string, n int) []string {
	t.Helper()
	re := regexp.MustCompile(regexp.QuoteMeta(prefix) + `([A-Z2-7]{26})`)
	deadline := time.Now().Add(30 * time.Second)
	for {
		var toks []string
		for _, m := range smtp.Messages() {
			if g := re.FindStringSubmatch(decodeQP(m.Data)); g != nil {
				toks = append(toks, g[1])
			}
		}
		if len(toks) >= n || time.Now().After(deadline) {
			return toks
		}
		time.Sleep(50 * time.Millisecond)
	}
}
