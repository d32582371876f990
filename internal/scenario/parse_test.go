package scenario

import (
	"errors"
	"strings"
	"testing"

	"github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/engine"
)

// head is the valid start every bad file shares; its lines are 1–6.
const head = `name: test
start: 2026-01-05
people:
  - {name: Ana, kind: direct-report}
  - {name: Ben, kind: cross-functional}
events:
`

func TestParseErrors(t *testing.T) {
	cases := []struct {
		name, text, want string
	}{
		{"kind typo", head + "  - {week: 1, who: Ana, kind: promise-kep}\n",
			`bad.yaml:7: unknown kind "promise-kep" (did you mean promise-kept?)`},
		{"unknown person", head + "  - {week: 1, who: Anna, kind: promise-kept}\n",
			`bad.yaml:7: unknown person "Anna" (did you mean Ana?)`},
		{"unknown person far", head + "  - {week: 1, who: Zygmunt, kind: promise-kept}\n",
			`bad.yaml:7: unknown person "Zygmunt" (people: Ana, Ben, team)`},
		{"person in list", head + "  - {week: 1, who: [Ana, Bem], kind: promise-kept}\n",
			`bad.yaml:7: unknown person "Bem" (did you mean Ben?)`},
		{"person twice in who", head + "  - {week: 1, who: [Ana, Ana], kind: promise-kept}\n",
			`bad.yaml:7: Ana is listed twice in who`},
		{"team in list", head + "  - {week: 1, who: [Ana, team], kind: promise-kept}\n",
			`bad.yaml:7: team cannot be part of a list: write who: team`},
		{"unknown event key", head + "  - {week: 1, who: Ana, kind: promise-kept, sevrity: major}\n",
			`bad.yaml:7: unknown key "sevrity" in an event (did you mean severity?)`},
		{"unknown top key", "nmae: x\n" + head[len("name: test\n"):],
			`bad.yaml:1: unknown key "nmae" in the scenario (did you mean name?)`},
		{"missing name", head[len("name: test\n"):] + "  - {week: 1, who: Ana, kind: promise-kept}\n",
			`bad.yaml:1: the scenario needs name`},
		{"week zero", head + "  - {week: 0, who: Ana, kind: promise-kept}\n",
			`bad.yaml:7: week 0 is out of range: want 1 to 1040`},
		{"week text", head + "  - {week: one, who: Ana, kind: promise-kept}\n",
			`bad.yaml:7: week must be a whole number, got "one"`},
		{"week fraction", head + "  - {week: 1.5, who: Ana, kind: promise-kept}\n",
			`bad.yaml:7: week must be a whole number, got "1.5"`},
		{"day 8", head + "  - {week: 1, day: 8, who: Ana, kind: promise-kept}\n",
			`bad.yaml:7: day 8 is out of range: want 0 to 7`},
		{"source", head + "  - {week: 1, who: Ana, kind: promise-kept, source: boss}\n",
			`bad.yaml:7: unknown source "boss" (sources: self, system, confirmed)`},
		{"severity", head + "  - {week: 1, who: Ana, kind: promise-broken, severity: huge}\n",
			`bad.yaml:7: unknown severity "huge" (severities: minor, normal, major, severe)`},
		{"severity on directive", head + "  - {week: 1, who: Ana, kind: directive, severity: major}\n",
			`bad.yaml:7: severity has no effect on directive: it adds no evidence of its own`},
		{"count zero", head + "  - {week: 1, who: Ana, kind: directive, count: 0}\n",
			`bad.yaml:7: count 0 is out of range: want 1 to 1000`},
		{"dimension typo", head + "  - {week: 1, who: team, kind: pulse, agreement: 0.7,\n     scores: {ability: 0.5, benevolance: 0.5, integrity: 0.5}}\n",
			`bad.yaml:8: unknown dimension "benevolance" (did you mean benevolence?)`},
		{"score out of range", head + "  - {week: 1, who: Ana, kind: checkin, scores: {ability: 4, benevolence: 0.5, integrity: 0.5}}\n",
			`bad.yaml:7: ability 4 is out of range: want 0 to 1`},
		{"score missing", head + "  - {week: 1, who: Ana, kind: checkin, scores: {ability: 0.4, integrity: 0.5}}\n",
			`bad.yaml:7: scores needs benevolence: give ability, benevolence and integrity, each 0–1`},
		{"pulse without agreement", head + "  - {week: 1, who: team, kind: pulse, scores: {ability: 0.5, benevolence: 0.5, integrity: 0.5}}\n",
			`bad.yaml:7: pulse needs agreement: the rwg of the answers, 0–1`},
		{"agreement on checkin", head + "  - {week: 1, who: Ana, kind: checkin, agreement: 0.5, scores: {ability: 0.5, benevolence: 0.5, integrity: 0.5}}\n",
			`bad.yaml:7: agreement applies only to pulse`},
		{"scores on promise", head + "  - {week: 1, who: Ana, kind: promise-kept, scores: {ability: 1}}\n",
			`bad.yaml:7: scores apply only to pulse and checkin`},
		{"base typo", head + "  - {week: 1, who: Ana, kind: authority-granted, power: {legitmate: 4}}\n",
			`bad.yaml:7: unknown power base "legitmate" (did you mean legitimate?)`},
		{"base out of range", head + "  - {week: 1, who: Ana, kind: authority-granted, power: {legitimate: 5}}\n",
			`bad.yaml:7: legitimate 5 is out of range: want 0 to 4`},
		{"power missing", head + "  - {week: 1, who: Ana, kind: authority-removed}\n",
			`bad.yaml:7: authority-removed needs power: the bases it sets, e.g. {legitimate: 4}`},
		{"person base", "name: x\nstart: 2026-01-05\npeople:\n  - name: Ana\n    kind: peer\n    power:\n      expert: 3\n      charisma: 4\n",
			`bad.yaml:8: unknown power base "charisma" (bases: legitimate, reward, coercive, informational, expert, referent)`},
		{"relationship kind", "name: x\nstart: 2026-01-05\npeople:\n  - {name: Ana, kind: direct-reprot}\n",
			`bad.yaml:4: unknown relationship kind "direct-reprot" (did you mean direct-report?)`},
		{"person named twice", "name: x\nstart: 2026-01-05\npeople:\n  - {name: Ana, kind: peer}\n  - {name: ana, kind: peer}\n",
			`bad.yaml:5: ana is named twice (first on line 4)`},
		{"person named team", "name: x\nstart: 2026-01-05\npeople:\n  - {name: Team, kind: peer}\n",
			`bad.yaml:4: "Team" is reserved for the whole team: choose another name`},
		{"no weeks", "name: x\nstart: 2026-01-05\npeople:\n  - {name: Ana, kind: peer}\n",
			`bad.yaml:1: the scenario has no weeks: add events (or expect lines) with a week`},
		{"bad date", "name: x\nstart: 2026-13-05\npeople:\n  - {name: Ana, kind: peer}\n",
			`bad.yaml:2: start "2026-13-05" is not a date: want YYYY-MM-DD, e.g. 2026-01-05`},
		{"missing people", "name: x\nstart: 2026-01-05\n",
			`bad.yaml:1: the scenario needs people, e.g. people: [{name: Ana, kind: direct-report}]`},
		{"yaml block error", head + "  - {week: 1, who: Ana, kind: promise-kept}\n bad: indent\n",
			`bad.yaml:8: not valid YAML: did not find expected key`},
		{"yaml scanner error", head + "  - {week: 1, who: Ana, kind: \"promise-kept}\n",
			`bad.yaml:7: not valid YAML: found unexpected end of stream`},
		{"unknown setting", "name: x\nstart: 2026-01-05\nsettings:\n  half_life: 60\n",
			`bad.yaml:4: unknown setting "half_life" (did you mean half_life_days?)`},
		{"invalid setting", "name: x\nstart: 2026-01-05\nsettings:\n  half_life_days: 90\n  kappa_integrity: 0.5\n",
			`bad.yaml:5: setting kappa_integrity must be between 1 and 10, got 0.5`},
		{"setting not a number", "name: x\nstart: 2026-01-05\nsettings: {anonymity_k: many}\n",
			`bad.yaml:3: setting anonymity_k must be a number, got "many"`},
		{"integer setting", "name: x\nstart: 2026-01-05\nsettings: {anonymity_k: 5.5}\n",
			`bad.yaml:3: setting anonymity_k takes a whole number, got 5.5`},
		{"apology without repairs", head + "  - {week: 1, who: Ana, kind: apology}\n",
			`bad.yaml:7: apology needs repairs: {week: N, kind: KIND}, the breach it apologises for`},
		{"apology finds nothing", head + "  - {week: 1, who: Ana, kind: promise-broken}\n  - {week: 2, who: team, kind: apology, repairs: {week: 1, kind: promise-broken}}\n",
			`bad.yaml:8: the apology finds no promise-broken for Ben on or before week 1 to repair`},
		{"apology repairs later week", head + "  - {week: 1, who: Ana, kind: promise-broken}\n  - {week: 2, who: Ana, kind: apology, repairs: {week: 3, kind: promise-broken}}\n",
			`bad.yaml:8: repairs names week 3, after the apology's week 2`},
		{"apology repairs a builder", head + "  - {week: 2, who: Ana, kind: apology, repairs: {week: 1, kind: promise-kept}}\n",
			`bad.yaml:7: an apology repairs a breach, and promise-kept adds no negative evidence`},
		{"acknowledges not bool", head + "  - {week: 1, who: Ana, kind: promise-broken}\n  - {week: 2, who: Ana, kind: apology, repairs: {week: 1, kind: promise-broken}, acknowledges: maybe}\n",
			`bad.yaml:8: acknowledges must be true or false, got "maybe"`},
		{"duplicate key", head + "  - week: 1\n    who: Ana\n    kind: promise-kept\n    week: 2\n",
			`bad.yaml:10: week given twice in an event (first on line 7)`},
		{"event not a mapping", head + "  - promise-kept\n",
			`bad.yaml:7: an event must be a mapping of key: value, got "promise-kept"`},
		{"events not a list", "name: x\nstart: 2026-01-05\npeople:\n  - {name: Ana, kind: peer}\nevents: {week: 1}\n",
			`bad.yaml:5: events must be a list (- item per line, or [a, b]), got a mapping`},
		{"event missing kind", head + "  - {week: 1, who: Ana}\n",
			`bad.yaml:7: an event needs kind, e.g. {week: 1, who: team, kind: promise-kept}`},
		{"yaml syntax", head + "  - {week: 1, who: Ana, kind: promise-kept\n",
			`bad.yaml:7: not valid YAML: did not find expected ',' or '}'`},
		{"alias", head + "  - &a {week: 1, who: Ana, kind: promise-kept}\n  - *a\n",
			`bad.yaml:7: anchors and aliases are not supported: write an event out`},
		{"empty", "", `bad.yaml: the file is empty: a scenario needs name, start, people and events`},
		{"two documents", head + "  - {week: 1, who: Ana, kind: promise-kept}\n---\nname: y\n",
			`bad.yaml:8: a second YAML document (---): put one scenario in each file`},
		{"expect quadrant", head + "  - {week: 1, who: Ana, kind: promise-kept}\nexpect:\n  - {week: 1, who: Ana, quadrant: influense}\n",
			`bad.yaml:9: unknown quadrant "influense" (did you mean influence?)`},
		{"expect warning", head + "  - {week: 1, who: Ana, kind: promise-kept}\nexpect:\n  - {week: 1, who: Ana, warning: fear}\n",
			`bad.yaml:9: unknown warning "fear" (did you mean fear-risk?)`},
		{"expect warning far", head + "  - {week: 1, who: Ana, kind: promise-kept}\nexpect:\n  - {week: 1, who: Ana, warning: panic}\n",
			`bad.yaml:9: unknown warning "panic" (warnings: fear-risk, command-heavy, none)`},
		{"expect key", head + "  - {week: 1, who: Ana, kind: promise-kept}\nexpect:\n  - {week: 1, who: Ana, trust_atleast: 0.5}\n",
			`bad.yaml:9: unknown key "trust_atleast" in an expect line (did you mean trust_at_least?)`},
		{"expect team quadrant", head + "  - {week: 1, who: Ana, kind: promise-kept}\nexpect:\n  - {week: 1, who: team, quadrant: influence}\n",
			`bad.yaml:9: the team has no quadrant of its own: check it per person`},
		{"expect nothing", head + "  - {week: 1, who: Ana, kind: promise-kept}\nexpect:\n  - {week: 1, who: Ana}\n",
			`bad.yaml:9: this expect line checks nothing: add quadrant, warning, or a bound such as trust_at_least`},
		{"expect bound range", head + "  - {week: 1, who: Ana, kind: promise-kept}\nexpect:\n  - {week: 1, who: Ana, influence_at_most: 2.5}\n",
			`bad.yaml:9: influence_at_most 2.5 is out of range: want 0 to 2`},
		{"expect contradiction", head + "  - {week: 1, who: Ana, kind: promise-kept}\nexpect:\n  - {week: 1, who: Ana, trust_at_most: 0.4, trust_at_least: 0.6}\n",
			`bad.yaml:9: trust_at_least 0.6 is above trust_at_most 0.4: no value can pass`},
		{"nan", head + "  - {week: 1, who: team, kind: pulse, agreement: .nan, scores: {ability: 0.5, benevolence: 0.5, integrity: 0.5}}\n",
			`bad.yaml:7: agreement must be a finite number, got ".nan"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sc, err := Parse("bad.yaml", []byte(c.text))
			if err == nil {
				t.Fatalf("Parse accepted the file (%d events); want error %q", len(sc.Events), c.want)
			}
			if got := err.Error(); got != c.want {
				t.Errorf("error\n got: %s\nwant: %s", got, c.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error spans several lines: %q", err)
			}
			var te *trustledger.Error
			if !errors.As(err, &te) || te.Code != trustledger.EINVALID {
				t.Errorf("error is %T with code %q, want *trustledger.Error EINVALID", err, trustledger.ErrorCode(err))
			}
		})
	}
}

func TestParseDefaultsAndChoices(t *testing.T) {
	text := `name: choices
start: 2026-01-05
settings: {anonymity_k: 6, half_life_days: 60}
people:
  - {name: Ana, kind: direct-report, power: {coercive: 4}}
  - {name: Ben, kind: peer}
events:
  - {week: 2, who: team, kind: pulse, scores: {ability: 0.5, benevolence: 0.6, integrity: 0.7}, agreement: 0.8}
  - {week: 1, day: 0, who: Ben, kind: favouritism}
  - {week: 3, who: Ana, kind: authority-removed, power: {legitimate: 1}}
expect:
  - {week: 5, who: [Ana, Ben], trust_at_least: 0.1}
`
	sc, err := Parse("ok.yaml", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	if sc.Settings.K != 6 || sc.Settings.HalfLifeDays != 60 {
		t.Errorf("settings not applied: k %d, half-life %g", sc.Settings.K, sc.Settings.HalfLifeDays)
	}
	want := engine.DefaultBases(engine.DirectReport)
	want[engine.Coercive] = 4
	if sc.People[0].Bases != want {
		t.Errorf("Ana's bases %v, want %v", sc.People[0].Bases, want)
	}
	pulse := sc.Events[0]
	if !pulse.Team || len(pulse.Who) != 2 || pulse.Day != 1 || pulse.Count != 1 || pulse.Responses != 6 {
		t.Errorf("pulse defaults: team %v who %v day %d count %d responses %d (want team, 2 people, day 1, count 1, responses = anonymity_k 6)",
			pulse.Team, pulse.Who, pulse.Day, pulse.Count, pulse.Responses)
	}
	if pulse.Scores != [engine.NumDims]float64{0.5, 0.6, 0.7} || pulse.Agreement != 0.8 {
		t.Errorf("pulse scores %v agreement %g", pulse.Scores, pulse.Agreement)
	}
	if fav := sc.Events[1]; fav.Kind != engine.KindFavoritism || fav.Day != 0 || fav.Source != engine.Self {
		t.Errorf("favouritism alias: kind %q day %d source %v", fav.Kind, fav.Day, fav.Source)
	}
	rm := sc.Events[2]
	if !rm.SetBase[engine.Legitimate] || rm.Bases[engine.Legitimate] != 1 || rm.SetBase[engine.Reward] {
		t.Errorf("authority-removed bases %v set %v", rm.Bases, rm.SetBase)
	}
	if sc.Weeks() != 5 {
		t.Errorf("Weeks() = %d, want 5 (the expect line's week)", sc.Weeks())
	}
	if x := sc.Expect[0]; x.Line != 12 || len(x.Who) != 2 || x.Team || len(x.Bounds) != 1 || x.Bounds[0].Key() != "trust_at_least" {
		t.Errorf("expect parsed as %+v", x)
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(t.TempDir() + "/nope.yaml")
	if trustledger.ErrorCode(err) != trustledger.ENOTFOUND || !strings.Contains(err.Error(), "nope.yaml: no such scenario file") {
		t.Fatalf("Load of a missing file: %v (code %q)", err, trustledger.ErrorCode(err))
	}
}

func TestSuggest(t *testing.T) {
	if got := suggest("promise-kep", []string{"promise-kept", "promise-broken"}, "kinds"); got != " (did you mean promise-kept?)" {
		t.Errorf("suggest = %q", got)
	}
	if got := suggest("xyz", []string{"promise-kept"}, "kinds"); got != " (kinds: promise-kept)" {
		t.Errorf("suggest = %q", got)
	}
	if d := distance("kitten", "sitting"); d != 3 {
		t.Errorf("distance(kitten, sitting) = %d, want 3", d)
	}
}
