package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	tl "github.com/trustledger/trustledger"
)

// journalPrompt is one of this week's prompts: an article question (1–3)
// or the free note (0), with this week's answers and the draft kept on a
// failed submit.
type journalPrompt struct {
	Question int
	Text     string // the question; "" for the free note
	Answers  []journalEntry
	Draft    string
	Error    string
}

// journalWeek is one earlier week's entries.
type journalWeek struct {
	WeekStart time.Time
	Entries   []journalEntry
}

// journalEntry is an entry with its question spelled out.
type journalEntry struct {
	tl.JournalEntry
	Prompt string // the question, or "" for a free note
}

// Paras splits the entry into its lines, so that what was written on
// several lines reads that way (no inline style can set white-space).
func (e journalEntry) Paras() []string {
	var out []string
	for _, l := range strings.Split(strings.ReplaceAll(e.Text, "\r\n", "\n"), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// journalPage is the data of pages_journal.html.
type journalPage struct {
	Page
	WeekStart time.Time
	Prompts   []journalPrompt // the three questions, then the free note
	Past      []journalWeek   // newest first
}

func questionText(q int) string {
	if q >= 1 && q <= len(tl.ReflectionQuestions) {
		return tl.ReflectionQuestions[q-1]
	}
	return ""
}

func (s *Server) journalData(r *http.Request) (*journalPage, error) {
	entries, err := s.svc.Journal(r.Context(), s.leader(r))
	if err != nil {
		return nil, err
	}
	ws := tl.WeekStartIn(s.now(), s.zone(r)) // the leader's week
	d := &journalPage{Page: Page{Title: "Journal", Nav: "journal"}, WeekStart: ws}
	for q := 1; q <= len(tl.ReflectionQuestions); q++ {
		d.Prompts = append(d.Prompts, journalPrompt{Question: q, Text: questionText(q)})
	}
	d.Prompts = append(d.Prompts, journalPrompt{Question: 0})
	prompt := func(q int) *journalPrompt {
		if q == 0 {
			return &d.Prompts[len(d.Prompts)-1]
		}
		return &d.Prompts[q-1]
	}
	for _, e := range entries { // newest first
		if !tl.WeekStart(e.WeekStart).Before(ws) {
			if e.Question >= 0 && e.Question <= len(tl.ReflectionQuestions) {
				p := prompt(e.Question)
				p.Answers = append(p.Answers, journalEntry{JournalEntry: e, Prompt: questionText(e.Question)})
			}
			continue
		}
		if n := len(d.Past); n == 0 || !d.Past[n-1].WeekStart.Equal(e.WeekStart) {
			d.Past = append(d.Past, journalWeek{WeekStart: e.WeekStart})
		}
		last := &d.Past[len(d.Past)-1]
		last.Entries = append(last.Entries, journalEntry{JournalEntry: e, Prompt: questionText(e.Question)})
	}
	return d, nil
}

func (s *Server) journalPage(w http.ResponseWriter, r *http.Request) {
	d, err := s.journalData(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "pages_journal.html", d)
}

// journalAdd keeps one answer or note.
func (s *Server) journalAdd(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, err)
		return
	}
	q, qerr := strconv.Atoi(strings.TrimSpace(r.PostFormValue("question")))
	if qerr != nil || q < 0 || q > len(tl.ReflectionQuestions) {
		s.fail(w, r, tl.Errorf(tl.EINVALID, "this form names no question of the journal: reload the page and try again"))
		return
	}
	text := strings.TrimSpace(r.PostFormValue("text"))
	if _, err := s.svc.AddJournal(r.Context(), s.leader(r), q, text); err != nil {
		if tl.ErrorCode(err) != tl.EINVALID {
			s.fail(w, r, err)
			return
		}
		d, derr := s.journalData(r)
		if derr != nil {
			s.fail(w, r, derr)
			return
		}
		for i := range d.Prompts {
			if d.Prompts[i].Question == q {
				d.Prompts[i].Draft, d.Prompts[i].Error = text, tl.ErrorMessage(err)
			}
		}
		s.render(w, r, http.StatusUnprocessableEntity, "pages_journal.html", d)
		return
	}
	msg := "Note kept in your journal. Only you can read it."
	if q > 0 {
		msg = "Answer kept in your journal. Only you can read it."
	}
	s.flash(w, r, msg)
	redirect(w, r, "/journal")
}
