package chart

import (
	"fmt"
	"html/template"
)

// Distribution shows, per group, the median as a bar and the 90th
// percentile as a diamond at the end of a line from it ("time from
// application to decision, days"), one group under the other so long
// names fit on a phone.
type Distribution struct {
	// ID is unique on the page: a letter, then letters, digits, - or _.
	ID string
	// Title names the chart; Desc says its message in words.
	Title, Desc string
	Lang        Lang
	// Decimals is how many decimals the labels and the table show.
	Decimals int
	// ValueLabel says what the values are ("Dagar"); it stands above the
	// chart. GroupLabel heads the table's first column ("Distrikt").
	ValueLabel, GroupLabel string
	Groups                 []Group
}

// Group is one group's median and 90th percentile.
type Group struct {
	Name        string
	Median, P90 Value
}

// SVG returns the chart as an <svg> element, or an error when the chart
// has no id, title, description or groups, or a value is negative or not
// a finite number.
func (c Distribution) SVG() (template.HTML, error) {
	com := common{c.ID, c.Title, c.Desc, c.Lang, c.Decimals}
	if err := com.check(); err != nil {
		return "", err
	}
	if len(c.Groups) == 0 {
		return "", fmt.Errorf("chart %s: a distribution needs at least one group", c.ID)
	}
	var top float64
	suppressed := false
	for _, g := range c.Groups {
		for _, v := range []Value{g.Median, g.P90} {
			if err := checkValue(c.ID, v); err != nil {
				return "", err
			}
			suppressed = suppressed || v.Suppressed
			if !v.Suppressed && !v.None {
				top = max(top, v.X)
			}
		}
	}
	sc := niceScale(top)
	labelLines := wrap(c.ValueLabel, charsPerLine)
	legend := []string{say(c.Lang, "distribution.median"), say(c.Lang, "distribution.p90")}
	rows := 0
	for _, g := range c.Groups {
		rows += len(wrap(g.Name, charsPerLine)) + 2
	}
	plotTop := float64(len(legend)+len(labelLines))*lineH + 10
	// A horizontal axis: left and right are the value scale's ends.
	left, right := 8.0, float64(width)-tickLabelsWidth(sc, c.Lang)/2
	x := func(v float64) float64 { return left + (right-left)*v/sc.top }
	bottom := plotTop + float64(rows)*lineH + 8
	height := bottom + lineH + 8
	if suppressed {
		height += float64(len(wrap(say(c.Lang, "suppressed.note"), charsPerLine)))*lineH + 4
	}

	var w svg
	w.begin(com, height, suppressed)
	y := w.legend(legend, 0, func(i int, x, y float64) {
		if i == 0 {
			w.empty("rect", "x", n(x), "y", n(y-7), "width", "16", "height", "10", "fill", Palette[0])
		} else {
			w.diamond(x+8, y-2)
		}
	})
	for _, line := range labelLines {
		y += lineH
		w.text(line, "x", "4", "y", n(y))
	}
	for _, t := range sc.ticks {
		w.empty("line", "x1", n(x(t)), "x2", n(x(t)), "y1", n(plotTop), "y2", n(bottom), "stroke", grid, "stroke-width", "1")
		anchor := "middle"
		if t == 0 {
			anchor = "start"
		}
		w.text(Format(t, sc.decimals, c.Lang), "x", n(x(t)), "y", n(bottom+lineH), "text-anchor", anchor)
	}
	w.empty("line", "x1", n(left), "x2", n(left), "y1", n(plotTop), "y2", n(bottom), "stroke", ink, "stroke-width", "1.5")
	y = plotTop
	for _, g := range c.Groups {
		for _, line := range wrap(g.Name, charsPerLine) {
			y += lineH
			w.text(line, "x", n(left+4), "y", n(y), "font-weight", "600")
		}
		y += lineH
		mid := y - 5
		m, p := g.Median, g.P90
		if !m.Suppressed && !m.None {
			w.empty("rect", "x", n(left), "y", n(mid-6), "width", n(x(m.X)-left), "height", "12", "fill", Palette[0])
		}
		if !p.Suppressed && !p.None {
			from := left
			if !m.Suppressed && !m.None {
				from = x(m.X)
			}
			w.empty("line", "x1", n(from), "x2", n(x(p.X)), "y1", n(mid), "y2", n(mid), "stroke", ink, "stroke-width", "2")
			w.diamond(x(p.X), mid)
		}
		if m.Suppressed || p.Suppressed {
			w.suppressedMark(c.Lang, left+10, mid+11)
		}
		y += lineH
		w.text(say(c.Lang, "distribution.values",
			"Median", cell(m, c.Decimals, c.Lang).Text, "P90", cell(p, c.Decimals, c.Lang).Text),
			"x", n(left+4), "y", n(y))
	}
	if suppressed {
		w.note(c.Lang, bottom+lineH+4)
	}
	return w.html(), nil
}

// diamond draws the 90th percentile's marker at x, y, outlined in white
// so it stands apart from a median bar it touches.
func (w *svg) diamond(x, y float64) {
	w.empty("path", "d", "M"+n(x)+","+n(y-7)+" L"+n(x+7)+","+n(y)+" L"+n(x)+","+n(y+7)+" L"+n(x-7)+","+n(y)+" Z",
		"fill", Palette[1], "stroke", background, "stroke-width", "1.5")
}

// Table returns the chart's numbers: a row per group, the median and
// the 90th percentile as columns.
func (c Distribution) Table() Table {
	t := Table{Caption: c.Title, Corner: c.GroupLabel,
		Columns: []string{say(c.Lang, "distribution.median"), say(c.Lang, "distribution.p90")}}
	for _, g := range c.Groups {
		t.Rows = append(t.Rows, Row{Header: g.Name, Cells: []Cell{cell(g.Median, c.Decimals, c.Lang), cell(g.P90, c.Decimals, c.Lang)}})
		if g.Median.Suppressed || g.P90.Suppressed {
			t.Note = say(c.Lang, "suppressed.note")
		}
	}
	return t
}
