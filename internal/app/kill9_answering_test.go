//go:build unix

package app_test

import (
	"bufio"
	"context"
	"crypto/rand"
	"fmt"
	mrand "math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/app"
	"github.com/trustledger/trustledger/internal/store"
)

// envAnswerChild tells the re-executed test binary to answer as the
// child of TestKill9Answering; its value is the database path, and the
// links are in the path with ".tokens" added, one a line.
const envAnswerChild = "TRUSTLEDGER_KILL9_ANSWER_DB"

// kill9Done is what the child prints once every link is used.
const kill9Done = "every link is used"

// kill9Pace is the least time between two answers of one of the child's
// three members: about 200 answers a second.
const kill9Pace = 15 * time.Millisecond

// TestKill9AnsweringChild is the child half of TestKill9Answering: with
// the mixer running, three members at a time open their links and answer,
// each with a marker in the comment that is printed only once SubmitPulse
// returned nil, until the child is killed. Run alone it does nothing.
// Each of the three answers at most every kill9Pace, so that the links
// last over all the kills and the mixer runs many times in between.
func TestKill9AnsweringChild(t *testing.T) {
	path := os.Getenv(envAnswerChild)
	if path == "" {
		return
	}
	fail := func(what string, err error) {
		fmt.Fprintln(os.Stderr, "child", what+":", err)
		os.Exit(2)
	}
	ctx := context.Background()
	db, err := store.Open(ctx, path)
	if err != nil {
		fail("open", err)
	}
	b, err := os.ReadFile(path + ".tokens")
	if err != nil {
		fail("tokens", err)
	}
	tokens := strings.Fields(string(b))
	a := app.New(db, app.Options{})
	go a.RunMixer(ctx)
	next := make(chan string)
	go func() {
		for _, i := range mrand.Perm(len(tokens)) {
			next <- tokens[i]
		}
		close(next)
	}()
	var mu sync.Mutex
	out := bufio.NewWriter(os.Stdout)
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() {
			pace := time.NewTicker(kill9Pace)
			defer pace.Stop()
			for tok := range next {
				<-pace.C
				pass, err := a.OpenPulseLink(ctx, tok)
				if tl.ErrorCode(err) == tl.ECONFLICT {
					continue // answered in an earlier life
				}
				if err != nil {
					fail("open link", err)
				}
				m := "k9" + strings.ToLower(rand.Text()[:16])
				if err := a.SubmitPulse(ctx, pass, voiceAnswers(m)); err != nil {
					fail("answer", err)
				}
				// Acknowledged: only now may the marker be reported.
				mu.Lock()
				out.WriteString(m + "\n")
				err = out.Flush()
				mu.Unlock()
				if err != nil {
					os.Exit(3)
				}
			}
		})
	}
	wg.Wait()
	mu.Lock()
	fmt.Fprintln(out, kill9Done)
	out.Flush()
	mu.Unlock()
	select {} // wait for the kill
}

// TestKill9Answering: members answer a pulse of 600 with the mixer
// running, and the process is killed with SIGKILL at random moments, in
// the middle of answers, mixes and checkpoints, twelve times over. After
// a last mix every acknowledged answer is stored exactly once, there are
// as many answers as used links, nothing is left marked, and the file
// passes PRAGMA integrity_check.
func TestKill9Answering(t *testing.T) {
	if os.Getenv(envAnswerChild) != "" {
		t.Skip("inside the child")
	}
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "kill9.db")
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	f := newVoiceFixture(t, ctx, db, time.Now().UTC().Truncate(time.Millisecond), 600)
	if err := os.WriteFile(path+".tokens", []byte(strings.Join(f.tokens, "\n")), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	const kills = 12
	var acked []string
	rounds := 0
	for rounds < kills {
		rounds++
		ms, done := runAnswerChild(t, path, time.Duration(mrand.IntN(250))*time.Millisecond)
		acked = append(acked, ms...)
		if done {
			break
		}
	}

	db, err = store.Open(ctx, path)
	if err != nil {
		t.Fatalf("reopen after %d kills: %v", rounds, err)
	}
	defer db.Close()
	a := app.New(db, app.Options{})
	if err := a.MixVoice(ctx); err != nil {
		t.Fatal(err)
	}
	var check string
	if err := db.SQL().QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&check); err != nil {
		t.Fatal(err)
	}
	if check != "ok" {
		t.Fatalf("PRAGMA integrity_check = %q, want ok", check)
	}
	var responses, used, marks int
	err = db.Read(ctx, func(tx *store.Tx) error {
		for _, m := range acked {
			n, err := tx.CountRows(ctx, "SELECT COUNT(*) FROM pulse_responses WHERE pulse_id = $1 AND comment = $2", f.pulse.ID, m)
			if err != nil {
				return err
			}
			if n != 1 {
				t.Errorf("the acknowledged answer %s is stored %d times", m, n)
			}
		}
		var err error
		if responses, err = tx.CountPulseResponses(ctx, f.pulse.ID); err != nil {
			return err
		}
		if used, err = tx.CountRows(ctx, "SELECT COUNT(*) FROM pulse_tokens WHERE pulse_id = $1 AND used = 1", f.pulse.ID); err != nil {
			return err
		}
		marks, err = tx.CountRows(ctx, "SELECT COUNT(*) FROM voice_mix")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if responses != used || responses < len(acked) {
		t.Fatalf("%d responses, %d used links, %d acknowledged", responses, used, len(acked))
	}
	if marks != 0 {
		t.Fatalf("%d marks left after the last mix", marks)
	}
	if st, err := os.Stat(path + "-wal"); err == nil && st.Size() != 0 {
		t.Fatalf("the WAL holds %d bytes after the last mix, want none", st.Size())
	}
	t.Logf("%d kills, %d acknowledged answers all stored once, %d stored, %d links used", rounds, len(acked), responses, used)
}

// runAnswerChild starts the child on path, waits for its first
// acknowledged answer, lets it run for delay more, kills it with SIGKILL
// and returns the markers it acknowledged (complete lines only), and
// whether it had used every link.
func runAnswerChild(t *testing.T, path string, delay time.Duration) (markers []string, done bool) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestKill9AnsweringChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), envAnswerChild+"="+path)
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
		mu     sync.Mutex
		first  = make(chan struct{})
		closed = make(chan struct{})
		once   sync.Once
	)
	go func() {
		defer close(closed)
		br := bufio.NewReader(stdout)
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				return // EOF after the kill; a partial line is not an acknowledgement
			}
			line = strings.TrimSuffix(line, "\n")
			mu.Lock()
			if line == kill9Done {
				done = true
			} else {
				markers = append(markers, line)
			}
			mu.Unlock()
			once.Do(func() { close(first) })
		}
	}()
	select {
	case <-first:
	case <-closed:
		_ = cmd.Wait()
		t.Fatalf("child ended before answering: %s", stderr.String())
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		t.Fatalf("child answered nothing in 30s: %s", stderr.String())
	}
	timer := time.NewTimer(delay)
	select {
	case <-timer.C:
	case <-closed:
		_ = cmd.Wait()
		t.Fatalf("child ended on its own: %s", stderr.String())
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-closed
	err = cmd.Wait()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("child did not die of SIGKILL: %v %s", err, stderr.String())
	}
	mu.Lock()
	defer mu.Unlock()
	for _, m := range markers {
		if len(m) != 18 || !strings.HasPrefix(m, "k9") {
			t.Fatalf("child printed %q, not a marker", m)
		}
	}
	return markers, done
}
