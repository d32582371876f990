package web

import (
	"encoding/csv"
	"net/http"
	"strings"
	"testing"
	"time"

	tl "github.com/trustledger/trustledger"
)

const csvInjection = `=HYPERLINK("http://x")`

// TestPagesCSVExports downloads each CSV export: a file to save, in CSV
// that parses back with a header row, the signed-in leader's rows only,
// formulas made inert; the pages that list those records link to them.
func TestPagesCSVExports(t *testing.T) {
	e := newPagesEnv(t)
	ctx, lena, omar := e.ctx, e.lena, e.omar
	e.pagesPeople()
	_, err := e.app.Log(ctx, lena.leader, tl.EventInput{Who: "Ana", Kind: "promise-kept", Note: csvInjection})
	e.must(err)
	_, err = e.app.AddPromise(ctx, lena.leader, tl.PromiseInput{To: "Ana", What: csvInjection, Due: pagesNow.Add(48 * time.Hour)})
	e.must(err)
	_, err = e.app.Decide(ctx, lena.leader, tl.DecisionInput{What: csvInjection, Why: "-because", Affects: "team"})
	e.must(err)
	_, err = e.app.Decide(ctx, omar.leader, tl.DecisionInput{What: "Omar reorganised his team", Affects: "Zed"})
	e.must(err)
	_, err = e.app.AddPromise(ctx, omar.leader, tl.PromiseInput{To: "Zed", What: "Omar's own promise", Due: pagesNow.Add(48 * time.Hour)})
	e.must(err)

	for _, tc := range []struct {
		kind, header, want string
	}{
		{"ledger", "id,occurred_at,recorded_at,who,subject,kind", "'" + csvInjection},
		{"promises", "id,to,what,due,status", "'" + csvInjection},
		{"decisions", "id,what,why,affects", "'-because"},
		{"people", "id,person,kind,team", "Ana"},
	} {
		t.Run(tc.kind, func(t *testing.T) {
			w := e.do(http.MethodGet, "/export/"+tc.kind+".csv", nil, lena)
			if w.Code != http.StatusOK {
				t.Fatalf("status %d:\n%s", w.Code, w.Body)
			}
			h := w.Header()
			if ct := h.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
				t.Errorf("Content-Type %q", ct)
			}
			wantDisp := `attachment; filename="trustledger-` + tc.kind + `-2026-11-26.csv"`
			if d := h.Get("Content-Disposition"); d != wantDisp {
				t.Errorf("Content-Disposition %q, want %q", d, wantDisp)
			}
			if cc := h.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
				t.Errorf("Cache-Control %q: a private file must not stay in caches", cc)
			}
			recs, err := csv.NewReader(strings.NewReader(w.Body.String())).ReadAll()
			if err != nil || len(recs) < 2 {
				t.Fatalf("does not parse as CSV: %v\n%s", err, w.Body)
			}
			if got := strings.Join(recs[0], ","); !strings.HasPrefix(got, tc.header) {
				t.Errorf("header %q, want it to begin %q", got, tc.header)
			}
			found := false
			for _, r := range recs[1:] {
				for _, c := range r {
					found = found || c == tc.want
					if c == csvInjection {
						t.Errorf("a formula left as it was: %v", r)
					}
				}
			}
			if !found {
				t.Errorf("no cell %q in\n%s", tc.want, w.Body)
			}

			// Omar, another leader, gets his own file, never Lena's, with
			// or without her id in the address.
			for _, target := range []string{"/export/" + tc.kind + ".csv", "/export/" + tc.kind + ".csv?leader=" + lena.leader} {
				w := e.do(http.MethodGet, target, nil, omar)
				if w.Code != http.StatusOK {
					t.Fatalf("Omar: status %d", w.Code)
				}
				for _, leak := range []string{"HYPERLINK", "Ana", "-because"} {
					if strings.Contains(w.Body.String(), leak) {
						t.Errorf("Omar's %s holds Lena's %q:\n%s", target, leak, w.Body)
					}
				}
			}
		})
	}

	e.run(t, []pagesCase{
		{name: "no session goes to login", url: "/export/promises.csv", status: 303, location: "/login"},
		{name: "an unknown export", url: "/export/journal.csv", as: lena, status: 404},
		{name: "not a CSV name", url: "/export/promises", as: lena, status: 404},
		{name: "the promises page links its file", url: "/promises", as: lena, status: 200,
			contains: []string{`href="/export/promises.csv"`}},
		{name: "the decisions page links its file", url: "/decisions", as: lena, status: 200,
			contains: []string{`href="/export/decisions.csv"`}},
		{name: "the log page links the ledger", url: "/log", as: lena, status: 200,
			contains: []string{`href="/export/ledger.csv"`}},
		{name: "the dashboard links the people and the ledger", url: "/", as: lena, status: 200,
			contains: []string{`href="/export/people.csv"`, `href="/export/ledger.csv"`}},
	})
}
