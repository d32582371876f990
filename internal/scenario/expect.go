package scenario

import (
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/trustledger/trustledger/internal/engine"
)

func (p *parser) expect(n *yaml.Node) (Expect, error) {
	x := Expect{Line: n.Line}
	f, order, err := p.fields(n, "an expect line", expectKeys)
	if err != nil {
		return x, err
	}
	if f["week"] == nil || f["who"] == nil {
		return x, p.errf(n, "an expect line needs week and who, e.g. {week: 4, who: Ana, quadrant: compliance}")
	}
	if len(order) == 2 {
		return x, p.errf(n, "this expect line checks nothing: add quadrant, warning, or a bound such as trust_at_least")
	}
	if x.Week, err = p.integer(f["week"], "week", 1, maxWeek); err != nil {
		return x, err
	}
	if x.Who, x.Team, err = p.who(f["who"]); err != nil {
		return x, err
	}
	if x.Team {
		x.Who = nil
	}
	ranges := map[Metric]float64{MetricTrust: 1, MetricInfluence: 2, MetricPower: 1}
	for _, key := range order {
		v := f[key]
		switch key {
		case "week", "who":
		case "quadrant", "warning":
			if x.Team {
				return x, p.errf(v, "the team has no %s of its own: check it per person", key)
			}
			s, err := p.str(v, key)
			if err != nil {
				return x, err
			}
			if key == "quadrant" {
				if !slices.Contains(quadrants, s) {
					return x, p.errf(v, "unknown quadrant %q%s", s, suggest(s, quadrants, "quadrants"))
				}
				x.Quadrant = engine.Quadrant(s)
			} else {
				if !slices.Contains(warnings, s) {
					return x, p.errf(v, "unknown warning %q%s", s, suggest(s, warnings, "warnings"))
				}
				x.Warning = s
			}
		default:
			metric, side, _ := strings.Cut(key, "_at_")
			m := Metric(metric)
			val, err := p.number(v, key, 0, ranges[m])
			if err != nil {
				return x, err
			}
			b := Bound{Metric: m, AtLeast: side == "least", Value: val}
			for _, o := range x.Bounds {
				if o.Metric == m && o.AtLeast != b.AtLeast {
					lo, hi := o, b
					if b.AtLeast {
						lo, hi = b, o
					}
					if lo.Value > hi.Value {
						return x, p.errf(v, "%s %g is above %s %g: no value can pass", lo.Key(), lo.Value, hi.Key(), hi.Value)
					}
				}
			}
			x.Bounds = append(x.Bounds, b)
		}
	}
	return x, nil
}
