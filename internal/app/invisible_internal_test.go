package app

import (
	"strings"
	"testing"

	tl "github.com/trustledger/trustledger"
)

// TestTextRefusesInvisibleCharacters checks that names and free text
// refuse bidirectional controls and invisible characters, which make
// "Ana\u202Egnp.exe" read as something else, and say which and where.
func TestTextRefusesInvisibleCharacters(t *testing.T) {
	for _, c := range []struct {
		in   string
		want string
	}{
		{"Ana\u202Eevil", "U+202E (right-to-left override) at character 4"},
		{"\u202AAna", "U+202A"},
		{"An\u2066a", "U+2066"},
		{"Ana\u2069", "U+2069"},
		{"A\u200Bna", "U+200B (zero-width space) at character 2"},
		{"Ana\u200F", "U+200F"},
		{"\uFEFFAna", "U+FEFF"},
		{"An\u00ADa", "U+00AD"},
		{"Ana\u2028Lima", "U+2028"},
		{"Ana\u061CLima", "U+061C"},
	} {
		_, err := cleanName("person", c.in)
		if tl.ErrorCode(err) != tl.EINVALID || !strings.Contains(tl.ErrorMessage(err), c.want) {
			t.Errorf("cleanName(%q) = %v, want EINVALID saying %q", c.in, err, c.want)
		}
		_, err = cleanText("note", c.in, 100)
		if tl.ErrorCode(err) != tl.EINVALID || !strings.Contains(tl.ErrorMessage(err), c.want) {
			t.Errorf("cleanText(%q) = %v, want EINVALID saying %q", c.in, err, c.want)
		}
		_, err = checkText("the promise", c.in, 100)
		if tl.ErrorCode(err) != tl.EINVALID || !strings.Contains(tl.ErrorMessage(err), c.want) {
			t.Errorf("checkText(%q) = %v, want EINVALID saying %q", c.in, err, c.want)
		}
	}
	for _, ok := range []string{"Ana María", "Zoë O'Brien-Łukasiewicz", "李小龍", "محمد", "Ana 🙂"} {
		if got, err := cleanName("person", ok); err != nil || got != ok {
			t.Errorf("cleanName(%q) = %q, %v", ok, got, err)
		}
	}
	if got, err := cleanText("note", "two\nlines\tand a tab", 100); err != nil || got != "two\nlines\tand a tab" {
		t.Errorf("cleanText keeps line breaks and tabs: %q, %v", got, err)
	}
}

// TestTextRefusesControlCharacters: a NUL or another control character,
// or bytes that are not UTF-8, in free text are refused on every database
// alike (PostgreSQL cannot store a NUL; SQLite kept it). Tabs and line
// breaks stay.
func TestTextRefusesControlCharacters(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Ana\x00Lima", "U+0000 at character 4"},
		{"Ana\x1bLima", "U+001B"},
		{"Ana\u0085Lima", "U+0085"},
		{"Ana\xffLima", "not UTF-8"},
	} {
		_, err := checkText("the promise", c.in, 100)
		if tl.ErrorCode(err) != tl.EINVALID || !strings.Contains(tl.ErrorMessage(err), c.want) {
			t.Errorf("checkText(%q) = %v, want EINVALID saying %q", c.in, err, c.want)
		}
	}
	for _, ok := range []string{"one\ttwo", "line one\nline two", "windows\r\nline"} {
		if _, err := checkText("the promise", ok, 100); err != nil {
			t.Errorf("checkText(%q) = %v, want it kept", ok, err)
		}
	}
}
