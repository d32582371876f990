// Command trustledger is the trust ledger on the command line: log what
// builds and erodes trust, keep promises visible, see where authority
// outruns trust, take one step a week, and replay scenarios.
package main

import (
	"context"
	"os"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr, os.Getenv))
}
