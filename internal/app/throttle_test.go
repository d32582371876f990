package app_test

import (
	"fmt"
	"testing"

	tl "github.com/trustledger/trustledger"
)

// TestThrottleByClient checks, on each database, that guesses at an
// account from one client never keep its owner out of a right password
// from another, and that one client spraying many accounts is stopped.
func TestThrottleByClient(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		e.signupOwner(t)
		attacker := tl.WithClientAddr(e.ctx, "198.51.100.7:4000")
		owner := tl.WithClientAddr(e.ctx, "203.0.113.5:5555")

		for range tl.LoginMaxFailures {
			_, err := e.app.Login(attacker, ownerEmail, "wrong password")
			wantCode(t, err, tl.EUNAUTHORIZED)
		}
		_, err := e.app.Login(attacker, ownerEmail, ownerPass)
		wantCode(t, err, tl.ERATELIMIT, "try again in")
		must(e.app.Login(owner, ownerEmail, ownerPass))(t)

		// The attacker has LoginMaxFailures failures already; spraying
		// other emails stops at AddressMaxFailures in all.
		for i := tl.LoginMaxFailures; i < tl.AddressMaxFailures; i++ {
			_, err := e.app.Login(attacker, fmt.Sprintf("p%d@example.org", i), "wrong password")
			wantCode(t, err, tl.EUNAUTHORIZED)
		}
		_, err = e.app.Login(attacker, "p99@example.org", "wrong password")
		wantCode(t, err, tl.ERATELIMIT)
		must(e.app.Login(owner, ownerEmail, ownerPass))(t)
	})
}
