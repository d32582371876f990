package cli

import (
	"bufio"
	"encoding/json"
	"io"
	"strings"
	"text/tabwriter"
)

// Table collects rows and prints them with aligned columns, two spaces
// apart, and no trailing blanks: readable in a terminal and stable in
// golden files.
type Table struct {
	rows [][]string
}

// NewTable starts a table with its header row.
func NewTable(header ...string) *Table {
	return &Table{rows: [][]string{header}}
}

// Row adds one row. Tabs and newlines inside a cell would break the
// alignment, so they become spaces.
func (t *Table) Row(cells ...string) {
	clean := make([]string, len(cells))
	for i, c := range cells {
		clean[i] = strings.Map(func(r rune) rune {
			if r == '\t' || r == '\n' || r == '\r' {
				return ' '
			}
			return r
		}, c)
	}
	t.rows = append(t.rows, clean)
}

// Len is the number of rows below the header.
func (t *Table) Len() int { return len(t.rows) - 1 }

// Write prints the table.
func (t *Table) Write(w io.Writer) error {
	var buf strings.Builder
	tw := tabwriter.NewWriter(&buf, 0, 8, 2, ' ', 0)
	for _, r := range t.rows {
		if _, err := io.WriteString(tw, strings.Join(r, "\t")+"\n"); err != nil {
			return err
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	bw := bufio.NewWriter(w)
	for _, line := range strings.SplitAfter(buf.String(), "\n") {
		if line == "" {
			continue
		}
		bw.WriteString(strings.TrimRight(line, " \n") + "\n")
	}
	return bw.Flush()
}

// WriteJSON prints v as indented JSON with a final newline, without
// escaping <, > and & (the output is read by scripts and people, not
// embedded in HTML).
func WriteJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
