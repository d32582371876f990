package storetest

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// column is what both schemas must agree on: a table's column, its kind
// of type and whether it may be NULL.
type column struct {
	Table, Name, Class string
	NotNull            bool
}

// typeClass maps each dialect's type names onto the classes the shared
// queries rely on.
func typeClass(t string) string {
	switch strings.ToLower(t) {
	case "integer", "bigint", "int", "int4", "int8", "smallint", "serial", "bigserial":
		return "int"
	case "real", "double precision", "float8":
		return "float"
	case "text", "character varying", "varchar":
		return "text"
	case "timestamp", "timestamp without time zone", "timestamp with time zone", "datetime":
		return "timestamp"
	case "boolean", "bool":
		return "bool"
	}
	return "?" + t
}

func columns(t *testing.T, db *sql.DB, query string) map[string]column {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]column{}
	for rows.Next() {
		var c column
		var typ string
		if err := rows.Scan(&c.Table, &c.Name, &typ, &c.NotNull); err != nil {
			t.Fatal(err)
		}
		c.Class = typeClass(typ)
		out[c.Table+"."+c.Name] = c
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestSchemasMatch checks that the two migrated schemas expose the same
// tables and columns with the same kinds of type, so one query set fits
// both. goose's own bookkeeping table is left out: its types are goose's
// business.
func TestSchemasMatch(t *testing.T) {
	t.Parallel()
	pg := OpenPostgres(t)
	lite := OpenSQLite(t)
	liteCols := columns(t, lite.SQL(), `
		SELECT m.name, p.name, p.type, p."notnull" = 1
		FROM sqlite_master m JOIN pragma_table_info(m.name) p
		WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> 'goose_db_version'`)
	pgCols := columns(t, pg.SQL(), `
		SELECT table_name, column_name, data_type, is_nullable = 'NO'
		FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name <> 'goose_db_version'`)
	if len(liteCols) < 50 {
		t.Fatalf("SQLite schema has only %d columns: the query found nothing useful", len(liteCols))
	}
	if d := cmp.Diff(liteCols, pgCols); d != "" {
		t.Fatalf("schemas differ (-sqlite +postgres):\n%s", d)
	}
}

// TestPostgresTimesAre64Bit: times are unix milliseconds, which do not fit
// PostgreSQL's 32-bit INTEGER (00012 made that mistake, and every
// publication of the voice's counts failed). Every column named *_at is
// BIGINT.
func TestPostgresTimesAre64Bit(t *testing.T) {
	t.Parallel()
	pg := OpenPostgres(t)
	rows, err := pg.SQL().QueryContext(context.Background(), `
		SELECT table_name, column_name, data_type
		FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name <> 'goose_db_version'
		  AND column_name LIKE '%\_at' AND data_type <> 'bigint'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var table, col, typ string
		if err := rows.Scan(&table, &col, &typ); err != nil {
			t.Fatal(err)
		}
		t.Errorf("%s.%s is %s: a unix millisecond needs BIGINT", table, col, typ)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
}
