package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer is a bytes.Buffer that a running server writes while the
// test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// TestServeDemoWithoutTempDir checks that serve --demo starts where no
// temporary folder can be written, as in the container image with a
// read-only root (docs/OPERATIONS.md, "Container image"): the demo's
// database goes beside TRUSTLEDGER_DB and is removed when the server
// stops; with neither folder writable, the error names both.
func TestServeDemoWithoutTempDir(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "no-such-folder")
	// os.TempDir reads the process's own TMPDIR.
	t.Setenv("TMPDIR", missing)
	data := t.TempDir()
	env := map[string]string{"TMPDIR": missing, "TRUSTLEDGER_DB": filepath.Join(data, "trustledger.db")}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stdout, stderr := &lockedBuffer{}, &lockedBuffer{}
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--demo", "--addr", "127.0.0.1:0"}, stdout, stderr,
			func(name string) string { return env[name] })
	}()
	ready := regexp.MustCompile(`ready on http://\S+ \(database (\S+)\)`)
	var dbPath string
	deadline := time.After(60 * time.Second)
	for dbPath == "" {
		select {
		case code := <-done:
			t.Fatalf("serve --demo exited with %d before it was ready: %s%s", code, stdout.String(), stderr.String())
		case <-deadline:
			t.Fatalf("serve --demo not ready after 60 s: %s%s", stdout.String(), stderr.String())
		case <-time.After(50 * time.Millisecond):
		}
		if m := ready.FindStringSubmatch(stdout.String()); m != nil {
			dbPath = m[1]
		}
	}
	if dir := filepath.Dir(filepath.Dir(dbPath)); dir != data {
		t.Errorf("the demo database is %s, want it in a folder under %s, the folder of TRUSTLEDGER_DB", dbPath, data)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("serve --demo exited with %d: %s", code, stderr.String())
	}
	if _, err := os.Stat(filepath.Dir(dbPath)); !os.IsNotExist(err) {
		t.Errorf("the demo's folder %s is left behind after the server stopped (stat: %v)", filepath.Dir(dbPath), err)
	}

	// Neither folder can be written: the error says what was tried.
	env["TRUSTLEDGER_DB"] = filepath.Join(missing, "sub", "trustledger.db")
	stdout, stderr = &lockedBuffer{}, &lockedBuffer{}
	code := run(context.Background(), []string{"serve", "--demo", "--addr", "127.0.0.1:0"}, stdout, stderr,
		func(name string) string { return env[name] })
	msg := stderr.String()
	if code != exitUsage {
		t.Errorf("serve --demo without a writable folder exited with %d, want %d: %s", code, exitUsage, msg)
	}
	for _, want := range []string{"cannot create a folder for the demo database", "$TMPDIR", missing, filepath.Join(missing, "sub"), "TRUSTLEDGER_DB"} {
		if !strings.Contains(msg, want) {
			t.Errorf("the error does not name %q:\n%s", want, msg)
		}
	}
}
