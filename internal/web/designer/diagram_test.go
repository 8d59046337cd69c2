package designer

import (
	"reflect"
	"strings"
	"testing"

	"github.com/trygg/trygg/internal/process"
	"github.com/trygg/trygg/packs"
)

// caseType builds a case type from steps ("id" or "id!" for a final step)
// and transitions "id: from1,from2 -> to".
func caseType(start string, steps []string, transitions ...string) *process.CaseType {
	ct := &process.CaseType{ID: process.Str{Value: "test"}, Start: process.Str{Value: start}}
	for _, s := range steps {
		id, final := strings.CutSuffix(s, "!")
		ct.Steps = append(ct.Steps, process.Step{ID: process.Str{Value: id}, Name: process.Text{SV: "Steg " + id, EN: "Step " + id}, Final: final})
	}
	for _, t := range transitions {
		id, rest, _ := strings.Cut(t, ": ")
		from, to, _ := strings.Cut(rest, " -> ")
		tr := process.Transition{ID: process.Str{Value: id}, Name: process.Text{SV: "Gå " + id, EN: "Go " + id}, To: process.Str{Value: to}}
		for _, f := range strings.Split(from, ",") {
			tr.From = append(tr.From, process.Str{Value: f})
		}
		ct.Transitions = append(ct.Transitions, tr)
	}
	return ct
}

// diagramCases are the shipped packs' case types and some awkward ones.
func diagramCases(t *testing.T) map[string]*process.CaseType {
	t.Helper()
	var files []process.File
	for _, f := range packs.Files() {
		files = append(files, process.File{Name: f.Name, Data: []byte(f.Content)})
	}
	b, probs := process.Load(files)
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	cases := map[string]*process.CaseType{}
	for _, ct := range b.CaseTypes {
		cases["pack "+ct.ID.Value] = ct
	}
	cases["single step"] = caseType("a", []string{"a!"})
	cases["chain"] = caseType("a", []string{"a", "b", "c", "d!"}, "ab: a -> b", "bc: b -> c", "cd: c -> d")
	cases["fan out and back"] = caseType("a", []string{"a", "b", "c", "d", "e!", "f!"},
		"ab: a -> b", "ac: a -> c", "ad: a -> d", "be: b,c,d -> e", "cf: c -> f", "da: d -> a", "ca: c -> a", "dd: d -> d", "dd2: d -> d")
	cases["same row"] = caseType("a", []string{"a", "b", "c", "z!"}, "ab: a -> b", "ac: a -> c", "bc: b -> c", "cb: c -> b", "bz: b,c -> z")
	cases["unreachable and unknown"] = caseType("nowhere", []string{"a", "b", "lost", "z!"},
		"ab: a -> b", "bz: b -> z", "lz: lost -> z", "ghost: a -> ghost", "from_ghost: ghost -> a")
	cases["long names"] = caseType("a", []string{"a", "b!"}, "ab: a -> b")
	cases["long names"].Steps[0].Name.SV = "Ett mycket långt namn på ett steg som inte får plats på tre rader utan att kortas av"
	cases["long names"].Transitions[0].Name.SV = "En övergång med ett namn som är alldeles för långt för en pil"
	return cases
}

// TestLayoutDiagram: every step is a box, no two boxes overlap, no label
// covers a box, everything is inside the drawing, rows follow the distance
// from the start with final steps last, every transition has an arrow,
// and the same case type is always drawn the same.
func TestLayoutDiagram(t *testing.T) {
	for name, ct := range diagramCases(t) {
		for _, lang := range []string{"sv", "en"} {
			t.Run(name+" "+lang, func(t *testing.T) {
				d := layoutDiagram(ct, lang)
				if again := layoutDiagram(ct, lang); !reflect.DeepEqual(d, again) {
					t.Fatal("two layouts of the same case type differ")
				}
				if len(d.Boxes) != len(ct.Steps) {
					t.Fatalf("%d boxes for %d steps", len(d.Boxes), len(ct.Steps))
				}
				inside := func(what string, r diagramRect) {
					if r.X < 0 || r.Y < 0 || r.X+r.W > d.Width || r.Y+r.H > d.Height || r.W <= 0 || r.H <= 0 {
						t.Errorf("%s %+v is outside the drawing %dx%d", what, r, d.Width, d.Height)
					}
				}
				rects := make([]diagramRect, len(d.Boxes))
				for i, b := range d.Boxes {
					rects[i] = diagramRect{b.X, b.Y, b.W, b.H}
					inside("box "+b.Step, rects[i])
					if b.Step != ct.Steps[i].ID.Value || b.Final != ct.Steps[i].Final {
						t.Errorf("box %d is %s (final %v), want step %s", i, b.Step, b.Final, ct.Steps[i].ID.Value)
					}
					for _, l := range b.Lines {
						if l.Y <= b.Y || l.Y >= b.Y+b.H {
							t.Errorf("a line of %s's name is outside its box", b.Step)
						}
					}
				}
				for i := range rects {
					for j := i + 1; j < len(rects); j++ {
						if overlaps(rects[i], rects[j]) {
							t.Errorf("boxes %s %+v and %s %+v overlap", d.Boxes[i].Step, rects[i], d.Boxes[j].Step, rects[j])
						}
					}
				}
				for _, e := range d.Edges {
					inside("label of "+e.Transition, e.LabelBox)
					for i, r := range rects {
						if overlaps(e.LabelBox, r) {
							t.Errorf("the label of %s covers the box of %s", e.Transition, d.Boxes[i].Step)
						}
					}
					if !strings.HasPrefix(e.Path, "M") || e.Loop != (e.From == e.To) {
						t.Errorf("arrow %s %s->%s: path %q, loop %v", e.Transition, e.From, e.To, e.Path, e.Loop)
					}
				}
				checkRows(t, ct, d)
				checkEdges(t, ct, d)
			})
		}
	}
}

func overlaps(a, b diagramRect) bool {
	return a.X < b.X+b.W && b.X < a.X+a.W && a.Y < b.Y+b.H && b.Y < a.Y+a.H
}

// checkRows: the start is alone at the top; a step that is not final is
// one row below the nearest step it can be reached from; final steps are
// below every other step; rows go down the drawing.
func checkRows(t *testing.T, ct *process.CaseType, d diagram) {
	t.Helper()
	row := map[string]int{}
	y := map[int]int{}
	maxOther := -1
	for _, b := range d.Boxes {
		row[b.Step] = b.Row
		if old, ok := y[b.Row]; ok && old != b.Y {
			t.Errorf("row %d has boxes at y %d and %d", b.Row, old, b.Y)
		}
		y[b.Row] = b.Y
		if !b.Final {
			maxOther = max(maxOther, b.Row)
		}
	}
	for r := 1; r < len(y); r++ {
		if y[r] <= y[r-1] {
			t.Errorf("row %d (y %d) is not below row %d (y %d)", r, y[r], r-1, y[r-1])
		}
	}
	starts := 0
	for _, b := range d.Boxes {
		if b.Start {
			starts++
			if b.Row != 0 {
				t.Errorf("the start step %s is in row %d", b.Step, b.Row)
			}
		}
		if b.Final && b.Row <= maxOther {
			t.Errorf("final step %s is in row %d, not below the other steps (row %d)", b.Step, b.Row, maxOther)
		}
	}
	if starts != 1 {
		t.Errorf("%d start steps", starts)
	}
	// Distances by BFS, for the reachable steps that are not final.
	start := ct.Start.Value
	if _, ok := row[start]; !ok {
		start = ct.Steps[0].ID.Value
	}
	dist := map[string]int{start: 0}
	queue := []string{start}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		for _, tr := range ct.Transitions {
			for _, f := range tr.From {
				if _, known := row[tr.To.Value]; f.Value == s && known {
					if _, seen := dist[tr.To.Value]; !seen {
						dist[tr.To.Value] = dist[s] + 1
						queue = append(queue, tr.To.Value)
					}
				}
			}
		}
	}
	for _, s := range ct.Steps {
		if dd, ok := dist[s.ID.Value]; ok && !s.Final && row[s.ID.Value] != dd {
			t.Errorf("step %s is %d transitions from the start but in row %d", s.ID.Value, dd, row[s.ID.Value])
		}
	}
}

// checkEdges: one arrow per transition and step it leaves from, none for
// steps that do not exist.
func checkEdges(t *testing.T, ct *process.CaseType, d diagram) {
	t.Helper()
	steps := map[string]bool{}
	for _, s := range ct.Steps {
		steps[s.ID.Value] = true
	}
	want := map[string]bool{}
	for _, tr := range ct.Transitions {
		for _, f := range tr.From {
			if steps[f.Value] && steps[tr.To.Value] {
				want[tr.ID.Value+" "+f.Value+"->"+tr.To.Value] = true
			}
		}
	}
	got := map[string]bool{}
	for _, e := range d.Edges {
		got[e.Transition+" "+e.From+"->"+e.To] = true
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("arrows %v, want %v", got, want)
	}
}

func TestLayoutDiagramRows(t *testing.T) {
	ct := caseType("a", []string{"z!", "a", "b", "c"}, "ab: a -> b", "bc: b -> c", "az: a -> z", "cz: c -> z", "ca: c -> a")
	d := layoutDiagram(ct, "sv")
	got := map[string]int{}
	for _, b := range d.Boxes {
		got[b.Step] = b.Row
	}
	if want := map[string]int{"a": 0, "b": 1, "c": 2, "z": 3}; !reflect.DeepEqual(got, want) {
		t.Errorf("rows %v, want %v", got, want)
	}
	for _, e := range d.Edges {
		if back := e.Transition == "ca"; e.Back != back {
			t.Errorf("%s: back %v, want %v", e.Transition, e.Back, back)
		}
	}
}

func TestWrapWords(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", []string{""}},
		{"Beslut", []string{"Beslut"}},
		{"Anmälan / aktualisering", []string{"Anmälan /", "aktualisering"}},
		{"Vårdplan och genomförandeplan", []string{"Vårdplan och", "genomförandeplan"}},
		{"abcdefghijklmnopqrstuvwxyzåäö", []string{"abcdefghijklmnopqrstu", "vwxyzåäö"}},
		{"ett två tre fyra fem sex sju åtta nio tio elva tolv tretton fjorton femton", []string{"ett två tre fyra fem", "sex sju åtta nio tio", "elva tolv tretton…"}},
	}
	for _, tt := range tests {
		if got := wrapWords(tt.in, 21, 3); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("wrapWords(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
