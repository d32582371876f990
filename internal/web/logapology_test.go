package web

import (
	"context"
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/engine"
)

// TestLogOffersEveryKind compares the log page with what the CLI logs
// (`trustledger log --help` lists every kind but the measurements, which
// come from check-ins and pulses): every other kind is a choice on the
// form, and the apology has its own form, tied to a breach.
func TestLogOffersEveryKind(t *testing.T) {
	e := newEnv(t)
	lena := e.owner("Lena", "lena@example.org")
	ctx, l := context.Background(), lena.User.LeaderID
	_, err := e.app.AddPerson(ctx, l, tl.PersonInput{Name: "Ana", Kind: engine.CrossFunctional})
	must(t, err)
	_, err = e.app.Log(ctx, l, tl.EventInput{Who: "Ana", Kind: engine.KindInformationWithheld})
	must(t, err)

	w := e.do("GET", "/log", nil, lena)
	body := w.Body.String()
	if w.Code != http.StatusOK {
		t.Fatalf("GET /log: %d", w.Code)
	}
	for _, k := range engine.Kinds() {
		switch {
		case k.IsSnapshot:
			if strings.Contains(body, `value="`+string(k.Kind)+`"`) {
				t.Errorf("the form offers %s, a measurement", k.Kind)
			}
		case k.IsApology:
			for _, want := range []string{`action="/log/apology"`, `name="repairs"`, `name="acknowledges"`, `name="offers_repair"`, `name="promise_what"`} {
				if !strings.Contains(body, want) {
					t.Errorf("the apology form lacks %s", want)
				}
			}
		default:
			if !strings.Contains(body, `name="kind" value="`+string(k.Kind)+`"`) {
				t.Errorf("the form does not offer %s, which the CLI logs", k.Kind)
			}
		}
	}
	for _, want := range []string{`name="base"`, `value="legitimate"`, `name="shift"`, "Authority given or taken away"} {
		if !strings.Contains(body, want) {
			t.Errorf("the log form lacks %s", want)
		}
	}

	// Authority granted moves the base it names, by the points chosen; a
	// kind that is not about authority ignores the two fields.
	w = e.do("POST", "/log", form("who", "Ana", "kind", "authority-granted", "base", "legitimate", "shift", "2", "severity", "normal", "source", "self"), lena)
	page := e.follow(w, lena)
	if !strings.Contains(page.Body.String(), "Logged: authority granted for Ana.") {
		t.Fatalf("after authority granted:\n%s", trim(page.Body.String()))
	}
	w = e.do("POST", "/log", form("who", "Ana", "kind", "authority-removed", "base", "coercive", "shift", "1"), lena)
	e.follow(w, lena)
	w = e.do("POST", "/log", form("who", "Ana", "kind", "recognition", "base", "coercive", "shift", "3"), lena)
	e.follow(w, lena)
	people, err := e.app.People(ctx, l)
	must(t, err)
	def := engine.DefaultBases(engine.CrossFunctional)
	if got := people[0].Bases; got[engine.Legitimate] != def[engine.Legitimate]+2 || got[engine.Coercive] != def[engine.Coercive]-1 {
		t.Fatalf("bases %v, want legitimate +2 and coercive −1 from %v", got, def)
	}
	w = e.do("POST", "/log", form("who", "Ana", "kind", "authority-granted", "base", "charm", "shift", "1"), lena)
	if w.Code != http.StatusUnprocessableEntity || !strings.Contains(w.Body.String(), "unknown power base") {
		t.Fatalf("an unknown base: %d\n%s", w.Code, trim(w.Body.String()))
	}
	// The kind can be chosen by the link that opens the form.
	if b := e.do("GET", "/log?kind=dissent-invited&who=Ana", nil, lena).Body.String(); !strings.Contains(b, `value="dissent-invited" checked`) {
		t.Error("?kind= does not choose the kind")
	}
}

// TestApologyAfterBrokenPromise walks the repair on the web: a promise is
// broken, the promises page links to the apology form with that breach
// chosen, the apology is logged with both parts and an offer that becomes
// a promise, and the person's page shows what it repaired.
func TestApologyAfterBrokenPromise(t *testing.T) {
	e := newEnv(t)
	lena := e.owner("Lena", "lena@example.org")
	ctx, l := context.Background(), lena.User.LeaderID
	ben, err := e.app.AddPerson(ctx, l, tl.PersonInput{Name: "Ben", Kind: engine.DirectReport})
	must(t, err)
	_, err = e.app.AddPerson(ctx, l, tl.PersonInput{Name: "Cleo", Kind: engine.DirectReport})
	must(t, err)
	p, err := e.app.AddPromise(ctx, l, tl.PromiseInput{To: "Ben", What: "send the pilot budget", Due: start.Add(48 * time.Hour)})
	must(t, err)
	_, err = e.app.Log(ctx, l, tl.EventInput{Who: "Cleo", Kind: engine.KindDismissed})
	must(t, err)

	w := e.do("POST", "/promises/"+p.ID+"/resolve", form("outcome", "broken"), lena)
	page := e.follow(w, lena).Body.String()
	m := regexp.MustCompile(`href="/log\?repairs=([0-9A-Z]+)#apology"`).FindStringSubmatch(page)
	if m == nil || !strings.Contains(page, "an apology soon after repairs part of it") {
		t.Fatalf("the promises page has no link to the apology form:\n%s", trim(page))
	}
	breach := m[1]

	// The link opens the form with the breach chosen, the two parts as
	// checkboxes and the advice beside them.
	w = e.do("GET", "/log?repairs="+breach, nil, lena)
	form0 := w.Body.String()
	for _, want := range []string{
		`<option value="` + breach + `" selected>promise broken · Ben · `,
		`dismissed · Cleo`, // everyone's breaches without ?who=
		"I owned it", "I offered to put it right", "What makes an apology work is owning what happened",
	} {
		if !strings.Contains(form0, want) {
			t.Errorf("the apology form lacks %q", want)
		}
	}
	// ?who= narrows the choice to that person's breaches.
	if b := html.UnescapeString(apologySection(e.do("GET", "/log?who=Ben&repairs="+breach, nil, lena).Body.String())); strings.Contains(b, "dismissed · Cleo") || !strings.Contains(b, "Ben's, from the last 30 days") {
		t.Errorf("?who=Ben still offers Cleo's breach:\n%s", b)
	}
	// ?promise= chooses the breach the promise left.
	if b := e.do("GET", "/log?promise="+p.ID, nil, lena).Body.String(); !strings.Contains(b, `<option value="`+breach+`" selected>`) {
		t.Error("?promise= does not choose the broken promise's breach")
	}

	// No breach chosen: the form comes back with the message beside it.
	w = e.do("POST", "/log/apology", form("acknowledges", "1"), lena)
	if w.Code != http.StatusUnprocessableEntity || !strings.Contains(w.Body.String(), "an apology repairs one breach") {
		t.Fatalf("no breach: %d\n%s", w.Code, trim(w.Body.String()))
	}

	due := isoDate(start.AddDate(0, 0, 5))
	w = e.do("POST", "/log/apology", form("repairs", breach, "acknowledges", "1", "offers_repair", "1",
		"promise_what", "send the budget by Friday noon", "promise_due", due, "apology_note", "said sorry in our 1:1"), lena)
	if loc := w.Header().Get("Location"); loc != "/people/"+ben.ID+"#repair" {
		t.Fatalf("after the apology: %d to %q\n%s", w.Code, loc, trim(w.Body.String()))
	}
	person := html.UnescapeString(e.follow(w, lena).Body.String())
	for _, want := range []string{
		"Logged: your apology to Ben. It takes back part of the weight of the promise broken of",
		"as much as an apology can", "Your offer is now a promise due",
		`id="breach-` + breach + `"`, "Apology logged", "owning it and offering to put it right", "it took back 20% of what this breach weighs",
		`href="/moves?who=Ben"`,
	} {
		if !strings.Contains(person, want) {
			t.Errorf("Ben's page lacks %q\n%s", want, trim(person))
		}
	}
	evs, err := e.app.Events(ctx, l, tl.EventFilter{Who: "Ben", Limit: 5})
	must(t, err)
	if evs[0].Kind != engine.KindApology || evs[0].Repairs != breach || !evs[0].Acknowledges || !evs[0].OffersRepair || evs[0].Note != "said sorry in our 1:1" {
		t.Fatalf("the apology entry: %+v", evs[0])
	}
	open, err := e.app.Promises(ctx, l, tl.PromiseOpen)
	must(t, err)
	if len(open) != 1 || open[0].To != "Ben" || open[0].What != "send the budget by Friday noon" || isoDate(open[0].Due) != due {
		t.Fatalf("the offer did not become the promise: %+v", open)
	}

	// Once apologised for, the breach is no longer offered, and the
	// promises page says the apology is logged; a second one is refused.
	if b := e.do("GET", "/log?who=Ben", nil, lena).Body.String(); !strings.Contains(b, "No breach with Ben from the last 30 days is waiting for an apology") {
		t.Errorf("the apologised breach is still offered:\n%s", trim(b))
	}
	if b := e.do("GET", "/promises", nil, lena).Body.String(); !strings.Contains(b, "apology logged") || strings.Contains(b, "/log?repairs="+breach) {
		t.Error("the promises page still asks for the apology")
	}
	w = e.do("POST", "/log/apology", form("repairs", breach), lena)
	if w.Code != http.StatusUnprocessableEntity || !strings.Contains(w.Body.String(), "already has an apology") {
		t.Fatalf("a second apology: %d\n%s", w.Code, trim(w.Body.String()))
	}

	// An apology with neither part still links, and says how little it takes back.
	w = e.do("POST", "/log/apology", form("repairs", evsOf(t, e, l, "Cleo", engine.KindDismissed)), lena)
	if b := html.UnescapeString(e.follow(w, lena).Body.String()); !strings.Contains(b, "owning it and offering to put it right would take back four times as much") {
		t.Errorf("the bare apology's confirmation:\n%s", trim(b))
	}
}

// evsOf is the id of the latest entry of kind about who.
func evsOf(t *testing.T, e *env, leader, who string, kind engine.Kind) string {
	t.Helper()
	evs, err := e.app.Events(context.Background(), leader, tl.EventFilter{Who: who, Limit: 50})
	must(t, err)
	for _, ev := range evs {
		if ev.Kind == kind {
			return ev.ID
		}
	}
	t.Fatalf("no %s about %s", kind, who)
	return ""
}

// TestStepSaysWhy checks the step card: the services' sentence, the
// entries behind it linked to the person's page, the apology form for an
// apology step, and the moves page for the move.
func TestStepSaysWhy(t *testing.T) {
	e := newEnv(t)
	lena := e.owner("Lena", "lena@example.org")
	ctx, l := context.Background(), lena.User.LeaderID
	ben, err := e.app.AddPerson(ctx, l, tl.PersonInput{Name: "Ben", Kind: engine.DirectReport, Start: start.AddDate(0, 0, -60)})
	must(t, err)
	for i := range 8 {
		_, err = e.app.Log(ctx, l, tl.EventInput{Who: "Ben", Kind: engine.KindExpertiseShown, Source: engine.Confirmed, At: start.AddDate(0, 0, -50+5*i)})
		must(t, err)
	}
	broken, err := e.app.Log(ctx, l, tl.EventInput{Who: "Ben", Kind: engine.KindPromiseBroken, At: start.AddDate(0, 0, -2)})
	must(t, err)
	week, err := e.app.Week(ctx, l)
	must(t, err)
	if week.Why == nil || week.Why.Breach != broken.ID {
		t.Fatalf("week: %+v", week.Why)
	}
	body := e.do("GET", "/", nil, lena).Body.String()
	for _, want := range []string{
		html.EscapeString(week.Why.Sentence),
		`href="/people/` + ben.ID + `#e-` + broken.ID + `"`,
		`href="/people/` + ben.ID + `#why-h"`,
		`href="/log?repairs=` + broken.ID + `#apology"`,
		`href="/moves"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the step card lacks %q\n%s", want, trim(body))
		}
	}
	// The entry the card links to is on the person's page.
	if b := e.do("GET", "/people/"+ben.ID, nil, lena).Body.String(); !strings.Contains(b, `id="e-`+broken.ID+`"`) {
		t.Error("the person page has no anchor for the entry")
	}
	card := body[strings.Index(body, `id="week-h"`):strings.Index(body, `id="map-h"`)]
	for _, w := range modelWordsIn(visibleText(card)) {
		t.Errorf("the step card shows %s", w)
	}
}

// TestMovesPage checks the five moves with what the ledger shows about
// each, for everyone and for one person, reached from the step card and
// the person page.
func TestMovesPage(t *testing.T) {
	e := newEnv(t)
	lena := e.owner("Lena", "lena@example.org")
	ctx, l := context.Background(), lena.User.LeaderID
	ana, err := e.app.AddPerson(ctx, l, tl.PersonInput{Name: "Ana", Kind: engine.DirectReport})
	must(t, err)
	_, err = e.app.AddPerson(ctx, l, tl.PersonInput{Name: "Ben", Kind: engine.DirectReport})
	must(t, err)
	_, err = e.app.AddPerson(ctx, l, tl.PersonInput{Name: "Cleo", Kind: engine.Peer})
	must(t, err)
	log := func(who string, k engine.Kind, daysAgo int) {
		t.Helper()
		_, err := e.app.Log(ctx, l, tl.EventInput{Who: who, Kind: k, At: start.AddDate(0, 0, -daysAgo)})
		must(t, err)
	}
	log("Ana", engine.KindInformationShared, 3)
	log("Ana", engine.KindInformationShared, 10)
	log("Ben", engine.KindDecisionUnexplained, 4)
	log("Ben", engine.KindInformationShared, 45) // older than the month
	log("team", engine.KindDissentInvited, 2)
	log("Cleo", engine.KindDirective, 1)

	body := html.UnescapeString(e.do("GET", "/moves", nil, lena).Body.String())
	for _, want := range []string{
		"<title>The five moves · trustledger</title>",
		`id="transparency"`, "Leading with transparency", "Say why, not only what",
		"2 entries (information shared or decision explained), the latest on " + fmtDate(start.AddDate(0, 0, -3)) + " about Ana.",
		"1 went against it (decision unexplained, information withheld or deception revealed).",
		"None yet with Ben, Cleo.",
		`id="following-through"`, "none has come due yet",
		`id="empathy"`, "Orders and deadlines you set: 1.",
		`id="safety"`, "1 entry (input sought or dissent invited), the latest on " + fmtDate(start.AddDate(0, 0, -2)) + " about the whole team.",
		`id="consistency"`, "no entries yet (fair treatment).", "Nobody yet.",
		`href="/log?kind=information-shared"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/moves lacks %q\n%s", want, trim(body))
		}
	}
	for _, w := range modelWordsIn(visibleText(body)) {
		t.Errorf("/moves shows %s", w)
	}

	one := html.UnescapeString(e.do("GET", "/moves?who=Ana", nil, lena).Body.String())
	for _, want := range []string{"The five moves with Ana", "2 entries (information shared", `href="/people/` + ana.ID + `"`,
		"1 entry (input sought or dissent invited)", `href="/log?kind=information-shared&who=Ana"`} {
		if !strings.Contains(one, want) {
			t.Errorf("/moves?who=Ana lacks %q\n%s", want, trim(one))
		}
	}
	if strings.Contains(one, "decision unexplained, information withheld or deception revealed).\n") || strings.Contains(one, "1 went against it (decision unexplained") {
		t.Error("Ben's entry counts on Ana's page")
	}
	if w := e.do("GET", "/moves?who=Nobody", nil, lena); w.Code != http.StatusNotFound {
		t.Errorf("an unknown person: %d, want 404", w.Code)
	}
	// Reached from the step card and the person page.
	if b := e.do("GET", "/", nil, lena).Body.String(); !strings.Contains(b, `href="/moves`) {
		t.Error("the dashboard does not link to the moves")
	}
	if b := e.do("GET", "/people/"+ana.ID, nil, lena).Body.String(); !strings.Contains(b, `href="/moves?who=Ana"`) {
		t.Error("the person page does not link to the moves")
	}
}

// apologySection is the apology form's part of the /log page (the recent
// entries below it list everyone's).
func apologySection(page string) string {
	i := strings.Index(page, `id="apology"`)
	if i < 0 {
		return ""
	}
	j := strings.Index(page[i:], "</section>")
	if j < 0 {
		return page[i:]
	}
	return page[i : i+j]
}
