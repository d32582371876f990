//go:build linux

package failover

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// buildTrustledger builds the command from this repository into dir.
func buildTrustledger(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "trustledger")
	cmd := exec.Command("go", "build", "-o", bin, "github.com/trustledger/trustledger/cmd/trustledger")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/trustledger: %v\n%s", err, out)
	}
	return bin
}

// instance is one `trustledger serve` process.
type instance struct {
	url  string
	cmd  *exec.Cmd
	log  string
	pid  int
	done chan struct{} // closed if the process exits
}

// startInstance runs `serve` on dsn with the background work made quick:
// the tick every 200 ms, the outbox polled every 100 ms and a lease of
// 8 s, so that a delivery left claimed by a claim whose commit the kill
// cut off is taken again within the test, while a worker that has posted
// a delivery still has half the lease (4 s, longer than the test's
// failover) to mark it sent on the new primary.
//
// The port is one that was free a moment before: another listener of the
// test's (a webhook receiver on an ephemeral port) may take it first, and
// then it answers in the instance's place. So the instance is started
// again on another port until it says it is listening.
func startInstance(t *testing.T, bin, dsn, dir string, n int) *instance {
	t.Helper()
	for range 5 {
		in := startInstanceOnce(t, bin, dsn, dir, n)
		deadline := time.Now().Add(time.Minute)
		for in.alive() && !strings.Contains(readFile(in.log), "trustledger is ready on") {
			if time.Now().After(deadline) {
				t.Fatalf("instance %d did not start within a minute:\n%s", n, tail(in.log))
			}
			time.Sleep(20 * time.Millisecond)
		}
		if in.alive() {
			return in
		}
		if !strings.Contains(readFile(in.log), "address already in use") {
			t.Fatalf("instance %d exited:\n%s", n, tail(in.log))
		}
	}
	t.Fatalf("instance %d found no free port in five tries", n)
	return nil
}

// readFile is a file's text, or "" when it cannot be read.
func readFile(path string) string {
	b, _ := os.ReadFile(path)
	return string(b)
}

// startInstanceOnce starts the process on a port that was free.
func startInstanceOnce(t *testing.T, bin, dsn, dir string, n int) *instance {
	t.Helper()
	addr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	in := &instance{url: "http://" + addr, log: filepath.Join(dir, fmt.Sprintf("instance%d.log", n)), done: make(chan struct{})}
	logf, err := os.Create(in.log)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "serve", "--addr", addr, "--base-url", in.url,
		"--tick-every", "200ms", "--mail-poll", "100ms", "--mail-lease", "8s", "--webhook-allow-private")
	// The connection string goes in the environment, the form an operator
	// uses (it may hold a password).
	cmd.Env = append(os.Environ(), "TRUSTLEDGER_DB="+dsn)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL} // gone with the test, however it ends
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	in.cmd, in.pid = cmd, cmd.Process.Pid
	go func() { cmd.Wait(); logf.Close(); close(in.done) }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-in.done
		if t.Failed() {
			t.Logf("instance %d's log (last lines):\n%s", n, tail(in.log))
		}
	})
	return in
}

// alive reports whether the process still runs.
func (in *instance) alive() bool {
	select {
	case <-in.done:
		return false
	default:
		return true
	}
}

// waitReady waits until every instance's /readyz answers 200.
func waitReady(t *testing.T, client *http.Client, insts []*instance, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for _, in := range insts {
		for {
			resp, err := client.Get(in.url + "/readyz")
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					break
				}
			}
			if !in.alive() {
				t.Fatalf("%s exited:\n%s", in.url, tail(in.log))
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s not ready after %s (%v)", in.url, within, err)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
}

// probe is one answer of /readyz.
type probe struct {
	at         time.Time
	status     int // 0: no answer
	retryAfter string
}

// pollReady asks each instance's /readyz every 100 ms until ctx ends.
func pollReady(ctx context.Context, client *http.Client, insts []*instance) func() [][]probe {
	var mu sync.Mutex
	out := make([][]probe, len(insts))
	var wg sync.WaitGroup
	for i, in := range insts {
		wg.Go(func() {
			t := time.NewTicker(100 * time.Millisecond)
			defer t.Stop()
			for {
				p := probe{at: time.Now()}
				if resp, err := client.Get(in.url + "/readyz"); err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					p.status, p.retryAfter = resp.StatusCode, resp.Header.Get("Retry-After")
				}
				mu.Lock()
				out[i] = append(out[i], p)
				mu.Unlock()
				select {
				case <-ctx.Done():
					return
				case <-t.C:
				}
			}
		})
	}
	return func() [][]probe { wg.Wait(); return out }
}

// delivery is one POST the webhook receiver got.
type delivery struct {
	id, event, promiseID string
	body                 []byte
}

// receiver is the webhooks' endpoint: it keeps every delivery it is sent,
// repeats included, and answers 200.
type receiver struct {
	srv *httptest.Server
	mu  sync.Mutex
	got []delivery
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		var p struct {
			DeliveryID string         `json:"delivery_id"`
			Event      string         `json:"event"`
			Data       map[string]any `json:"data"`
		}
		json.Unmarshal(body, &p)
		d := delivery{id: req.Header.Get("X-Trustledger-Delivery"), event: p.Event, body: body}
		if d.id != p.DeliveryID {
			d.id = "header " + d.id + " body " + p.DeliveryID // shows as unknown below
		}
		d.promiseID, _ = p.Data["promise_id"].(string)
		r.mu.Lock()
		r.got = append(r.got, d)
		r.mu.Unlock()
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) deliveries() []delivery {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]delivery(nil), r.got...)
}

// tally counts what the load's clients saw.
type tally struct {
	mu       sync.Mutex
	statuses map[int]int
	netErrs  int
	bad      []string // any 5xx but 503, a 503 without Retry-After
}

func (ty *tally) add(status int, retryAfter string, body []byte) {
	ty.mu.Lock()
	defer ty.mu.Unlock()
	if ty.statuses == nil {
		ty.statuses = map[int]int{}
	}
	ty.statuses[status]++
	switch {
	case status == http.StatusServiceUnavailable:
		if n, err := strconv.Atoi(retryAfter); err != nil || n <= 0 {
			ty.bad = append(ty.bad, fmt.Sprintf("503 with Retry-After %q: %s", retryAfter, body))
		}
	case status >= 500:
		ty.bad = append(ty.bad, fmt.Sprintf("%d: %s", status, body))
	}
}

// apiPost posts a JSON body with a token and an idempotency key.
func apiPost(client *http.Client, url, token, key string, body []byte) (*http.Response, []byte, error) {
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", key)
	resp, err := client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, b, err
}
