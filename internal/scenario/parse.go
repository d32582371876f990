package scenario

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/engine"
)

// Limits that keep a mistyped number from turning a run into hours of work.
const (
	maxWeek      = 1040 // twenty years
	maxCount     = 1000
	maxResponses = 1_000_000
	maxFileSize  = 4 << 20
)

// Load reads and parses a scenario file. Errors name the path as given.
func Load(path string) (*Scenario, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, &trustledger.Error{Code: trustledger.ENOTFOUND, Op: "scenario load",
				Message: fmt.Sprintf("%s: no such scenario file", path), Err: err}
		}
		return nil, &trustledger.Error{Code: trustledger.EINVALID, Op: "scenario load",
			Message: fmt.Sprintf("%s: cannot read: %v", path, err), Err: err}
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, &trustledger.Error{Code: trustledger.EINVALID, Op: "scenario load",
			Message: fmt.Sprintf("%s: cannot read: %v", path, err), Err: err}
	}
	return Parse(path, data)
}

// Parse reads a scenario from data. filename is only used in messages. The
// returned error is a *trustledger.Error (EINVALID) whose message is one
// line: "file:line: what is wrong (and how to fix it)".
func Parse(filename string, data []byte) (sc *Scenario, err error) {
	p := &parser{file: filename}
	if len(data) > maxFileSize {
		return nil, p.errf(nil, "file is larger than %d MB; split the story into several scenarios", maxFileSize>>20)
	}
	doc, err := p.decode(data)
	if err != nil {
		return nil, err
	}
	return p.scenario(doc)
}

type parser struct {
	file   string
	sc     *Scenario
	people map[string]int // name → index in sc.People
}

func (p *parser) errf(n *yaml.Node, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if n != nil && n.Line > 0 {
		msg = fmt.Sprintf("%s:%d: %s", p.file, n.Line, msg)
	} else {
		msg = fmt.Sprintf("%s: %s", p.file, msg)
	}
	return &trustledger.Error{Code: trustledger.EINVALID, Op: "scenario parse", Message: msg}
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// decode parses the YAML text into its root mapping node.
func (p *parser) decode(data []byte) (root *yaml.Node, err error) {
	defer func() {
		// yaml.v3 has panicked on hostile input in the past; a scenario
		// file must never take the process down.
		if r := recover(); r != nil {
			root, err = nil, p.errf(nil, "not valid YAML")
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, p.errf(nil, "the file is empty: a scenario needs name, start, people and events")
		}
		return nil, p.yamlErr(err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, p.errf(&extra, "a second YAML document (---): put one scenario in each file")
	} else if !errors.Is(err, io.EOF) {
		return nil, p.yamlErr(err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		return nil, p.errf(&doc, "the file is empty: a scenario needs name, start, people and events")
	}
	return doc.Content[0], nil
}

func (p *parser) yamlErr(err error) error {
	msg := strings.TrimSpace(err.Error())
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i]
	}
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		if parserError(m[2]) {
			// yaml.v3 reports parser errors (not scanner errors) with a
			// zero-based line; the file's lines count from one.
			line++
		}
		return p.errf(&yaml.Node{Line: line}, "not valid YAML: %s", m[2])
	}
	return p.errf(nil, "not valid YAML: %s", strings.TrimPrefix(msg, "yaml: "))
}

// parserError reports whether msg is one of yaml.v3's parser (rather than
// scanner) errors, whose line numbers it reports one too low.
func parserError(msg string) bool {
	for _, p := range []string{
		"did not find expected <document start>", "did not find expected node content",
		"did not find expected key", "did not find expected '-' indicator",
		"did not find expected ',' or ']'", "did not find expected ',' or '}'",
	} {
		if strings.HasPrefix(msg, p) {
			return true
		}
	}
	return false
}

// describe names what a node is, for "want X, got Y" messages.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	case yaml.ScalarNode:
		if n.ShortTag() == "!!null" {
			return "nothing"
		}
		return strconv.Quote(n.Value)
	}
	return "something else"
}

// fields returns a mapping's values by key, rejecting duplicates and keys
// outside allowed.
func (p *parser) fields(n *yaml.Node, what string, allowed []string) (map[string]*yaml.Node, []string, error) {
	if n.Kind == yaml.AliasNode || n.Anchor != "" {
		return nil, nil, p.errf(n, "anchors and aliases are not supported: write %s out", what)
	}
	if n.Kind != yaml.MappingNode {
		return nil, nil, p.errf(n, "%s must be a mapping of key: value, got %s", what, describe(n))
	}
	out := make(map[string]*yaml.Node, len(n.Content)/2)
	first := make(map[string]int, len(n.Content)/2)
	order := make([]string, 0, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			return nil, nil, p.errf(k, "a key in %s must be a plain word, got %s", what, describe(k))
		}
		if v.Kind == yaml.AliasNode || v.Anchor != "" || k.Anchor != "" {
			return nil, nil, p.errf(v, "anchors and aliases are not supported: write %s out", k.Value)
		}
		if allowed != nil && !slices.Contains(allowed, k.Value) {
			return nil, nil, p.errf(k, "unknown key %q in %s%s", k.Value, what, suggest(k.Value, allowed, "known keys"))
		}
		if l, dup := first[k.Value]; dup {
			return nil, nil, p.errf(k, "%s given twice in %s (first on line %d)", k.Value, what, l)
		}
		first[k.Value] = k.Line
		out[k.Value] = v
		order = append(order, k.Value)
	}
	return out, order, nil
}

// list returns a sequence's items.
func (p *parser) list(n *yaml.Node, what string) ([]*yaml.Node, error) {
	if n.Kind == yaml.AliasNode || n.Anchor != "" {
		return nil, p.errf(n, "anchors and aliases are not supported: write %s out", what)
	}
	if n.Kind != yaml.SequenceNode {
		return nil, p.errf(n, "%s must be a list (- item per line, or [a, b]), got %s", what, describe(n))
	}
	return n.Content, nil
}

func (p *parser) str(n *yaml.Node, what string) (string, error) {
	if n.Kind == yaml.AliasNode || n.Anchor != "" {
		return "", p.errf(n, "anchors and aliases are not supported: write %s out", what)
	}
	if n.Kind != yaml.ScalarNode || n.ShortTag() == "!!null" {
		return "", p.errf(n, "%s must be a word, got %s", what, describe(n))
	}
	s := strings.TrimSpace(n.Value)
	if s == "" {
		return "", p.errf(n, "%s is empty", what)
	}
	return s, nil
}

func (p *parser) integer(n *yaml.Node, what string, lo, hi int) (int, error) {
	if n.Kind != yaml.ScalarNode || (n.ShortTag() != "!!int" && n.ShortTag() != "!!float") {
		return 0, p.errf(n, "%s must be a whole number, got %s", what, describe(n))
	}
	var f float64
	if err := n.Decode(&f); err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f != math.Trunc(f) {
		return 0, p.errf(n, "%s must be a whole number, got %s", what, describe(n))
	}
	if f < float64(lo) || f > float64(hi) {
		return 0, p.errf(n, "%s %s is out of range: want %d to %d", what, n.Value, lo, hi)
	}
	return int(f), nil
}

func (p *parser) number(n *yaml.Node, what string, lo, hi float64) (float64, error) {
	if n.Kind != yaml.ScalarNode || (n.ShortTag() != "!!int" && n.ShortTag() != "!!float") {
		return 0, p.errf(n, "%s must be a number, got %s", what, describe(n))
	}
	var f float64
	if err := n.Decode(&f); err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, p.errf(n, "%s must be a finite number, got %s", what, describe(n))
	}
	if f < lo || f > hi {
		return 0, p.errf(n, "%s %s is out of range: want %g to %g", what, n.Value, lo, hi)
	}
	return f, nil
}

func (p *parser) boolean(n *yaml.Node, what string) (bool, error) {
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" {
		return false, p.errf(n, "%s must be true or false, got %s", what, describe(n))
	}
	var b bool
	if err := n.Decode(&b); err != nil {
		return false, p.errf(n, "%s must be true or false, got %s", what, describe(n))
	}
	return b, nil
}

var (
	topKeys    = []string{"name", "start", "settings", "people", "events", "expect"}
	personKeys = []string{"name", "kind", "power"}
	eventKeys  = []string{"week", "day", "who", "kind", "count", "source", "severity", "power", "scores",
		"agreement", "responses", "repairs", "acknowledges", "offers_repair"}
	repairKeys = []string{"week", "kind"}
	expectKeys = []string{"week", "who", "quadrant", "trust_at_least", "trust_at_most", "influence_at_least",
		"influence_at_most", "power_at_least", "power_at_most", "warning"}
	dimNames   = []string{"ability", "benevolence", "integrity"}
	baseNames  = []string{"legitimate", "reward", "coercive", "informational", "expert", "referent"}
	quadrants  = []string{"influence", "compliance", "goodwill", "unanchored", "undetermined"}
	warnings   = []string{engine.WarnFearRisk, engine.WarnCommandHeavy, "none"}
	sources    = []string{"self", "system", "confirmed"}
	severities = []string{"minor", "normal", "major", "severe"}
)

func (p *parser) scenario(root *yaml.Node) (*Scenario, error) {
	f, _, err := p.fields(root, "the scenario", topKeys)
	if err != nil {
		return nil, err
	}
	for _, k := range []string{"name", "start"} {
		if f[k] == nil {
			return nil, p.errf(root, "the scenario needs %s", k)
		}
	}
	p.sc = &Scenario{File: p.file, Settings: engine.DefaultSettings()}
	if p.sc.Name, err = p.str(f["name"], "name"); err != nil {
		return nil, err
	}
	if p.sc.Start, err = p.date(f["start"]); err != nil {
		return nil, err
	}
	if n := f["settings"]; n != nil {
		if err := p.settings(n); err != nil {
			return nil, err
		}
	}
	if f["people"] == nil {
		return nil, p.errf(root, "the scenario needs people, e.g. people: [{name: Ana, kind: direct-report}]")
	}
	if err := p.peopleList(f["people"]); err != nil {
		return nil, err
	}
	if n := f["events"]; n != nil {
		items, err := p.list(n, "events")
		if err != nil {
			return nil, err
		}
		for _, it := range items {
			e, err := p.event(it)
			if err != nil {
				return nil, err
			}
			p.sc.Events = append(p.sc.Events, e)
		}
	}
	if n := f["expect"]; n != nil {
		items, err := p.list(n, "expect")
		if err != nil {
			return nil, err
		}
		for _, it := range items {
			x, err := p.expect(it)
			if err != nil {
				return nil, err
			}
			p.sc.Expect = append(p.sc.Expect, x)
		}
	}
	if p.sc.Weeks() == 0 {
		return nil, p.errf(root, "the scenario has no weeks: add events (or expect lines) with a week")
	}
	if err := p.checkRepairs(); err != nil {
		return nil, err
	}
	return p.sc, nil
}

func (p *parser) date(n *yaml.Node) (time.Time, error) {
	if n.Kind != yaml.ScalarNode || n.ShortTag() == "!!null" {
		return time.Time{}, p.errf(n, "start must be a date YYYY-MM-DD, e.g. 2026-01-05, got %s", describe(n))
	}
	t, err := time.Parse("2006-01-02", strings.TrimSpace(n.Value))
	if err != nil {
		return time.Time{}, p.errf(n, "start %q is not a date: want YYYY-MM-DD, e.g. 2026-01-05", n.Value)
	}
	if t.Year() < 1900 || t.Year() > 2200 {
		return time.Time{}, p.errf(n, "start %q is out of range: want a year from 1900 to 2200", n.Value)
	}
	return t, nil
}

func (p *parser) settings(n *yaml.Node) error {
	var names []string
	for _, si := range engine.SettingNames() {
		names = append(names, si.Name)
	}
	f, order, err := p.fields(n, "settings", nil)
	if err != nil {
		return err
	}
	lines := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		lines[n.Content[i].Value] = n.Content[i]
	}
	for _, name := range order {
		if !slices.Contains(names, name) {
			return p.errf(lines[name], "unknown setting %q%s", name, suggest(name, names, "known settings"))
		}
		v, err := p.number(f[name], "setting "+name, -math.MaxFloat64, math.MaxFloat64)
		if err != nil {
			return err
		}
		if err := p.sc.Settings.Set(name, v); err != nil {
			return p.errf(f[name], "%v", err)
		}
	}
	if err := p.sc.Settings.Validate(); err != nil {
		at := n
		for _, name := range order {
			if strings.Contains(err.Error(), name) {
				at = lines[name]
				break
			}
		}
		return p.errf(at, "%v", err)
	}
	return nil
}

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

// suggest returns " (did you mean X?)" when word is close to a candidate,
// and otherwise " (label: a, b, c)".
func suggest(word string, candidates []string, label string) string {
	best, bestD := "", -1
	lw := strings.ToLower(word)
	for _, c := range candidates {
		d := distance(lw, strings.ToLower(c))
		if bestD < 0 || d < bestD {
			best, bestD = c, d
		}
	}
	if best != "" && bestD <= max(2, utf8.RuneCountInString(word)/4) {
		return fmt.Sprintf(" (did you mean %s?)", best)
	}
	if utf8.RuneCountInString(word) >= 4 {
		for _, c := range candidates {
			if lc := strings.ToLower(c); strings.HasPrefix(lc, lw) || strings.HasPrefix(lw, lc) {
				return fmt.Sprintf(" (did you mean %s?)", c)
			}
		}
	}
	return fmt.Sprintf(" (%s: %s)", label, strings.Join(candidates, ", "))
}

// distance is the Levenshtein edit distance between a and b, in runes.
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	if len(ra) > 200 || len(rb) > 200 {
		return max(len(ra), len(rb))
	}
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
