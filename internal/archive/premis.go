package archive

import "strconv"

const premisNS = "http://www.loc.gov/premis/v3"

// premis is PREMIS 3 preservation metadata for files: one object per
// file with its SHA-256 fixity, size, format and original name; the
// package's creation event; the creating software (name and version) and
// the submitting organisation as agents. Object identifiers are the files'
// paths relative to the package root; rel leads from the PREMIS file's
// folder back to that root (for readers who resolve them).
func (b *builder) premis(files []file, rel string) []byte {
	m := b.m
	w := newXW()
	w.open("premis", "xmlns", premisNS,
		"xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance",
		"xsi:schemaLocation", premisNS+" http://www.loc.gov/standards/premis/v3/premis.xsd",
		"version", "3.0")
	w.comment("objectIdentifierValue: the file's path from the package root (" + rel + ")")
	for _, f := range files {
		w.open("object", "xsi:type", "file")
		w.open("objectIdentifier")
		w.elem("objectIdentifierType", "local")
		w.elem("objectIdentifierValue", f.Path)
		w.close()
		w.open("objectCharacteristics")
		w.elem("compositionLevel", "0")
		w.open("fixity")
		w.elem("messageDigestAlgorithm", "SHA-256")
		w.elem("messageDigest", f.sum)
		w.elem("messageDigestOriginator", m.Software.Name)
		w.close()
		w.elem("size", strconv.Itoa(f.size))
		w.open("format")
		w.open("formatDesignation")
		w.elem("formatName", f.MediaType)
		w.close()
		w.close()
		w.close()
		if f.original != "" {
			w.elem("originalName", f.original)
		}
		w.close()
	}
	w.open("event")
	w.open("eventIdentifier")
	w.elem("eventIdentifierType", "local")
	w.elem("eventIdentifierValue", "event-creation-"+b.id)
	w.close()
	w.elem("eventType", "creation")
	w.elem("eventDateTime", stamp(m.Created))
	w.open("eventDetailInformation")
	w.elem("eventDetail", "Archive package "+b.id+" of delivery "+m.ID+" created for submission")
	w.close()
	w.open("eventOutcomeInformation")
	w.elem("eventOutcome", "success")
	w.close()
	w.open("linkingAgentIdentifier")
	w.elem("linkingAgentIdentifierType", "local")
	w.elem("linkingAgentIdentifierValue", "agent-software")
	w.elem("linkingAgentRole", "executing program")
	w.close()
	w.open("linkingAgentIdentifier")
	w.elem("linkingAgentIdentifierType", "local")
	w.elem("linkingAgentIdentifierValue", "agent-submitter")
	w.elem("linkingAgentRole", "submitter")
	w.close()
	w.close()
	w.open("agent")
	w.open("agentIdentifier")
	w.elem("agentIdentifierType", "local")
	w.elem("agentIdentifierValue", "agent-software")
	w.close()
	w.elem("agentName", m.Software.Name)
	w.elem("agentType", "software")
	w.elem("agentVersion", m.Software.Version)
	w.close()
	w.open("agent")
	w.open("agentIdentifier")
	w.elem("agentIdentifierType", "local")
	w.elem("agentIdentifierValue", "agent-submitter")
	w.close()
	if m.Submitter.OrgNumber != "" {
		w.open("agentIdentifier")
		w.elem("agentIdentifierType", "organisationsnummer")
		w.elem("agentIdentifierValue", m.Submitter.OrgNumber)
		w.close()
	}
	w.elem("agentName", m.Submitter.Name)
	w.elem("agentType", "organization")
	w.close()
	w.close()
	return w.bytes()
}
