package web

import (
	"fmt"
	"strings"
	"testing"

	tl "github.com/trustledger/trustledger"
)

// TestFormsTakeTheServicesLimits: a form offers what the service takes
// (its maxlength is the service's limit, the one the API's schema
// states), and what the service refuses comes back beside the field it
// names, with the input kept, without the page checking it again.
func TestFormsTakeTheServicesLimits(t *testing.T) {
	e := newPagesEnv(t)
	lena := e.lena
	e.pagesPeople()
	maxlength := func(n int) string { return fmt.Sprintf(`maxlength="%d"`, n) }
	over := strings.Repeat("x", tl.MaxTextLength+1)
	e.run(t, []pagesCase{
		{name: "decisions", url: "/decisions", as: lena, status: 200,
			contains: []string{`name="what" type="text" value="" ` + maxlength(tl.MaxTextLength), `name="why" ` + maxlength(tl.MaxTextLength)}},
		{name: "promises", url: "/promises", as: lena, status: 200, contains: []string{maxlength(tl.MaxTextLength)}},
		{name: "the log's note", url: "/log", as: lena, status: 200, contains: []string{`name="note" ` + maxlength(tl.MaxNoteLength)}},
		{name: "the journal", url: "/journal", as: lena, status: 200, contains: []string{maxlength(tl.MaxNoteLength)}},
		{name: "a 600-character decision, which the API takes too", method: "POST", url: "/decisions", as: lena,
			form: pagesForm("what", strings.Repeat("d", 600), "affects", "Ana"), status: 303, location: "/decisions"},
		{name: "one character over: the service's message beside what", method: "POST", url: "/decisions", as: lena,
			form:   pagesForm("what", over, "why", "because", "affects", "Ana"),
			status: 422, contains: []string{`id="decision-what" name="what" type="text" value="` + over + `" ` + maxlength(tl.MaxTextLength) + ` required aria-invalid="true"`,
				fmt.Sprintf("may have at most %d characters", tl.MaxTextLength)}},
		{name: "a why one over: beside the why", method: "POST", url: "/decisions", as: lena,
			form:   pagesForm("what", "Hire", "why", over, "affects", "Ana"),
			status: 422, contains: []string{`name="why" ` + maxlength(tl.MaxTextLength) + ` aria-invalid="true"`}},
	})
}
