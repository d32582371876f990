package main

import (
	"encoding/csv"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// TestExportCSV writes each CSV export from the command line and parses it
// back: a header row, the rows of the leader it acts for only, formulas
// made inert; an unknown kind is a usage mistake naming the choices.
func TestExportCSV(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"TRUSTLEDGER_DB": filepath.Join(dir, "t.db"), "TRUSTLEDGER_NOW": "2026-11-02T09:00:00Z", "TZ": "UTC"}
	for _, args := range [][]string{
		{"init", "--leader", "Lena"},
		{"person", "add", "Ana", "--kind", "direct-report"},
		{"log", "Ana", "promise-kept", "--note", `=HYPERLINK("http://x")`},
		{"promise", "add", "Ana", "--due", "friday", "--", "-1 day off"},
		{"decide", "@move the launch", "--why", "+QA", "--affects", "team"},
		{"init", "--leader", "Omar"},
		{"--leader", "Omar", "person", "add", "Zed", "--kind", "peer"},
		{"--leader", "Omar", "promise", "add", "Zed", "Omar's promise", "--due", "friday"},
	} {
		if code, _, errOut := runArgs(t, env, args...); code != 0 {
			t.Fatalf("%v: %d %s", args, code, errOut)
		}
	}
	for _, tc := range []struct {
		kind, header, want string
	}{
		{"ledger", "id,occurred_at,recorded_at,who,subject,kind", `'=HYPERLINK("http://x")`},
		{"promises", "id,to,what,due,status", "'-1 day off"},
		{"decisions", "id,what,why,affects", "'@move the launch"},
		{"people", "id,person,kind,team", "Ana"},
	} {
		code, out, errOut := runArgs(t, env, "--leader", "Lena", "export", "--csv", tc.kind)
		if code != 0 || errOut != "" {
			t.Fatalf("export --csv %s: %d %q", tc.kind, code, errOut)
		}
		recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
		if err != nil || len(recs) < 2 {
			t.Fatalf("export --csv %s does not parse: %v\n%s", tc.kind, err, out)
		}
		if h := strings.Join(recs[0], ","); !strings.HasPrefix(h, tc.header) {
			t.Errorf("%s header %q, want it to begin %q", tc.kind, h, tc.header)
		}
		found := false
		for _, r := range recs[1:] {
			for _, c := range r {
				found = found || c == tc.want
				if strings.Contains(c, "Omar") || c == "Zed" {
					t.Errorf("Lena's %s export holds Omar's row %v", tc.kind, r)
				}
			}
		}
		if !found {
			t.Errorf("%s export has no cell %q:\n%s", tc.kind, tc.want, out)
		}
	}
	code, _, errOut := runArgs(t, env, "--leader", "Lena", "--json", "export", "--csv", "journal")
	var e struct {
		Error struct{ Code, Message, Field string }
	}
	if code != 2 || json.Unmarshal([]byte(errOut), &e) != nil || e.Error.Field != "csv" || !strings.Contains(e.Error.Message, "ledger, promises, decisions, people") {
		t.Errorf("export --csv journal: %d %q, want 2 and an error about --csv naming the choices", code, errOut)
	}
	// With two leaders and none named, the export asks which.
	if code, _, errOut := runArgs(t, env, "export", "--csv", "people"); code == 0 || !strings.Contains(errOut, "Lena") {
		t.Errorf("export --csv with two leaders and no --leader: %d %q", code, errOut)
	}
}

// TestExportCSVRemote writes a CSV export through a server's API
// (--server): the same file, made from the API's answers.
func TestExportCSVRemote(t *testing.T) {
	s, db := remoteSQLite(t)
	remoteServer(t, s, db)
	s.run(step{args: []string{"person", "add", "Ana", "--kind", "direct-report"}, quiet: true})
	s.run(step{args: []string{"log", "Ana", "promise-kept", "--note", "+1 for the demo"}, quiet: true})
	for kind, want := range map[string]string{"ledger": "'+1 for the demo", "people": "Ana"} {
		code, out, errOut := runArgs(t, s.env, "export", "--csv", kind)
		if code != 0 {
			t.Fatalf("export --csv %s over the API: %d %s", kind, code, errOut)
		}
		recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
		if err != nil || len(recs) != 2 {
			t.Fatalf("export --csv %s over the API: %v\n%s", kind, err, out)
		}
		if !strings.Contains(strings.Join(recs[1], ","), want) {
			t.Errorf("export --csv %s over the API: no %q in %v", kind, want, recs[1])
		}
	}
}
