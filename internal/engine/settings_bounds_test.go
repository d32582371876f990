package engine_test

import (
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/trustledger/trustledger/internal/engine"
)

// TestSettingBoundsDocumented: docs/MODEL.md lists every setting's bounds
// as Set enforces them, and Set refuses a value just past either bound.
func TestSettingBoundsDocumented(t *testing.T) {
	doc, err := os.ReadFile("../../docs/MODEL.md")
	if err != nil {
		t.Fatal(err)
	}
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	for _, si := range engine.SettingNames() {
		row := "| " + si.Name + " | " + f(si.Min) + " | " + f(si.Max) + " |"
		if !strings.Contains(string(doc), row) {
			t.Errorf("docs/MODEL.md does not list the bounds of %s: want the row %q under \"Bounds of the settings\"", si.Name, row)
		}
		s := engine.DefaultSettings()
		for _, v := range []float64{si.Min - 1, si.Max + 1} {
			bound := "between " + f(si.Min) + " and " + f(si.Max)
			if v < si.Min && strings.Contains(si.Name, "anonymity") || si.Name == "comments_k" && v < si.Min {
				bound = "at least " + f(si.Min) // a promise to the team, which the message explains
			}
			if err := s.Set(si.Name, v); err == nil || !strings.Contains(err.Error(), bound) {
				t.Errorf("Set(%s, %g) = %v, want a refusal that names the bounds", si.Name, v, err)
			}
		}
		if err := s.Set(si.Name, si.Max); err != nil {
			t.Errorf("Set(%s, %g), its upper bound: %v", si.Name, si.Max, err)
		}
	}
}
