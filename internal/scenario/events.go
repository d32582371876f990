package scenario

import (
	"fmt"
	"slices"

	"gopkg.in/yaml.v3"

	"github.com/trustledger/trustledger/internal/engine"
)

func (p *parser) kind(n *yaml.Node) (engine.KindInfo, error) {
	s, err := p.str(n, "kind")
	if err != nil {
		return engine.KindInfo{}, err
	}
	k, err := engine.LookupKind(s)
	if err != nil {
		var names []string
		for _, ki := range engine.Kinds() {
			names = append(names, string(ki.Kind))
		}
		return engine.KindInfo{}, p.errf(n, "unknown kind %q%s", s, suggest(s, names, "known kinds"))
	}
	return k, nil
}

// negative reports whether a kind adds negative evidence an apology can
// reduce.
func negative(k engine.KindInfo) bool {
	for _, ef := range k.Effects {
		if ef.Negative {
			return true
		}
	}
	return false
}

func (p *parser) event(n *yaml.Node) (Event, error) {
	e := Event{Line: n.Line, Day: 1, Count: 1, Source: engine.Self, Severity: engine.Normal}
	f, order, err := p.fields(n, "an event", eventKeys)
	if err != nil {
		return e, err
	}
	for _, k := range []string{"week", "who", "kind"} {
		if f[k] == nil {
			return e, p.errf(n, "an event needs %s, e.g. {week: 1, who: team, kind: promise-kept}", k)
		}
	}
	ki, err := p.kind(f["kind"])
	if err != nil {
		return e, err
	}
	e.Kind = ki.Kind
	evidence := len(ki.Effects) > 0
	isPulse := ki.Kind == engine.KindPulse
	// which keys apply to this kind, and the reason when one does not
	only := func(key string) string {
		switch key {
		case "source", "severity":
			if !evidence {
				return fmt.Sprintf("%s has no effect on %s: it adds no evidence of its own", key, ki.Kind)
			}
		case "count":
			if ki.IsApology || ki.IsSnapshot || ki.IsPower {
				return fmt.Sprintf("count has no meaning for %s: write one line per occasion", ki.Kind)
			}
		case "power":
			if !ki.IsPower {
				return "power applies only to authority-granted and authority-removed (and to people)"
			}
		case "scores":
			if !ki.IsSnapshot {
				return "scores apply only to pulse and checkin"
			}
		case "agreement", "responses":
			if !isPulse {
				return key + " applies only to pulse"
			}
		case "repairs", "acknowledges", "offers_repair":
			if !ki.IsApology {
				return key + " applies only to apology"
			}
		}
		return ""
	}
	for _, key := range order {
		v := f[key]
		if why := only(key); why != "" {
			return e, p.errf(v, "%s", why)
		}
		switch key {
		case "week":
			e.Week, err = p.integer(v, "week", 1, maxWeek)
		case "day":
			e.Day, err = p.integer(v, "day", 0, 7)
		case "who":
			e.Who, e.Team, err = p.who(v)
		case "count":
			e.Count, err = p.integer(v, "count", 1, maxCount)
		case "source":
			var s string
			if s, err = p.str(v, "source"); err == nil {
				if e.Source, err = engine.ParseSource(s); err != nil {
					err = p.errf(v, "unknown source %q%s", s, suggest(s, sources, "sources"))
				}
			}
		case "severity":
			var s string
			if s, err = p.str(v, "severity"); err == nil {
				if e.Severity, err = engine.ParseSeverity(s); err != nil {
					err = p.errf(v, "unknown severity %q%s", s, suggest(s, severities, "severities"))
				}
			}
		case "power":
			e.Bases, e.SetBase, err = p.bases(v)
		case "scores":
			e.Scores, err = p.scores(v)
		case "agreement":
			e.Agreement, err = p.number(v, "agreement", 0, 1)
		case "responses":
			e.Responses, err = p.integer(v, "responses", 1, maxResponses)
		case "repairs":
			e.Repairs, err = p.repair(v)
		case "acknowledges":
			e.Acknowledges, err = p.boolean(v, "acknowledges")
		case "offers_repair":
			e.OffersRepair, err = p.boolean(v, "offers_repair")
		}
		if err != nil {
			return e, err
		}
	}
	switch {
	case ki.IsSnapshot && f["scores"] == nil:
		return e, p.errf(n, "%s needs scores: {ability: 0–1, benevolence: 0–1, integrity: 0–1}", ki.Kind)
	case isPulse && f["agreement"] == nil:
		return e, p.errf(n, "pulse needs agreement: the rwg of the answers, 0–1")
	case ki.IsPower && f["power"] == nil:
		return e, p.errf(n, "%s needs power: the bases it sets, e.g. {legitimate: 4}", ki.Kind)
	case ki.IsApology && e.Repairs == nil:
		return e, p.errf(n, "apology needs repairs: {week: N, kind: KIND}, the breach it apologises for")
	}
	if isPulse && f["responses"] == nil {
		e.Responses = p.sc.Settings.K
	}
	if e.Repairs != nil && e.Repairs.Week > e.Week {
		return e, p.errf(f["repairs"], "repairs names week %d, after the apology's week %d", e.Repairs.Week, e.Week)
	}
	return e, nil
}

func (p *parser) scores(n *yaml.Node) ([engine.NumDims]float64, error) {
	var out [engine.NumDims]float64
	f, _, err := p.fields(n, "scores", nil)
	if err != nil {
		return out, err
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		d, err := engine.ParseDim(k.Value)
		if err != nil {
			return out, p.errf(k, "unknown dimension %q%s", k.Value, suggest(k.Value, dimNames, "dimensions"))
		}
		if out[d], err = p.number(f[k.Value], k.Value, 0, 1); err != nil {
			return out, err
		}
	}
	for _, d := range dimNames {
		if f[d] == nil {
			return out, p.errf(n, "scores needs %s: give ability, benevolence and integrity, each 0–1", d)
		}
	}
	return out, nil
}

func (p *parser) repair(n *yaml.Node) (*Repair, error) {
	f, _, err := p.fields(n, "repairs", repairKeys)
	if err != nil {
		return nil, err
	}
	if f["week"] == nil || f["kind"] == nil {
		return nil, p.errf(n, "repairs needs week and kind, e.g. {week: 6, kind: promise-broken}")
	}
	r := &Repair{}
	if r.Week, err = p.integer(f["week"], "week", 1, maxWeek); err != nil {
		return nil, err
	}
	ki, err := p.kind(f["kind"])
	if err != nil {
		return nil, err
	}
	if !negative(ki) {
		return nil, p.errf(f["kind"], "an apology repairs a breach, and %s adds no negative evidence", ki.Kind)
	}
	r.Kind = ki.Kind
	return r, nil
}

// checkRepairs makes sure every apology finds the breach it names for each
// of its people, as Run will look it up.
func (p *parser) checkRepairs() error {
	order := timeline(p.sc.Events)
	pos := make([]int, len(order))
	for i, idx := range order {
		pos[idx] = i
	}
	for i, e := range p.sc.Events {
		if e.Repairs == nil {
			continue
		}
		for _, who := range e.Who {
			found := false
			for j, b := range p.sc.Events {
				if pos[j] < pos[i] && b.Kind == e.Repairs.Kind && b.Week <= e.Repairs.Week && slices.Contains(b.Who, who) {
					found = true
					break
				}
			}
			if !found {
				return p.errf(&yaml.Node{Line: e.Line}, "the apology finds no %s for %s on or before week %d to repair",
					e.Repairs.Kind, who, e.Repairs.Week)
			}
		}
	}
	return nil
}
