package app_test

import (
	"testing"

	"github.com/trustledger/trustledger/internal/store"
	"github.com/trustledger/trustledger/internal/storetest"
)

type backend struct {
	name string
	open func(t testing.TB) *store.DB
}

// backends lists the databases every service test runs on: SQLite
// always, PostgreSQL when TRUSTLEDGER_TEST_POSTGRES names a server (the
// subtest skips otherwise, and fails under TRUSTLEDGER_TEST_STRICT=1).
func backends(testing.TB) []backend {
	return []backend{
		{"sqlite", storetest.OpenSQLite},
		{"postgres", storetest.OpenPostgres},
	}
}
