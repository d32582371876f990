package web

import (
	"context"
	"html"
	"math"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/engine"
)

// mapPoints reads the dashboard map's points from a page: person → the
// numbers of its hover title.
type mapReading struct {
	Power, Trust float64
	Quadrant     string // as the title names it: "influence", "too early to tell"
}

var mapTitle = regexp.MustCompile(`<title>([^<]+) — power ([0-9.]+), trust ([0-9.]+)[^,<]*, ([a-z ]+)</title>`)

func mapPoints(t *testing.T, body string) map[string]mapReading {
	t.Helper()
	start := strings.Index(body, `<svg`)
	end := strings.Index(body, `</svg>`)
	if start < 0 || end < start {
		t.Fatalf("no map on the page")
	}
	out := map[string]mapReading{}
	for _, m := range mapTitle.FindAllStringSubmatch(body[start:end], -1) {
		p, _ := strconv.ParseFloat(m[2], 64)
		e, _ := strconv.ParseFloat(m[3], 64)
		out[html.UnescapeString(m[1])] = mapReading{Power: p, Trust: e, Quadrant: m[4]}
	}
	return out
}

// hrefOf is the link of the element with the given id, unescaped.
func hrefOf(body, id string) string {
	m := regexp.MustCompile(`<a href="([^"]*)"[^>]*id="` + id + `"`).FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return html.UnescapeString(m[1])
}

// TestDashboardMapStepsThroughWeeks: the leader steps back through the
// weeks with plain links (no script), and the map of an earlier week is
// the map as it stood then: the trend chart's reading of trust, the power
// the ledger records for then, and only the people already added.
func TestDashboardMapStepsThroughWeeks(t *testing.T) {
	e := newEnv(t)
	lena := e.owner("Lena", "lena@example.org")
	ctx, l := context.Background(), lena.User.LeaderID
	thisWeek := tl.WeekStart(start)
	_, err := e.app.AddPerson(ctx, l, tl.PersonInput{Name: "Ana", Kind: engine.DirectReport, Start: start.AddDate(0, 0, -100),
		Power: map[string]int{"legitimate": 4, "reward": 4, "coercive": 4, "informational": 4}})
	must(t, err)
	// Ten weeks of orders and brush-offs, then five of promises kept and
	// decisions explained; three weeks ago Lena gave up coercive power.
	for k := 13; k >= 1; k-- {
		at := start.AddDate(0, 0, -7*k)
		kinds := []engine.Kind{engine.KindDismissed, engine.KindDecisionUnexplained}
		if k > 10 {
			kinds = []engine.Kind{engine.KindDirective}
		}
		if k <= 5 {
			kinds = []engine.Kind{engine.KindPromiseKept, engine.KindDecisionExplained, engine.KindPersonValued,
				engine.KindRecognition, engine.KindInputSought, engine.KindPromiseKept, engine.KindExpertiseShown}
		}
		for i, kind := range kinds {
			_, err := e.app.Log(ctx, l, tl.EventInput{Who: "Ana", Kind: kind, At: at.Add(time.Duration(i) * time.Hour), Source: engine.Confirmed})
			must(t, err)
		}
	}
	_, err = e.app.Log(ctx, l, tl.EventInput{Who: "Ana", Kind: engine.KindAuthorityRemoved, At: start.AddDate(0, 0, -21), Base: "coercive", Shift: 3})
	must(t, err)
	// Ben arrived a fortnight ago.
	_, err = e.app.AddPerson(ctx, l, tl.PersonInput{Name: "Ben", Kind: engine.Peer, Start: start.AddDate(0, 0, -14)})
	must(t, err)

	get := func(target string, status int) string {
		t.Helper()
		w := e.do("GET", target, nil, lena)
		if w.Code != status {
			t.Fatalf("GET %s: %d, want %d\n%s", target, w.Code, status, trim(w.Body.String()))
		}
		return w.Body.String()
	}

	// This week: the map now, one rule explained, and a link to the week
	// before; nothing later.
	now := get("/", http.StatusOK)
	for _, want := range []string{`id="map"`, "There is no diagonal", "This week", `rel="prev"`} {
		if !strings.Contains(now, want) {
			t.Errorf("the dashboard lacks %q", want)
		}
	}
	if strings.Contains(now, `id="map-later"`) || strings.Contains(now, "tl-diagonal") {
		t.Errorf("this week's map offers a later week or draws a diagonal")
	}
	if got, want := hrefOf(now, "map-earlier"), "/?week="+isoDate(thisWeek.AddDate(0, 0, -7))+"#map"; got != want {
		t.Fatalf("earlier week links to %q, want %q", got, want)
	}
	cur := mapPoints(t, now)
	if cur["Ana"].Quadrant != "influence" || cur["Ben"].Quadrant == "" {
		t.Fatalf("this week's map: %+v, want Ana in influence and Ben on it", cur)
	}

	// Eight weeks ago, through the links alone: Ana was where power
	// outpaced trust, with the power she had then, and Ben was not there.
	page := now
	for range 8 {
		link := hrefOf(page, "map-earlier")
		if link == "" {
			t.Fatalf("no earlier week link")
		}
		page = get(strings.TrimSuffix(link, "#map"), http.StatusOK)
	}
	monday := thisWeek.AddDate(0, 0, -56)
	for _, want := range []string{"Week of " + fmtDate(monday), "As it stood at the end of " + fmtDate(monday.AddDate(0, 0, 6)), `id="map-later"`, `id="map-now"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the map of eight weeks ago lacks %q", want)
		}
	}
	past := mapPoints(t, page)
	if _, ok := past["Ben"]; ok {
		t.Errorf("Ben is on the map of a week before he was added: %+v", past)
	}
	ana := past["Ana"]
	if ana.Quadrant != "compliance" || !(ana.Trust < cur["Ana"].Trust-0.1) || !(ana.Power > cur["Ana"].Power) {
		t.Errorf("Ana eight weeks ago %+v, now %+v: want compliance, lower trust and more power then", ana, cur["Ana"])
	}
	if want := cur["Ana"].Power + 3.0/24; math.Abs(ana.Power-want) > 0.006 {
		t.Errorf("Ana's power eight weeks ago %.2f, want %.2f (before coercive power was given up)", ana.Power, want)
	}
	// The same reading as the trend chart on her page.
	hist, err := e.srv.trustHistory(ctx, l, mustExplain(t, e, l))
	must(t, err)
	found := false
	for _, p := range hist {
		if p.At.Equal(monday.AddDate(0, 0, 7).Add(-time.Millisecond)) {
			found = true
			if math.Abs(p.E-ana.Trust) > 0.006 {
				t.Errorf("the map says trust %.2f, the trend chart %.2f", ana.Trust, p.E)
			}
		}
	}
	if !found {
		t.Errorf("no trend reading at the end of the week of %s", isoDate(monday))
	}
	// The later link goes back a week at a time; "this week" goes home.
	if got, want := hrefOf(page, "map-later"), "/?week="+isoDate(monday.AddDate(0, 0, 7))+"#map"; got != want {
		t.Errorf("later week links to %q, want %q", got, want)
	}
	if got := hrefOf(page, "map-now"); got != "/#map" {
		t.Errorf("this week links to %q", got)
	}
	last := get("/?week="+isoDate(thisWeek.AddDate(0, 0, -5)), http.StatusOK) // any day of the week
	if got := hrefOf(last, "map-later"); got != "/#map" {
		t.Errorf("from last week, the later week is %q, want this week's map", got)
	}

	// Ana started 100 days ago: the first week kept is hers, with no
	// earlier link; a date before it, or after this week, is clamped.
	first := tl.WeekStart(start.AddDate(0, 0, -100))
	for _, q := range []string{isoDate(first), "2001-01-01"} {
		p := get("/?week="+q, http.StatusOK)
		if !strings.Contains(p, "Week of "+fmtDate(first)) || strings.Contains(p, `id="map-earlier"`) {
			t.Errorf("?week=%s: want the week of %s and no earlier link", q, isoDate(first))
		}
	}
	if p := get("/?week=2099-01-01", http.StatusOK); strings.Contains(p, `id="map-later"`) || strings.Contains(p, "Week of ") {
		t.Errorf("a week after this one is not this week's map")
	}
	get("/?week=last+tuesday", http.StatusBadRequest)

	// The quadrant lines follow the leader's thresholds.
	must(t, e.app.SetSetting(ctx, l, "trust_threshold", 0.6))
	if p := get("/", http.StatusOK); !strings.Contains(p, `class="tl-quadrant-line" d="M298 416V16`) {
		t.Errorf("the quadrant line is not at the trust threshold 0.6:\n%s", trim(p[strings.Index(p, "<svg"):]))
	}
}
