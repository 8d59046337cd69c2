package archive

import (
	"strconv"
	"strings"
)

// The METS profile of an E-ARK SIP, exactly as the validator wants it
// (SIP2): the 2.2 document's own URL is refused.
const sipProfile = "https://earksip.dilcis.eu/profile/E-ARK-SIP.xml"

// metsOpen writes the mets element and its header; schemas is the path
// from the METS file to the package's schemas folder.
func (b *builder) metsOpen(w *xw, objid, schemas string) {
	w.open("mets", "xmlns", "http://www.loc.gov/METS/",
		"xmlns:csip", "https://DILCIS.eu/XML/METS/CSIPExtensionMETS",
		"xmlns:xlink", "http://www.w3.org/1999/xlink",
		"xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance",
		"xsi:schemaLocation", "http://www.loc.gov/METS/ "+schemas+"mets.xsd http://www.w3.org/1999/xlink "+schemas+"xlink.xsd https://DILCIS.eu/XML/METS/CSIPExtensionMETS "+schemas+"DILCISExtensionMETS.xsd",
		"OBJID", objid,
		"LABEL", "Personakt "+b.pa.Person.ID,
		"TYPE", "Mixed",
		"csip:CONTENTINFORMATIONTYPE", "OTHER",
		"csip:OTHERCONTENTINFORMATIONTYPE", contentType,
		"PROFILE", sipProfile)
	created := stamp(b.m.Created)
	w.open("metsHdr", "CREATEDATE", created, "LASTMODDATE", created, "RECORDSTATUS", "NEW", "csip:OAISPACKAGETYPE", "SIP")
	// CSIP11-16: the creating software. Every CREATOR agent must be
	// software, so the submitting municipality is ROLE=OTHER/SUBMITTER
	// (the SIP profile's own metsHdr example).
	w.open("agent", "ROLE", "CREATOR", "TYPE", "OTHER", "OTHERTYPE", "SOFTWARE")
	w.elem("name", b.m.Software.Name)
	w.elem("note", b.m.Software.Version, "csip:NOTETYPE", "SOFTWARE VERSION")
	w.close()
	w.open("agent", "ROLE", "OTHER", "OTHERROLE", "SUBMITTER", "TYPE", "ORGANIZATION")
	w.elem("name", b.m.Submitter.Name)
	if b.m.Submitter.OrgNumber != "" {
		w.elem("note", "ORG:"+b.m.Submitter.OrgNumber, "csip:NOTETYPE", "IDENTIFICATIONCODE")
	}
	w.close()
	w.close()
}

// fileGrp writes a file group; ids are built from prefix and the file's
// place. Every group carries OTHER + the content type: the validator's
// CSIP63 accepts no other form.
func (b *builder) fileGrp(w *xw, id, use string, files []file, rel string) {
	w.open("fileGrp", "ID", id, "USE", use, "csip:CONTENTINFORMATIONTYPE", "OTHER", "csip:OTHERCONTENTINFORMATIONTYPE", contentType)
	for i, f := range files {
		w.open("file", "ID", id+"-file-"+strconv.Itoa(i+1), "MIMETYPE", f.MediaType, "SIZE", strconv.Itoa(f.size),
			"CREATED", stamp(b.m.Created), "CHECKSUM", f.sum, "CHECKSUMTYPE", "SHA-256")
		w.empty("FLocat", "LOCTYPE", "URL", "xlink:type", "simple", "xlink:href", strings.TrimPrefix(f.Path, rel))
		w.close()
	}
	w.close()
}

// rootMETS is the package's METS.xml: descriptive (ERMS) and preservation
// (PREMIS) metadata by reference, documentation, schemas, the
// representation's METS, and the one CSIP structMap.
func (b *builder) rootMETS(erms, premis, readme file, schemas []file, repMETS file) []byte {
	w := newXW()
	b.metsOpen(w, b.id, "schemas/")
	created := stamp(b.m.Created)
	w.open("dmdSec", "ID", "ID-dmdSec-erms", "CREATED", created, "STATUS", "CURRENT")
	b.mdRef(w, erms, ermsPath, "OTHER", "ERMS")
	w.close()
	w.open("amdSec", "ID", "ID-amdSec")
	w.open("digiprovMD", "ID", "ID-digiprovMD-premis", "CREATED", created, "STATUS", "CURRENT")
	b.mdRef(w, premis, premisPath, "PREMIS", "")
	w.close()
	w.close()
	w.open("fileSec", "ID", "ID-fileSec")
	b.fileGrp(w, "ID-fileGrp-documentation", "Documentation", []file{readme}, "")
	b.fileGrp(w, "ID-fileGrp-schemas", "Schemas", schemas, "")
	b.fileGrp(w, "ID-fileGrp-rep1", "Representations/rep1", []file{repMETS}, "")
	w.close()
	w.open("structMap", "ID", "ID-structMap", "TYPE", "PHYSICAL", "LABEL", "CSIP")
	w.open("div", "ID", "ID-div-package", "LABEL", b.id)
	w.empty("div", "ID", "ID-div-metadata", "LABEL", "Metadata", "ADMID", "ID-digiprovMD-premis", "DMDID", "ID-dmdSec-erms")
	b.div(w, "ID-div-documentation", "Documentation", "ID-fileGrp-documentation")
	b.div(w, "ID-div-schemas", "Schemas", "ID-fileGrp-schemas")
	b.div(w, "ID-div-representations", "Representations", "ID-fileGrp-rep1")
	w.open("div", "ID", "ID-div-rep1", "LABEL", "Representations/rep1")
	w.empty("mptr", "LOCTYPE", "URL", "xlink:type", "simple", "xlink:href", repMETSPath, "xlink:title", "ID-fileGrp-rep1")
	w.close()
	w.close()
	w.close()
	w.close()
	return w.bytes()
}

// repMETS is representations/rep1/METS.xml: the representation's data
// (records and attachments), its documentation and schema, and its
// PREMIS.
func (b *builder) repMETS(readme, schema, premis file) []byte {
	w := newXW()
	b.metsOpen(w, "rep1", "../../schemas/")
	created := stamp(b.m.Created)
	w.open("amdSec", "ID", "ID-rep1-amdSec")
	w.open("digiprovMD", "ID", "ID-rep1-digiprovMD-premis", "CREATED", created, "STATUS", "CURRENT")
	b.mdRef(w, premis, strings.TrimPrefix(premis.Path, repDir+"/"), "PREMIS", "")
	w.close()
	w.close()
	w.open("fileSec", "ID", "ID-rep1-fileSec")
	b.fileGrp(w, "ID-rep1-fileGrp-documentation", "Documentation", []file{readme}, repDir+"/")
	b.fileGrp(w, "ID-rep1-fileGrp-schemas", "Schemas", []file{schema}, repDir+"/")
	b.fileGrp(w, "ID-rep1-fileGrp-data", "Representations/rep1/data", b.data, repDir+"/")
	w.close()
	w.open("structMap", "ID", "ID-rep1-structMap", "TYPE", "PHYSICAL", "LABEL", "CSIP")
	w.open("div", "ID", "ID-rep1-div", "LABEL", "rep1")
	w.empty("div", "ID", "ID-rep1-div-metadata", "LABEL", "Metadata", "ADMID", "ID-rep1-digiprovMD-premis")
	b.div(w, "ID-rep1-div-documentation", "Documentation", "ID-rep1-fileGrp-documentation")
	b.div(w, "ID-rep1-div-schemas", "Schemas", "ID-rep1-fileGrp-schemas")
	b.div(w, "ID-rep1-div-representations", "Representations", "ID-rep1-fileGrp-data")
	w.close()
	w.close()
	w.close()
	return w.bytes()
}

func (b *builder) div(w *xw, id, label, grp string) {
	w.open("div", "ID", id, "LABEL", label)
	w.empty("fptr", "FILEID", grp)
	w.close()
}

func (b *builder) mdRef(w *xw, f file, href, mdtype, other string) {
	w.empty("mdRef", "LOCTYPE", "URL", "xlink:type", "simple", "xlink:href", href,
		"MDTYPE", mdtype, "OTHERMDTYPE", other, "MIMETYPE", "text/xml",
		"SIZE", strconv.Itoa(f.size), "CREATED", stamp(b.m.Created), "CHECKSUM", f.sum, "CHECKSUMTYPE", "SHA-256")
}
