package app

import (
	"maps"
	"testing"

	tl "github.com/trustledger/trustledger"
)

// FuzzAnswers: decoding never panics, and whatever checkAnswers accepts
// survives a round trip through the stored form unchanged.
func FuzzAnswers(f *testing.F) {
	for _, s := range []string{"a1=4;b2=5", "o1=3", "", "a1=;=4;;x", "s1=1;s1=5", "a1=99999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m := decodeAnswers(s)
		if checkAnswers(m, false) != nil {
			return
		}
		for id := range m {
			if !slicesContainsItem(tl.PulseItems, id) {
				t.Fatalf("accepted unknown item %q", id)
			}
		}
		if back := decodeAnswers(encodeAnswers(m)); !maps.Equal(back, m) {
			t.Fatalf("%q: %v → %v", s, m, back)
		}
	})
}
