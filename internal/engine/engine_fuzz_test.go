package engine

import (
	"math"
	"testing"
)

func FuzzLookupKind(f *testing.F) {
	for _, k := range kindTable {
		f.Add(string(k.Kind))
	}
	f.Add("favouritism")
	f.Add("")
	f.Fuzz(func(t *testing.T, name string) {
		k, err := LookupKind(name)
		if err == nil {
			if _, ok := kindInfo(k.Kind); !ok {
				t.Fatalf("LookupKind(%q) returned unknown %q", name, k.Kind)
			}
		}
		if _, err := ParseBase(name); err == nil && baseString(mustBase(name)) != name {
			t.Fatalf("ParseBase(%q) does not round-trip", name)
		}
	})
}

func mustBase(name string) Base { b, _ := ParseBase(name); return b }

func FuzzScorePulse(f *testing.F) {
	f.Add([]byte{4, 4, 5, 4, 3, 4, 4, 5, 5, 4, 4, 4}, uint8(5), uint8(2))
	f.Add([]byte{1, 5, 5, 1}, uint8(5), uint8(2))
	f.Add([]byte{2, 6, 3, 6, 2, 5, 6, 3, 5, 2, 5, 3, 6, 5}, uint8(7), uint8(7))
	f.Fuzz(func(t *testing.T, raw []byte, k, items uint8) {
		if items == 0 || int(items) > 12 || k > 11 {
			return
		}
		var ans [][]int
		for i := 0; i+int(items) <= len(raw); i += int(items) {
			row := make([]int, items)
			for j := range row {
				row[j] = int(raw[i+j])
			}
			ans = append(ans, row)
		}
		rev := make([]bool, items)
		rev[0] = true
		res := ScorePulse(ans, int(k), rev)
		for _, v := range []float64{res.Mean, res.P, res.Rwg} {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("non-finite result %+v", res)
			}
		}
		if res.Rwg < 0 || res.Rwg > 1 || (res.N > 0 && (res.P < 0 || res.P > 1)) {
			t.Fatalf("out of range %+v", res)
		}
	})
}
