// Package testenv says what a test does when the machine lacks something
// it needs (PostgreSQL, Chromium, npx, promtool, podman, Python's
// icalendar): it skips with a message that says what to install or set,
// and fails instead under TRUSTLEDGER_TEST_STRICT=1, as CI runs it
// (README.md, "Configuration").
package testenv

import (
	"os"
	"testing"
)

// Strict is the variable that, when "1", turns a missing tool or
// service into a failure.
const Strict = "TRUSTLEDGER_TEST_STRICT"

// Missing skips tb with msg, or fails it when Strict is "1".
func Missing(tb testing.TB, msg string) {
	tb.Helper()
	if os.Getenv(Strict) == "1" {
		tb.Fatal(msg + " (" + Strict + "=1 makes this a failure)")
	}
	tb.Skip(msg)
}
