package synthetic

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// The sentences notes, forms and decisions are made of: plain, made up,
// about no one.
var noteSentences = map[string][]string{
	"ÄO": {
		"Hembesök gjort tillsammans med dottern.",
		"Den enskilde berättar att hon har svårt att duscha själv efter fallet.",
		"Han vill klara matlagningen själv men behöver hjälp med inköpen.",
		"Uppföljning per telefon: insatserna fungerar väl.",
		"Hemtjänsten rapporterar att han ofta inte är hemma vid besöken.",
		"Trygghetslarmet är installerat och provat.",
		"Samtal med arbetsterapeut om hjälpmedel i badrummet.",
		"Hon önskar färre personal och fasta tider.",
		"Anhörig hör av sig och är orolig för nätterna.",
		"Vårdplanering på sjukhuset inför hemgång.",
		"Beslutet är skickat och mottagandet bekräftat.",
		"Ärendet avslutas efter flytt till särskilt boende.",
	},
	"LSS": {
		"Möte med den enskilde och hans god man.",
		"Han berättar att han trivs på den dagliga verksamheten.",
		"Studiebesök på gruppbostaden tillsammans med kontaktpersonen.",
		"Ledsagning önskas till träningen två kvällar i veckan.",
		"Intyg från habiliteringen har kommit in.",
		"Uppföljning av genomförandeplanen: målen är delvis uppnådda.",
		"Kö till bostad med särskild service, erbjudande väntas.",
		"Samtal om avlösning i hemmet för föräldrarna.",
	},
	"BOU": {
		"Orosanmälan från skolan har kommit in.",
		"Skyddsbedömning gjord samma dag: inget omedelbart skyddsbehov.",
		"Samtal med barnet i skolan, barnet berättar om sin vardag.",
		"Vårdnadshavarna har informerats om utredningen.",
		"Nätverksmöte med skola och BVC.",
		"Kontaktfamiljen har träffat barnet två helger.",
		"Uppföljning av vårdplanen med familjen.",
		"Barnet vill fortsätta träffa kontaktfamiljen.",
	},
	"EKB": {
		"Ansökan om försörjningsstöd för månaden har kommit in.",
		"Hyreskontrakt och kontoutdrag har lämnats in.",
		"Den sökande är inskriven på Arbetsförmedlingen.",
		"Planeringssamtal om vägen till egen försörjning.",
		"Kompletterande uppgifter om elkostnaden begärs in.",
		"Beräkningen är gjord enligt riksnormen.",
		"Utbetalning beviljad, pengarna sätts in den 25:e.",
		"Den sökande har fått arbete och ärendet avslutas.",
	},
}

var ownWords = []string{
	"Jag vill klara duschen själv igen.",
	"Jag behöver hjälp med städning och tvätt.",
	"Jag är rädd att falla när jag är ensam på natten.",
	"Jag vill bo kvar hemma så länge det går.",
	"Jag vill ha en egen lägenhet och ett arbete.",
	"Jag behöver någon som följer med mig ut.",
}

var factors = []string{
	"Nedsatt balans efter höftfraktur.",
	"Nedsatt syn och hörsel.",
	"Diabetes, insulinbehandlad.",
	"Autism, behöver förutsägbarhet.",
	"Minnessvårigheter utan diagnos.",
}

var concerns = []string{
	"Barnet kommer ofta hungrigt till skolan.",
	"Barnet har hög frånvaro och verkar ledset.",
	"Grannar har hört bråk sent på kvällarna.",
	"Barnet berättar att det är oroligt hemma.",
}

var justifications = []string{
	"Behovet är utrett och kan inte tillgodoses på annat sätt.",
	"Den enskilde har rätt till bistånd för sin livsföring i övrigt.",
	"Behovet tillgodoses genom beviljad insats.",
	"Behovet bedöms vara tillgodosett på annat sätt.",
}

var documents = map[string][]string{
	"ÄO":  {"Läkarintyg", "Utredning", "Vårdplan", "Fullmakt"},
	"LSS": {"Intyg habilitering", "Utredning", "Genomförandeplan"},
	"BOU": {"Orosanmälan", "Utredning", "Vårdplan"},
	"EKB": {"Hyreskontrakt", "Kontoutdrag", "Lönespecifikation"},
}

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
