package chart

import (
	"encoding/xml"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// A label a user typed: markup, an ampersand, quotes, a control character.
const nasty = `Öst <script>alert("x")</script> & 'väst'` + "\x01"

// cases are the golden charts: one per kind, with suppressed values.
func cases() []struct {
	name string
	svg  func() (string, error)
	tab  Table
	hide int // suppressed values drawn
} {
	weeks := []string{"v. 1", "v. 2", "v. 3", "v. 4", "v. 5", "v. 6"}
	bar := Bar{ID: "inflow", Title: "Inflöde per vecka", Desc: "Fler e-ansökningar än pappersansökningar varje vecka.",
		Lang: Swedish, ValueLabel: "Ansökningar", CategoryLabel: "Vecka", Categories: weeks,
		Series: []Series{
			{Name: "E-ansökan", Values: []Value{Num(12), Num(1340), Num(15), Hidden(), Num(22), Num(18)}},
			{Name: "Papper", Values: []Value{Num(6), Num(7), Hidden(), Num(5), Num(9), Num(8)}},
		}}
	stacked := Bar{ID: "backlog", Title: "Backlog by week", Desc: "The backlog grew by a third in six weeks.",
		Lang: English, ValueLabel: "Open cases", CategoryLabel: "Week", Categories: weeks, Stacked: true,
		Series: []Series{
			{Name: "Under investigation", Values: []Value{Num(30), Num(32), Num(35), Num(36), Num(38), Num(40)}},
			{Name: "Awaiting decision", Values: []Value{Num(10), Hidden(), Num(12), Num(11), Num(13), Num(14)}},
			{Name: "Awaiting plan", Values: []Value{Num(5), Num(6), Num(7), Num(8), Num(9), Num(11)}},
		}}
	months := []string{"jan", "feb", "mar", "apr", "maj", "jun", "jul"}
	line := Line{ID: "forecast", Title: "Beviljade timmar: prognos och utfall", Desc: "Utfallet låg nära prognosen; i juli väntas 1 250,5 timmar.",
		Lang: Swedish, Decimals: 1, ValueLabel: "Timmar per månad", CategoryLabel: "Månad", Categories: months,
		Series: []Series{
			{Name: "Utfall", Values: []Value{Num(1100), Num(1150.5), Hidden(), Num(1210), Num(1190), Num(1240), Nothing()}},
			{Name: "Utfall", Forecast: true, Values: []Value{Nothing(), Nothing(), Nothing(), Num(1200), Num(1220), Num(1230), Num(1250.5)}},
		}}
	dist := Distribution{ID: "lead-time", Title: "Tid från ansökan till beslut", Desc: "Hälften av besluten fattades inom 20 dagar i alla distrikt utom Väst.",
		Lang: Swedish, ValueLabel: "Dagar", GroupLabel: "Distrikt",
		Groups: []Group{
			{Name: "Norr", Median: Num(12), P90: Num(40)},
			{Name: "Väst", Median: Num(23.5), P90: Num(61)},
			{Name: "Söder", Median: Hidden(), P90: Hidden()},
		}}
	return []struct {
		name string
		svg  func() (string, error)
		tab  Table
		hide int
	}{
		{"bar-grouped", func() (string, error) { h, err := bar.SVG(); return string(h), err }, bar.Table(), 2},
		{"bar-stacked", func() (string, error) { h, err := stacked.SVG(); return string(h), err }, stacked.Table(), 1},
		{"line-forecast", func() (string, error) { h, err := line.SVG(); return string(h), err }, line.Table(), 1},
		{"distribution", func() (string, error) { h, err := dist.SVG(); return string(h), err }, dist.Table(), 1},
	}
}

// TestGolden compares each chart with testdata/<name>.svg (go test -run
// Golden -update rewrites them) and checks what every chart must be:
// well-formed XML, labelled by its title and desc, text of at least 12
// units, each suppressed value drawn as a marker, never as 0.
func TestGolden(t *testing.T) {
	for _, tc := range cases() {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.svg()
			if err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", tc.name+".svg")
			if *update {
				if err := os.WriteFile(golden, []byte(got+"\n"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if got+"\n" != string(want) {
				t.Errorf("the chart differs from %s (go test -run Golden -update rewrites it)", golden)
			}
			checkChart(t, got, tc.hide)
		})
	}
}

// element is a parsed XML element: enough to check a chart.
type element struct {
	name     string
	attrs    map[string]string
	text     string // the text directly inside
	children []*element
}

func parse(t *testing.T, s string) *element {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(s))
	d.Strict = true
	var root *element
	var stack []*element
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v\n%s", err, s)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			e := &element{name: tok.Name.Local, attrs: map[string]string{}}
			for _, a := range tok.Attr {
				e.attrs[a.Name.Local] = a.Value
			}
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.children = append(p.children, e)
			} else if root != nil {
				t.Fatalf("more than one root element")
			} else {
				root = e
			}
			stack = append(stack, e)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) == 0 {
				if strings.TrimSpace(string(tok)) != "" {
					t.Fatalf("text outside the root: %q", tok)
				}
				continue
			}
			stack[len(stack)-1].text += string(tok)
		}
	}
	if root == nil {
		t.Fatal("no element")
	}
	return root
}

func (e *element) walk(f func(*element)) {
	f(e)
	for _, c := range e.children {
		c.walk(f)
	}
}

func checkChart(t *testing.T, s string, hidden int) {
	t.Helper()
	root := parse(t, s)
	if root.name != "svg" || root.attrs["role"] != "img" || root.attrs["viewBox"] == "" {
		t.Fatalf("root <%s role=%q viewBox=%q>, want an svg with role img and a viewBox", root.name, root.attrs["role"], root.attrs["viewBox"])
	}
	if vb := strings.Fields(root.attrs["viewBox"]); len(vb) != 4 || vb[2] != "340" {
		t.Errorf("viewBox %q, want 340 wide (text stays ≥ 12 px at a 375 px phone)", root.attrs["viewBox"])
	}
	ids := map[string]*element{}
	root.walk(func(e *element) {
		if id := e.attrs["id"]; id != "" {
			if ids[id] != nil {
				t.Errorf("id %q twice", id)
			}
			ids[id] = e
		}
		if fs, ok := e.attrs["font-size"]; ok {
			if v, err := strconv.ParseFloat(fs, 64); err != nil || v < 14 {
				t.Errorf("font-size %q below 14 units", fs)
			}
		}
		if _, ok := e.attrs["style"]; ok || e.name == "style" || e.name == "script" {
			t.Errorf("<%s> with inline style or script (the CSP forbids them)", e.name)
		}
	})
	labelled := strings.Fields(root.attrs["aria-labelledby"])
	if len(labelled) != 2 || ids[labelled[0]] == nil || ids[labelled[0]].name != "title" || ids[labelled[1]] == nil || ids[labelled[1]].name != "desc" {
		t.Fatalf("aria-labelledby %q does not name the title and desc", root.attrs["aria-labelledby"])
	}
	desc := ids[labelled[1]].text
	marks := 0
	root.walk(func(e *element) {
		if e.name == "g" && len(e.children) > 0 && e.children[0].name == "title" && strings.Contains(e.children[0].text, "5") {
			marks++
			var dash bool
			for _, c := range e.children {
				dash = dash || (c.name == "text" && c.text == "–")
			}
			if !dash {
				t.Errorf("a suppressed value's marker without its –")
			}
		}
		if e.name == "rect" && (e.attrs["height"] == "0" || e.attrs["width"] == "0") {
			t.Errorf("a bar of size 0: %v", e.attrs)
		}
	})
	if marks != hidden {
		t.Errorf("%d suppressed markers, want %d", marks, hidden)
	}
	if hidden > 0 && !strings.Contains(desc, "5") {
		t.Errorf("desc %q does not explain the suppressed values", desc)
	}
}

// TestEscaping puts markup into every text a caller gives and checks it
// comes out as the same text, never as markup.
func TestEscaping(t *testing.T) {
	want := strings.ReplaceAll(nasty, "\x01", "\uFFFD")
	bar := Bar{ID: "x", Title: nasty, Desc: nasty, ValueLabel: nasty, CategoryLabel: nasty, Categories: []string{nasty, "b"},
		Series: []Series{{Name: nasty, Values: []Value{Num(1), Num(2)}}, {Name: nasty, Values: []Value{Num(1), Hidden()}}}}
	line := Line{ID: "y", Title: nasty, Desc: nasty, ValueLabel: nasty, Categories: []string{nasty, "b"},
		Series: []Series{{Name: nasty, Values: []Value{Num(1), Num(2)}, Forecast: true}}}
	dist := Distribution{ID: "z", Title: nasty, Desc: nasty, ValueLabel: nasty, GroupLabel: nasty, Groups: []Group{{Name: nasty, Median: Num(1), P90: Num(3)}}}
	outs := map[string]func() (string, error){
		"bar":          func() (string, error) { h, err := bar.SVG(); return string(h), err },
		"line":         func() (string, error) { h, err := line.SVG(); return string(h), err },
		"distribution": func() (string, error) { h, err := dist.SVG(); return string(h), err },
		"bar table":    func() (string, error) { return string(bar.Table().HTML()), nil },
		"dist table":   func() (string, error) { return string(dist.Table().HTML()), nil },
	}
	for name, f := range outs {
		t.Run(name, func(t *testing.T) {
			s, err := f()
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(s, "<script") || strings.Contains(s, "\x01") {
				t.Fatalf("markup or a control character unescaped:\n%s", s)
			}
			root := parse(t, s)
			found := 0
			root.walk(func(e *element) {
				// The wrapped texts break at spaces; compare without them.
				if strings.Contains(strings.ReplaceAll(want, " ", ""), strings.ReplaceAll(e.text, " ", "")) && strings.Contains(e.text, "<script>") {
					found++
				}
			})
			if found == 0 {
				t.Errorf("the label's text is not there as text")
			}
		})
	}
}

// TestTable checks the table beside a chart holds the chart's numbers in
// the chart's language, "–" for a suppressed one with the note.
func TestTable(t *testing.T) {
	for _, tc := range cases() {
		if tc.name != "bar-grouped" {
			continue
		}
		tab := tc.tab
		if tab.Caption != "Inflöde per vecka" || tab.Corner != "Vecka" || fmt.Sprint(tab.Columns) != "[E-ansökan Papper]" {
			t.Errorf("caption %q corner %q columns %q", tab.Caption, tab.Corner, tab.Columns)
		}
		var rows []string
		for _, r := range tab.Rows {
			cells := []string{r.Header}
			for _, c := range r.Cells {
				cells = append(cells, c.Text)
			}
			rows = append(rows, strings.Join(cells, "|"))
		}
		want := "v. 1|12|6\nv. 2|1\u00a0340|7\nv. 3|15|–\nv. 4|–|5\nv. 5|22|9\nv. 6|18|8"
		if got := strings.Join(rows, "\n"); got != want {
			t.Errorf("rows\n%s\nwant\n%s", got, want)
		}
		if !strings.HasPrefix(tab.Note, "– = färre än 5 personer") {
			t.Errorf("note %q", tab.Note)
		}
		root := parse(t, string(tab.HTML()))
		scopes := map[string]int{}
		root.walk(func(e *element) {
			if e.name == "th" {
				scopes[e.attrs["scope"]]++
			}
		})
		if scopes["col"] != 3 || scopes["row"] != 6 || len(scopes) != 2 {
			t.Errorf("th scopes %v, want 3 col and 6 row", scopes)
		}
	}
	line := cases()[2].tab
	if got := fmt.Sprint(line.Columns); got != "[Utfall Utfall (prognos)]" {
		t.Errorf("line columns %s", got)
	}
	if r := line.Rows[0]; r.Cells[1].Text != "" || r.Cells[0].Text != "1\u00a0100,0" {
		t.Errorf("line row %+v, want 1 100,0 and an empty forecast", r)
	}
	dist := cases()[3].tab
	if got := fmt.Sprintf("%v %s %s", dist.Columns, dist.Rows[1].Cells[0].Text, dist.Rows[2].Cells[1].Text); got != "[Median 90:e percentilen] 24 –" {
		t.Errorf("distribution table %s", got)
	}
}

func TestFormat(t *testing.T) {
	tests := []struct {
		x        float64
		decimals int
		lang     Lang
		want     string
	}{
		{0, 0, Swedish, "0"},
		{999, 0, Swedish, "999"},
		{1234, 0, Swedish, "1\u00a0234"},
		{1234567.25, 2, Swedish, "1\u00a0234\u00a0567,25"},
		{-1234.5, 1, Swedish, "\u22121\u00a0234,5"},
		{-0.04, 1, Swedish, "0,0"},
		{1234567.25, 1, English, "1,234,567.2"},
		{-12.5, 0, English, "-12"},
		{0.5, 2, English, "0.50"},
		{math.NaN(), 0, Swedish, "–"},
	}
	for _, tt := range tests {
		if got := Format(tt.x, tt.decimals, tt.lang); got != tt.want {
			t.Errorf("Format(%v, %d, %s) = %q, want %q", tt.x, tt.decimals, tt.lang, got, tt.want)
		}
	}
}

func TestNiceScale(t *testing.T) {
	tests := []struct {
		max      float64
		ticks    string
		decimals int
	}{
		{0, "[0 0.25 0.5 0.75 1]", 2},
		{18, "[0 5 10 15 20]", 0},
		{1340, "[0 500 1000 1500]", 0},
		{61, "[0 20 40 60 80]", 0},
		{0.3, "[0 0.1 0.2 0.3]", 1},
	}
	for _, tt := range tests {
		s := niceScale(tt.max)
		if got := fmt.Sprint(s.ticks); got != tt.ticks || s.decimals != tt.decimals {
			t.Errorf("niceScale(%v) = %s with %d decimals, want %s with %d", tt.max, got, s.decimals, tt.ticks, tt.decimals)
		}
	}
}

// luminance is WCAG 2.1's relative luminance of a colour #rrggbb.
func luminance(t *testing.T, hex string) float64 {
	t.Helper()
	v, err := strconv.ParseUint(strings.TrimPrefix(hex, "#"), 16, 32)
	if err != nil || len(hex) != 7 {
		t.Fatalf("colour %q", hex)
	}
	lin := func(c uint64) float64 {
		s := float64(c) / 255
		if s <= 0.04045 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(v>>16&0xff) + 0.7152*lin(v>>8&0xff) + 0.0722*lin(v&0xff)
}

func contrast(t *testing.T, a, b string) float64 {
	la, lb := luminance(t, a), luminance(t, b)
	return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)
}

// TestContrast computes each colour's contrast against the chart's white
// and the page's background: 3:1 for the series (WCAG 1.4.11), 4.5:1
// for the text.
func TestContrast(t *testing.T) {
	if got := contrast(t, "#000000", "#ffffff"); math.Abs(got-21) > 1e-9 {
		t.Fatalf("black on white %v, want 21", got)
	}
	for _, bg := range []string{background, "#f6f7f9"} {
		for _, c := range Palette {
			if got := contrast(t, c, bg); got < 3 {
				t.Errorf("series colour %s on %s: %.2f:1, want at least 3:1", c, bg, got)
			}
		}
		if got := contrast(t, ink, bg); got < 4.5 {
			t.Errorf("text %s on %s: %.2f:1, want at least 4.5:1", ink, bg, got)
		}
	}
}

func TestInvalid(t *testing.T) {
	ok := []Series{{Name: "a", Values: []Value{Num(1)}}}
	cases := map[string]func() error{
		"bad id": func() error {
			_, err := Bar{ID: "1x", Title: "t", Desc: "d", Categories: []string{"a"}, Series: ok}.SVG()
			return err
		},
		"id with quote": func() error {
			_, err := Bar{ID: `a"b`, Title: "t", Desc: "d", Categories: []string{"a"}, Series: ok}.SVG()
			return err
		},
		"no desc": func() error {
			_, err := Line{ID: "a", Title: "t", Desc: " ", Categories: []string{"a"}, Series: ok}.SVG()
			return err
		},
		"no series": func() error {
			_, err := Bar{ID: "a", Title: "t", Desc: "d", Categories: []string{"a"}}.SVG()
			return err
		},
		"too few values": func() error {
			_, err := Bar{ID: "a", Title: "t", Desc: "d", Categories: []string{"a", "b"}, Series: ok}.SVG()
			return err
		},
		"NaN": func() error {
			_, err := Line{ID: "a", Title: "t", Desc: "d", Categories: []string{"a"}, Series: []Series{{Values: []Value{Num(math.NaN())}}}}.SVG()
			return err
		},
		"negative": func() error {
			_, err := Distribution{ID: "a", Title: "t", Desc: "d", Groups: []Group{{Median: Num(-1), P90: Num(1)}}}.SVG()
			return err
		},
		"no groups": func() error { _, err := Distribution{ID: "a", Title: "t", Desc: "d"}.SVG(); return err },
		"seven series": func() error {
			_, err := Bar{ID: "a", Title: "t", Desc: "d", Categories: []string{"a"}, Series: append(append(ok, ok...), ok[0], ok[0], ok[0], ok[0], ok[0])}.SVG()
			return err
		},
	}
	for name, f := range cases {
		if f() == nil {
			t.Errorf("%s: no error", name)
		}
	}
	// The smallest valid charts draw.
	if _, err := (Bar{ID: "a", Title: "t", Desc: "d", Categories: []string{"a"}, Series: ok}).SVG(); err != nil {
		t.Error(err)
	}
	if _, err := (Line{ID: "a", Title: "t", Desc: "d", Series: []Series{{}}}).SVG(); err != nil {
		t.Error(err)
	}
}
