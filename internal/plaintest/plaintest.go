// Package plaintest finds, for tests, the words a leader, a team member or
// a coach should never have to read: the model's symbols and internal
// terms, and sentences built wrongly. The pages (internal/web's
// TestPagesSpeakPlainly), the weekly email and the services' messages are
// all read through it, so they share one list. The model's symbols and
// terms belong to docs/MODEL.md and to the advanced part of the settings
// page, where those who know the model tune it; nowhere else.
package plaintest

import (
	"fmt"
	"html"
	"regexp"
	"strings"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/engine"
)

// modelWords are the model's symbols and internal terms, as regular
// expressions matched against the text a reader sees:
//
//   - the Greek letters the model names its parameters with (θ_T, κ_I,
//     ρ_A, λ, ν, γ, Δ, σ, μ, α, β), and u_max and C_self;
//   - r_wg, the team's agreement, however it is written (rwg, r_wg, or
//     r<sub>wg</sub>, which reads "r wg");
//   - posterior and prior, the statistics behind "trust lies between";
//   - the rules that choose the week's move (R0, R1, R2, "rule R1");
//   - k, the anonymity threshold, alone ("count toward k") or as "k=5";
//   - the quadrant names that are the model's, not the article's
//     (undetermined, unanchored), and the warning command-heavy;
//   - rollup, the coaches' summary across leaders, and half-life, how
//     evidence fades;
//   - the gap threshold, the setting that decides how far authority must
//     be ahead of trust for the week's step, by its name or as the number
//     it is ("exceeds trust by 0.10").
//
// modelIdentifiers adds the identifiers the code and the CLI use: every
// setting name with an underscore (kappa_integrity), every event kind and
// promise status written with its hyphen (promise-broken, kept-late), and
// the warnings', outcomes' and counts' names. (The relationship kinds'
// identifiers are English: a skip-level report, a cross-functional
// colleague.)
var modelWords = []string{
	`[θκρλνγΔσμαβ]`, `\bu_max\b`, `\bC_self\b`,
	`(?i)\br[ _]?wg\b`,
	`(?i)\bposterior\b`, `(?i)\bprior\b`,
	`(?i)\brule R\b`, `\bR[0-9]\b`,
	`\bk\b`, `\bk=`,
	`(?i)undetermined`, `(?i)unanchored`, `(?i)command[- ]heavy`,
	`(?i)\broll-?up`, `(?i)half-life`,
	`(?i)\bgap threshold\b`, `(?i)\btrust by [0-9]*\.[0-9]`,
}

// modelIdentifiers are the identifiers described above modelWords, quoted.
func modelIdentifiers() []string {
	var out []string
	for _, si := range engine.SettingNames() {
		if strings.Contains(si.Name, "_") {
			out = append(out, `\b`+regexp.QuoteMeta(si.Name)+`\b`)
		}
	}
	var ids []string
	for _, k := range engine.Kinds() {
		ids = append(ids, string(k.Kind))
	}
	ids = append(ids, string(tl.PromiseKeptLate), engine.WarnFearRisk, engine.WarnCommandHeavy,
		"too-little-evidence", "not-recovered", tl.CountBelowK, tl.CountCommentsK)
	for _, id := range ids {
		// "self-disclosure" is also how English writes it.
		if strings.Contains(id, "-") && id != string(engine.KindSelfDisclosure) {
			out = append(out, `\b`+regexp.QuoteMeta(id)+`\b`)
		}
	}
	return out
}

// oddWords are sentences built wrongly: a team called "team" named twice
// ("Team Innovation" after a field labelled "Team" is right), a count of
// one with a plural noun, and a day of the week in lower case, as the
// services and the forms' values name it ("monday").
var oddWords = []string{
	`\b[Tt]eam team\b`,
	`\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday)s?\b`,
	`\b1 (leaders|people|answers|entries|days|weeks|settings|invitations|reactions|decisions|promises|lines|members|times|breaches|pulses|items|persons|expectations)\b`,
}

var (
	modelWordsRE []*regexp.Regexp
	oddWordsRE   []*regexp.Regexp
)

func init() {
	for _, w := range append(append([]string(nil), modelWords...), modelIdentifiers()...) {
		modelWordsRE = append(modelWordsRE, regexp.MustCompile(w))
	}
	for _, w := range oddWords {
		oddWordsRE = append(oddWordsRE, regexp.MustCompile(w))
	}
}

// ModelWordsIn lists the model words in text, each with a little of the
// text around it; none, when text speaks plainly.
func ModelWordsIn(text string) []string { return MatchesIn(modelWordsRE, text) }

// OddWordsIn lists the sentences of text built wrongly, as ModelWordsIn.
func OddWordsIn(text string) []string { return MatchesIn(oddWordsRE, text) }

// MatchesIn lists what the expressions res find in text, each word once
// with a little of the text around it.
func MatchesIn(res []*regexp.Regexp, text string) []string {
	var out []string
	seen := map[string]bool{}
	for _, re := range res {
		for _, m := range re.FindAllStringIndex(text, -1) {
			word := text[m[0]:m[1]]
			if seen[word] {
				continue // once per text is enough to find it
			}
			seen[word] = true
			from, to := max(0, m[0]-50), min(len(text), m[1]+50)
			for from > 0 && !utf8Start(text[from]) {
				from--
			}
			for to < len(text) && !utf8Start(text[to]) {
				to++
			}
			out = append(out, fmt.Sprintf("%q in …%s…", word, text[from:to]))
		}
	}
	return out
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }

// tagRE and spaceRE take a page apart into the words a reader sees.
var (
	tagRE   = regexp.MustCompile(`(?s)<[^>]*>`)
	spaceRE = regexp.MustCompile(`\s+`)
)

// VisibleText is an HTML page's text without its tags and attributes, its
// spaces collapsed: what a reader (or a screen reader) reads, the title
// and the charts' labels included.
func VisibleText(page string) string {
	return spaceRE.ReplaceAllString(html.UnescapeString(tagRE.ReplaceAllString(page, " ")), " ")
}
