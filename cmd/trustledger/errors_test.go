package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// setupLena makes a database with one leader and two people.
func setupLena(s *session) {
	s.run(step{now: "2026-11-02T09:00:00Z", args: []string{"init", "--leader", "Lena"}, quiet: true})
	s.run(step{args: []string{"person", "add", "Ana", "--kind", "direct-report"}, quiet: true})
	s.run(step{args: []string{"person", "add", "Ben", "--kind", "peer"}, quiet: true})
}

// TestErrors checks that every kind of mistake gives one line naming what
// is wrong, the right exit code, and writes nothing.
func TestErrors(t *testing.T) {
	s := newSession(t)
	s.dbs = []string{"./trustledger.db"}

	// Before init: no database, and none is created by asking.
	s.run(step{now: "2026-11-02T09:00:00Z", args: []string{"status"}, code: 1, err: "no database at ./trustledger.db"})
	if _, err := os.Stat(filepath.Join(s.dir, "trustledger.db")); err == nil {
		t.Errorf("status created a database")
	}
	setupLena(s)
	if err := os.WriteFile(filepath.Join(s.dir, "garbage.db"), []byte("not a database, just some text\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	for _, st := range []step{
		// Usage mistakes caught by the parser.
		{args: []string{"lgo", "Ana", "promise-kept"}, code: 2, err: `did you mean "log"?`},
		{args: []string{"log"}, code: 2, err: "see: trustledger log --help"},
		{args: []string{"person", "add", "Cy"}, code: 2, err: "missing flags: --kind"},
		{args: []string{"log", "Ana", "promise-kept", "--severity", "huge"}, code: 2, err: "--severity must be one of"},
		{args: []string{"log", "Ana", "promise-kept", "--source", "system"}, code: 2, err: "--source must be one of"},
		{args: []string{"ledger", "--limit", "many"}, code: 2, err: "--limit"},
		// Unknown names.
		{args: []string{"log", "Zoe", "promise-kept"}, code: 1, err: `unknown person "Zoe": known people are Ana, Ben`},
		{args: []string{"log", "Anna", "promise-kept"}, code: 1, err: "did you mean Ana?"},
		{args: []string{"explain", "Zoe"}, code: 1, err: `unknown person "Zoe"`},
		{args: []string{"log", "Ana", "promise-kep"}, code: 2, err: `unknown kind "promise-kep" (did you mean promise-kept?`},
		{args: []string{"log", "Ana"}, code: 2, err: "say what happened"},
		{args: []string{"log", "Ana", "checkin"}, code: 2, err: "is a measurement"},
		{args: []string{"person", "add", "Cy", "--kind", "boss"}, code: 2, err: "boss"},
		{args: []string{"person", "add", "Cy", "--kind", "peer", "--power", "charm=3"}, code: 2, err: `unknown power base "charm"`},
		{args: []string{"person", "add", "Cy", "--kind", "peer", "--power", "legitimate"}, code: 2, err: "write base=N pairs"},
		{args: []string{"person", "add", "ana", "--kind", "peer"}, code: 1, err: "ana"},
		{args: []string{"--leader", "Lisa", "status"}, code: 1, err: `no leader named "Lisa"`},
		{args: []string{"promise", "kept", "01KB2F3G4H5J6K7M8N9P0QRSTV"}, code: 1, err: "no promise"},
		{args: []string{"reverse", "01KB2F3G4H5J6K7M8N9P0QRSTV"}, code: 1, err: "01KB2F3G4H5J6K7M8N9P0QRSTV"},
		{args: []string{"settings", "set", "half_life", "60"}, code: 2, err: `unknown setting "half_life"`},
		{args: []string{"settings", "set", "half_life_days", "soon"}, code: 2, err: "needs a number"},
		{args: []string{"journal", "answer", "4", "text"}, code: 2, err: "answer question 1, 2 or 3"},
		// Dates.
		{args: []string{"log", "Ana", "promise-kept", "--when", "2026-13-01"}, code: 2,
			err: `invalid date "2026-13-01": use YYYY-MM-DD, "yesterday", "3 days ago" or a weekday`},
		{args: []string{"log", "Ana", "promise-kept", "--when", "tomorrow"}, code: 2, err: "in the future"},
		{args: []string{"promise", "add", "Ana", "x", "--due", "someday"}, code: 2, err: `invalid date "someday"`},
		{args: []string{"promise", "add", "Ana", "x", "--due", "2026-10-01"}, code: 2, err: "in the past"},
		{args: []string{"--now", "noon", "status"}, code: 2, err: `invalid --now "noon"`},
		// Files.
		{args: []string{"simulate", "missing.yaml"}, code: 1, err: "missing.yaml: no such scenario file"},
		{args: []string{"simulate", "bad.yaml"}, code: 2, err: "bad.yaml:5:"},
		{args: []string{"simulate", "failing.yaml", "--check"}, code: 1, err: "1 of 2 expectations failed"},
		{args: []string{"import", "missing.json"}, code: 1, err: "missing.json: no such file"},
		{args: []string{"--db", "garbage.db", "status"}, code: 1, err: "cannot open the database garbage.db: it is not a trustledger database"},
	} {
		if st.args[0] == "simulate" {
			writeScenarios(t, s.dir)
		}
		s.run(st)
	}

	// Nothing above wrote anything: the ledger is empty and there are
	// still two people.
	ledger := s.run(step{args: []string{"ledger"}})
	if !strings.Contains(ledger, "No entries yet") {
		t.Errorf("a failed command wrote to the ledger:\n%s", ledger)
	}
	people := s.run(step{args: []string{"person", "list", "--json"}, quiet: true})
	if n := strings.Count(people, `"person":`); n != 2 {
		t.Errorf("%d people after the failed commands, want 2", n)
	}
	s.golden("errors")
}

// writeScenarios puts a scenario with a typo and one with a failing
// expectation in dir.
func writeScenarios(t *testing.T, dir string) {
	t.Helper()
	files := map[string]string{
		"bad.yaml": "name: typo\nstart: 2026-01-05\npeople: [{name: Ana, kind: direct-report}]\nevents:\n  - {week: 1, who: Ana, kind: promise-kep}\n",
		"failing.yaml": "name: failing\nstart: 2026-01-05\npeople: [{name: Ana, kind: direct-report}]\n" +
			"events:\n  - {week: 1, who: Ana, kind: promise-kept, source: system}\n" +
			"expect:\n  - {week: 1, who: Ana, quadrant: undetermined}\n  - {week: 1, who: Ana, quadrant: influence}\n",
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestImportBrokenWritesNothing imports damaged backups into an empty
// database and into one with data, and checks that each fails with one
// line naming the problem and leaves the database as it was.
func TestImportBrokenWritesNothing(t *testing.T) {
	s := newSession(t)
	s.dbs = []string{"./trustledger.db"}
	setupLena(s)
	s.run(step{args: []string{"log", "Ana", "promise-kept"}, quiet: true})
	s.run(step{args: []string{"export"}, stdoutTo: "good.json"})
	good, err := os.ReadFile(filepath.Join(s.dir, "good.json"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(good)
	// The last relationship points at a team that is not in the backup:
	// everything before it is fine, so a non-atomic import would leave
	// the leader and the first people behind.
	i := strings.LastIndex(text, `"team_id": "`)
	if i < 0 {
		t.Fatal("no team_id in the backup")
	}
	badRef := text[:i] + `"team_id": "NOSUCHTEAM` + text[i+len(`"team_id": "`)+26:]
	broken := map[string]string{
		"truncated.json": text[:len(text)/2],
		"badref.json":    badRef,
		"unknown.json":   strings.Replace(text, `"version": 1,`, `"version": 1, "extra": true,`, 1),
		"version.json":   strings.Replace(text, `"version": 1,`, `"version": 7,`, 1),
		"badtime.json":   strings.Replace(text, `"exported_at": "2026`, `"exported_at": "20x6`, 1),
		"empty.json":     "",
	}
	wants := map[string]string{
		"truncated.json": "truncated.json:",
		"badref.json":    "NOSUCHTEAM",
		"unknown.json":   `unknown field "extra"`,
		"version.json":   "version 7",
		"badtime.json":   "RFC 3339",
		"empty.json":     "empty",
	}
	for name, body := range broken {
		if err := os.WriteFile(filepath.Join(s.dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"empty.json", "truncated.json", "unknown.json", "version.json", "badtime.json", "badref.json"} {
		// Into a new database: it must stay empty.
		s.run(step{args: []string{"--db", "fresh.db", "import", name}, code: 2, err: wants[name]})
		out := s.run(step{args: []string{"--db", "fresh.db", "export"}, quiet: true})
		if !strings.Contains(out, `"leaders": []`) || !strings.Contains(out, `"events": []`) {
			t.Errorf("import of %s into a new database left data behind:\n%s", name, out)
		}
	}
	// Into the database it came from: a conflict, and nothing changes.
	before := s.run(step{args: []string{"export"}, quiet: true})
	s.run(step{args: []string{"import", "good.json"}, code: 1, err: "already in this database"})
	after := s.run(step{args: []string{"export"}, quiet: true})
	if before != after {
		t.Errorf("a failed import changed the database")
	}
	// And the good file does import into a new database.
	s.run(step{args: []string{"--db", "fresh.db", "import", "good.json"}})
	s.golden("import_errors")
}

// TestHelp checks that every command has help with an example.
func TestHelp(t *testing.T) {
	s := newSession(t)
	s.run(step{args: []string{"--help"}})
	s.run(step{args: []string{"log", "--help"}})
	s.run(step{args: []string{"person", "add", "--help"}})
	s.run(step{args: []string{"promise", "add", "--help"}})
	s.golden("help")

	var cmds [][]string
	for _, c := range []string{"init", "team add", "team list", "person add", "person list", "person power",
		"person deactivate", "person activate", "log", "reverse", "ledger", "promise add", "promise list",
		"promise kept", "promise late", "promise broken", "promise renegotiate", "promise saydo", "decide",
		"decisions", "status", "explain", "week", "week accept", "week done", "week skip", "journal",
		"journal answer", "journal note", "journal list", "settings", "settings set", "simulate", "export", "import"} {
		cmds = append(cmds, strings.Fields(c))
	}
	for _, c := range cmds {
		out := s.run(step{args: append(c, "--help"), quiet: true})
		if !strings.Contains(out, "Example:") || !strings.Contains(out, "trustledger "+c[0]) {
			t.Errorf("trustledger %s --help has no example:\n%s", strings.Join(c, " "), out)
		}
	}
}

// TestSimulate runs Lena's scenario from the README's tour, as a table,
// checked, and as JSON, without creating a database.
func TestSimulate(t *testing.T) {
	s := newSession(t)
	copyFile(t, filepath.Join(repoRoot, "scenarios", "lena.yaml"), filepath.Join(s.dir, "scenarios", "lena.yaml"))
	s.run(step{args: []string{"simulate", "scenarios/lena.yaml", "--check"}})
	out := s.run(step{args: []string{"simulate", "scenarios/lena.yaml", "--json"}, quiet: true})
	if !strings.HasPrefix(out, "{\n  \"scenario\": \"Lena's innovation team\"") || !strings.Contains(out, `"quadrant": "influence"`) {
		t.Errorf("simulate --json:\n%.400s", out)
	}
	if _, err := os.Stat(filepath.Join(s.dir, "trustledger.db")); err == nil {
		t.Errorf("simulate created a database")
	}
	s.golden("simulate")
}
