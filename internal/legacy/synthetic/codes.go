package synthetic

// The old system's code list, as docs/migration.md ("Synthetic export")
// documents it with the trygg value an example mapping gives each. The
// codes marked dirt have no trygg value on purpose.

// System is the old system's name, in the manifest.
const System = "Socialregistret"

// District is one of the old system's districts: its code, its name and
// the prefix of the demo's unit ids for it ("" for a code the demo does
// not have).
type District struct {
	Code, Name, UnitPrefix string
}

// Districts are the old system's districts the demo has, in the order
// their persons' identity numbers are spread over (see identity).
var Districts = []District{
	{"N", "Norra", "norra"},
	{"S", "Södra", "sodra"},
	{"O", "Östra", "ostra"},
	{"V", "Västra", "vastra"},
	{"C", "Centrum", "centrum"},
}

// unitSuffixes are the units of a district: the legacy id's suffix after
// "D-" ("" for the district itself), the name before the district's, and
// the demo unit's suffix after its prefix ("" for none).
var unitSuffixes = []struct{ code, name, demo string }{
	{"", "område", "omr"},
	{"ÄO", "Biståndsenheten äldreomsorg", "ao"},
	{"LSS", "Funktionsstöd", "fs"},
	{"BOU", "Barn och unga", "bou"},
	{"EKB", "Ekonomiskt bistånd", "eb"},
	{"HSL", "Hälso- och sjukvård", "hsl"},
	{"HT", "Hemtjänst", "ht"},
	{"UTR", "Utredningsgruppen (nedlagd)", ""},
}

// Dirt codes: a unit cases name that the units file lacks, and codes
// with no trygg value.
const (
	unitMissing     = "ARKIV" // D-ARKIV
	unitUnmapped    = "UTR"   // D-UTR
	caseTypeUnknown = "ÖVR"
	insatsUnknown   = "ÄO99"
	outcomeUnknown  = "U"
	providerUnknown = "PRIV7"
	itemUnknown     = "NÖD"
	formKeyUnmapped = "gammal_bedomning"
)

// amount units
const (
	unitHours = "TIM"
	unitMoney = "KR"
)

// insats is one of the old system's insatser: its code, the unit of its
// decisions' amount and their range (whole hours or kronor), and whether
// a granted one is ordered from a provider and its visits reported.
type insats struct {
	code           string
	amountUnit     string
	minAmt, maxAmt int
	order, visits  bool
}

// caseType is one of the old system's case types: its code, the suffix
// of its unit, titles, insatser, the legal basis and its forms.
type caseType struct {
	code, unit string
	titles     []string
	insatser   []insats
	legalBasis string
}

var (
	caseAO = caseType{code: "ÄO", unit: "ÄO", legalBasis: "SoL 4 kap. 1 §",
		titles: []string{"Ansökan om hemtjänst", "Ansökan om trygghetslarm", "Ansökan om särskilt boende", "Ansökan om korttidsvistelse"},
		insatser: []insats{
			{code: "HT", amountUnit: unitHours, minAmt: 10, maxAmt: 60, order: true, visits: true},
			{code: "HTS", amountUnit: unitHours, minAmt: 4, maxAmt: 16, order: true, visits: true},
			{code: "HTO", amountUnit: unitHours, minAmt: 10, maxAmt: 80, order: true, visits: true},
			{code: "TL", order: true},
			{code: "MD", order: true},
			{code: "LED", amountUnit: unitHours, minAmt: 2, maxAmt: 10, order: true},
			{code: "AVL", amountUnit: unitHours, minAmt: 4, maxAmt: 20, order: true},
			{code: "DAG"},
			{code: "KORT"},
			{code: "SÄBO"},
		}}
	caseLSS = caseType{code: "LSS", unit: "LSS", legalBasis: "LSS 9 §",
		titles: []string{"Ansökan om insatser enligt LSS", "Ansökan om daglig verksamhet", "Ansökan om bostad med särskild service"},
		insatser: []insats{
			{code: "LSS1"},
			{code: "LSS3", amountUnit: unitHours, minAmt: 4, maxAmt: 20, order: true},
			{code: "LSS4"},
			{code: "LSS5", amountUnit: unitHours, minAmt: 4, maxAmt: 30, order: true},
			{code: "LSS9", order: true},
			{code: "LSS10", order: true},
		}}
	caseBOU = caseType{code: "BOU", unit: "BOU", legalBasis: "SoL 4 kap. 1 §",
		titles: []string{"Orosanmälan", "Ansökan om kontaktfamilj", "Utredning barn"},
		insatser: []insats{
			{code: "ÖPPV"}, {code: "KF"}, {code: "FH"}, {code: "JH"}, {code: "HVB"},
		}}
	caseEKB = caseType{code: "EKB", unit: "EKB", legalBasis: "SoL 4 kap. 1 §",
		titles: []string{"Ansökan om ekonomiskt bistånd"},
		insatser: []insats{
			{code: "FS", amountUnit: unitMoney, minAmt: 3000, maxAmt: 15000},
			{code: "LÖ", amountUnit: unitMoney, minAmt: 500, maxAmt: 5000},
		}}
)

// Outcomes: granted, partly granted, refused.
const (
	outcomeGranted = "B"
	outcomePartly  = "DB"
	outcomeRefused = "A"
)

// freeTexts are what some ÄO decisions have where the insats code
// belongs; the last matches no free-text rule.
var freeTexts = []string{
	"Hemtjänst 2 ggr/dag",
	"hjälp med städning varannan vecka",
	"Duschhjälp morgon och kväll",
	"Trygghetslarm installeras",
	"Matlåda vardagar",
	"Övrigt enligt överenskommelse",
}

// Relation kinds.
const (
	relGuardian       = "VH"
	relRepresentative = "OMB"
	relGodMan         = "GM"
	relForvaltare     = "FÖRV"
)

// Providers: the district's own home care is HT-<district code>.
const (
	providerOmsorgsbolaget = "OMSB" // in Norra and Östra
	providerTrivsam        = "TRIV" // in Södra, Västra and Centrum
	providerStod           = "STÖD" // LSS everywhere
)

// Order statuses.
const (
	statusRunning   = "AKT"
	statusEnded     = "AVSL"
	statusCancelled = "MAKU"
)

// Deviations of a performed visit.
var deviations = []string{"EH", "AVB", "ÖVR"}

// Payment items.
const (
	itemLiving = "FS"
	itemOther  = "LÖ"
)

// Forms and their keys.
const (
	formApplication   = "ANS"
	formInvestigation = "UTR"
	formReport        = "ANM"
)

// Codes lists every code of the synthetic export by what it is, dirt
// included: what docs/migration.md must document.
func Codes() map[string][]string {
	m := map[string][]string{}
	for _, u := range unitSuffixes {
		if u.code != "" {
			m["unit"] = append(m["unit"], "D-"+u.code)
		}
	}
	m["unit"] = append(m["unit"], "D-"+unitMissing)
	for _, ct := range []caseType{caseAO, caseLSS, caseBOU, caseEKB} {
		m["case_type"] = append(m["case_type"], ct.code)
		for _, in := range ct.insatser {
			m["insats"] = append(m["insats"], in.code)
		}
	}
	m["case_type"] = append(m["case_type"], caseTypeUnknown)
	m["insats"] = append(m["insats"], insatsUnknown)
	m["outcome"] = []string{outcomeGranted, outcomePartly, outcomeRefused, outcomeUnknown}
	m["amount_unit"] = []string{unitHours, unitMoney}
	m["relation"] = []string{relGuardian, relRepresentative, relGodMan, relForvaltare}
	m["form"] = []string{formApplication, formInvestigation, formReport}
	m["form_key"] = []string{"sokande", "egen_beskrivning", "egen_syn", "relaterade_faktorer", formKeyUnmapped, "anmalare", "oro", "vald"}
	m["provider"] = []string{"HT-D", providerOmsorgsbolaget, providerTrivsam, providerStod, providerUnknown}
	m["order_status"] = []string{statusRunning, statusEnded, statusCancelled}
	m["deviation"] = deviations
	m["payment_item"] = []string{itemLiving, itemOther, itemUnknown}
	return m
}
