package chart

import "math"

// Layout of text without a browser: the server cannot measure text, so
// labels that must not collide are placed with boxes estimated from font
// metrics. The estimate is DejaVu Sans's (the widest face of the chart's
// font stack, and the one Debian's Chromium uses), so in narrower faces
// (system-ui on macOS and Windows) the real text is smaller than its box
// and boxes that do not overlap leave text that does not overlap.

// dejaVuASCII is the advance of the printable ASCII characters (space to
// '~') in DejaVu Sans, in thousandths of an em.
var dejaVuASCII = [95]uint16{
	318, 401, 460, 838, 636, 950, 780, 275, 390, 390, 500, 838, 318, 361, 318, 337, // space … /
	636, 636, 636, 636, 636, 636, 636, 636, 636, 636, 337, 337, 838, 838, 838, 531, // 0 … ?
	1000, 684, 686, 698, 770, 632, 575, 775, 752, 295, 295, 656, 557, 863, 748, 787, // @ … O
	603, 787, 695, 635, 611, 732, 684, 989, 685, 611, 685, 390, 337, 390, 838, 500, // P … _
	500, 613, 635, 550, 635, 615, 352, 635, 634, 278, 278, 579, 278, 974, 634, 612, // ` … o
	635, 635, 411, 521, 392, 634, 592, 818, 592, 592, 525, 636, 337, 636, 838, // p … ~
}

// Vertical metrics of the face, in ems: a text box runs from the baseline
// minus the ascent to the baseline plus the descent, as a browser's
// bounding box of a <text> does.
const (
	fontAscent  = 0.93
	fontDescent = 0.24
	// boldFactor widens text set in bold.
	boldFactor = 1.1
)

// textWidth estimates the advance of s set at size px (user units).
// Characters outside ASCII count as wide Latin letters up to U+0FFF
// (accented letters, Greek, Cyrillic, …) and a full em beyond (CJK,
// emoji), both on the generous side.
func textWidth(s string, size float64) float64 {
	var em float64
	for _, r := range s {
		switch {
		case r >= ' ' && r <= '~':
			em += float64(dejaVuASCII[r-' ']) / 1000
		case r < 0x1000:
			em += 0.75
		default:
			em += 1.0
		}
	}
	return em * size
}

// box is an axis-aligned rectangle in user units.
type box struct{ x0, y0, x1, y1 float64 }

func (a box) overlaps(b box) bool {
	return a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1
}

func (a box) within(b box) bool {
	return a.x0 >= b.x0 && a.x1 <= b.x1 && a.y0 >= b.y0 && a.y1 <= b.y1
}

func (a box) grow(d float64) box { return box{a.x0 - d, a.y0 - d, a.x1 + d, a.y1 + d} }

// around is the square of half-size r centred on (x, y).
func around(x, y, r float64) box { return box{x - r, y - r, x + r, y + r} }

// textBox is the box of one line of text at size px with its baseline at y,
// anchored at x as text-anchor says ("start", "middle" or "end").
func textBox(s string, size, x, y float64, anchor string, bold bool) box {
	w := textWidth(s, size)
	if bold {
		w *= boldFactor
	}
	x0 := x
	switch anchor {
	case "middle":
		x0 = x - w/2
	case "end":
		x0 = x - w
	}
	return box{x0, y - fontAscent*size, x0 + w, y + fontDescent*size}
}

// nearest is the point of b closest to (x, y), where a leader line from a
// mark ends.
func (a box) nearest(x, y float64) (float64, float64) {
	return clamp(x, a.x0, a.x1), clamp(y, a.y0, a.y1)
}

// board keeps what a label may not cover (hard: marks, labels placed
// before, fixed text) and what it had better not cover (soft: interval
// whiskers), inside the area labels must stay in.
type board struct {
	area       box
	hard, soft []box
}

// free reports whether b stays in the area and clear of every hard box, and
// how many soft boxes it covers.
func (bd *board) free(b box) (bool, int) {
	if !b.within(bd.area) {
		return false, 0
	}
	for _, h := range bd.hard {
		if b.overlaps(h) {
			return false, 0
		}
	}
	soft := 0
	for _, s := range bd.soft {
		if b.overlaps(s) {
			soft++
		}
	}
	return true, soft
}

// labelGap is the space kept between a label and anything else.
const labelGap = 2

// placement is where a block of label lines goes: its box, the x and
// anchor of its lines, and whether it sits away from its mark (then a
// leader line joins them).
type placement struct {
	box    box
	x      float64
	anchor string
	leader bool
}

// firstBaseline is the baseline of the first line of a block placed at p
// in lines of the given size and spacing.
func (p placement) baseline(i int, size, lineH float64) float64 {
	return p.box.y0 + fontAscent*size + float64(i)*lineH
}

// labelDirs are the directions tried around a mark, in order of
// preference: upper right first (where the eye looks for a name), then the
// rest of the right, the left, above and below.
var labelDirs = [8][2]int{{1, -1}, {1, 0}, {1, 1}, {-1, -1}, {-1, 0}, {-1, 1}, {0, -1}, {0, 1}}

// labelRings is how many rings of positions around a mark are tried
// before the whole area is searched.
const labelRings = 5

// place finds where a block w × h labelling a mark of half-size r at
// (px, py) fits: beside the mark in one of eight directions, further out
// ring by ring (with a leader line), and at last anywhere in the area,
// nearest first. On each ring it prefers a position that covers no
// whisker. It reports false when nothing fits. The block found is added to
// the board's hard boxes.
func (bd *board) place(px, py, r, w, h float64) (placement, bool) {
	for ring := 0; ring < labelRings; ring++ {
		gx, gy := 3+float64(ring)*14, 3+float64(ring)*12
		var best placement
		bestSoft := -1
		for _, d := range labelDirs {
			p := candidate(px, py, r, w, h, gx, gy, d)
			ok, soft := bd.free(p.box.grow(labelGap))
			if !ok {
				continue
			}
			if bestSoft < 0 || soft < bestSoft {
				best, bestSoft = p, soft
				if soft == 0 {
					break
				}
			}
		}
		if bestSoft >= 0 {
			best.leader = ring > 0
			bd.hard = append(bd.hard, best.box)
			return best, true
		}
	}
	best, ok := bd.scan(px, py, w, h)
	if !ok {
		return placement{}, false
	}
	best.leader = true
	bd.hard = append(bd.hard, best.box)
	return best, true
}

// scan finds the free block w × h anywhere in the area whose centre is
// nearest to (px, py), on a grid of a few user units.
func (bd *board) scan(px, py, w, h float64) (placement, bool) {
	const step = 6
	var best placement
	bestD := math.Inf(1)
	for y0 := bd.area.y0 + labelGap; y0+h+labelGap <= bd.area.y1; y0 += step {
		for x0 := bd.area.x0 + labelGap; x0+w+labelGap <= bd.area.x1; x0 += step {
			b := box{x0, y0, x0 + w, y0 + h}
			d := math.Hypot((b.x0+b.x1)/2-px, (b.y0+b.y1)/2-py)
			if d >= bestD {
				continue
			}
			if ok, _ := bd.free(b.grow(labelGap)); ok {
				best, bestD = placement{box: b, x: x0, anchor: "start"}, d
			}
		}
	}
	return best, !math.IsInf(bestD, 1)
}

// candidate is the block w × h beside a mark of half-size r at (px, py) in
// direction d, gx and gy away from the mark. Text on the right starts at
// the block's left edge and text on the left ends at its right edge, so an
// estimate that is too wide leaves space on the far side, never over the
// mark.
func candidate(px, py, r, w, h, gx, gy float64, d [2]int) placement {
	rx, ry := r, r
	var p placement
	switch d[0] {
	case 1:
		p.box.x0 = px + rx + gx
		p.x, p.anchor = p.box.x0, "start"
	case -1:
		p.box.x0 = px - rx - gx - w
		p.x, p.anchor = p.box.x0+w, "end"
	default:
		p.box.x0 = px - w/2
		p.x, p.anchor = px, "middle"
	}
	p.box.x1 = p.box.x0 + w
	switch d[1] {
	case -1:
		p.box.y0 = py - ry - gy - h
	case 1:
		p.box.y0 = py + ry + gy
	default:
		p.box.y0 = py - h/2
	}
	p.box.y1 = p.box.y0 + h
	return p
}
