package scenario

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// WriteTable prints the run as a readable weekly table: one row per
// relationship with power, trust and its 80% interval, influence, quadrant
// and warnings, a row of team averages, and the week's one step. Columns
// are aligned across all weeks so the eye can follow one person down.
func WriteTable(w io.Writer, r *Result) error {
	type line struct {
		cells []string // a table row, or nil for a free line
		text  string
	}
	var lines []line
	row := func(cells ...string) { lines = append(lines, line{cells: cells}) }
	free := func(text string) { lines = append(lines, line{text: text}) }

	row("week", "end", "person", "power", "trust [low–high]", "influence", "quadrant", "warnings")
	for _, wk := range r.Weeks {
		for i, rel := range wk.Relationships {
			week, end := "", ""
			if i == 0 {
				week, end = fmt.Sprint(wk.Week), wk.End
			}
			row(week, end, rel.Person, fmt.Sprintf("%.3f", rel.Power),
				fmt.Sprintf("%.3f [%.2f–%.2f]", rel.Trust, rel.TrustLow, rel.TrustHigh),
				fmt.Sprintf("%.3f", rel.Influence), rel.Quadrant, strings.Join(rel.Warnings, ", "))
		}
		if len(wk.Relationships) > 1 {
			t := wk.Team
			row("", "", "team (average)", fmt.Sprintf("%.3f", t.Power),
				fmt.Sprintf("%.3f [%.2f–%.2f]", t.Trust, t.TrustLow, t.TrustHigh), fmt.Sprintf("%.3f", t.Influence), "", "")
		}
		if wk.Step != nil {
			free(fmt.Sprintf("step: %s, %s, %s: %s", wk.Step.Person, wk.Step.Dimension, wk.Step.Move, wk.Step.Text))
		} else {
			free("step: none (no relationship where authority exceeds trust by the gap threshold)")
		}
	}

	var widths []int
	for _, l := range lines {
		for i, c := range l.cells {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	indent := 0
	if len(widths) > 2 {
		indent = widths[0] + widths[1] + 4
	}

	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "%s\n\n", r.Scenario)
	for _, l := range lines {
		if l.cells == nil {
			fmt.Fprintf(bw, "%s%s\n\n", strings.Repeat(" ", indent), l.text)
			continue
		}
		var sb strings.Builder
		for i, c := range l.cells {
			sb.WriteString(c)
			if i < len(l.cells)-1 {
				sb.WriteString(strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c)+2))
			}
		}
		fmt.Fprintln(bw, strings.TrimRight(sb.String(), " "))
	}
	return bw.Flush()
}
