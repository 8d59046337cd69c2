package chart

import (
	"html/template"
	"sort"
	"strconv"
)

// Line is a line chart: one or more series over the same periods (weeks
// or months), a forecast series dashed.
type Line struct {
	// ID is unique on the page: a letter, then letters, digits, - or _.
	ID string
	// Title names the chart; Desc says its message in words.
	Title, Desc string
	Lang        Lang
	// Decimals is how many decimals the table shows.
	Decimals int
	// ValueLabel says what the values are; it stands above the value
	// axis. CategoryLabel heads the table's first column ("Månad").
	ValueLabel, CategoryLabel string
	// Categories are the periods, oldest first.
	Categories []string
	// Series each hold one value per period; at most 6. A period a
	// series has no figure for (the forecast's past, the outcome's
	// future) is None.
	Series []Series
}

// marker draws series i's marker at x, y: circle, square, triangle,
// diamond, cross or bar, filled or (hollow) white inside.
func (w *svg) marker(i int, x, y float64, hollow bool) {
	c := Palette[i%len(Palette)]
	f := c
	if hollow {
		f = background
	}
	switch i % maxSeries {
	case 0:
		w.empty("circle", "cx", n(x), "cy", n(y), "r", "4", "fill", f, "stroke", c, "stroke-width", "2")
	case 1:
		w.empty("rect", "x", n(x-4), "y", n(y-4), "width", "8", "height", "8", "fill", f, "stroke", c, "stroke-width", "2")
	case 2:
		w.empty("path", "d", "M"+n(x)+","+n(y-5)+" L"+n(x+5)+","+n(y+4)+" L"+n(x-5)+","+n(y+4)+" Z", "fill", f, "stroke", c, "stroke-width", "2")
	case 3:
		w.empty("path", "d", "M"+n(x)+","+n(y-5)+" L"+n(x+5)+","+n(y)+" L"+n(x)+","+n(y+5)+" L"+n(x-5)+","+n(y)+" Z", "fill", f, "stroke", c, "stroke-width", "2")
	case 4:
		w.empty("path", "d", "M"+n(x-4)+","+n(y-4)+" L"+n(x+4)+","+n(y+4)+" M"+n(x+4)+","+n(y-4)+" L"+n(x-4)+","+n(y+4), "stroke", c, "stroke-width", "2.5")
	default:
		w.empty("path", "d", "M"+n(x)+","+n(y-5)+" V"+n(y+5)+" M"+n(x-5)+","+n(y)+" H"+n(x+5), "stroke", c, "stroke-width", "2.5")
	}
}

// dash is the stroke-dasharray of a series: dashed for a forecast.
func dash(s Series) string {
	if s.Forecast {
		return "6 4"
	}
	return "none"
}

// SVG returns the chart as an <svg> element, or an error when the chart
// has no id, title or description, its series do not match its
// categories, or a value is negative or not a finite number.
func (c Line) SVG() (template.HTML, error) {
	com := common{c.ID, c.Title, c.Desc, c.Lang, c.Decimals}
	if err := com.check(); err != nil {
		return "", err
	}
	suppressed, err := checkSeries(c.ID, c.Categories, c.Series)
	if err != nil {
		return "", err
	}
	var names []string
	var top float64
	for _, s := range c.Series {
		names = append(names, seriesName(s, c.Lang))
		for _, v := range s.Values {
			if !v.Suppressed && !v.None {
				top = max(top, v.X)
			}
		}
	}
	sc := niceScale(top)
	legendLines := 0
	for _, name := range names {
		legendLines += len(wrap(name, charsPerLine-4))
	}
	labelLines := wrap(c.ValueLabel, charsPerLine)
	// Room above the plot for the direct labels of series at the top.
	plotTop := float64(legendLines+len(labelLines))*lineH + 14 + lineH
	p := plot{left: tickLabelsWidth(sc, c.Lang), top: plotTop, right: width - 10, bottom: plotTop + plotHeight, s: sc}
	height := p.bottom + lineH + 8
	if suppressed {
		height += float64(len(wrap(say(c.Lang, "suppressed.note"), charsPerLine)))*lineH + 4
	}

	var w svg
	w.begin(com, height, suppressed)
	y := w.legend(names, 0, func(i int, x, y float64) {
		w.empty("line", "x1", n(x), "x2", n(x+18), "y1", n(y-2), "y2", n(y-2),
			"stroke", Palette[i], "stroke-width", "2.5", "stroke-dasharray", dash(c.Series[i]))
		w.marker(i, x+9, y-2, c.Series[i].Forecast)
	})
	for _, line := range labelLines {
		y += lineH
		w.text(line, "x", "4", "y", n(y))
	}
	w.yAxis(p, c.Lang)

	xs := make([]float64, len(c.Categories))
	step := 0.0
	if len(xs) > 1 {
		step = (p.right - p.left - 12) / float64(len(xs)-1)
	}
	for i := range xs {
		xs[i] = p.left + 6 + step*float64(i)
	}
	if len(xs) == 1 {
		xs[0] = (p.left + p.right) / 2
	}

	type endLabel struct {
		text string
		x, y float64
	}
	var ends []endLabel
	for i, s := range c.Series {
		// The line, broken at each suppressed value.
		d := ""
		pen := false
		for k, v := range s.Values {
			if v.Suppressed || v.None {
				pen = false
				continue
			}
			cmd := "L"
			if !pen {
				cmd = "M"
			}
			d += cmd + n(xs[k]) + "," + n(p.y(v.X)) + " "
			pen = true
		}
		w.open("g", "aria-hidden", "true")
		if d != "" {
			w.empty("path", "d", d, "fill", "none", "stroke", Palette[i], "stroke-width", "2.5",
				"stroke-dasharray", dash(s), "stroke-linejoin", "round")
		}
		last := -1
		for k, v := range s.Values {
			if v.Suppressed || v.None {
				continue
			}
			w.marker(i, xs[k], p.y(v.X), s.Forecast)
			last = k
		}
		w.close("g")
		for k, v := range s.Values {
			if v.Suppressed {
				w.suppressedMark(c.Lang, xs[k], p.bottom)
			}
		}
		if last >= 0 {
			ends = append(ends, endLabel{names[i], xs[last], p.y(s.Values[last].X) - 10})
		}
	}
	// The series' names at their last points, moved apart so they do not
	// overlap.
	sort.SliceStable(ends, func(a, b int) bool { return ends[a].y < ends[b].y })
	for k := range ends {
		ends[k].y = max(ends[k].y, plotTop-4)
		if k > 0 && ends[k].y < ends[k-1].y+lineH {
			ends[k].y = ends[k-1].y + lineH
		}
	}
	for _, e := range ends {
		w.text(e.text, "x", n(e.x), "y", n(e.y), "text-anchor", "end", "font-weight", "600")
	}
	w.xLabels(c.Categories, xs, p.bottom+lineH)
	if suppressed {
		w.note(c.Lang, p.bottom+lineH+4)
	}
	return w.html(), nil
}

// Table returns the chart's numbers: a row per period, a column per
// series.
func (c Line) Table() Table {
	return seriesTable(c.Title, c.CategoryLabel, c.Categories, c.Series, c.Decimals, c.Lang)
}

func itoa(i int) string { return strconv.Itoa(i) }
