// Package chart draws the analysis dashboards' charts as accessible SVG
// for html/template pages, with no script: bar charts (grouped or
// stacked series), line charts (series over weeks or months, a forecast
// drawn dashed) and distributions (median and 90th percentile per group).
//
// Every chart
//
//   - is an <svg role="img"> labelled by its <title> and <desc>; the desc
//     says the chart's message in words (given by the caller) and, when a
//     figure is suppressed, what "–" means;
//   - tells its series apart without colour: bars by fill pattern, lines
//     by marker shape and (for a forecast) dashes, with a legend and, for
//     lines, the series' name at its last point;
//   - draws in colours with at least 3:1 contrast against its white
//     background (WCAG 2.1, 1.4.11; the tests compute it), text of 14
//     units in a viewBox 340 units wide, so text stays at least 12 px on a
//     375 px phone, where the chart is about 310 px wide;
//   - writes numbers in Swedish (12 345,5) or English (12,345.5);
//   - draws a suppressed figure (from fewer than 5 persons) as a gap with
//     a marker labelled "–", never as 0.
//
// Each chart's Table gives the same numbers as rows and columns, for the
// <table> beside it, so the page renders both from one value.
//
// The SVG uses presentation attributes only (no style attribute or
// element: the pages' Content-Security-Policy forbids inline style), and
// is written with every piece of text and every attribute value escaped,
// so a label holding <, & or quotes stays text. It has no width of its
// own: the stylesheet is to size svg.chart.
package chart

import (
	"embed"
	"fmt"
	"html/template"
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
	"gopkg.in/yaml.v3"
)

// Lang is the language of a chart's numbers and words.
type Lang string

// The languages.
const (
	Swedish Lang = "sv"
	English Lang = "en"
)

// Value is one figure of a chart. A suppressed value came from fewer
// than 5 persons: it is never shown, and its X is ignored. None is no
// figure at all (a forecast's past, an outcome still to come): nothing is
// drawn and the table's cell is empty.
type Value struct {
	X          float64
	Suppressed bool
	None       bool
}

// Num returns a shown value.
func Num(x float64) Value { return Value{X: x} }

// Hidden returns a suppressed value.
func Hidden() Value { return Value{Suppressed: true} }

// Nothing returns a value that is no figure at all.
func Nothing() Value { return Value{None: true} }

// Series is one named row of values, one per category of its chart.
type Series struct {
	Name   string
	Values []Value
	// Forecast marks forecast values: a line drawn dashed with hollow
	// markers, its name followed by "(prognos)".
	Forecast bool
}

// The drawing's measures, in viewBox units.
const (
	width    = 340
	fontSize = 14
	lineH    = 18
	// charW is a generous average width of a character at fontSize, for
	// laying out text without measuring it.
	charW = 8.0
)

// Colours: ink for text and axes, grid for the light guide lines, and
// the series' palette, each at least 3:1 against the white background.
const (
	background = "#ffffff"
	ink        = "#1b1f24"
	grid       = "#d5dae1"
)

// Palette is the series' colours, in order; each has at least 3:1
// contrast against white and against the page's background #f6f7f9.
var Palette = []string{"#0b5cad", "#b35900", "#1e7b34", "#7b3fa0", "#4a5562", "#a4141b"}

var idPattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]{0,63}$`)

//go:embed locales/*.yaml
var localeFiles embed.FS

var localizers = func() map[Lang]*i18n.Localizer {
	bundle := i18n.NewBundle(language.Swedish)
	bundle.RegisterUnmarshalFunc("yaml", yaml.Unmarshal)
	out := map[Lang]*i18n.Localizer{}
	for _, l := range []Lang{Swedish, English} {
		if _, err := bundle.LoadMessageFileFS(localeFiles, "locales/"+string(l)+".yaml"); err != nil {
			panic("chart: message file: " + err.Error())
		}
		out[l] = i18n.NewLocalizer(bundle, string(l))
	}
	return out
}()

// say returns the message id in lang (Swedish for any language but
// English), with its arguments as name, value pairs.
func say(lang Lang, id string, kv ...string) string {
	loc := localizers[lang]
	if loc == nil {
		loc = localizers[Swedish]
	}
	data := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		data[kv[i]] = kv[i+1]
	}
	s, err := loc.Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: data})
	if err != nil {
		return id
	}
	return s
}

// Format writes x with the given number of decimals in lang: Swedish
// groups thousands with a no-break space and uses a decimal comma and the
// minus sign (−1 234,5); English uses commas and a point (-1,234.5).
func Format(x float64, decimals int, lang Lang) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return "–"
	}
	decimals = max(0, min(decimals, 6))
	s := strconv.FormatFloat(math.Abs(x), 'f', decimals, 64)
	whole, frac, _ := strings.Cut(s, ".")
	thousands, point, minus := ",", ".", "-"
	if lang != English {
		thousands, point, minus = "\u00a0", ",", "\u2212"
	}
	var b strings.Builder
	if x < 0 && strings.Trim(s, "0.") != "" {
		b.WriteString(minus)
	}
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteString(thousands)
		}
		b.WriteRune(r)
	}
	if frac != "" {
		b.WriteString(point + frac)
	}
	return b.String()
}

// common holds what every chart has.
type common struct {
	id, title, desc string
	lang            Lang
	decimals        int
}

func (c common) check() error {
	if !idPattern.MatchString(c.id) {
		return fmt.Errorf("chart: id %q is not a letter followed by at most 63 letters, digits, - or _", c.id)
	}
	if strings.TrimSpace(c.title) == "" || strings.TrimSpace(c.desc) == "" {
		return fmt.Errorf("chart %s: a chart needs a title and a description of its message", c.id)
	}
	return nil
}

func checkValue(id string, v Value) error {
	if v.Suppressed || v.None {
		return nil
	}
	if math.IsNaN(v.X) || math.IsInf(v.X, 0) || v.X < 0 {
		return fmt.Errorf("chart %s: value %v is not a finite number of at least 0", id, v.X)
	}
	return nil
}

// fullDesc is the description with what "–" means when a value is
// suppressed.
func (c common) fullDesc(suppressed bool) string {
	if suppressed {
		return strings.TrimSpace(c.desc) + " " + say(c.lang, "suppressed.note")
	}
	return c.desc
}

// seriesName is a series' name as the legend and the table say it.
func seriesName(s Series, lang Lang) string {
	if s.Forecast {
		return say(lang, "series.forecast", "Name", s.Name)
	}
	return s.Name
}

// svg writes well-formed XML: every text and attribute value escaped.
type svg struct{ b strings.Builder }

func (w *svg) tag(name string, attrs []string, selfClose bool) {
	w.b.WriteString("<" + name)
	for i := 0; i+1 < len(attrs); i += 2 {
		w.b.WriteString(" " + attrs[i] + `="`)
		w.b.WriteString(escape(attrs[i+1]))
		w.b.WriteString(`"`)
	}
	if selfClose {
		w.b.WriteString("/>")
	} else {
		w.b.WriteString(">")
	}
}

func (w *svg) open(name string, attrs ...string)  { w.tag(name, attrs, false) }
func (w *svg) empty(name string, attrs ...string) { w.tag(name, attrs, true) }
func (w *svg) close(name string)                  { w.b.WriteString("</" + name + ">") }

// text writes a <text> element holding s.
func (w *svg) text(s string, attrs ...string) {
	w.open("text", attrs...)
	w.b.WriteString(escape(s))
	w.close("text")
}

// escape escapes s for XML text and attribute values alike; characters
// XML cannot hold become U+FFFD.
func escape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '<':
			b.WriteString("&lt;")
		case r == '>':
			b.WriteString("&gt;")
		case r == '&':
			b.WriteString("&amp;")
		case r == '"':
			b.WriteString("&#34;")
		case r == '\'':
			b.WriteString("&#39;")
		case r == '\t' || r == '\n' || r == '\r':
			b.WriteString(" ")
		case r < 0x20 || (r >= 0xD800 && r <= 0xDFFF) || r == 0xFFFE || r == 0xFFFF || r > 0x10FFFF:
			b.WriteRune('\uFFFD')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// n writes a coordinate with at most one decimal.
func n(x float64) string {
	return strconv.FormatFloat(math.Round(x*10)/10, 'f', -1, 64)
}

// begin opens the svg element with its title, desc and background.
func (w *svg) begin(c common, height float64, suppressed bool) {
	w.open("svg", "xmlns", "http://www.w3.org/2000/svg", "class", "chart", "id", c.id,
		"viewBox", "0 0 "+n(width)+" "+n(height), "role", "img",
		"aria-labelledby", c.id+"-title "+c.id+"-desc",
		"font-family", "system-ui, -apple-system, Segoe UI, Roboto, sans-serif",
		"font-size", strconv.Itoa(fontSize), "fill", ink)
	w.open("title", "id", c.id+"-title")
	w.b.WriteString(escape(c.title))
	w.close("title")
	w.open("desc", "id", c.id+"-desc")
	w.b.WriteString(escape(c.fullDesc(suppressed)))
	w.close("desc")
	w.empty("rect", "width", n(width), "height", n(height), "fill", background)
}

func (w *svg) html() template.HTML {
	w.close("svg")
	// The writer escapes every text and attribute value it is given.
	return template.HTML(w.b.String())
}

// wrap breaks s into lines of at most max characters at spaces (a word
// longer than that gets a line of its own).
func wrap(s string, max int) []string {
	var lines []string
	var cur string
	for _, word := range strings.Fields(s) {
		if cur != "" && len([]rune(cur))+1+len([]rune(word)) > max {
			lines = append(lines, cur)
			cur = ""
		}
		if cur != "" {
			cur += " "
		}
		cur += word
	}
	if cur != "" {
		lines = append(lines, cur)
	}
	return lines
}

// charsPerLine is how many characters fit across the chart.
const charsPerLine = 41 // (width - 8) / charW

// note writes the explanation of "–" below the chart from y on and
// returns the y after it.
func (w *svg) note(lang Lang, y float64) float64 {
	for _, line := range wrap(say(lang, "suppressed.note"), charsPerLine) {
		y += lineH
		w.text(line, "x", "4", "y", n(y))
	}
	return y
}

// suppressedMark draws a suppressed figure at x on the baseline y: a
// hollow circle with "–" above it, and a tooltip.
func (w *svg) suppressedMark(lang Lang, x, y float64) {
	w.open("g")
	w.open("title")
	w.b.WriteString(escape(say(lang, "suppressed.title")))
	w.close("title")
	w.empty("circle", "cx", n(x), "cy", n(y-5), "r", "4", "fill", background, "stroke", ink, "stroke-width", "1.5")
	w.text(say(lang, "suppressed.mark"), "x", n(x), "y", n(y-13), "text-anchor", "middle")
	w.close("g")
}

// scale is a value axis from 0 to top with its ticks.
type scale struct {
	top      float64
	ticks    []float64
	decimals int
}

// niceScale returns an axis from 0 covering max with 3 to 6 ticks at
// steps of 1, 2, 2.5 or 5 times a power of ten.
func niceScale(max float64) scale {
	if max <= 0 || math.IsNaN(max) {
		max = 1
	}
	rough := max / 4
	mag := math.Pow(10, math.Floor(math.Log10(rough)))
	step := 10 * mag
	for _, m := range []float64{1, 2, 2.5, 5} {
		if m*mag >= rough {
			step = m * mag
			break
		}
	}
	var s scale
	for d := 0; d < 6; d++ {
		v := step * math.Pow(10, float64(d))
		if math.Abs(v-math.Round(v)) < 1e-6 {
			s.decimals = d
			break
		}
	}
	// Ticks rounded to their decimals, so 3 × 0.1 is 0.3.
	p := math.Pow(10, float64(s.decimals))
	k := math.Ceil(max/step - 1e-9)
	for i := 0.0; i <= k; i++ {
		s.ticks = append(s.ticks, math.Round(i*step*p)/p)
	}
	s.top = s.ticks[len(s.ticks)-1]
	return s
}

// plot is the area the values are drawn in.
type plot struct {
	left, top, right, bottom float64
	s                        scale
}

func (p plot) y(v float64) float64 {
	return p.bottom - (p.bottom-p.top)*v/p.s.top
}

// yAxis draws the value axis's grid lines and tick labels.
func (w *svg) yAxis(p plot, lang Lang) {
	for _, t := range p.s.ticks {
		y := p.y(t)
		w.empty("line", "x1", n(p.left), "x2", n(p.right), "y1", n(y), "y2", n(y), "stroke", grid, "stroke-width", "1")
		w.text(Format(t, p.s.decimals, lang), "x", n(p.left-6), "y", n(y+5), "text-anchor", "end")
	}
	w.empty("line", "x1", n(p.left), "x2", n(p.right), "y1", n(p.bottom), "y2", n(p.bottom), "stroke", ink, "stroke-width", "1.5")
}

// tickLabelsWidth is the room the value axis's labels need.
func tickLabelsWidth(s scale, lang Lang) float64 {
	longest := 0
	for _, t := range s.ticks {
		longest = max(longest, len([]rune(Format(t, s.decimals, lang))))
	}
	return float64(longest)*charW + 10
}

// xLabels draws the category labels under the plot at the centres xs,
// leaving out labels so that the shown ones do not overlap.
func (w *svg) xLabels(cats []string, xs []float64, y float64) {
	if len(cats) == 0 {
		return
	}
	longest := 1
	for _, c := range cats {
		longest = max(longest, len([]rune(c)))
	}
	every := 1
	if len(xs) > 1 {
		gap := xs[1] - xs[0]
		every = max(1, int(math.Ceil((float64(longest)*charW+6)/gap)))
	}
	for i, c := range cats {
		if i%every != 0 && i != len(cats)-1 {
			continue
		}
		if i == len(cats)-1 && i%every != 0 && len(cats) > 1 {
			continue
		}
		anchor := "middle"
		if i == 0 && len(cats) > 1 && xs[0]-float64(len([]rune(c)))*charW/2 < 0 {
			anchor = "start"
		}
		if i == len(cats)-1 && len(cats) > 1 && xs[i]+float64(len([]rune(c)))*charW/2 > width {
			anchor = "end"
		}
		w.text(c, "x", n(xs[i]), "y", n(y), "text-anchor", anchor)
	}
}
