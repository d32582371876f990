package engine

import "time"

func checkinSnapshot(at time.Time, ratings [NumDims]float64) Snapshot {
	snap := Snapshot{At: at, N: 1}
	for d := range NumDims {
		snap.P[d] = min(max((ratings[d]-1)/4, 0), 1)
		snap.Rwg[d] = 1
	}
	return snap
}

// scorePulse aggregates one scale (MODEL.md §12). Answers outside 1..K are
// treated as missing; a respondent with no valid answer is not counted.
// Item variances use the n−1 denominator, as R's multilevel::rwg.j does.
func scorePulse(answers [][]int, k int, reverse []bool) PulseResult {
	if k < 2 {
		return PulseResult{}
	}
	items := len(reverse)
	for _, row := range answers {
		items = max(items, len(row))
	}
	var res PulseResult
	sum := make([]float64, items)
	sumSq := make([]float64, items)
	cnt := make([]int, items)
	var total float64
	for _, row := range answers {
		var ps float64
		var pn int
		for j, x := range row {
			if x < 1 || x > k {
				continue
			}
			v := float64(x)
			if j < len(reverse) && reverse[j] {
				v = float64(k+1) - v
			}
			ps += v
			pn++
			sum[j] += v
			sumSq[j] += v * v
			cnt[j]++
		}
		if pn == 0 {
			continue
		}
		res.N++
		total += ps / float64(pn)
	}
	if res.N == 0 {
		return res
	}
	res.Mean = total / float64(res.N)
	res.P = (res.Mean - 1) / float64(k-1)

	var varSum float64
	var j int
	for i := range items {
		if cnt[i] < 2 {
			continue
		}
		n := float64(cnt[i])
		mean := sum[i] / n
		v := (sumSq[i] - n*mean*mean) / (n - 1)
		varSum += max(v, 0)
		j++
	}
	if j == 0 {
		return res // agreement cannot be measured from one answer per item
	}
	sigmaE := float64(k*k-1) / 12
	ratio := min(varSum/float64(j)/sigmaE, 1)
	J := float64(j)
	res.Rwg = J * (1 - ratio) / (J*(1-ratio) + ratio)
	return res
}
