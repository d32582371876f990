package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestLeaders covers several leaders in one database: init adds them,
// commands then need --leader (or TRUSTLEDGER_LEADER), and no leader sees
// another's people.
func TestLeaders(t *testing.T) {
	s := newSession(t)
	s.dbs = []string{"./trustledger.db"}
	s.run(step{now: "2026-11-02T09:00:00Z", args: []string{"init", "--leader", "Lena"}})
	s.run(step{args: []string{"person", "add", "Ana", "--kind", "direct-report"}})
	s.run(step{args: []string{"init"}})
	s.run(step{args: []string{"init", "--leader", "lena"}})
	s.run(step{args: []string{"init", "--leader", "Omar"}})
	s.run(step{args: []string{"status"}, code: 2, err: "several leaders (Lena, Omar): pick one with --leader NAME"})
	s.run(step{args: []string{"--leader", "Omar", "status"}})
	s.run(step{args: []string{"--leader", "Omar", "explain", "Ana"}, code: 1, err: `unknown person "Ana"`})
	s.env["TRUSTLEDGER_LEADER"] = "Lena"
	s.out.WriteString("# TRUSTLEDGER_LEADER=Lena\n")
	s.run(step{args: []string{"person", "list"}})
	s.run(step{args: []string{"--leader", "Omar", "person", "list"}})
	s.golden("leaders")
}

// TestCommands covers the commands the tour leaves out: power changes,
// deactivating people, every promise outcome, skipping a step, settings,
// paging the ledger and JSON output of the lists.
func TestCommands(t *testing.T) {
	s := newSession(t)
	s.dbs = []string{"./trustledger.db"}
	s.run(step{now: "2026-11-02T09:00:00Z", args: []string{"init", "--leader", "Lena"}, quiet: true})
	s.run(step{args: []string{"team", "add", "design"}})
	s.run(step{args: []string{"person", "add", "Ana", "--kind", "direct-report"}})
	s.run(step{args: []string{"person", "add", "Omar", "--kind", "peer", "--team", "design"}})
	s.run(step{args: []string{"person", "power", "Omar", "expert=4", "referent=3"}})
	s.run(step{args: []string{"log", "Ana", "authority-granted", "--base", "referent", "--shift", "2"}})
	s.run(step{args: []string{"log", "design", "recognition", "--source", "confirmed", "--when", "monday"}})
	s.run(step{args: []string{"person", "deactivate", "Omar"}})
	s.run(step{args: []string{"log", "design", "recognition"}, code: 2, err: `team "design" has no active members`})
	s.run(step{args: []string{"person", "activate", "Omar"}})
	s.run(step{args: []string{"team", "list", "--json"}})
	s.run(step{args: []string{"promise", "add", "Ana", "draft the plan", "--due", "in 2 days"}, capture: "a"})
	s.run(step{args: []string{"promise", "add", "Ana", "book the offsite", "--due", "tomorrow"}, capture: "b"})
	s.run(step{args: []string{"promise", "add", "design", "share the brief", "--due", "wednesday"}, capture: "c"})
	s.run(step{args: []string{"promise", "renegotiate", "{c}", "--due", "next friday"}})
	s.run(step{args: []string{"promise", "broken", "{b}"}})
	s.run(step{now: "2026-11-05T12:00:00Z", args: []string{"promise", "late", "{a}"}})
	s.run(step{args: []string{"promise", "kept", "{a}"}, code: 1, err: "already kept-late"})
	s.run(step{args: []string{"promise", "list", "--status", "open"}})
	s.run(step{args: []string{"promise", "list", "--json"}})
	s.run(step{args: []string{"promise", "saydo", "--json"}})
	s.run(step{args: []string{"week"}})
	s.run(step{args: []string{"week", "skip"}})
	s.run(step{args: []string{"week", "done"}, code: 1, err: "no accepted step"})
	s.run(step{args: []string{"week", "--json"}})
	s.run(step{args: []string{"ledger", "--limit", "2"}, capture: "page", match: "--before"})
	s.run(step{args: []string{"ledger", "--limit", "2", "--before", "{page}"}})
	s.run(step{args: []string{"ledger", "Omar", "--json"}})
	s.run(step{args: []string{"journal", "list"}})
	s.run(step{args: []string{"settings"}})
	// The renegotiated promise to design breaks while nobody looks; the
	// next command says so, on stderr when stdout carries JSON.
	js := s.run(step{now: "2026-11-10T08:00:00Z", args: []string{"promise", "list", "--status", "broken", "--json"}})
	var broken []map[string]any
	if err := json.Unmarshal([]byte(js), &broken); err != nil || len(broken) != 2 {
		t.Errorf("promise list --json with a notice: %v, %d broken promises:\n%s", err, len(broken), js)
	}
	s.golden("commands")

	// The JSON of explain has the documented fields and sane numbers.
	out := s.run(step{args: []string{"explain", "Ana", "--json"}, quiet: true})
	var ex struct {
		Person struct {
			Person string         `json:"person"`
			Bases  map[string]int `json:"bases"`
		} `json:"person"`
		Assessment struct {
			Trust     float64 `json:"trust"`
			TrustLow  float64 `json:"trust_low"`
			TrustHigh float64 `json:"trust_high"`
			Quadrant  string  `json:"quadrant"`
		} `json:"assessment"`
		Dimensions []struct {
			Dimension string `json:"dimension"`
		} `json:"dimensions"`
		Top []struct {
			Kind   string  `json:"kind"`
			Weight float64 `json:"weight"`
		} `json:"weighs_most"`
		IfBroken struct {
			Trust float64 `json:"trust"`
		} `json:"if_promise_broken"`
	}
	if err := json.Unmarshal([]byte(out), &ex); err != nil {
		t.Fatalf("explain --json: %v\n%s", err, out)
	}
	a := ex.Assessment
	if ex.Person.Person != "Ana" || ex.Person.Bases["referent"] != 3 || len(ex.Dimensions) != 3 {
		t.Errorf("explain --json person or dimensions wrong: %+v", ex)
	}
	if !(a.TrustLow <= a.Trust && a.Trust <= a.TrustHigh) || a.Trust <= 0 || a.Trust >= 1 {
		t.Errorf("explain --json trust %v not inside [%v, %v]", a.Trust, a.TrustLow, a.TrustHigh)
	}
	if !(ex.IfBroken.Trust < a.Trust) {
		t.Errorf("one more broken promise does not lower trust: %v → %v", a.Trust, ex.IfBroken.Trust)
	}
	if len(ex.Top) == 0 || len(ex.Top) > maxTop {
		t.Errorf("explain lists %d entries", len(ex.Top))
	}
	for i := 1; i < len(ex.Top); i++ {
		if abs(ex.Top[i].Weight) > abs(ex.Top[i-1].Weight)+1e-9 {
			t.Errorf("entries not ordered by weight: %+v", ex.Top)
		}
	}
	if !strings.Contains(out, `"kind": "promise-broken"`) {
		t.Errorf("the broken promise is not among the entries that weigh most:\n%s", out)
	}
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}
