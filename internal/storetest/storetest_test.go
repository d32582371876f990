package storetest

import (
	"testing"

	"github.com/trustledger/trustledger/internal/store"
)

func TestSQLite(t *testing.T) {
	t.Parallel()
	Run(t, func(t *testing.T) *store.DB { return OpenSQLite(t) })
}

func TestPostgres(t *testing.T) {
	t.Parallel()
	PostgresURL(t) // skip (or fail when strict) once, not per subtest
	Run(t, func(t *testing.T) *store.DB { return OpenPostgres(t) })
}
