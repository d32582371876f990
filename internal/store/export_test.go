package store

import "context"

// BatchForTest runs one write per leader in leaders, each fn, as one batch
// of a lane, and reports each write's error and whether the batch put it
// off to the lane's next batch instead of running it.
func (db *DB) BatchForTest(ctx context.Context, leaders []string, fn func(tx *Tx) error) (errs []error, putOff []bool) {
	var batch []*writeReq
	for _, l := range leaders {
		batch = append(batch, &writeReq{ctx: ctx, fn: fn, done: make(chan writeResult, 1), leader: l})
	}
	carried := db.runBatch(batch)
	for _, r := range batch {
		select {
		case res := <-r.done:
			errs, putOff = append(errs, res.err), append(putOff, false)
		default:
			errs, putOff = append(errs, nil), append(putOff, true)
		}
	}
	if n := len(carried); n != countTrue(putOff) {
		panic("the writes carried are not the writes put off")
	}
	return errs, putOff
}

func countTrue(bs []bool) int {
	n := 0
	for _, b := range bs {
		if b {
			n++
		}
	}
	return n
}
