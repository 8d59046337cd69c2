// Package archive builds archive packages for delivery to a municipal
// archive: E-ARK SIPs as Riksarkivet's FGS Paketstruktur profiles them
// (CSIP + SIP 2.x), with the case and record metadata in FGS
// Ärendehantering (CITS ERMS v3) and preservation metadata in PREMIS 3.
// It is pure: plain structs in, files out. docs/archive.md describes the
// layout and how it maps to the specifications.
package archive

import (
	"archive/zip"
	"cmp"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/trygg/trygg/internal/trygg"
)

//go:embed schemas/*.xsd
var schemaFS embed.FS

// Kind is what a record of a case is.
type Kind string

// The kinds of records a personakt holds.
const (
	KindForm        Kind = "form"
	KindNote        Kind = "journal_note"
	KindDecision    Kind = "decision"
	KindOrder       Kind = "order"
	KindPlan        Kind = "plan"
	KindPerformed   Kind = "performed"
	KindMessage     Kind = "message"
	KindAttachment  Kind = "attachment"
	KindCaseHistory Kind = "case_history"
)

// Direction says whether a record came in, went out or stayed inside.
type Direction string

// The directions ERMS knows for a record.
const (
	Internal Direction = "internal_memo_without_follow-up"
	Incoming Direction = "incoming"
	Outgoing Direction = "outgoing"
)

// Software is the program that creates the package (METS CREATOR agent,
// PREMIS software agent).
type Software struct {
	Name    string
	Version string
}

// Organisation is the submitting agent: the municipality (its committee)
// that hands the package over to its archive.
type Organisation struct {
	Name string
	// OrgNumber is the Swedish organisationsnummer, "212000-0000".
	OrgNumber string
}

// Meta is what the caller decides for a delivery: its id, when it is
// made, by what and for whom. Everything else in a package follows from
// the personakter, so the same Meta and input give the same bytes.
type Meta struct {
	// ID names the delivery; each package's id is ID and a running
	// number ("<ID>-0001"), which is also its folder's name.
	ID        string
	Created   time.Time
	Software  Software
	Submitter Organisation
	// Restriction is the secrecy provision the records fall under
	// ("OSL 26 kap. 1 §"), written on each case; empty leaves it out.
	Restriction string
}

// Person is whom a personakt is about, as the archive needs them.
type Person struct {
	ID             string
	IdentityNumber string // 12 digits
	GivenName      string
	FamilyName     string
	// Protected is set for protected personal data (skyddad folkbokföring,
	// sekretessmarkering).
	Protected bool
}

// Name is the person's full name.
func (p Person) Name() string { return strings.TrimSpace(p.GivenName + " " + p.FamilyName) }

// Personakt is one person's file: the person and their cases.
type Personakt struct {
	Person Person
	Cases  []Case
}

// Case is one case of a personakt with its records and history.
type Case struct {
	ID        string
	Reference string // the case reference, "EB-2026-00417"
	// Type is the case type's code, TypeName its name ("Ekonomiskt bistånd").
	Type     string
	TypeName string
	// LegalBasis is the case's legal classification ("SoL 4 kap. 1 §").
	LegalBasis string
	// Status is "open" or "closed".
	Status  string
	Opened  time.Time
	Closed  time.Time // zero while open
	Unit    string
	Officer string
	// Related are references of other cases this one refers to.
	Related []string
	Records []Record
	Events  []Event
}

// Record is one record of a case: structured content (Fields, Text) is
// written as XML; an attachment is kept in its original file.
type Record struct {
	ID        string
	Kind      Kind
	Title     string
	Created   time.Time
	Author    string
	Direction Direction
	// SignedBy and Signed record who signed it and when (a journal note, a
	// decision); empty when unsigned.
	SignedBy string
	Signed   time.Time
	Fields   []Field
	Text     string
	// File is an attachment's original file; a record with a File is
	// written as that file, not as XML.
	File *File
}

// Field is one answer or value of a structured record.
type Field struct {
	Name  string
	Label string
	Value string
}

// File is an attachment's original file.
type File struct {
	Name      string // the original name, as the sender gave it
	MediaType string
	Data      []byte
}

// Event is one entry of a case's history.
type Event struct {
	At     time.Time
	Type   string
	Actor  string
	Detail string
}

// Split says what one package holds.
type Split int

// A package per personakt (the default) or per case.
const (
	PerPersonakt Split = iota
	PerCase
)

// Entry is one file of a package, its path relative to the package folder.
type Entry struct {
	Path string
	Data []byte
	// MediaType is the file's media type in the METS and PREMIS.
	MediaType string
}

// Package is one SIP: its id (the root folder's name) and files.
type Package struct {
	ID string
	// Cases are the ids of the cases in it.
	Cases []string
	Files []Entry
}

// File returns the package's file at path, or nil.
func (p *Package) File(path string) []byte {
	for _, f := range p.Files {
		if f.Path == path {
			return f.Data
		}
	}
	return nil
}

// Deliver builds the packages of a delivery: one per personakt, or per
// case. Personakter and their cases are ordered by person id, then by
// opening and id, so the same input in any order gives the same packages.
// It fails with an EInvalid error when the meta or a personakt is
// incomplete.
func Deliver(m Meta, akter []Personakt, split Split) ([]*Package, error) {
	if err := m.check(); err != nil {
		return nil, err
	}
	akter = slices.Clone(akter)
	slices.SortStableFunc(akter, func(a, b Personakt) int { return cmp.Compare(a.Person.ID, b.Person.ID) })
	var out []*Package
	next := func() string { return fmt.Sprintf("%s-%04d", m.ID, len(out)+1) }
	for _, pa := range akter {
		pa.Cases = sortedCases(pa.Cases)
		if split == PerCase {
			for _, c := range pa.Cases {
				p, err := Build(m, next(), Personakt{Person: pa.Person, Cases: []Case{c}})
				if err != nil {
					return nil, err
				}
				out = append(out, p)
			}
			continue
		}
		p, err := Build(m, next(), pa)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

func (m Meta) check() error {
	bad := map[string]string{}
	if !safeName(m.ID) {
		bad["id"] = "letters, digits, - and _ only"
	}
	if m.Created.IsZero() {
		bad["created"] = "required"
	}
	if m.Software.Name == "" || m.Software.Version == "" {
		bad["software"] = "name and version required"
	}
	if m.Submitter.Name == "" {
		bad["submitter"] = "required"
	}
	if len(bad) > 0 {
		return trygg.Invalid("The archive delivery is incomplete.", bad)
	}
	return nil
}

func safeName(s string) bool {
	if s == "" || len(s) > 100 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

func sortedCases(cs []Case) []Case {
	cs = slices.Clone(cs)
	slices.SortStableFunc(cs, func(a, b Case) int {
		return cmp.Or(a.Opened.Compare(b.Opened), cmp.Compare(a.ID, b.ID))
	})
	for i := range cs {
		cs[i].Records = slices.Clone(cs[i].Records)
		slices.SortStableFunc(cs[i].Records, func(a, b Record) int {
			return cmp.Or(a.Created.Compare(b.Created), cmp.Compare(a.ID, b.ID))
		})
		cs[i].Events = slices.Clone(cs[i].Events)
		slices.SortStableFunc(cs[i].Events, func(a, b Event) int { return a.At.Compare(b.At) })
	}
	return cs
}

// WriteDir writes the package into dir/<id>/ and returns that folder.
func (p *Package) WriteDir(dir string) (string, error) {
	root := filepath.Join(dir, p.ID)
	for _, f := range p.Files {
		name := filepath.Join(root, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(name), 0o750); err != nil {
			return "", fmt.Errorf("archive: write package: %w", err)
		}
		if err := os.WriteFile(name, f.Data, 0o640); err != nil {
			return "", fmt.Errorf("archive: write package: %w", err)
		}
	}
	return root, nil
}

// WriteZip writes the packages into one zip, each under its own folder,
// with the delivery's time on every entry.
func WriteZip(w io.Writer, created time.Time, pkgs ...*Package) error {
	z := zip.NewWriter(w)
	for _, p := range pkgs {
		for _, f := range p.Files {
			h := &zip.FileHeader{Name: path.Join(p.ID, f.Path), Method: zip.Deflate, Modified: created.UTC()}
			fw, err := z.CreateHeader(h)
			if err != nil {
				return fmt.Errorf("archive: write zip: %w", err)
			}
			if _, err := fw.Write(f.Data); err != nil {
				return fmt.Errorf("archive: write zip: %w", err)
			}
		}
	}
	if err := z.Close(); err != nil {
		return fmt.Errorf("archive: write zip: %w", err)
	}
	return nil
}

// Build builds one package with the given id for a personakt (all its
// cases, or the one case of a per-case package). It fails with EInvalid
// when something the specifications require is missing.
func Build(m Meta, id string, pa Personakt) (*Package, error) {
	if err := m.check(); err != nil {
		return nil, err
	}
	if !safeName(id) {
		return nil, trygg.Invalid("The archive package id is not usable as a folder name.", map[string]string{"id": id})
	}
	if pa.Person.ID == "" || len(pa.Cases) == 0 {
		return nil, trygg.Invalid("A personakt needs a person and at least one case.", map[string]string{"person": pa.Person.ID})
	}
	pa.Cases = sortedCases(pa.Cases)
	b := &builder{m: m, id: id, pa: pa}
	return b.build()
}

// file is a file with what the METS and PREMIS say about it.
type file struct {
	Entry
	size     int
	sum      string // uppercase hex SHA-256
	original string // an attachment's original name
}

func newFile(p string, data []byte, media string) file {
	s := sha256.Sum256(data)
	return file{Entry: Entry{Path: p, Data: data, MediaType: media}, size: len(data), sum: strings.ToUpper(hex.EncodeToString(s[:]))}
}

// Paths inside a package.
const (
	metsPath      = "METS.xml"
	ermsPath      = "metadata/descriptive/ERMS.xml"
	premisPath    = "metadata/preservation/PREMIS.xml"
	readmePath    = "documentation/README.txt"
	repDir        = "representations/rep1"
	repMETSPath   = repDir + "/METS.xml"
	repPremisPath = repDir + "/metadata/preservation/PREMIS.xml"
	recordXSD     = "trygg-record-v1.xsd"
)

// Content information type: CITS ERMS v3, not (yet) in the CSIP
// vocabulary, so declared as OTHER with its name.
const contentType = "citserms_v3_0"

type builder struct {
	m  Meta
	id string
	pa Personakt

	data    []file // representation data files, in order
	dataFor map[string]string
}

func schema(name string) []byte {
	b, err := schemaFS.ReadFile("schemas/" + name)
	if err != nil {
		panic("archive: embedded schema missing: " + name)
	}
	return b
}

func (b *builder) build() (*Package, error) {
	b.dataFor = map[string]string{}
	for ci, c := range b.pa.Cases {
		dir := fmt.Sprintf("%s/data/%03d-%s", repDir, ci+1, pathPart(cmp.Or(c.Reference, c.ID)))
		for ri, r := range c.Records {
			base := fmt.Sprintf("%s/%03d-%s", dir, ri+1, pathPart(string(r.Kind)))
			if r.File != nil {
				f := newFile(base+"-"+pathPart(r.File.Name), r.File.Data, cmp.Or(r.File.MediaType, "application/octet-stream"))
				f.original = r.File.Name
				b.add(c.ID+"/"+r.ID, f)
				continue
			}
			b.add(c.ID+"/"+r.ID, newFile(base+".xml", recordXML(c, r), "application/xml"))
		}
		b.add(c.ID+"/history", newFile(dir+"/history.xml", historyXML(b.m, c), "application/xml"))
	}

	repSchema := newFile(repDir+"/schemas/"+recordXSD, schema(recordXSD), "application/xml")
	repReadme := newFile(repDir+"/documentation/README.txt", []byte(repReadme(b.pa)), "text/plain")
	repPremis := newFile(repPremisPath, b.premis(append(slices.Clone(b.data), repSchema, repReadme), "../../../"), "application/xml")
	repMETS := newFile(repMETSPath, b.repMETS(repReadme, repSchema, repPremis), "application/xml")

	schemas := []file{
		newFile("schemas/mets.xsd", schema("mets.xsd"), "application/xml"),
		newFile("schemas/xlink.xsd", schema("xlink.xsd"), "application/xml"),
		newFile("schemas/DILCISExtensionMETS.xsd", schema("DILCISExtensionMETS.xsd"), "application/xml"),
		newFile("schemas/ERMS_v3.xsd", schema("ERMS_v3.xsd"), "application/xml"),
	}
	readme := newFile(readmePath, []byte(b.readme()), "text/plain")
	erms := newFile(ermsPath, b.erms(), "application/xml")
	described := append([]file{erms, readme}, schemas...)
	described = append(described, repMETS, repPremis, repReadme, repSchema)
	described = append(described, b.data...)
	premis := newFile(premisPath, b.premis(described, "../../"), "application/xml")
	mets := newFile(metsPath, b.rootMETS(erms, premis, readme, schemas, repMETS), "application/xml")

	all := []file{mets, erms, premis, readme}
	all = append(all, schemas...)
	all = append(all, repMETS, repPremis, repReadme, repSchema)
	all = append(all, b.data...)
	p := &Package{ID: b.id}
	for _, c := range b.pa.Cases {
		p.Cases = append(p.Cases, c.ID)
	}
	for _, f := range all {
		p.Files = append(p.Files, f.Entry)
	}
	return p, nil
}

func (b *builder) add(key string, f file) {
	b.dataFor[key] = f.Path
	b.data = append(b.data, f)
}

// pathPart makes a safe file-name part: ASCII letters, digits, '.', '-',
// '_'; others become '_'; at most 80 bytes, the extension kept.
func pathPart(s string) string {
	var r strings.Builder
	for _, c := range s {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '.', c == '-', c == '_':
			r.WriteRune(c)
		default:
			r.WriteByte('_')
		}
	}
	out := strings.Trim(r.String(), ".")
	if len(out) > 80 {
		ext := path.Ext(out)
		if len(ext) > 10 {
			ext = ""
		}
		out = out[:80-len(ext)] + ext
	}
	if out == "" {
		out = "file"
	}
	return out
}

func (b *builder) readme() string {
	return fmt.Sprintf(`Arkivpaket (E-ARK SIP enligt FGS Paketstruktur) / Archive package (E-ARK SIP)

Paket / package: %s
Leverans / delivery: %s
Skapat / created: %s av / by %s %s
Levererande organisation / submitter: %s %s

Innehåll / content:
- METS.xml: paketets struktur, filer och kontrollsummor (SHA-256)
- metadata/descriptive/ERMS.xml: personakten, ärenden och handlingar (FGS Ärendehantering, CITS ERMS v3)
- metadata/preservation/PREMIS.xml: bevarandemetadata (PREMIS 3)
- representations/rep1/data/: handlingarna, en mapp per ärende; blanketter, anteckningar,
  beslut, beställningar, planer och utförda insatser som XML (schemas/%s),
  bilagor i sina ursprungliga filer, ärendets historik i history.xml
- schemas/: de XML-scheman paketet använder

Handlingarna innehåller personuppgifter och omfattas av sekretess.
The records hold personal data and are subject to secrecy.
`, b.id, b.m.ID, stamp(b.m.Created), b.m.Software.Name, b.m.Software.Version,
		b.m.Submitter.Name, b.m.Submitter.OrgNumber, recordXSD)
}

func repReadme(pa Personakt) string {
	return fmt.Sprintf("Representation rep1: %d ärenden / cases, one folder each under data/; record XML per schemas/%s.\n", len(pa.Cases), recordXSD)
}
