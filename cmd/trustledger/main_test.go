package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// idPattern matches the ids the store makes (26 characters of Crockford
// base32), so transcripts can replace them with stable placeholders.
var idPattern = regexp.MustCompile(`\b[0-9A-HJKMNP-TV-Z]{26}\b`)

// step is one command of a transcript.
type step struct {
	args []string
	now  string // TRUSTLEDGER_NOW from this step on; "" keeps the last one
	code int    // expected exit code
	// err is a substring the one stderr line must contain when code != 0.
	err string
	// capture names an id in stdout for later steps' args ({name}): the
	// first id on the first line that contains match ("" = any line).
	capture, match string
	// stdoutTo writes stdout to this file in the work dir instead of the
	// transcript (like a shell's >).
	stdoutTo string
	// stdinNote is printed in the transcript instead of stdout.
	quiet bool
}

// session runs steps in-process against one work dir and records a
// transcript with ids and the database name replaced by placeholders.
type session struct {
	t     *testing.T
	dir   string
	env   map[string]string
	ids   map[string]string // real id → placeholder
	named map[string]string // capture name → real id
	out   strings.Builder
	dbs   []string // database names to replace by <DB>
}

func newSession(t *testing.T) *session {
	t.Helper()
	dir := t.TempDir()
	t.Chdir(dir)
	t.Setenv("COLUMNS", "80") // kong wraps help to the terminal width
	return &session{
		t: t, dir: dir,
		// Transcripts read and show dates in UTC, whatever the zone of
		// the machine that runs them; a step may set another.
		env:   map[string]string{"TZ": "UTC"},
		ids:   map[string]string{},
		named: map[string]string{},
	}
}

func (s *session) getenv(name string) string { return s.env[name] }

// tokenPattern is a link token (pulse, check-in, address confirmation,
// window, calendar), random each run.
var tokenPattern = regexp.MustCompile(`/([pcvw]|calendar)/[A-Z2-7]{26}`)

// secretPattern is a webhook's signing secret in JSON output.
var secretPattern = regexp.MustCompile(`"secret": "[A-Z2-7]{26}"`)

// normalize replaces ids and database names with placeholders.
func (s *session) normalize(text string) string {
	for _, db := range s.dbs {
		text = strings.ReplaceAll(text, db, "<DB>")
	}
	text = tokenPattern.ReplaceAllString(text, "/$1/<TOKEN>")
	text = secretPattern.ReplaceAllString(text, `"secret": "<SECRET>"`)
	return idPattern.ReplaceAllStringFunc(text, func(id string) string {
		p, ok := s.ids[id]
		if !ok {
			p = "<ID" + strconv.Itoa(len(s.ids)+1) + ">"
			s.ids[id] = p
		}
		return p
	})
}

// shellQuote writes an argument as a reader would type it.
func shellQuote(a string) string {
	if a == "" || strings.ContainsAny(a, " \t'\"$\\;&|<>*?()") {
		return strconv.Quote(a)
	}
	return a
}

// run executes one step, checks its exit code and error line, and
// appends it to the transcript. It returns stdout.
func (s *session) run(st step) string {
	s.t.Helper()
	if st.now != "" {
		s.env["TRUSTLEDGER_NOW"] = st.now
		s.out.WriteString("# now " + st.now + "\n")
	}
	args := make([]string, len(st.args))
	for i, a := range st.args {
		args[i] = regexp.MustCompile(`\{(\w+)\}`).ReplaceAllStringFunc(a, func(m string) string {
			id, ok := s.named[m[1:len(m)-1]]
			if !ok {
				s.t.Fatalf("step %v: nothing captured as %s", st.args, m)
			}
			return id
		})
	}
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, &stdout, &stderr, s.getenv)

	shown := make([]string, len(args))
	for i, a := range args {
		shown[i] = shellQuote(a)
	}
	line := "$ trustledger " + strings.Join(shown, " ")
	if st.stdoutTo != "" {
		line += " > " + st.stdoutTo
		if err := os.WriteFile(filepath.Join(s.dir, st.stdoutTo), stdout.Bytes(), 0o600); err != nil {
			s.t.Fatal(err)
		}
	}
	s.out.WriteString(s.normalize(line) + "\n")
	if st.stdoutTo == "" && !st.quiet {
		s.out.WriteString(s.normalize(stdout.String()))
	}
	if stderr.Len() > 0 {
		for _, l := range strings.SplitAfter(stderr.String(), "\n") {
			if l != "" {
				s.out.WriteString(s.normalize("stderr: " + l))
			}
		}
	}
	if code != 0 {
		s.out.WriteString("exit " + strconv.Itoa(code) + "\n")
	}
	s.out.WriteString("\n")

	if code != st.code {
		s.t.Errorf("%s: exit %d, want %d\nstdout: %s\nstderr: %s", line, code, st.code, stdout.String(), stderr.String())
	}
	if st.code != 0 {
		checkErrorLine(s.t, line, stderr.String(), st.err)
	} else if stderr.Len() > 0 && !strings.Contains(strings.Join(args, " "), "--json") {
		s.t.Errorf("%s: succeeded but wrote to stderr: %q", line, stderr.String())
	}
	if st.capture != "" {
		found := ""
		for _, l := range strings.Split(stdout.String(), "\n") {
			if strings.Contains(l, st.match) {
				if id := idPattern.FindString(l); id != "" {
					found = id
					break
				}
			}
		}
		if found == "" {
			s.t.Fatalf("%s: no id to capture as %s in:\n%s", line, st.capture, stdout.String())
		}
		s.named[st.capture] = found
	}
	return stdout.String()
}

// checkErrorLine asserts the error contract: exactly one line on stderr,
// "trustledger: <message>", containing want, and no Go or SQL internals.
func checkErrorLine(t *testing.T, cmd, stderr, want string) {
	t.Helper()
	if !strings.HasSuffix(stderr, "\n") || strings.Count(stderr, "\n") != 1 {
		t.Errorf("%s: stderr is not exactly one line: %q", cmd, stderr)
	}
	if !strings.HasPrefix(stderr, "trustledger: ") {
		t.Errorf("%s: stderr does not start with \"trustledger: \": %q", cmd, stderr)
	}
	if !strings.Contains(stderr, want) {
		t.Errorf("%s: stderr %q does not contain %q", cmd, stderr, want)
	}
	for _, bad := range []string{"goroutine ", "panic", "SQL", "sqlite", "constraint", ".go:"} {
		if strings.Contains(stderr, bad) {
			t.Errorf("%s: stderr shows internals (%q): %q", cmd, bad, stderr)
		}
	}
}

// golden compares the transcript with testdata/golden/name.txt, or
// rewrites it with -update.
func (s *session) golden(name string) {
	s.t.Helper()
	path := filepath.Join(goldenDir, name+".txt")
	got := s.out.String()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			s.t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		s.t.Fatalf("%v (run go test ./cmd/trustledger -update to create it)", err)
	}
	if d := cmp.Diff(string(want), got); d != "" {
		s.t.Errorf("%s differs from the golden file (-want +got); run with -update if the change is intended:\n%s", path, d)
	}
}

// goldenDir is absolute: the sessions chdir into temp dirs.
var goldenDir = func() string {
	wd, err := os.Getwd()
	if err != nil {
		panic(err)
	}
	return filepath.Join(wd, "testdata", "golden")
}()

// repoRoot is where scenarios/ lives.
var repoRoot = func() string {
	wd, err := os.Getwd()
	if err != nil {
		panic(err)
	}
	return filepath.Join(wd, "..", "..")
}()

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, data, 0o644); err != nil {
		t.Fatal(err)
	}
}
