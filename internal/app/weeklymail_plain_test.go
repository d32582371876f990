package app_test

import (
	"strings"
	"testing"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/plaintest"
)

// TestWeeklyMailSpeaksPlainly: the weekly email is a page its leader
// reads, and speaks as the pages do (internal/plaintest, which
// internal/web's TestPagesSpeakPlainly reads every page with): its
// subject, its text and its HTML's visible words hold none of the model's
// symbols or internal terms and no sentence built wrongly. It is read
// with everything in it (a step and why, promises overdue and due this
// week, a check-in answer, a released pulse), the week after with no step
// and why not, and in the reminder on the morning a promise falls due.
func TestWeeklyMailSpeaksPlainly(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		w := e.weekBefore()
		post := newPostman(t, e, e.app, nil)
		post.deliver("lena@example.org")
		read := func(what string, parts ...string) {
			t.Helper()
			got := post.deliver("lena@example.org")
			if len(got) != 1 {
				t.Fatalf("%s: %d letters to Lena, want 1", what, len(got))
			}
			l := got[0]
			for _, part := range parts {
				if !strings.Contains(l.Text, part) {
					t.Errorf("%s lacks %q, so is not read with it:\n%s", what, part, l.Text)
				}
			}
			for name, text := range map[string]string{"subject": l.Subject, "text": l.Text, "HTML": plaintest.VisibleText(l.HTML)} {
				for _, w := range append(plaintest.ModelWordsIn(text), plaintest.OddWordsIn(text)...) {
					t.Errorf("%s, its %s: %s", what, name, w)
				}
			}
		}

		e.tickAt(monday)
		read("the weekly email", "This week's step", "Why: ", "Overdue: ", "Due Wednesday 25 March", "answered your check-in", "Pulse results for your team")

		// Lena keeps her promises, one late, and takes the step on and
		// does it; the next Monday it is given time, and nobody else
		// needs one.
		lid := w.u.LeaderID
		keep := func(what string) {
			t.Helper()
			for _, p := range must(e.app.Promises(e.ctx, lid, tl.PromiseOpen))(t) {
				if p.What == what {
					must(e.app.ResolvePromise(e.ctx, lid, p.ID, tl.PromiseKept, time.Time{}))(t)
					return
				}
			}
			t.Fatalf("no open promise %q", what)
		}
		keep("send the <budget> & plan")
		if _, _, err := e.app.AcceptStep(e.ctx, lid); err != nil {
			t.Fatal(err)
		}
		e.tickAt(time.Date(2026, 3, 25, 8, 0, 0, 0, time.UTC))
		read("the reminder on the morning a promise falls due", "review the roadmap")
		keep("review the roadmap")
		must(e.app.CloseStep(e.ctx, lid, tl.StepDone))(t)
		e.tickAt(monday.AddDate(0, 0, 7))
		read("the next weekly email", "No step this week: ", "Due Wednesday 1 April")
	})
}
