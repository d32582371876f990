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
