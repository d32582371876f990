package csvout_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"strings"
	"testing"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/app"
	"github.com/trustledger/trustledger/internal/csvout"
	"github.com/trustledger/trustledger/internal/storetest"
)

const injection = `=HYPERLINK("http://x")`

func TestEscape(t *testing.T) {
	for in, want := range map[string]string{
		"":                "",
		"plain":           "plain",
		injection:         "'" + injection,
		"+1":              "'+1",
		"-1":              "'-1",
		"@SUM(A1)":        "'@SUM(A1)",
		"\tx":             "'\tx",
		"\rx":             "'\rx",
		"a=b":             "a=b",
		"'already":        "'already",
		" =leading space": " =leading space",
	} {
		if got := csvout.Escape(in); got != want {
			t.Errorf("Escape(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseKindAndFilename(t *testing.T) {
	for _, k := range csvout.Kinds {
		if got, err := csvout.ParseKind(string(k)); err != nil || got != k {
			t.Errorf("ParseKind(%q) = %q, %v", k, got, err)
		}
	}
	if _, err := csvout.ParseKind("journal"); tl.ErrorCode(err) != tl.EINVALID || !strings.Contains(err.Error(), "ledger, promises, decisions, people") {
		t.Errorf("ParseKind(journal) = %v, want EINVALID naming the choices", err)
	}
	at := time.Date(2026, 12, 7, 23, 30, 0, 0, time.FixedZone("", -3*3600))
	if got := csvout.Filename(csvout.Promises, at); got != "trustledger-promises-2026-12-08.csv" {
		t.Errorf("Filename = %q", got)
	}
}

// fixture is Lena's data with a formula in every kind of text a leader
// types, and Omar's, which her exports must not hold.
func fixture(t *testing.T) (context.Context, *app.App, *tl.Leader, *tl.Leader) {
	t.Helper()
	ctx := context.Background()
	now := time.Date(2026, 11, 26, 15, 4, 5, 0, time.UTC)
	a := app.New(storetest.OpenSQLite(t), app.Options{Now: func() time.Time { return now }})
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	lena, err := a.CreateLeader(ctx, "Lena")
	must(err)
	omar, err := a.CreateLeader(ctx, "Omar")
	must(err)
	_, err = a.AddPerson(ctx, lena.ID, tl.PersonInput{Name: "Ana", Kind: "direct-report", Email: "ana@example.org"})
	must(err)
	_, err = a.AddPerson(ctx, lena.ID, tl.PersonInput{Name: "+Ben", Kind: "peer"})
	must(err)
	_, err = a.AddPerson(ctx, omar.ID, tl.PersonInput{Name: "Zed", Kind: "peer"})
	must(err)
	for i, note := range []string{injection, "@SUM(1,2)", "-2+3", "a plain note"} {
		_, err = a.Log(ctx, lena.ID, tl.EventInput{Who: "Ana", Kind: "promise-kept", Note: note, At: now.Add(-time.Duration(i+1) * time.Hour)})
		must(err)
	}
	_, err = a.Log(ctx, omar.ID, tl.EventInput{Who: "Zed", Kind: "promise-kept", Note: "Omar's secret note"})
	must(err)
	_, err = a.AddPromise(ctx, lena.ID, tl.PromiseInput{To: "Ana", What: injection, Due: now.Add(72 * time.Hour)})
	must(err)
	_, err = a.AddPromise(ctx, omar.ID, tl.PromiseInput{To: "Zed", What: "Omar's secret promise", Due: now.Add(72 * time.Hour)})
	must(err)
	_, err = a.Decide(ctx, lena.ID, tl.DecisionInput{What: injection, Why: "=1+1", Affects: "team"})
	must(err)
	_, err = a.Decide(ctx, omar.ID, tl.DecisionInput{What: "Omar's secret decision", Affects: "Zed"})
	must(err)
	return ctx, a, lena, omar
}

// read writes one export and parses it back with encoding/csv.
func read(t *testing.T, ctx context.Context, svc tl.Service, leaderID string, kind csvout.Kind) [][]string {
	t.Helper()
	var buf bytes.Buffer
	if err := csvout.Write(ctx, svc, leaderID, kind, &buf); err != nil {
		t.Fatalf("Write %s: %v", kind, err)
	}
	r := csv.NewReader(&buf)
	recs, err := r.ReadAll() // also checks every row has the header's length
	if err != nil {
		t.Fatalf("%s does not parse as CSV: %v\n%s", kind, err, buf.String())
	}
	if len(recs) == 0 {
		t.Fatalf("%s is empty", kind)
	}
	return recs
}

// column is the cells of the named column, below the header.
func column(t *testing.T, recs [][]string, name string) []string {
	t.Helper()
	for i, h := range recs[0] {
		if h == name {
			var out []string
			for _, r := range recs[1:] {
				out = append(out, r[i])
			}
			return out
		}
	}
	t.Fatalf("no column %q in %v", name, recs[0])
	return nil
}

// TestWriteRoundTrip parses each export back: a header row, one row per
// record, times in RFC 3339 UTC, formulas made inert, and none of another
// leader's rows.
func TestWriteRoundTrip(t *testing.T) {
	ctx, a, lena, _ := fixture(t)
	for _, tc := range []struct {
		kind   csvout.Kind
		rows   int
		text   string // the column a formula was typed into
		want   []string
		times  []string
		header string
	}{
		// The decision's own entry comes first, the newest.
		{csvout.Ledger, 5, "note", []string{"'" + injection, "'" + injection, "'@SUM(1,2)", "'-2+3", "a plain note"},
			[]string{"occurred_at", "recorded_at"}, "id,occurred_at,recorded_at,who,subject,kind,source,severity,note,recorded_by"},
		{csvout.Promises, 1, "what", []string{"'" + injection}, []string{"due", "created_at"}, "id,to,what,due,status,created_at,resolved_at"},
		{csvout.Decisions, 1, "why", []string{"'=1+1"}, []string{"decided_at", "created_at"}, "id,what,why,affects,decided_at,created_at"},
		{csvout.People, 2, "person", []string{"'+Ben", "Ana"}, []string{"started_at", "created_at"}, "id,person,kind,team,email"},
	} {
		t.Run(string(tc.kind), func(t *testing.T) {
			recs := read(t, ctx, a, lena.ID, tc.kind)
			if got := strings.Join(recs[0], ","); !strings.HasPrefix(got, tc.header) {
				t.Errorf("header %q, want it to begin %q", got, tc.header)
			}
			if len(recs)-1 != tc.rows {
				t.Fatalf("%d rows, want %d:\n%v", len(recs)-1, tc.rows, recs)
			}
			got := column(t, recs, tc.text)
			if strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Errorf("%s column = %q, want %q", tc.text, got, tc.want)
			}
			for _, name := range tc.times {
				for _, v := range column(t, recs, name) {
					ts, err := time.Parse(time.RFC3339, v)
					if err != nil || !strings.HasSuffix(v, "Z") || ts.IsZero() {
						t.Errorf("%s %q is not a time in RFC 3339 UTC", name, v)
					}
				}
			}
			for _, r := range recs {
				for _, cell := range r {
					if strings.Contains(cell, "Omar") || strings.Contains(cell, "Zed") {
						t.Errorf("Lena's %s holds Omar's row: %v", tc.kind, r)
					}
				}
			}
		})
	}
	people := read(t, ctx, a, lena.ID, csvout.People)
	if got := column(t, people, "email"); got[1] != "ana@example.org" {
		t.Errorf("email column = %q", got)
	}
	if got := column(t, people, "team"); got[1] != tl.DefaultTeamName {
		t.Errorf("team column = %q", got)
	}
	if got := column(t, people, "power_legitimate"); got[1] == "" {
		t.Errorf("no legitimate power for Ana: %v", people)
	}
	ledger := read(t, ctx, a, lena.ID, csvout.Ledger)
	if got := column(t, ledger, "who"); strings.Join(got, ",") != "team,Ana,Ana,Ana,Ana" {
		t.Errorf("who column = %q", got)
	}
}

// TestWriteLedgerPages reads a ledger longer than one page of the
// services' list, and every entry comes out once.
func TestWriteLedgerPages(t *testing.T) {
	ctx, a, lena, _ := fixture(t)
	defer csvout.SetPageSize(3)()
	recs := read(t, ctx, a, lena.ID, csvout.Ledger)
	ids := map[string]bool{}
	for _, id := range column(t, recs, "id") {
		if ids[id] {
			t.Errorf("entry %s twice", id)
		}
		ids[id] = true
	}
	if len(ids) != 5 {
		t.Errorf("%d entries, want 5", len(ids))
	}
}

// TestWriteAnotherLeader checks that an unknown leader is an error, and
// that no export is written for it.
func TestWriteAnotherLeader(t *testing.T) {
	ctx, a, _, _ := fixture(t)
	for _, k := range csvout.Kinds {
		var buf bytes.Buffer
		err := csvout.Write(ctx, a, "01KB2F3G4H5J6K7M8N9P0QRSTV", k, &buf)
		if code := tl.ErrorCode(err); code != tl.ENOTFOUND || buf.Len() != 0 {
			t.Errorf("%s of an unknown leader: %v (%s), %d bytes", k, err, code, buf.Len())
		}
	}
	if err := csvout.Write(ctx, a, "x", "journal", &bytes.Buffer{}); tl.ErrorCode(err) != tl.EINVALID {
		t.Errorf("a journal export: %v, want EINVALID", err)
	}
}
