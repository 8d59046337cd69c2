package chart

import (
	"fmt"
	"html/template"
	"strconv"
)

// maxSeries is how many series a chart tells apart: as many as there are
// colours, patterns and markers.
const maxSeries = 6

// plotHeight is the height of a bar or line chart's plot.
const plotHeight = 200

// Bar is a vertical bar chart: one group of bars per category, one bar
// per series, side by side or (Stacked) on top of each other.
type Bar struct {
	// ID is unique on the page: a letter, then letters, digits, - or _.
	ID string
	// Title names the chart; Desc says its message in words ("Inflödet
	// steg under hösten och var högst vecka 42 med 87 ansökningar.").
	Title, Desc string
	Lang        Lang
	// Decimals is how many decimals the table shows.
	Decimals int
	// ValueLabel says what the values are; it stands above the value
	// axis. CategoryLabel heads the table's first column ("Vecka").
	ValueLabel, CategoryLabel string
	Categories                []string
	// Series each hold one value per category; at most 6.
	Series  []Series
	Stacked bool
}

func checkSeries(id string, cats []string, series []Series) (suppressed bool, err error) {
	if len(series) == 0 || len(series) > maxSeries {
		return false, fmt.Errorf("chart %s: %d series; a chart has 1 to %d", id, len(series), maxSeries)
	}
	for _, s := range series {
		if len(s.Values) != len(cats) {
			return false, fmt.Errorf("chart %s: series %q has %d values for %d categories", id, s.Name, len(s.Values), len(cats))
		}
		for _, v := range s.Values {
			if err := checkValue(id, v); err != nil {
				return false, err
			}
			suppressed = suppressed || v.Suppressed
		}
	}
	return suppressed, nil
}

// fill returns series i's fill: the solid colour for the first, a
// pattern in its colour for the others.
func fill(id string, i int) string {
	if i == 0 {
		return Palette[0]
	}
	return "url(#" + id + "-p" + strconv.Itoa(i) + ")"
}

// patterns writes the fill patterns of series 1 to count-1: diagonal
// lines, dots, horizontal lines, cross-hatching, vertical lines.
func (w *svg) patterns(id string, count int) {
	if count < 2 {
		return
	}
	shapes := []string{"", "M-1,1 l2,-2 M0,6 l6,-6 M5,7 l2,-2", "", "M0,3 h6", "M0,0 l6,6 M6,0 l-6,6", "M3,0 v6"}
	w.open("defs")
	for i := 1; i < count; i++ {
		c := Palette[i]
		w.open("pattern", "id", id+"-p"+strconv.Itoa(i), "patternUnits", "userSpaceOnUse", "width", "6", "height", "6")
		w.empty("rect", "width", "6", "height", "6", "fill", background)
		if i == 2 {
			w.empty("circle", "cx", "3", "cy", "3", "r", "1.8", "fill", c)
		} else {
			w.empty("path", "d", shapes[i], "stroke", c, "stroke-width", "1.5")
		}
		w.close("pattern")
	}
	w.close("defs")
}

// legend writes one row per entry from y on, drawn by swatch, and returns
// the y after it.
func (w *svg) legend(names []string, y float64, swatch func(i int, x, y float64)) float64 {
	for i, name := range names {
		for j, line := range wrap(name, charsPerLine-4) {
			y += lineH
			if j == 0 {
				swatch(i, 4, y-5)
			}
			w.text(line, "x", "26", "y", n(y))
		}
	}
	return y
}

// SVG returns the chart as an <svg> element, or an error when the chart
// has no id, title or description, its series do not match its
// categories, or a value is negative or not a finite number.
func (c Bar) SVG() (template.HTML, error) {
	com := common{c.ID, c.Title, c.Desc, c.Lang, c.Decimals}
	if err := com.check(); err != nil {
		return "", err
	}
	suppressed, err := checkSeries(c.ID, c.Categories, c.Series)
	if err != nil {
		return "", err
	}
	var names []string
	for _, s := range c.Series {
		names = append(names, seriesName(s, c.Lang))
	}
	// The largest bar (or stack, up to its first suppressed part).
	var top float64
	for i := range c.Categories {
		var stack float64
		for _, s := range c.Series {
			v := s.Values[i]
			if v.None {
				continue
			}
			if c.Stacked {
				if v.Suppressed {
					break
				}
				stack += v.X
				top = max(top, stack)
			} else if !v.Suppressed {
				top = max(top, v.X)
			}
		}
	}
	sc := niceScale(top)

	// Measure first: the legend, the value label, the plot, the category
	// labels, the note.
	var legendLines int
	if len(names) > 1 {
		for _, name := range names {
			legendLines += len(wrap(name, charsPerLine-4))
		}
	}
	labelLines := wrap(c.ValueLabel, charsPerLine)
	plotTop := float64(legendLines+len(labelLines))*lineH + 14
	p := plot{left: tickLabelsWidth(sc, c.Lang), top: plotTop, right: width - 6, bottom: plotTop + plotHeight, s: sc}
	height := p.bottom + lineH + 8
	if suppressed {
		height += float64(len(wrap(say(c.Lang, "suppressed.note"), charsPerLine)))*lineH + 4
	}

	var w svg
	w.begin(com, height, suppressed)
	w.patterns(c.ID, len(c.Series))
	y := 0.0
	if len(names) > 1 {
		y = w.legend(names, y, func(i int, x, y float64) {
			w.empty("rect", "x", n(x), "y", n(y-9), "width", "16", "height", "14",
				"fill", fill(c.ID, i), "stroke", Palette[i], "stroke-width", "1.5")
		})
	}
	for _, line := range labelLines {
		y += lineH
		w.text(line, "x", "4", "y", n(y))
	}
	w.yAxis(p, c.Lang)

	slot := (p.right - p.left) / float64(max(1, len(c.Categories)))
	group := slot * 0.8
	barW := group
	if !c.Stacked {
		barW = group / float64(len(c.Series))
	}
	centres := make([]float64, len(c.Categories))
	for i := range c.Categories {
		x0 := p.left + slot*float64(i) + (slot-group)/2
		centres[i] = x0 + group/2
		base := p.bottom
		for j, s := range c.Series {
			v := s.Values[i]
			x := x0
			if !c.Stacked {
				x = x0 + barW*float64(j)
			}
			if v.None {
				continue
			}
			if v.Suppressed {
				w.suppressedMark(c.Lang, x+barW/2, base)
				if c.Stacked {
					break // the rest of the stack has no known place
				}
				continue
			}
			h := p.bottom - p.y(v.X)
			w.empty("rect", "x", n(x), "y", n(base-h), "width", n(barW), "height", n(h),
				"fill", fill(c.ID, j), "stroke", Palette[j], "stroke-width", "1.5")
			if c.Stacked {
				base -= h
			}
		}
	}
	w.xLabels(c.Categories, centres, p.bottom+lineH)
	if suppressed {
		w.note(c.Lang, p.bottom+lineH+4)
	}
	return w.html(), nil
}

// Table returns the chart's numbers: a row per category, a column per
// series.
func (c Bar) Table() Table {
	return seriesTable(c.Title, c.CategoryLabel, c.Categories, c.Series, c.Decimals, c.Lang)
}
