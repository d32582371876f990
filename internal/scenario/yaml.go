package scenario

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/trustledger/trustledger"
)

// errf is an EINVALID error at n's line of the file; a %w operand is its
// cause.
func (p *parser) errf(n *yaml.Node, format string, args ...any) *trustledger.Error {
	e := trustledger.Errorf(trustledger.EINVALID, format, args...)
	e.Op = "scenario parse"
	if n != nil && n.Line > 0 {
		e.Message = fmt.Sprintf("%s:%d: %s", p.file, n.Line, e.Message)
	} else {
		e.Message = fmt.Sprintf("%s: %s", p.file, e.Message)
	}
	return e
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
		e := p.errf(&yaml.Node{Line: line}, "not valid YAML: %s", m[2])
		e.Err = err
		return e
	}
	e := p.errf(nil, "not valid YAML: %s", strings.TrimPrefix(msg, "yaml: "))
	e.Err = err
	return e
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
