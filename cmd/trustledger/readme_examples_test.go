package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// readmeSkips are the README's commands TestReadmeExamples does not run,
// each with the reason, keyed by the command as README.md writes it (from
// "trustledger" on, spaces folded, without a trailing comment). A skipped
// command must still parse: the test runs it with --help appended, which
// fails on a command or flag that no longer exists. And every key must
// still be in README.md, so that this list cannot outlive its examples.
var readmeSkips = map[string]string{
	// Runs until stopped; the demo it serves is tested in internal/e2e
	// (demo_test.go) and serve itself in instances_test.go.
	"trustledger serve --demo": "runs a server until stopped",
	// A pulse asks at least k people who confirmed their addresses by
	// mail a week ago: the tour's database has one person, without one.
	"trustledger pulse launch": "needs k people who count, which needs mail and a week",
	// Programs, rosters and API tokens act as a web account (the owner's,
	// made on the first visit to serve); a database made with init has
	// none, and the command says so.
	"trustledger program create":          "needs a web account; also names no program",
	"trustledger roster import staff.csv": "needs a web account (the owner's, made in the web app)",
	"trustledger token create NAME":       "needs a web account; NAME is a placeholder",
	// Placeholders in the prose, which describes a command's form.
	"trustledger checkin ask NAME":        "NAME is a placeholder",
	"trustledger person window NAME":      "NAME is a placeholder (and the person needs an address)",
	"trustledger settings set NAME VALUE": "NAME and VALUE are placeholders",
	"trustledger backup FILE":             "FILE is a placeholder",
	"trustledger restore FILE":            "FILE is a placeholder (and restore needs an empty database)",
	"trustledger webhook add URL":         "URL is a placeholder",
}

// readmeExample is one command README.md shows.
type readmeExample struct {
	line int
	// text is the command as written, from "trustledger" on, spaces
	// folded and a trailing comment left off: the key of readmeSkips.
	text string
	args []string
	// stdoutTo is the file a shell would redirect stdout to ("" = none).
	stdoutTo string
	// err says why the test cannot read it as a command.
	err error
}

func (e readmeExample) String() string { return fmt.Sprintf("README.md:%d: %s", e.line, e.text) }

// TestReadmeExamples runs every CLI example in README.md, in order, as a
// reader would: in an empty directory that holds the repository's
// scenarios, with the real clock and an empty environment. First the
// lines of its shell blocks (the tour, which starts with init), then the
// commands its prose names in code spans, on the database the tour left.
// Any error exit fails, and so does a command README.md writes with a
// fixed date, which would pass and make the example fail one day.
func TestReadmeExamples(t *testing.T) {
	examples := readmeExamples(t, filepath.Join(repoRoot, "README.md"))
	for _, e := range examples {
		if e.err != nil {
			t.Errorf("%s: %v; write it so the test can run it, or skip it in readmeSkips with the reason", e, e.err)
		}
		if fixedDate.MatchString(e.text) {
			t.Errorf("%s: a fixed date passes; use a relative one (friday, tomorrow, in 3 days)", e)
		}
	}
	checkReadmeSkips(t, examples)
	if !t.Run("real clock", func(t *testing.T) {
		runReadmeExamples(t, examples, "")
	}) {
		return
	}
	// The real clock sees one day: a relative date that fails on some
	// weekday ("friday" on a Friday) shows here, on each of the next seven.
	now := time.Now().UTC()
	for d := 1; d <= 7; d++ {
		at := now.AddDate(0, 0, d)
		t.Run(at.Format("Monday"), func(t *testing.T) {
			runReadmeExamples(t, examples, at.Format(time.RFC3339))
		})
	}
}

// TestDocsExamplesHaveNoFixedDates: the commands in docs/*.md (in shell
// blocks and code spans), which no test runs, write no fixed date either.
func TestDocsExamplesHaveNoFixedDates(t *testing.T) {
	docs, err := filepath.Glob(filepath.Join(repoRoot, "docs", "*.md"))
	if err != nil || len(docs) == 0 {
		t.Fatalf("no docs/*.md (%v)", err)
	}
	for _, path := range docs {
		for _, e := range readmeExamples(t, path) {
			if fixedDate.MatchString(e.text) {
				t.Errorf("%s:%d: %s: a fixed date passes; use a relative one (friday, tomorrow, in 3 days)", filepath.Base(path), e.line, e.text)
			}
		}
	}
}

// fixedDate is a calendar date written out, such as 2026-12-04.
var fixedDate = regexp.MustCompile(`\b\d{4}-\d{2}-\d{2}\b`)

// checkReadmeSkips fails on a skip that README.md no longer shows, and
// on a skipped command that no longer parses.
func checkReadmeSkips(t *testing.T, examples []readmeExample) {
	t.Helper()
	shown := map[string]bool{}
	for _, e := range examples {
		shown[e.text] = true
	}
	for text := range readmeSkips {
		if !shown[text] {
			t.Errorf("readmeSkips lists %q, which README.md no longer shows: remove it from the list", text)
		}
	}
	for _, e := range examples {
		if _, skip := readmeSkips[e.text]; !skip || e.err != nil {
			continue
		}
		var stdout, stderr bytes.Buffer
		args := append(append([]string(nil), e.args...), "--help")
		if code := run(context.Background(), args, &stdout, &stderr, func(string) string { return "" }); code != exitOK {
			t.Errorf("%s: skipped, but does not parse (with --help: exit %d): %s", e, code, strings.TrimSpace(stderr.String()))
		}
	}
}

// runReadmeExamples runs the examples that are not skipped in a fresh
// directory; now sets TRUSTLEDGER_NOW ("" = the real clock).
func runReadmeExamples(t *testing.T, examples []readmeExample, now string) {
	dir := t.TempDir()
	if err := os.CopyFS(filepath.Join(dir, "scenarios"), os.DirFS(filepath.Join(repoRoot, "scenarios"))); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	env := func(name string) string {
		if name == "TRUSTLEDGER_NOW" {
			return now
		}
		return ""
	}
	ran := 0
	for _, e := range examples {
		if _, skip := readmeSkips[e.text]; skip || e.err != nil {
			continue
		}
		if ran == 0 && (len(e.args) == 0 || e.args[0] != "init") {
			t.Fatalf("%s: the first example the test runs is not init: a reader starts on no database", e)
		}
		t.Logf("%s", e)
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), e.args, &stdout, &stderr, env)
		ran++
		if code != exitOK {
			t.Errorf("%s: exit %d: %s", e, code, strings.TrimSpace(stderr.String()))
			continue
		}
		if stderr.Len() > 0 && !strings.Contains(e.text, "--json") {
			t.Errorf("%s: succeeded but wrote to stderr: %q", e, stderr.String())
		}
		if e.stdoutTo != "" {
			if err := os.WriteFile(filepath.Join(dir, e.stdoutTo), stdout.Bytes(), 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
	if ran < 10 {
		t.Errorf("ran %d of README.md's examples; the tour alone has more: is the extraction broken?", ran)
	}
}

// readmeExamples are the CLI commands of a Markdown file: first the
// lines of its shell blocks ("go run ./cmd/trustledger …" or
// "trustledger …"), then its code spans that are such commands, each in
// the order they appear.
func readmeExamples(t *testing.T, path string) []readmeExample {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	var blocks, spans []readmeExample
	// prose is the file with its fenced blocks blanked, lines kept.
	prose := make([]string, len(lines))
	fence, shell := "", false
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		trimmed := strings.TrimSpace(l)
		if fence == "" && strings.HasPrefix(trimmed, "```") {
			fence = "```"
			lang := strings.TrimSpace(strings.TrimPrefix(trimmed, "```"))
			shell = lang == "sh" || lang == "shell" || lang == "bash" || lang == "console"
			continue
		}
		if fence != "" {
			if strings.HasPrefix(trimmed, fence) {
				fence = ""
				continue
			}
			if !shell {
				continue
			}
			start := i + 1
			for strings.HasSuffix(l, `\`) && i+1 < len(lines) {
				i++
				l = strings.TrimSuffix(l, `\`) + " " + lines[i]
			}
			if e, ok := parseExample(strings.TrimPrefix(strings.TrimSpace(l), "$ "), start); ok {
				blocks = append(blocks, e)
			}
			continue
		}
		prose[i] = l
	}
	text := strings.Join(prose, "\n")
	for _, m := range codeSpan.FindAllStringSubmatchIndex(text, -1) {
		line := strings.Count(text[:m[0]], "\n") + 1
		if e, ok := parseExample(strings.Join(strings.Fields(text[m[2]:m[3]]), " "), line); ok {
			spans = append(spans, e)
		}
	}
	return append(blocks, spans...)
}

// codeSpan is an inline code span, which may run over a line break.
var codeSpan = regexp.MustCompile("`([^`]+)`")

// parseExample reads one command line as a shell would, if it runs
// trustledger. It understands quotes, backslashes, one "> FILE" and a
// trailing comment; anything else a shell would expand sets err.
func parseExample(s string, line int) (readmeExample, bool) {
	const goRun = "go run ./cmd/trustledger"
	switch {
	case strings.HasPrefix(s, goRun+" "):
		s = "trustledger" + s[len(goRun):]
	case strings.HasPrefix(s, "trustledger "):
	default:
		return readmeExample{}, false
	}
	e := readmeExample{line: line}
	words, end, err := shellWords(s)
	e.text = strings.Join(strings.Fields(s[:end]), " ")
	if err != nil {
		e.err = err
		return e, true
	}
	words = words[1:] // "trustledger"
	for i := 0; i < len(words); i++ {
		if words[i] != ">" {
			e.args = append(e.args, words[i])
			continue
		}
		if i+1 >= len(words) || e.stdoutTo != "" {
			e.err = fmt.Errorf("a redirection the test does not understand")
			return e, true
		}
		i++
		e.stdoutTo = words[i]
	}
	return e, true
}

// shellWords splits s into words like a POSIX shell, up to a comment,
// and returns where the command ends. A ">" outside quotes is a word of
// its own. Expansions, pipes and lists are refused.
func shellWords(s string) (words []string, end int, err error) {
	var w strings.Builder
	inWord := false
	flush := func() {
		if inWord {
			words = append(words, w.String())
			w.Reset()
			inWord = false
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '\t':
			flush()
		case c == '#' && !inWord:
			return words, i, nil
		case c == '>':
			flush()
			words = append(words, ">")
		case c == '\'':
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				return nil, len(s), fmt.Errorf("an unclosed quote")
			}
			w.WriteString(s[i+1 : i+1+j])
			inWord = true
			i += j + 1
		case c == '"':
			inWord = true
			for i++; ; i++ {
				if i >= len(s) {
					return nil, len(s), fmt.Errorf("an unclosed quote")
				}
				if s[i] == '"' {
					break
				}
				if s[i] == '$' || s[i] == '`' {
					return nil, len(s), fmt.Errorf("shell expansion (%c) the test does not do", s[i])
				}
				if s[i] == '\\' && i+1 < len(s) && strings.IndexByte("\"\\$`", s[i+1]) >= 0 {
					i++
				}
				w.WriteByte(s[i])
			}
		case c == '\\':
			if i+1 < len(s) {
				i++
				w.WriteByte(s[i])
				inWord = true
			}
		case strings.IndexByte("$`|&;<()*?[", c) >= 0:
			return nil, len(s), fmt.Errorf("shell syntax (%c) the test does not do", c)
		default:
			w.WriteByte(c)
			inWord = true
		}
	}
	flush()
	return words, len(s), nil
}
