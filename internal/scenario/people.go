package scenario

import (
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/engine"
)

func (p *parser) peopleList(n *yaml.Node) error {
	items, err := p.list(n, "people")
	if err != nil {
		return err
	}
	if len(items) == 0 {
		return p.errf(n, "people is empty: name at least one person, e.g. - {name: Ana, kind: direct-report}")
	}
	p.people = make(map[string]int, len(items))
	folded := map[string]int{}
	for _, it := range items {
		f, _, err := p.fields(it, "a person", personKeys)
		if err != nil {
			return err
		}
		if f["name"] == nil {
			return p.errf(it, "a person needs a name")
		}
		name, err := p.str(f["name"], "name")
		if err != nil {
			return err
		}
		switch {
		case strings.EqualFold(name, "team"):
			return p.errf(f["name"], "%q is reserved for the whole team: choose another name", name)
		case utf8.RuneCountInString(name) > trustledger.MaxNameLength:
			return p.errf(f["name"], "name is longer than %d characters", trustledger.MaxNameLength)
		}
		if l, dup := folded[strings.ToLower(name)]; dup {
			return p.errf(f["name"], "%s is named twice (first on line %d)", name, l)
		}
		folded[strings.ToLower(name)] = f["name"].Line
		if f["kind"] == nil {
			return p.errf(it, "%s needs a kind (direct-report, skip-level, cross-functional, stakeholder or peer)", name)
		}
		ks, err := p.str(f["kind"], "kind")
		if err != nil {
			return err
		}
		kind, err := engine.ParseRelKind(ks)
		if err != nil {
			var names []string
			for _, k := range engine.RelKinds() {
				names = append(names, string(k))
			}
			return p.errf(f["kind"], "unknown relationship kind %q%s", ks, suggest(ks, names, "known kinds"))
		}
		per := Person{Name: name, Kind: kind, Bases: engine.DefaultBases(kind), Line: it.Line}
		if pn := f["power"]; pn != nil {
			vals, set, err := p.bases(pn)
			if err != nil {
				return err
			}
			for b := range engine.NumBases {
				if set[b] {
					per.Bases[b] = vals[b]
				}
			}
		}
		p.people[name] = len(p.sc.People)
		p.sc.People = append(p.sc.People, per)
	}
	return nil
}

// bases reads power: {base: 0–4, ...}.
func (p *parser) bases(n *yaml.Node) (engine.Bases, [engine.NumBases]bool, error) {
	var vals engine.Bases
	var set [engine.NumBases]bool
	f, order, err := p.fields(n, "power", nil)
	if err != nil {
		return vals, set, err
	}
	if len(order) == 0 {
		return vals, set, p.errf(n, "power is empty: give bases, e.g. {legitimate: 4}")
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		b, err := engine.ParseBase(k.Value)
		if err != nil {
			return vals, set, p.errf(k, "unknown power base %q%s", k.Value, suggest(k.Value, baseNames, "bases"))
		}
		v, err := p.integer(f[k.Value], k.Value, 0, 4)
		if err != nil {
			return vals, set, err
		}
		vals[b], set[b] = v, true
	}
	return vals, set, nil
}

// who reads a person, a list of people, or team.
func (p *parser) who(n *yaml.Node) (names []string, team bool, err error) {
	if n.Kind == yaml.ScalarNode && n.ShortTag() != "!!null" && strings.TrimSpace(n.Value) == "team" {
		for _, per := range p.sc.People {
			names = append(names, per.Name)
		}
		return names, true, nil
	}
	var items []*yaml.Node
	if n.Kind == yaml.SequenceNode {
		if n.Anchor != "" {
			return nil, false, p.errf(n, "anchors and aliases are not supported: write who out")
		}
		items = n.Content
		if len(items) == 0 {
			return nil, false, p.errf(n, "who is an empty list: name at least one person, or team")
		}
	} else {
		items = []*yaml.Node{n}
	}
	seen := map[string]bool{}
	for _, it := range items {
		s, err := p.str(it, "who")
		if err != nil {
			return nil, false, p.errf(it, "who must be a person, a list of people, or team, got %s", describe(it))
		}
		if _, ok := p.people[s]; !ok {
			if s == "team" {
				return nil, false, p.errf(it, "team cannot be part of a list: write who: team")
			}
			return nil, false, p.errf(it, "unknown person %q%s", s, p.suggestPerson(s))
		}
		if seen[s] {
			return nil, false, p.errf(it, "%s is listed twice in who", s)
		}
		seen[s] = true
		names = append(names, s)
	}
	return names, false, nil
}

func (p *parser) suggestPerson(s string) string {
	names := make([]string, 0, len(p.sc.People)+1)
	for _, per := range p.sc.People {
		names = append(names, per.Name)
	}
	names = append(names, "team")
	return suggest(s, names, "people")
}
