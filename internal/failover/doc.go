// Package failover holds one test and its helpers: TestFailover starts a
// PostgreSQL primary with a synchronous streaming standby, three
// `trustledger serve` processes on a multi-host connection string, kills
// the primary under load and promotes the standby, and checks that no
// acknowledged write is lost, that the outbox and the periodic jobs do
// each thing once, and that the instances recover on their own
// (docs/OPERATIONS.md, "Several instances on a highly available
// PostgreSQL"). The package has no code of its own beside the test,
// which runs on Linux (process groups, a parent-death signal).
package failover
