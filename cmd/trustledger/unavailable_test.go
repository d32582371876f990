package main

import (
	"context"
	"net"
	"strings"
	"testing"

	"github.com/trustledger/trustledger/internal/storetest"
)

// TestUnavailableExitCode: a database that cannot be reached, or that is
// full behind a server, ends the command with one line saying so and the
// exit code that invites a retry (75, EX_TEMPFAIL), not a generic failure.
func TestUnavailableExitCode(t *testing.T) {
	t.Run("local postgres down", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close() // nothing listens there now
		s := newSession(t)
		s.run(step{now: "2026-11-02T09:00:00Z", args: []string{"--db", "postgres://postgres@" + addr + "/test?sslmode=disable", "status"},
			code: exitUnavailable, err: "cannot reach the database server"})
	})
	t.Run("remote database full", func(t *testing.T) {
		s := newSession(t)
		s.env["TRUSTLEDGER_NOW"] = "2026-11-02T09:00:00Z"
		db := storetest.OpenSQLite(t)
		remoteServer(t, s, db)
		s.run(step{args: []string{"person", "add", "Ana", "--kind", "peer"}, quiet: true})
		ctx := context.Background()
		for _, q := range []string{"VACUUM", "PRAGMA max_page_count = 1"} {
			if _, err := db.SQL().ExecContext(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		note := strings.Repeat("Ana named the fix in the all-hands. ", 300)[:10000]
		s.run(step{args: []string{"log", "Ana", "recognition", "--note", note}, code: exitUnavailable, err: "the database is full"})
	})
}
