package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/trustledger/trustledger/internal/testenv"

	"github.com/jackc/pgx/v5"

	tl "github.com/trustledger/trustledger"
)

// tourSteps is the CLI tour, as a leader would type it over a week
// and a half, with a promise the system breaks on the way.
func tourSteps(db string) []step {
	at := func(args ...string) []string {
		if db == "" {
			return args
		}
		return append([]string{"--db", db}, args...)
	}
	return []step{
		{now: "2026-11-02T09:00:00Z", args: at("init", "--leader", "Lena")},
		{args: at("person", "add", "Ana", "--kind", "direct-report")},
		{args: at("person", "add", "Ben", "--kind", "direct-report")},
		{args: at("person", "add", "Chen", "--kind", "cross-functional", "--power", "expert=3,referent=2")},
		{args: at("team", "list")},
		{args: at("person", "list")},
		{args: at("log", "Ana", "promise-kept", "--note", "sent the budget as promised", "--source", "confirmed")},
		{args: at("log", "Ben", "authority-overused", "--when", "yesterday", "--note", "overrode his plan in standup")},
		{args: at("log", "team", "directive", "--note", "launch checklist by Friday"), capture: "directive"},
		{args: at("log", "Chen", "person-valued", "--source", "confirmed", "--note", "1:1 on what motivates her")},
		{args: at("log", "team", "decision-unexplained", "--when", "3 days ago")},
		{args: at("promise", "add", "Ana", "review her proposal", "--due", "friday"), capture: "p1"},
		{args: at("promise", "add", "Ben", "send the roadmap", "--due", "2026-11-03"), capture: "p2"},
		{args: at("decide", "move the launch to March", "--why", "QA found two blockers", "--affects", "team")},
		{args: at("decide", "Ben leads the pricing review", "--affects", "Ben")},
		{args: at("status")},
		{now: "2026-11-06T17:00:00Z", args: at("promise", "kept", "{p1}")},
		{args: at("promise", "list")},
		{args: at("ledger", "Ben"), capture: "breach", match: "promise-broken"},
		{args: at("log", "apology", "--repairs", "{breach}", "--acknowledges", "--offers-repair", "--note", "I missed it; roadmap by Monday")},
		{args: at("reverse", "{directive}", "--note", "logged twice")},
		{args: at("promise", "saydo")},
		{now: "2026-11-09T10:00:00Z", args: at("status")},
		{args: at("status", "--json")},
		{args: at("explain", "Ben")},
		{args: at("week")},
		{args: at("week", "accept")},
		{args: at("journal")},
		{args: at("journal", "answer", "2", "when I moved Ben's deadline without asking")},
		{args: at("journal", "note", "ask Chen about the offsite")},
		{args: at("journal")},
		{args: at("decisions")},
		{now: "2026-11-12T16:00:00Z", args: at("week", "done")},
		{args: at("ledger", "--limit", "5")},
		{args: at("settings", "set", "half_life_days", "60")},
		{args: at("export", "--json"), stdoutTo: "backup.json"},
	}
}

// TestTour runs the CLI tour on SQLite against a golden
// transcript, then restores the export into a new database and checks
// that it holds the same.
func TestTour(t *testing.T) {
	s := newSession(t)
	s.dbs = []string{"./trustledger.db"}
	for _, st := range tourSteps("") {
		s.run(st)
	}
	statusBefore := s.run(step{args: []string{"status", "--json"}, quiet: true})
	s.run(step{args: []string{"--db", "restored.db", "import", "backup.json"}})
	s.run(step{args: []string{"--db", "restored.db", "status"}})
	statusAfter := s.run(step{args: []string{"--db", "restored.db", "status", "--json"}, quiet: true})
	s.golden("tour")

	if statusBefore != statusAfter {
		t.Errorf("status after export and import differs:\nbefore: %s\nafter: %s", statusBefore, statusAfter)
	}
	// The export is a complete backup: exporting the restored database
	// gives the same document.
	orig, err := os.ReadFile(filepath.Join(s.dir, "backup.json"))
	if err != nil {
		t.Fatal(err)
	}
	again := s.run(step{args: []string{"--db", "restored.db", "export"}, quiet: true})
	if string(orig) != again {
		t.Errorf("export of the restored database differs from the backup")
	}
	var b tl.Backup
	if err := json.Unmarshal(orig, &b); err != nil {
		t.Fatalf("backup is not JSON: %v", err)
	}
	if len(b.Leaders) != 1 || len(b.People) != 3 || len(b.Events) < 10 || len(b.Journal) != 2 || len(b.Settings) != 1 {
		t.Errorf("backup holds %d leaders, %d people, %d events, %d journal entries, %d settings",
			len(b.Leaders), len(b.People), len(b.Events), len(b.Journal), len(b.Settings))
	}
}

// TestTourPostgres runs the same tour on PostgreSQL and expects the very
// same transcript: one code path for both databases.
func TestTourPostgres(t *testing.T) {
	dsn := postgresDSN(t)
	s := newSession(t)
	s.dbs = []string{dsn, dsnShown(dsn), "./trustledger.db"}
	for _, st := range tourSteps(dsn) {
		st.args = append([]string(nil), st.args...)
		s.run(st)
	}
	s.run(step{args: []string{"--db", dsn, "status", "--json"}, quiet: true})
	s.run(step{args: []string{"--db", "restored.db", "import", "backup.json"}})
	s.run(step{args: []string{"--db", "restored.db", "status"}})
	s.run(step{args: []string{"--db", "restored.db", "status", "--json"}, quiet: true})

	// The transcript differs from the SQLite one only in the --db
	// arguments shown on the command lines.
	got := strings.ReplaceAll(s.out.String(), `--db "<DB>" `, "")
	want, err := os.ReadFile(filepath.Join(goldenDir, "tour.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		path := filepath.Join(os.TempDir(), "trustledger-tour-postgres.txt")
		_ = os.WriteFile(path, []byte(got), 0o644)
		t.Errorf("the PostgreSQL transcript differs from testdata/golden/tour.txt; it is in %s", path)
	}
}

// postgresDSN returns a URL for a fresh schema of TRUSTLEDGER_TEST_POSTGRES,
// dropped at the end of the test. It skips without the variable, and
// fails instead when TRUSTLEDGER_TEST_STRICT=1.
func postgresDSN(t *testing.T) string {
	t.Helper()
	base := os.Getenv("TRUSTLEDGER_TEST_POSTGRES")
	if base == "" {
		msg := "TRUSTLEDGER_TEST_POSTGRES is not set: set it to a PostgreSQL URL (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable) to run the CLI on PostgreSQL"
		testenv.Missing(t, msg)
	}
	ctx := context.Background()
	schema := "tl_cli_" + strings.ToLower(rand.Text()[:12])
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("connect to TRUSTLEDGER_TEST_POSTGRES: %v", err)
	}
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		conn.Close(ctx)
		t.Fatalf("create schema: %v", err)
	}
	conn.Close(ctx)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Errorf("connect to drop schema: %v", err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("TRUSTLEDGER_TEST_POSTGRES is not a URL: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// dsnShown is how the CLI prints a PostgreSQL URL.
func dsnShown(dsn string) string {
	rt := &runtime{cli: grammar{cliConfig: cliConfig{DB: dsn}}}
	return rt.dbName()
}
