package synthetic

import (
	_ "embed"
	"fmt"
	"math/rand/v2"
	"strings"

	"gopkg.in/yaml.v3"
)

//go:embed texts.yaml
var textsYAML []byte

// texts are the sentences notes, forms, decisions and documents are made
// of (texts.yaml): plain, made up, about no one.
var texts = func() (t struct {
	ShortFormFrom  int                 `yaml:"short_form_from"`
	Notes          map[string][]string `yaml:"notes"`
	OwnWords       []string            `yaml:"own_words"`
	Factors        []string            `yaml:"factors"`
	Concerns       []string            `yaml:"concerns"`
	Justifications []string            `yaml:"justifications"`
	Documents      map[string][]string `yaml:"documents"`
}) {
	if err := yaml.Unmarshal(textsYAML, &t); err != nil {
		panic("synthetic: texts.yaml: " + err.Error())
	}
	return t
}()

var (
	noteSentences  = texts.Notes
	ownWords       = texts.OwnWords
	factors        = texts.Factors
	concerns       = texts.Concerns
	justifications = texts.Justifications
	documents      = texts.Documents
)

// noteText returns a note of two to five sentences about a case of type ct.
func noteText(r *rand.Rand, ct string) string {
	list := noteSentences[ct]
	if list == nil {
		list = noteSentences["ÄO"]
	}
	n := 2 + r.IntN(4)
	first := r.IntN(len(list))
	step := 1 + r.IntN(len(list)-1) // seldom the same sentence twice
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(list[(first+i*step)%len(list)])
	}
	return b.String()
}

func pick(r *rand.Rand, list []string) string { return list[r.IntN(len(list))] }

// pdf returns a small valid PDF of one page saying it is a synthetic
// document (no personal data), its cross-reference offsets computed.
func pdf(id string) []byte {
	text := "Syntetiskt dokument " + id
	stream := fmt.Sprintf("BT /F1 12 Tf 72 720 Td (%s) Tj ET", text)
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(stream), stream),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
	}
	var b strings.Builder
	b.WriteString("%PDF-1.4\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return []byte(b.String())
}

// oleDoc is the start of an old Word document (an OLE compound file):
// a type trygg does not keep.
func oleDoc(id string) []byte {
	return append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, []byte(" syntetiskt dokument "+id)...)
}
