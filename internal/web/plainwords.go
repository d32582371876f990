package web

import (
	"regexp"
	"strings"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/chart"
	"github.com/trustledger/trustledger/internal/engine"
)

// Plain words for what the model and the services name with identifiers.
// The pages speak to leaders, team members and coaches; the model's
// symbols and terms stay in docs/MODEL.md and in the advanced part of
// the settings page (plainwords_test.go reads every page for them).

// quadShort names a quadrant in a word or two, as the map does, for
// tables and legends.
func quadShort(q engine.Quadrant) string { return chart.QuadrantName(string(q)) }

// warnShort names a warning in a word or two, for tables.
func warnShort(w string) string {
	switch w {
	case engine.WarnFearRisk:
		return "fear risk"
	case engine.WarnCommandHeavy:
		return "mostly orders"
	}
	return strings.ReplaceAll(w, "-", " ")
}

// recipient names whom a promise or a decision concerns inside a
// sentence: the person (relID set), or the team in tl.TeamPhrase's words.
func recipient(relID, name string) string {
	if relID == "" {
		return tl.TeamPhrase(name)
	}
	return name
}

// promiseTo says whom a promise was made to, after its text: "to Ben",
// "to your team", "to team Platform"; or nothing when the text already
// names them ("Send Ben the budget numbers", not "… to Ben" once more).
func promiseTo(p tl.Promise) string {
	if names(p.What, p.To) {
		return ""
	}
	return "to " + recipient(p.RelationshipID, p.To)
}

// names reports whether text names who as a whole word, in any case.
func names(text, who string) bool {
	if strings.TrimSpace(who) == "" {
		return false
	}
	re, err := regexp.Compile(`(?i)(^|\P{L})` + regexp.QuoteMeta(who) + `($|\P{L})`)
	return err == nil && re.MatchString(text)
}
