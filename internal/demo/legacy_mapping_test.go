package demo

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/legacy"
	"github.com/trygg/trygg/internal/legacy/synthetic"
	"github.com/trygg/trygg/internal/process"
	"github.com/trygg/trygg/packs"
)

// published compiles what serve --demo publishes: the packs and the
// city's own definitions.
func published(t *testing.T) *process.Compiled {
	t.Helper()
	var files []process.File
	for _, f := range packs.Files() {
		files = append(files, process.File{Name: f.Name, Data: []byte(f.Content)})
	}
	for _, d := range CityDefinitions() {
		files = append(files, process.File{Name: d.Name, Data: []byte(d.Content)})
	}
	b, probs := process.Load(files)
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	c, probs := process.Compile(b)
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	return c
}

// TestLegacyMapping: the demo publishes a mapping for the synthetic
// export that maps every code of docs/migration.md's code list as the
// list says, and leaves the export's dirt unmapped for the import to
// refuse.
func TestLegacyMapping(t *testing.T) {
	m := published(t).LegacyMapping("socialregistret")
	if m == nil {
		t.Fatal("the demo publishes no legacy mapping socialregistret")
	}
	if m.Def.Source.Value != "Socialregistret" {
		t.Errorf("source %q: the synthetic export's manifest names Socialregistret", m.Def.Source.Value)
	}
	str := func(v string, ok bool) string {
		if !ok {
			return "-"
		}
		return v
	}
	var got, want []string
	check := func(what, g, w string) {
		got, want = append(got, what+" → "+g), append(want, what+" → "+w)
	}
	for _, d := range []struct{ code, prefix string }{{"N", "norra"}, {"S", "sodra"}, {"O", "ostra"}, {"V", "vastra"}, {"C", "centrum"}} {
		for _, u := range []struct{ legacy, demo string }{{"", "omr"}, {"-ÄO", "ao"}, {"-LSS", "fs"}, {"-BOU", "bou"}, {"-EKB", "eb"}, {"-HSL", "hsl"}, {"-HT", "ht"}} {
			check("unit "+d.code+u.legacy, str(m.Unit(d.code+u.legacy)), d.prefix+"-"+u.demo)
		}
		check("unit "+d.code+"-UTR", str(m.Unit(d.code+"-UTR")), "-")
		check("unit "+d.code+"-ARKIV", str(m.Unit(d.code+"-ARKIV")), "-")
		p, ok := m.Provider("HT-" + d.code)
		check("provider HT-"+d.code, str(p.Unit, ok), d.prefix+"-ht")
	}
	for code, ct := range map[string]string{"ÄO": "ibic_sol_aldre", "LSS": "ibic_lss", "BOU": "bbic_barn", "EKB": "ekonomiskt_bistand", "ÖVR": "-"} {
		c, ok := m.CaseType(code)
		check("case type "+code, str(c.CaseType, ok), ct)
	}
	insatser := map[string][]string{
		"ibic_sol_aldre": {"HT hemtjanst", "HTS hemtjanst_service", "HTO hemtjanst_omvardnad", "TL trygghetslarm", "MD matdistribution",
			"LED ledsagning", "AVL avlosning", "DAG dagverksamhet", "KORT korttidsvistelse", "SÄBO sarskilt_boende", "ÄO99 -"},
		"ibic_lss": {"LSS1 lss_1_rad_och_stod", "LSS3 lss_3_ledsagarservice", "LSS4 lss_4_kontaktperson", "LSS5 lss_5_avlosarservice",
			"LSS9 lss_9_bostad_vuxna", "LSS10 lss_10_daglig_verksamhet"},
		"bbic_barn":          {"ÖPPV oppenvard", "KF kontaktperson_barn", "FH familjehem", "JH jourhem", "HVB hvb"},
		"ekonomiskt_bistand": {"FS forsorjningsstod", "LÖ livsforing_ovrigt"},
	}
	for ct, rows := range insatser {
		for _, r := range rows {
			code, in, _ := strings.Cut(r, " ")
			v, rule, ok := m.Insats(ct, code)
			check(fmt.Sprintf("insats %s of %s (rule %d)", code, ct, rule), str(v, ok), in)
		}
	}
	for text, in := range map[string]string{"Hemtjänst 2 ggr/dag": "hemtjanst", "hjälp med städning varannan vecka": "hemtjanst_service",
		"Duschhjälp morgon och kväll": "hemtjanst_omvardnad", "Trygghetslarm installeras": "trygghetslarm",
		"Matlåda vardagar": "matdistribution", "Övrigt enligt överenskommelse": "-"} {
		v, rule, ok := m.Insats("ibic_sol_aldre", text)
		if ok && rule == 0 {
			t.Errorf("the free text %q was mapped as a code", text)
		}
		check("free text "+text, str(v, ok), in)
	}
	for code, o := range map[string]string{"B": "granted", "DB": "partly", "A": "refused", "U": "-"} {
		check("outcome "+code, str(m.Outcome(code)), o)
	}
	for code, u := range map[string]string{"TIM 1250": "hours 1250", "KR 123450": "money 123450"} {
		c, n, _ := strings.Cut(code, " ")
		var amount int64
		fmt.Sscan(n, &amount)
		unit, v, ok := m.Amount(c, amount)
		check("amount "+code, str(fmt.Sprintf("%s %d", unit, v), ok), u)
	}
	for code, r := range map[string]string{"VH": "guardian", "OMB": "representative", "GM": "god_man", "FÖRV": "forvaltare"} {
		check("relation "+code, str(m.Relation(code)), r)
	}
	for _, r := range []string{"ANS sokande ibic_ansokan.applicant_kind", "ANS egen_beskrivning ibic_ansokan.own_description",
		"UTR egen_syn ibic_utredning.own_view", "UTR relaterade_faktorer ibic_utredning.related_factors", "UTR gammal_bedomning -",
		"ANM anmalare bbic_anmalan.reporter_kind", "ANM oro bbic_anmalan.concern", "ANM vald bbic_anmalan.suspected_violence"} {
		f := strings.Fields(r)
		fd, ok := m.FormField(f[0], f[1])
		check("form "+f[0]+" key "+f[1], str(fd.Form+"."+fd.Field, ok), f[2])
	}
	for _, r := range []string{"ANS sokande SJ self", "ANS sokande FÖR representative", "ANM anmalare SKOLA skola",
		"ANM anmalare POLIS polis", "ANM anmalare BVC halso_sjukvard", "ANM anmalare ANH anhorig"} {
		f := strings.Fields(r)
		fd, _ := m.FormField(f[0], f[1])
		check("value "+f[2]+" of "+f[0]+" "+f[1], str(m.Code(fd.CodeSystem, f[2])), f[3])
	}
	for code, org := range map[string]string{"OMSB": "556677-8899", "TRIV": "556011-2236", "STÖD": "556123-4567", "PRIV7": "-"} {
		p, ok := m.Provider(code)
		check("provider "+code, str(p.OrgNumber, ok), org)
	}
	for code, d := range map[string]string{"EH": "not_home", "AVB": "declined", "ÖVR": "other"} {
		check("deviation "+code, str(m.Deviation(code)), d)
	}
	for code, u := range map[string]string{"N-S0001": "handlaggare", "N-S0004": "ekonom", "N-S0005": "-", "S-S0001": "-"} {
		check("staff "+code, str(m.Staff(code)), u)
	}
	for code, it := range map[string]string{"FS": "living", "LÖ": "other", "NÖD": "-"} {
		check("payment item "+code, str(m.PaymentItem(code)), it)
	}
	slices.Sort(got)
	slices.Sort(want)
	for i := range got {
		if got[i] != want[i] {
			t.Errorf("%s, want %s", got[i], want[i])
		}
	}
}

// TestLegacyMappingNamesTheDemo: the units, providers and users the
// demo's mapping names are the demo's (the checker leaves them to the
// import, which checks them against the organisation).
func TestLegacyMappingNamesTheDemo(t *testing.T) {
	ds := Generate(Options{Today: time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)})
	units, providers, users := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, u := range ds.Units {
		units[u.ID] = true
	}
	for _, p := range ds.Providers {
		providers[p.OrgNumber+"/"+p.UnitID] = true
	}
	for _, u := range ds.Users {
		users[u.Username] = true
	}
	def := published(t).LegacyMapping("socialregistret").Def
	for _, u := range def.Units {
		if !units[u.Unit.Value] {
			t.Errorf("%s: the demo has no unit %q", u.Code.Value, u.Unit.Value)
		}
	}
	for _, p := range def.Providers {
		if !providers[p.OrgNumber.Value+"/"+p.Unit.Value] {
			t.Errorf("%s: the demo has no provider %q/%q", p.Code.Value, p.OrgNumber.Value, p.Unit.Value)
		}
	}
	for _, s := range def.Staff {
		if !users[s.Username.Value] {
			t.Errorf("%s: the demo has no user %q", s.Code.Value, s.Username.Value)
		}
	}
}

// TestLegacyMappingCoversTheSyntheticExport reads a dirty synthetic
// export of each demo district and looks every code up: all of them are
// mapped but the dirt docs/migration.md names, which the import must
// refuse.
func TestLegacyMappingCoversTheSyntheticExport(t *testing.T) {
	m := published(t).LegacyMapping("socialregistret")
	unmapped := map[string]bool{}
	miss := func(kind, code string, ok bool) {
		if !ok {
			unmapped[kind+" "+code] = true
		}
	}
	for _, d := range synthetic.Districts {
		dir := t.TempDir()
		if _, err := synthetic.Write(context.Background(), dir, synthetic.Options{District: d.Code, Persons: 150, Dirt: true,
			Exported: time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)}); err != nil {
			t.Fatal(err)
		}
		e, err := legacy.Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		if e.Manifest.System != m.Def.Source.Value {
			t.Errorf("the export's system %q is not the mapping's source %q", e.Manifest.System, m.Def.Source.Value)
		}
		strip := func(code string) string { return strings.Replace(code, d.Code+"-", "D-", 1) }
		caseTypes := map[string]string{}
		for u, err := range e.Units() {
			if err == nil {
				_, ok := m.Unit(u.LegacyID)
				miss("unit", strip(u.LegacyID), ok)
			}
		}
		for c, err := range e.Cases() {
			if err != nil {
				continue
			}
			_, ok := m.Unit(c.Unit)
			miss("unit", strip(c.Unit), ok)
			lc, ok := m.CaseType(c.CaseType)
			miss("case_type", c.CaseType, ok)
			caseTypes[c.LegacyID] = lc.CaseType
		}
		for r, err := range e.Relations() {
			if err == nil {
				_, ok := m.Relation(r.Kind)
				miss("relation", r.Kind, ok)
			}
		}
		for f, err := range e.Forms() {
			if err != nil {
				continue
			}
			fd, ok := m.FormField(f.Form, f.Key)
			miss("form_key", f.Form+"."+f.Key, ok)
			if ok && fd.CodeSystem != "" {
				_, ok := m.Code(fd.CodeSystem, f.Value)
				miss("value", f.Form+"."+f.Key+"="+f.Value, ok)
			}
		}
		for dc, err := range e.Decisions() {
			if err != nil {
				continue
			}
			if ct := caseTypes[dc.Case]; ct != "" {
				_, _, ok := m.Insats(ct, dc.Insats)
				miss("insats", dc.Insats, ok)
			}
			_, ok := m.Outcome(dc.Outcome)
			miss("outcome", dc.Outcome, ok)
			if dc.AmountUnit != "" {
				_, ok := m.AmountUnit(dc.AmountUnit)
				miss("amount_unit", dc.AmountUnit, ok)
			}
		}
		for o, err := range e.Orders() {
			if err == nil {
				_, ok := m.Provider(o.Provider)
				miss("provider", strings.Replace(o.Provider, "-"+d.Code, "-D", 1), ok)
			}
		}
		for p, err := range e.Performed() {
			if err == nil && p.Deviation != "" {
				_, ok := m.Deviation(p.Deviation)
				miss("deviation", p.Deviation, ok)
			}
		}
		for p, err := range e.Payments() {
			if err == nil {
				_, ok := m.PaymentItem(p.Item)
				miss("payment_item", p.Item, ok)
			}
		}
	}
	// The dirt: every one of these is in some export, and nothing else is
	// left unmapped.
	want := []string{"unit D-UTR", "unit D-ARKIV", "case_type ÖVR", "insats ÄO99", "insats Övrigt enligt överenskommelse",
		"outcome U", "provider PRIV7", "payment_item NÖD", "form_key UTR.gammal_bedomning"}
	got := slices.Sorted(maps.Keys(unmapped))
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("unmapped codes of the synthetic exports:\n%q\nwant the dirt:\n%q", got, want)
	}
}
