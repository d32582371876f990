package scenario

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strings"
	"time"

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
			return p.errf(f[name], "%w", err)
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
		return p.errf(at, "%w", err)
	}
	return nil
}
