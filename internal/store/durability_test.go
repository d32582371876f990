//go:build unix

package store_test

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/engine"
	"github.com/trustledger/trustledger/internal/store"
)

// envKillChild tells the re-executed test binary to act as the writer
// that gets killed; its value is the database path.
const envKillChild = "TRUSTLEDGER_KILL9_CHILD_DB"

// TestKill9Child is the child half of TestKill9: it appends events one
// transaction each, printing every id only after its commit returned,
// until it is killed. Run alone it does nothing.
func TestKill9Child(t *testing.T) {
	path := os.Getenv(envKillChild)
	if path == "" {
		return
	}
	ctx := context.Background()
	db, err := store.Open(ctx, path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "child open:", err)
		os.Exit(2)
	}
	var rel *tl.Relationship
	var l *tl.Leader
	err = db.Read(ctx, func(tx *store.Tx) error {
		if l, err = tx.LeaderByName(ctx, "Lena"); err != nil {
			return err
		}
		rel, err = tx.RelationshipByName(ctx, l.ID, "Ana")
		return err
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "child setup:", err)
		os.Exit(2)
	}
	out := bufio.NewWriter(os.Stdout)
	for i := 0; ; i++ {
		now := time.Now()
		ev := tl.Event{ID: store.NewID(now), LeaderID: l.ID, Subject: tl.SubjectPerson, RelationshipID: rel.ID,
			Kind: engine.KindPromiseKept, OccurredAt: now, RecordedAt: now, Source: engine.Self,
			Severity: engine.Normal, Note: strings.Repeat("x", i%200), RecordedBy: "leader", Targets: []string{rel.ID}}
		err := db.Write(ctx, func(tx *store.Tx) error {
			if err := tx.AppendEvent(ctx, &ev); err != nil {
				return err
			}
			st, err := tx.State(ctx, rel.ID)
			if err != nil {
				return err
			}
			st.R[engine.Integrity][engine.Self]++
			st.TLast = now
			return tx.PutState(ctx, rel.ID, st)
		})
		if err != nil {
			fmt.Fprintln(os.Stderr, "child write:", err)
			os.Exit(2)
		}
		// Acknowledged: only now may the id be reported.
		out.WriteString(ev.ID + "\n")
		if err := out.Flush(); err != nil {
			os.Exit(3)
		}
	}
}

// TestKill9 is the durability test (PRODUCT.md: nothing acknowledged is ever lost): a child appends events
// in a loop and is killed with SIGKILL at a random moment, 24 times on
// the same file; every event the child reported as written must be
// there and the file must pass PRAGMA integrity_check.
func TestKill9(t *testing.T) {
	if os.Getenv(envKillChild) != "" {
		t.Skip("inside the child")
	}
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "kill9.db")
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	l := tl.Leader{ID: store.NewID(now), Name: "Lena", CreatedAt: now}
	r := tl.Relationship{ID: store.NewID(now), LeaderID: l.ID, Person: "Ana", Kind: engine.DirectReport,
		Bases: engine.DefaultBases(engine.DirectReport), Active: true, StartedAt: now, CreatedAt: now}
	err = db.Write(ctx, func(tx *store.Tx) error {
		if err := tx.CreateLeader(ctx, &l); err != nil {
			return err
		}
		return tx.CreateRelationship(ctx, &r)
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	const kills = 24
	var reported []string
	for i := range kills {
		ids := runAndKill(t, path, time.Duration(20+rand.IntN(281))*time.Millisecond)
		if len(ids) == 0 {
			t.Fatalf("kill %d: the child reported no event before it was killed", i)
		}
		reported = append(reported, ids...)
	}

	db, err = store.Open(ctx, path)
	if err != nil {
		t.Fatalf("reopen after %d kills: %v", kills, err)
	}
	defer db.Close()
	var check string
	if err := db.SQL().QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&check); err != nil {
		t.Fatal(err)
	}
	if check != "ok" {
		t.Fatalf("PRAGMA integrity_check = %q, want ok", check)
	}
	var stored int
	err = db.Read(ctx, func(tx *store.Tx) error {
		for _, id := range reported {
			if _, err := tx.EventByID(ctx, l.ID, id); err != nil {
				return fmt.Errorf("event %s was acknowledged but is gone: %w", id, err)
			}
		}
		st, err := tx.State(ctx, r.ID)
		stored = int(st.R[engine.Integrity][engine.Self])
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	// The state is updated in the same transaction as each event: it
	// counts every committed event, at least the acknowledged ones.
	var n int
	if err := db.SQL().QueryRowContext(ctx, "SELECT count(*) FROM events").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n < len(reported) || stored != n {
		t.Fatalf("%d events stored, state counted %d, %d acknowledged", n, stored, len(reported))
	}
	t.Logf("%d kills, %d acknowledged events all present, %d stored", kills, len(reported), n)
}

// runAndKill starts the child on path, waits for its first acknowledged
// event, lets it run for delay more, kills it with SIGKILL and returns
// every id it acknowledged (complete lines only).
func runAndKill(t *testing.T, path string, delay time.Duration) []string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestKill9Child$", "-test.count=1")
	cmd.Env = append(os.Environ(), envKillChild+"="+path)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var (
		mu    sync.Mutex
		ids   []string
		first = make(chan struct{})
		done  = make(chan struct{})
	)
	go func() {
		defer close(done)
		br := bufio.NewReader(stdout)
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				return // EOF after the kill; a partial line is not an acknowledgement
			}
			mu.Lock()
			ids = append(ids, strings.TrimSuffix(line, "\n"))
			if len(ids) == 1 {
				close(first)
			}
			mu.Unlock()
		}
	}()
	select {
	case <-first:
	case <-done:
		_ = cmd.Wait()
		t.Fatalf("child ended before writing: %s", stderr.String())
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		t.Fatalf("child wrote nothing in 30s: %s", stderr.String())
	}
	timer := time.NewTimer(delay)
	select {
	case <-timer.C:
	case <-done:
		_ = cmd.Wait()
		t.Fatalf("child ended on its own: %s", stderr.String())
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-done
	err = cmd.Wait()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("child did not die of SIGKILL: %v %s", err, stderr.String())
	}
	mu.Lock()
	defer mu.Unlock()
	for _, id := range ids {
		if len(id) != 26 {
			t.Fatalf("child printed %q, not an id", id)
		}
	}
	return ids
}
