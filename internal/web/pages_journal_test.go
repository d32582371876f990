package web

import (
	"html/template"
	"testing"
	"time"

	tl "github.com/trustledger/trustledger"
)

func TestPagesJournal(t *testing.T) {
	e := newPagesEnv(t)
	lena, omar := e.lena, e.omar
	_, err := e.app.AddJournal(e.ctx, omar.leader, 1, "Omar's private thought")
	e.must(err)

	var questions []string
	for _, q := range tl.ReflectionQuestions {
		questions = append(questions, template.HTMLEscapeString(q))
	}
	e.run(t, []pagesCase{
		{name: "no session goes to login", url: "/journal", status: 303, location: "/login"},
		{name: "this week's questions, private", url: "/journal", as: lena, status: 200,
			contains: append([]string{"<title>Journal · trustledger</title>", "Private.", "Only you can read your journal",
				"week of Mon 23 Nov 2026", "Nothing from earlier weeks yet", "A free note"}, questions...),
			excludes: []string{"Omar"}},
		{name: "empty answer", method: "POST", url: "/journal", as: lena,
			form: pagesForm("question", "2", "text", "  "), status: 422, contains: []string{"Write something first", `aria-invalid="true"`}},
		{name: "unknown question", method: "POST", url: "/journal", as: lena,
			form: pagesForm("question", "9", "text", "hello"), status: 400},
		{name: "answer", method: "POST", url: "/journal", as: lena,
			form: pagesForm("question", "2", "text", "When I cancelled the offsite\nwithout a word."), status: 303, location: "/journal",
			then: []string{"Answer kept in your journal. Only you can read it.", "<p>When I cancelled the offsite</p><p>without a word.</p>", "Add to your answer"}},
		{name: "free note", method: "POST", url: "/journal", as: lena,
			form: pagesForm("question", "0", "text", "Ask Ana about the pilot"), status: 303, location: "/journal",
			then: []string{"Note kept in your journal", "Ask Ana about the pilot"}},
		{name: "another leader cannot read it", url: "/journal", as: omar, status: 200,
			contains: []string{"Omar&#39;s private thought"}, excludes: []string{"cancelled the offsite", "Ask Ana"}},
	})

	// A week later the answers are under earlier weeks.
	e.clock.Advance(7 * 24 * time.Hour)
	e.signIn(lena)
	e.run(t, []pagesCase{
		{name: "earlier weeks", url: "/journal", as: lena, status: 200, contains: []string{
			"Week of Mon 23 Nov 2026", "week of Mon 30 Nov 2026", "When I cancelled the offsite", "Free note",
			template.HTMLEscapeString(tl.ReflectionQuestions[1]),
		}, excludes: []string{"Nothing from earlier weeks yet", "Add to your answer"}},
	})
}
