package archive

import "cmp"

const recordNS = "urn:trygg:archive:record:1"

// recordXML is a structured record (a form, note, decision, order, plan,
// performed insats, message) as XML per schemas/trygg-record-v1.xsd.
func recordXML(c Case, r Record) []byte {
	w := newXW()
	w.open("record", "xmlns", recordNS,
		"xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance",
		"xsi:schemaLocation", recordNS+" ../../schemas/"+recordXSD,
		"id", r.ID, "kind", string(r.Kind), "created", stamp(r.Created))
	w.elem("title", cmp.Or(r.Title, string(r.Kind)))
	w.empty("case", "id", c.ID, "reference", cmp.Or(c.Reference, c.ID))
	if r.Author != "" {
		w.elem("author", r.Author)
	}
	if r.SignedBy != "" && !r.Signed.IsZero() {
		w.empty("signed", "by", r.SignedBy, "at", stamp(r.Signed))
	}
	for _, f := range r.Fields {
		w.elem("field", f.Value, "name", f.Name, "label", f.Label)
	}
	if r.Text != "" {
		w.elem("text", r.Text)
	}
	w.close()
	return w.bytes()
}

// historyXML is a case's history: its events in order.
func historyXML(m Meta, c Case) []byte {
	w := newXW()
	w.open("record", "xmlns", recordNS,
		"xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance",
		"xsi:schemaLocation", recordNS+" ../../schemas/"+recordXSD,
		"id", c.ID+"-history", "kind", string(KindCaseHistory), "created", stamp(m.Created))
	w.elem("title", "Ärendehistorik "+cmp.Or(c.Reference, c.ID))
	w.empty("case", "id", c.ID, "reference", cmp.Or(c.Reference, c.ID))
	for _, e := range c.Events {
		w.elem("event", e.Detail, "at", stamp(e.At), "type", e.Type, "actor", e.Actor)
	}
	w.close()
	return w.bytes()
}
