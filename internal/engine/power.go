package engine

import (
	"fmt"
	"strings"
)

var baseNames = [NumBases]string{"legitimate", "reward", "coercive", "informational", "expert", "referent"}

func parseBase(name string) (Base, error) {
	for i, n := range baseNames {
		if n == name {
			return Base(i), nil
		}
	}
	return 0, fmt.Errorf("unknown power base %q (want %s)", name, strings.Join(baseNames[:], ", "))
}

func baseString(b Base) string {
	if b < 0 || int(b) >= NumBases {
		return fmt.Sprintf("base(%d)", int(b))
	}
	return baseNames[b]
}

func parseRelKind(name string) (RelKind, error) {
	for _, k := range RelKinds() {
		if string(k) == name {
			return k, nil
		}
	}
	names := make([]string, 0, 5)
	for _, k := range RelKinds() {
		names = append(names, string(k))
	}
	return "", fmt.Errorf("unknown relationship kind %q (want %s)", name, strings.Join(names, ", "))
}

// defaultBases are the profiles of MODEL.md §7 as (leg, rew, coe, inf,
// exp, ref). An unknown kind gets the all-zero profile.
func defaultBases(k RelKind) Bases {
	switch k {
	case DirectReport:
		return Bases{4, 3, 2, 3, 2, 1}
	case SkipLevel:
		return Bases{3, 2, 2, 2, 1, 1}
	case CrossFunctional:
		return Bases{2, 1, 1, 2, 2, 1}
	case Stakeholder:
		return Bases{1, 1, 0, 1, 2, 1}
	case Peer:
		return Bases{0, 0, 0, 1, 2, 1}
	}
	return Bases{}
}

func clampBase(v int) int { return min(max(v, 0), 4) }

func (b Bases) authority() float64 {
	return float64(clampBase(b[Legitimate])+clampBase(b[Reward])+clampBase(b[Coercive])+clampBase(b[Informational])) / 16
}

func (b Bases) personal() float64 {
	return float64(clampBase(b[Expert])+clampBase(b[Referent])) / 8
}

func (b Bases) power() float64 {
	sum := 0
	for _, v := range b {
		sum += clampBase(v)
	}
	return float64(sum) / 24
}

func (b Bases) shift(base Base, delta int) Bases {
	if base < 0 || int(base) >= NumBases {
		return b
	}
	b[base] = clampBase(b[base] + delta)
	return b
}
