package archive

import (
	"cmp"
	"strconv"
	"strings"
	"time"
)

const ermsNS = "https://DILCIS.eu/XML/ERMS"

// erms is the package's descriptive metadata: one ERMS v3 document with
// the personakt as an aggregation of its cases (caseFile aggregations),
// each with its records.
func (b *builder) erms() []byte {
	m, pa := b.m, b.pa
	w := newXW()
	w.open("erms", "xmlns", ermsNS,
		"xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance",
		"xsi:schemaLocation", ermsNS+" ../../schemas/ERMS_v3.xsd")
	w.open("control")
	w.elem("identification", m.Software.Name+" "+m.Software.Version, "identificationType", "system")
	w.open("maintenanceInformation")
	w.empty("maintenanceStatus", "value", "new")
	w.open("maintenanceAgency")
	if m.Submitter.OrgNumber != "" {
		w.elem("otherAgencyCode", m.Submitter.OrgNumber, "type", "organisationsnummer")
	}
	w.elem("agencyName", m.Submitter.Name)
	w.close()
	w.open("maintenanceHistory")
	w.open("maintenanceEvent")
	w.empty("eventType", "value", "created")
	w.elem("eventDateTime", stamp(m.Created))
	w.open("agent", "agentType", "creator")
	w.elem("name", m.Software.Name)
	w.close()
	w.close()
	w.close()
	w.close()
	w.close() // control

	w.open("aggregations")
	p := pa.Person
	w.open("aggregation", "systemIdentifier", "person-"+p.ID, "aggregationType", "own_aggregation_definition", "otherAggregationType", "personakt")
	w.elem("objectId", p.ID)
	w.elem("levelName", "personakt")
	w.elem("title", strings.TrimSpace("Personakt "+p.Name()))
	if m.Restriction != "" {
		w.open("restriction", "restrictionType", "confidential")
		w.elem("regulation", m.Restriction)
		w.close()
	}
	w.open("agents")
	w.open("agent", "agentType", "counterpart")
	w.elem("name", cmp.Or(p.Name(), p.ID))
	if p.IdentityNumber != "" {
		w.elem("idNumber", p.IdentityNumber, "idNumberType", "personnummer")
	}
	w.elem("role", "den enskilde")
	w.elem("protectedIdentity", boolText(p.Protected))
	w.close()
	w.close()
	first, last := span(pa.Cases)
	w.open("dates")
	w.elem("date", stamp(first), "dateType", "created")
	w.elem("date", stamp(last), "dateType", "last_addition")
	w.close()
	for _, c := range pa.Cases {
		b.ermsCase(w, c)
	}
	w.close() // personakt
	w.close() // aggregations
	w.close()
	return w.bytes()
}

func (b *builder) ermsCase(w *xw, c Case) {
	m := b.m
	w.open("aggregation", "systemIdentifier", "case-"+c.ID, "aggregationType", "caseFile")
	w.elem("objectId", cmp.Or(c.Reference, c.ID))
	w.elem("extraId", c.ID, "extraIdType", "system")
	if c.Type != "" {
		w.elem("classification", cmp.Or(c.TypeName, c.Type), "classificationCode", c.Type)
	}
	w.elem("parentAggregationId", "person-"+b.pa.Person.ID)
	w.elem("levelName", "ärende")
	w.elem("title", cmp.Or(c.TypeName, c.Type, c.Reference))
	if c.LegalBasis != "" {
		w.elem("subject", c.LegalBasis)
	}
	w.empty("status", "value", caseStatus(c.Status))
	for _, ref := range c.Related {
		w.elem("relation", ref, "relationType", "reference")
	}
	if m.Restriction != "" {
		w.open("restriction", "restrictionType", "confidential")
		w.elem("regulation", m.Restriction)
		w.close()
	}
	if c.Officer != "" || c.Unit != "" {
		w.open("agents")
		w.open("agent", "agentType", "responsible_person")
		w.elem("name", cmp.Or(c.Officer, c.Unit))
		w.elem("organisation", m.Submitter.Name)
		if c.Unit != "" {
			w.elem("unitName", c.Unit)
		}
		w.close()
		w.close()
	}
	w.open("dates")
	w.elem("date", stamp(c.Opened), "dateType", "opened")
	if !c.Closed.IsZero() {
		w.elem("date", stamp(c.Closed), "dateType", "closed")
	}
	w.close()
	for i, r := range c.Records {
		b.ermsRecord(w, c, r, i+1)
	}
	w.open("record", "systemIdentifier", c.ID+"-history", "recordType", string(KindCaseHistory), "recordPhysicalOrDigital", "digital")
	w.elem("objectId", c.ID+"-history")
	w.elem("parentAggregationId", "case-"+c.ID)
	w.elem("title", "Ärendehistorik")
	w.open("dates")
	w.elem("date", stamp(m.Created), "dateType", "created")
	w.close()
	w.open("additionalInformation")
	w.empty("appendix", "name", "history.xml", "path", b.dataFor[c.ID+"/history"], "fileFormat", "application/xml")
	w.close()
	w.close()
	w.close()
}

func (b *builder) ermsRecord(w *xw, c Case, r Record, n int) {
	w.open("record", "systemIdentifier", r.ID, "recordType", string(r.Kind), "recordPhysicalOrDigital", "digital")
	w.elem("objectId", r.ID)
	w.elem("parentAggregationId", "case-"+c.ID)
	w.elem("title", cmp.Or(r.Title, string(r.Kind)))
	w.elem("runningNumber", strconv.Itoa(n))
	w.empty("direction", "directionDefinition", string(cmp.Or(r.Direction, Internal)))
	if r.Author != "" || r.SignedBy != "" {
		w.open("agents")
		if r.Author != "" {
			w.open("agent", "agentType", "creator")
			w.elem("name", r.Author)
			w.close()
		}
		if r.SignedBy != "" {
			w.open("agent", "agentType", "main_signatory")
			w.elem("name", r.SignedBy)
			w.close()
		}
		w.close()
	}
	w.open("dates")
	w.elem("date", stamp(r.Created), "dateType", "created")
	if r.SignedBy != "" && !r.Signed.IsZero() {
		w.elem("date", stamp(r.Signed), "dateType", "main_signature")
	}
	if r.Kind == KindDecision && !r.Signed.IsZero() {
		w.elem("date", stamp(r.Signed), "dateType", "decision")
	}
	w.close()
	w.open("additionalInformation")
	p := b.dataFor[c.ID+"/"+r.ID]
	if r.File != nil {
		w.empty("appendix", "name", cmp.Or(r.File.Name, "file"), "path", p, "fileFormat", r.File.MediaType, "originalFileFormat", r.File.MediaType)
	} else {
		w.empty("appendix", "name", pathBase(p), "path", p, "fileFormat", "application/xml")
	}
	w.close()
	w.close()
}

func caseStatus(s string) string {
	if s == "closed" {
		return "closed"
	}
	return "open"
}

func boolText(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

func span(cs []Case) (first, last time.Time) {
	for _, c := range cs {
		if first.IsZero() || c.Opened.Before(first) {
			first = c.Opened
		}
		for _, t := range []time.Time{c.Opened, c.Closed} {
			if t.After(last) {
				last = t
			}
		}
		for _, r := range c.Records {
			if r.Created.After(last) {
				last = r.Created
			}
		}
	}
	return first, last
}

func pathBase(p string) string {
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		return p[i+1:]
	}
	return p
}
