package designer

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/trygg/trygg/internal/process"
)

// A diagram is a case type's steps and transitions laid out for an SVG
// drawing: steps are boxes in rows by their distance (in transitions) from
// the start step, with the final steps in the last row; transitions are
// arrows with their names. The layout is a small Sugiyama-style one: long
// and backward arrows pass through reserved places in the rows between
// (so they never cross a box), rows are ordered to reduce crossings, and
// boxes are moved towards the boxes they connect to.
type diagram struct {
	Width, Height int
	Boxes         []diagramBox
	Edges         []diagramEdge
	// Entry is the dot the arrow into the start step begins at.
	Entry diagramPoint
	// EntryPath is the SVG path of that arrow.
	EntryPath string
}

// diagramBox is a step.
type diagramBox struct {
	Step       string
	Name       string
	Lines      []diagramLine
	X, Y, W, H int
	CX         int // centre, for the text
	// Inner is the inner border of a final step's double border.
	Inner diagramRect
	Row   int
	Start bool
	Final bool
}

// diagramLine is a line of a box's label.
type diagramLine struct {
	Text string
	Y    int
}

// diagramEdge is an arrow for one transition from one step.
type diagramEdge struct {
	Transition string
	Name       string // the transition's name, whole
	Label      string // the name as drawn (long names shortened)
	From, To   string
	Loop       bool // from a step to itself
	Back       bool // to a step in the same or an earlier row
	Path       string
	// The label's centre, the baseline of its text and its background.
	LabelX, LabelY, LabelTextY int
	LabelBox                   diagramRect
}

// diagramRect is a rectangle of the drawing.
type diagramRect struct{ X, Y, W, H int }

// diagramPoint is a point of the drawing.
type diagramPoint struct{ X, Y int }

// Sizes of the drawing, in pixels (the SVG's user units).
const (
	dgLineChars  = 22  // a step name is wrapped at this many characters
	dgMaxLines   = 3   // and cut after this many lines
	dgCharW      = 8.6 // average width of a character of a step name (15px)
	dgLabelCharW = 7.6 // of a transition name (13px)
	dgLabelChars = 30  // transition names are shortened beyond this
	dgLineH      = 18
	dgLabelH     = 20
	dgMinBoxW    = 112
	dgGapX       = 28 // between neighbours in a row
	dgGapY       = 88 // between rows
	dgDummyW     = 12 // a passage for an arrow through a row
	dgLoop       = 22 // how far a self-loop reaches out of its box
	dgLoopStep   = 12 // and each further one
	dgEntry      = 34 // the start dot's distance left of the start box
	dgPad        = 16
)

// dgNode is a step (the first nodes, in the steps' order) or a passage
// for a long arrow through a row.
type dgNode struct {
	row         int
	left, right float64 // extent from the centre (x) to each side
	x           float64
	labelled    bool // the passage holds its arrow's label
	up, down    []int
}

// dgEdge is an arrow for one (transition, from step) pair.
type dgEdge struct {
	t, from, to int // transition and step indexes
	chain       []int
	label       string
	name        string
	labelW      float64
	loopIndex   int // which of its step's self-loops
	arcIndex    int // which of its row's arcs (same-row arrows)
}

// layoutDiagram lays out the case type's steps and transitions, with
// names in lang. It is deterministic: the same case type gives the same
// drawing. Transitions naming steps that do not exist are left out.
func layoutDiagram(ct *process.CaseType, lang string) diagram {
	n := len(ct.Steps)
	if n == 0 {
		return diagram{Width: 2 * dgPad, Height: 2 * dgPad}
	}
	index := map[string]int{}
	for i, s := range ct.Steps {
		if _, dup := index[s.ID.Value]; !dup {
			index[s.ID.Value] = i
		}
	}
	start, ok := index[ct.Start.Value]
	if !ok {
		start = 0
	}

	// The arrows, one per transition and step it may be taken from.
	var edges []dgEdge
	out := make([][]int, n)
	for ti, t := range ct.Transitions {
		to, ok := index[t.To.Value]
		if !ok {
			continue
		}
		seen := map[int]bool{}
		for _, f := range t.From {
			from, ok := index[f.Value]
			if !ok || seen[from] {
				continue
			}
			seen[from] = true
			name := t.Name.In(lang)
			if name == "" {
				name = t.ID.Value
			}
			label := shorten(name, dgLabelChars)
			edges = append(edges, dgEdge{t: ti, from: from, to: to, name: name, label: label,
				labelW: float64(utf8.RuneCountInString(label))*dgLabelCharW + 12})
			out[from] = append(out[from], to)
		}
	}

	rows := diagramRows(ct, start, out)
	nrows := slices.Max(rows) + 1

	// Nodes: the steps, then passages for arrows spanning rows.
	nodes := make([]dgNode, 0, n)
	boxW := make([]float64, n)
	boxH := make([]float64, n)
	lines := make([][]string, n)
	for i, s := range ct.Steps {
		name := s.Name.In(lang)
		if name == "" {
			name = s.ID.Value
		}
		lines[i] = wrapWords(name, dgLineChars, dgMaxLines)
		widest := 0
		for _, l := range lines[i] {
			widest = max(widest, utf8.RuneCountInString(l))
		}
		boxW[i] = math.Max(dgMinBoxW, float64(widest)*dgCharW+24)
		boxH[i] = float64(22 + dgLineH*len(lines[i]))
		nodes = append(nodes, dgNode{row: rows[i], left: boxW[i] / 2, right: boxW[i] / 2})
	}
	nodes[start].left += dgEntry
	loops := make([][]int, n) // the self-loops of each step, by edge
	arcs := make([]int, nrows)
	for ei := range edges {
		e := &edges[ei]
		rf, rt := rows[e.from], rows[e.to]
		switch {
		case e.from == e.to:
			e.loopIndex = len(loops[e.from])
			loops[e.from] = append(loops[e.from], ei)
		case rf == rt:
			e.arcIndex = arcs[rf]
			arcs[rf]++
		default:
			step := 1
			if rt < rf {
				step = -1
			}
			e.chain = []int{e.from}
			for r := rf + step; r != rt; r += step {
				d := dgNode{row: r, left: dgDummyW / 2, right: dgDummyW / 2}
				if len(e.chain) == 1 {
					d.labelled = true
					d.left, d.right = e.labelW/2, e.labelW/2
				}
				nodes = append(nodes, d)
				e.chain = append(e.chain, len(nodes)-1)
			}
			e.chain = append(e.chain, e.to)
			for k := 0; k+1 < len(e.chain); k++ {
				a, b := e.chain[k], e.chain[k+1]
				if nodes[a].row > nodes[b].row {
					a, b = b, a
				}
				nodes[a].down = append(nodes[a].down, b)
				nodes[b].up = append(nodes[b].up, a)
			}
		}
	}
	// Room on the right of a box for its self-loops and their names.
	for i, ls := range loops {
		if len(ls) == 0 {
			continue
		}
		widest := 0.0
		for _, ei := range ls {
			widest = math.Max(widest, edges[ei].labelW)
		}
		nodes[i].right += dgLoop + float64(dgLoopStep*(len(ls)-1)) + 6 + widest
	}

	layers := make([][]int, nrows)
	for i := range nodes {
		layers[nodes[i].row] = append(layers[nodes[i].row], i)
	}
	orderRows(nodes, layers)
	placeRows(nodes, layers)

	// Rows from top to bottom.
	rowTop := make([]float64, nrows)
	rowH := make([]float64, nrows)
	for r := range rowH {
		rowH[r] = dgLabelH
	}
	for i := range n {
		rowH[rows[i]] = math.Max(rowH[rows[i]], boxH[i])
	}
	y := 0.0
	for r := range rowTop {
		rowTop[r] = y
		y += rowH[r] + dgGapY
	}

	type rect struct{ x0, y0, x1, y1 float64 }
	boxes := make([]rect, n)
	for i := range n {
		x := nodes[i].x - boxW[i]/2
		boxes[i] = rect{x, rowTop[rows[i]], x + boxW[i], rowTop[rows[i]] + boxH[i]}
	}

	// Ports: the arrows leaving or entering a box's top or bottom side are
	// spread along it, in the order of where their other ends are, so
	// arrows between the same two boxes do not lie on each other.
	type end struct {
		edge  int
		first bool    // the arrow's start (else its end)
		other float64 // x of the next point along the arrow
	}
	top := make([][]end, n)
	bottom := make([][]end, n)
	for ei, e := range edges {
		switch {
		case e.from == e.to:
		case rows[e.from] == rows[e.to]:
			bottom[e.from] = append(bottom[e.from], end{ei, true, nodes[e.to].x})
			bottom[e.to] = append(bottom[e.to], end{ei, false, nodes[e.from].x})
		case rows[e.from] < rows[e.to]:
			bottom[e.from] = append(bottom[e.from], end{ei, true, nodes[e.chain[1]].x})
			top[e.to] = append(top[e.to], end{ei, false, nodes[e.chain[len(e.chain)-2]].x})
		default:
			top[e.from] = append(top[e.from], end{ei, true, nodes[e.chain[1]].x})
			bottom[e.to] = append(bottom[e.to], end{ei, false, nodes[e.chain[len(e.chain)-2]].x})
		}
	}
	type portKey struct {
		edge  int
		first bool
	}
	port := map[portKey]float64{}
	for i := range n {
		for _, side := range [][]end{top[i], bottom[i]} {
			slices.SortStableFunc(side, func(a, b end) int {
				switch {
				case a.other < b.other:
					return -1
				case a.other > b.other:
					return 1
				}
				return a.edge - b.edge
			})
			for k, p := range side {
				port[portKey{p.edge, p.first}] = boxes[i].x0 + boxW[i]*float64(k+1)/float64(len(side)+1)
			}
		}
	}

	// The arrows' points and their labels' places.
	type fpt struct{ x, y float64 }
	points := make([][]fpt, len(edges))
	labelAt := make([]fpt, len(edges))
	var placed []rect
	for i := range n {
		placed = append(placed, boxes[i])
	}
	overlap := func(r rect) float64 {
		sum := 0.0
		for _, p := range placed {
			w := math.Min(r.x1, p.x1) - math.Max(r.x0, p.x0)
			h := math.Min(r.y1, p.y1) - math.Max(r.y0, p.y0)
			if w > 0 && h > 0 {
				sum += w * h
			}
		}
		return sum
	}
	labelRect := func(ei int, c fpt) rect {
		w := edges[ei].labelW
		return rect{c.x - w/2, c.y - dgLabelH/2, c.x + w/2, c.y + dgLabelH/2}
	}
	// choose places the label at the first candidate that overlaps
	// nothing placed so far, else at the one that overlaps least.
	choose := func(ei int, cands []fpt) {
		best, bestO := cands[0], math.Inf(1)
		for _, c := range cands {
			if o := overlap(labelRect(ei, c)); o < bestO {
				best, bestO = c, o
				if o == 0 {
					break
				}
			}
		}
		labelAt[ei] = best
		placed = append(placed, labelRect(ei, best))
	}
	// curve returns points of the S-curve an arrow is drawn with between
	// two rows (see the path below): it leaves a and reaches b vertically.
	curve := func(a, b fpt, ts ...float64) []fpt {
		ps := make([]fpt, len(ts))
		mid := (a.y + b.y) / 2
		for k, t := range ts {
			u := 1 - t
			ps[k] = fpt{a.x + (b.x-a.x)*t*t*(3-2*t), u*u*u*a.y + 3*u*t*mid + t*t*t*b.y}
		}
		return ps
	}
	// Labels on passages first: their places are reserved in the rows.
	for ei, e := range edges {
		for _, ni := range e.chain {
			if nodes[ni].labelled {
				labelAt[ei] = fpt{nodes[ni].x, rowTop[nodes[ni].row] + rowH[nodes[ni].row]/2}
				placed = append(placed, labelRect(ei, labelAt[ei]))
			}
		}
	}
	for ei, e := range edges {
		b := boxes[e.from]
		switch {
		case e.from == e.to:
			k := float64(e.loopIndex)
			reach := b.x1 + dgLoop + dgLoopStep*k
			y0 := b.y0 + boxH[e.from]*0.25 - 4*k
			y1 := b.y0 + boxH[e.from]*0.75 + 4*k
			points[ei] = []fpt{{b.x1, y0}, {reach, y0}, {reach, y1}, {b.x1, y1}}
			nl := float64(len(loops[e.from]))
			ly := (b.y0+b.y1)/2 + (k-(nl-1)/2)*dgLabelH
			lx := b.x1 + dgLoop + dgLoopStep*(nl-1) + 6 + edges[ei].labelW/2
			labelAt[ei] = fpt{lx, ly}
			placed = append(placed, labelRect(ei, labelAt[ei]))
		case rows[e.from] == rows[e.to]:
			r := rows[e.from]
			dip := rowTop[r] + rowH[r] + 22 + 16*float64(e.arcIndex)
			sx, dx := port[portKey{ei, true}], port[portKey{ei, false}]
			points[ei] = []fpt{{sx, b.y1}, {sx, dip}, {dx, dip}, {dx, boxes[e.to].y1}}
			mid := (sx + dx) / 2
			choose(ei, []fpt{{mid, dip}, {mid + (dx-sx)/4, dip}, {mid - (dx-sx)/4, dip}})
		default:
			fwd := rows[e.from] < rows[e.to]
			sy, ty := b.y1, boxes[e.to].y0
			if !fwd {
				sy, ty = b.y0, boxes[e.to].y1
			}
			pts := []fpt{{port[portKey{ei, true}], sy}}
			for _, ni := range e.chain[1 : len(e.chain)-1] {
				r := nodes[ni].row
				if fwd {
					pts = append(pts, fpt{nodes[ni].x, rowTop[r]}, fpt{nodes[ni].x, rowTop[r] + rowH[r]})
				} else {
					pts = append(pts, fpt{nodes[ni].x, rowTop[r] + rowH[r]}, fpt{nodes[ni].x, rowTop[r]})
				}
			}
			pts = append(pts, fpt{port[portKey{ei, false}], ty})
			points[ei] = pts
			if len(e.chain) == 2 {
				// Within the gap between the rows: the part of the arrow
				// below the lower edge of the upper row.
				a, z := pts[0], pts[1]
				choose(ei, curve(a, z, 0.5, 0.3, 0.7, 0.2, 0.8, 0.4, 0.6))
			}
		}
	}

	// Move everything into view.
	minX, minY := math.Inf(1), math.Inf(1)
	maxX, maxY := math.Inf(-1), math.Inf(-1)
	grow := func(x0, y0, x1, y1 float64) {
		minX, minY = math.Min(minX, x0), math.Min(minY, y0)
		maxX, maxY = math.Max(maxX, x1), math.Max(maxY, y1)
	}
	for _, b := range boxes {
		grow(b.x0, b.y0, b.x1, b.y1)
	}
	for ei := range edges {
		r := labelRect(ei, labelAt[ei])
		grow(r.x0, r.y0, r.x1, r.y1)
		for _, p := range points[ei] {
			grow(p.x, p.y, p.x, p.y)
		}
	}
	entry := fpt{boxes[start].x0 - dgEntry, (boxes[start].y0 + boxes[start].y1) / 2}
	grow(entry.x-8, entry.y-8, entry.x, entry.y)
	dx, dy := dgPad-minX, dgPad-minY
	ix := func(v float64) int { return int(math.Round(v + dx)) }
	iy := func(v float64) int { return int(math.Round(v + dy)) }

	d := diagram{Width: int(math.Ceil(maxX-minX)) + 2*dgPad, Height: int(math.Ceil(maxY-minY)) + 2*dgPad}
	for i, s := range ct.Steps {
		b := boxes[i]
		name := s.Name.In(lang)
		if name == "" {
			name = s.ID.Value
		}
		box := diagramBox{Step: s.ID.Value, Name: name, X: ix(b.x0), Y: iy(b.y0),
			W: int(math.Round(boxW[i])), H: int(math.Round(boxH[i])), Row: rows[i], Start: i == start, Final: s.Final}
		box.CX = box.X + box.W/2
		box.Inner = diagramRect{box.X + 4, box.Y + 4, box.W - 8, box.H - 8}
		first := box.Y + (box.H-dgLineH*len(lines[i]))/2 + 13
		for k, l := range lines[i] {
			box.Lines = append(box.Lines, diagramLine{Text: l, Y: first + k*dgLineH})
		}
		d.Boxes = append(d.Boxes, box)
	}
	for ei, e := range edges {
		t := ct.Transitions[e.t]
		// Lines, except that an arrow crossing the gap between two rows
		// sideways does so in an S-curve.
		var path strings.Builder
		pts := points[ei]
		fmt.Fprintf(&path, "M%d %d", ix(pts[0].x), iy(pts[0].y))
		for k := 1; k < len(pts); k++ {
			p, q := pts[k-1], pts[k]
			if e.chain == nil || ix(p.x) == ix(q.x) {
				fmt.Fprintf(&path, " L%d %d", ix(q.x), iy(q.y))
				continue
			}
			mid := iy((p.y + q.y) / 2)
			fmt.Fprintf(&path, " C%d %d %d %d %d %d", ix(p.x), mid, ix(q.x), mid, ix(q.x), iy(q.y))
		}
		lr := labelRect(ei, labelAt[ei])
		de := diagramEdge{Transition: t.ID.Value, Name: e.name, Label: e.label, From: ct.Steps[e.from].ID.Value,
			To: ct.Steps[e.to].ID.Value, Loop: e.from == e.to, Back: e.from != e.to && rows[e.to] <= rows[e.from],
			Path: path.String(), LabelX: ix(labelAt[ei].x), LabelY: iy(labelAt[ei].y),
			LabelBox: diagramRect{ix(lr.x0), iy(lr.y0), int(math.Round(lr.x1 - lr.x0)), int(math.Round(lr.y1 - lr.y0))}}
		de.LabelTextY = de.LabelY + 5
		d.Edges = append(d.Edges, de)
	}
	d.Entry = diagramPoint{ix(entry.x), iy(entry.y)}
	d.EntryPath = fmt.Sprintf("M%d %d L%d %d", ix(entry.x+6), iy(entry.y), ix(boxes[start].x0), iy(entry.y))
	return d
}

// diagramRows returns each step's row: its distance in transitions from
// the start step (steps that cannot be reached come after those that
// can), except that final steps go to the last row, below every step that
// is not final, so a case's ends are at the bottom. Empty rows are left
// out.
func diagramRows(ct *process.CaseType, start int, out [][]int) []int {
	n := len(ct.Steps)
	rows := make([]int, n)
	for i := range rows {
		rows[i] = -1
	}
	rows[start] = 0
	queue := []int{start}
	deepest := 0
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		for _, t := range out[s] {
			if rows[t] < 0 {
				rows[t] = rows[s] + 1
				deepest = max(deepest, rows[t])
				queue = append(queue, t)
			}
		}
	}
	for i := range rows {
		if rows[i] < 0 {
			rows[i] = deepest + 1
		}
	}
	last := -1
	for i, s := range ct.Steps {
		if !s.Final {
			last = max(last, rows[i])
		}
	}
	for i, s := range ct.Steps {
		if s.Final && rows[i] <= last {
			rows[i] = last + 1
		}
	}
	used := slices.Clone(rows)
	slices.Sort(used)
	used = slices.Compact(used)
	for i := range rows {
		rows[i], _ = slices.BinarySearch(used, rows[i])
	}
	return rows
}

// orderRows orders each row to reduce crossing arrows: a few sweeps down
// and up, each sorting a row by the mean place of its neighbours in the
// row before, keeping the order with the fewest crossings.
func orderRows(nodes []dgNode, layers [][]int) {
	pos := make([]float64, len(nodes))
	index := func() {
		for _, l := range layers {
			for k, ni := range l {
				pos[ni] = float64(k)
			}
		}
	}
	crossings := func() int {
		index()
		c := 0
		for _, l := range layers {
			type seg struct{ a, b float64 }
			var segs []seg
			for _, ni := range l {
				for _, m := range nodes[ni].down {
					segs = append(segs, seg{pos[ni], pos[m]})
				}
			}
			for i := range segs {
				for j := i + 1; j < len(segs); j++ {
					if (segs[i].a-segs[j].a)*(segs[i].b-segs[j].b) < 0 {
						c++
					}
				}
			}
		}
		return c
	}
	best, bestC := cloneLayers(layers), crossings()
	for iter := range 8 {
		down := iter%2 == 0
		for k := range layers {
			r := k
			if !down {
				r = len(layers) - 1 - k
			}
			index()
			key := map[int]float64{}
			for _, ni := range layers[r] {
				nb := nodes[ni].up
				if !down {
					nb = nodes[ni].down
				}
				if len(nb) == 0 {
					key[ni] = pos[ni]
					continue
				}
				sum := 0.0
				for _, m := range nb {
					sum += pos[m]
				}
				key[ni] = sum / float64(len(nb))
			}
			slices.SortStableFunc(layers[r], func(a, b int) int {
				switch {
				case key[a] < key[b]:
					return -1
				case key[a] > key[b]:
					return 1
				}
				return 0
			})
		}
		if c := crossings(); c < bestC {
			best, bestC = cloneLayers(layers), c
		}
	}
	for r := range layers {
		copy(layers[r], best[r])
	}
}

func cloneLayers(layers [][]int) [][]int {
	out := make([][]int, len(layers))
	for r, l := range layers {
		out[r] = slices.Clone(l)
	}
	return out
}

// placeRows gives each node its x: rows start packed and centred, then
// each node is drawn towards the mean x of its neighbours in the rows
// above and below, keeping the row's order and spacing (least squares,
// by pool-adjacent-violators).
func placeRows(nodes []dgNode, layers [][]int) {
	for _, l := range layers {
		x := 0.0
		for k, ni := range l {
			if k > 0 {
				x += nodes[l[k-1]].right + dgGapX + nodes[ni].left
			}
			nodes[ni].x = x
		}
		if len(l) > 0 {
			mid := (nodes[l[0]].x - nodes[l[0]].left + nodes[l[len(l)-1]].x + nodes[l[len(l)-1]].right) / 2
			for _, ni := range l {
				nodes[ni].x -= mid
			}
		}
	}
	for iter := range 12 {
		for k := range layers {
			r := k
			if iter%2 == 1 {
				r = len(layers) - 1 - k
			}
			l := layers[r]
			want := make([]float64, len(l))
			for k, ni := range l {
				want[k] = nodes[ni].x
				nb := append(slices.Clone(nodes[ni].up), nodes[ni].down...)
				if len(nb) > 0 {
					sum := 0.0
					for _, m := range nb {
						sum += nodes[m].x
					}
					want[k] = sum / float64(len(nb))
				}
			}
			xs := spaced(nodes, l, want)
			for k, ni := range l {
				nodes[ni].x = xs[k]
			}
		}
	}
}

// spaced returns the x of each node of row l closest (least squares) to
// want while keeping their order and each pair of neighbours dgGapX
// apart.
func spaced(nodes []dgNode, l []int, want []float64) []float64 {
	// With off[k] the least distance of node k from node 0, y = x - off
	// must not decrease: an isotonic regression of want - off.
	off := make([]float64, len(l))
	for k := 1; k < len(l); k++ {
		off[k] = off[k-1] + nodes[l[k-1]].right + dgGapX + nodes[l[k]].left
	}
	type block struct {
		sum   float64
		count int
	}
	var blocks []block
	for k := range l {
		blocks = append(blocks, block{want[k] - off[k], 1})
		for len(blocks) > 1 {
			a, b := blocks[len(blocks)-2], blocks[len(blocks)-1]
			if a.sum/float64(a.count) <= b.sum/float64(b.count) {
				break
			}
			blocks = append(blocks[:len(blocks)-2], block{a.sum + b.sum, a.count + b.count})
		}
	}
	xs := make([]float64, 0, len(l))
	for _, b := range blocks {
		for range b.count {
			xs = append(xs, b.sum/float64(b.count)+off[len(xs)])
		}
	}
	return xs
}

// wrapWords breaks s into lines of at most width characters at spaces
// (a longer word is cut), at most maxLines of them; a cut ends in "…".
func wrapWords(s string, width, maxLines int) []string {
	var lines []string
	cur := ""
	for _, w := range strings.Fields(s) {
		for utf8.RuneCountInString(w) > width {
			if cur != "" {
				lines, cur = append(lines, cur), ""
			}
			r := []rune(w)
			lines, w = append(lines, string(r[:width])), string(r[width:])
		}
		switch {
		case cur == "":
			cur = w
		case utf8.RuneCountInString(cur)+1+utf8.RuneCountInString(w) <= width:
			cur += " " + w
		default:
			lines, cur = append(lines, cur), w
		}
	}
	if cur != "" {
		lines = append(lines, cur)
	}
	if len(lines) == 0 {
		return []string{""}
	}
	if len(lines) > maxLines {
		lines = lines[:maxLines]
		last := []rune(lines[maxLines-1])
		if len(last) >= width {
			last = last[:width-1]
		}
		lines[maxLines-1] = strings.TrimSpace(string(last)) + "…"
	}
	return lines
}

// shorten cuts s to at most n characters, ending a cut one with "…".
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return strings.TrimSpace(string(r[:n-1])) + "…"
}
