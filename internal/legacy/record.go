// Package legacy reads and writes the legacy interchange format: the file
// set a district's old system exports for trygg to import (persons,
// relations, units, staff, cases, decisions, journal notes, documents,
// forms, provider orders, performed insatser and payments), as CSV with
// ';' in UTF-8 or Windows-1252, or as JSON lines. docs/migration.md
// describes the format for the people who write the export.
//
// Every record carries its legacy id, the old system's own key, which
// the import keeps as an external id so a re-run never duplicates. The
// values are as the old system wrote them: identity numbers in any of
// their written forms, dates in Swedish forms, amounts with a decimal
// comma, codes of the old system (mapped to trygg's by a mapping table).
// The readers parse the forms (dates, amounts, yes/no) and leave the
// meaning (which identity, which code) to the import.
package legacy

// Kind names a file of the export and the kind of its records.
type Kind string

// The kinds of records, in the order the import reads them: each refers
// only to kinds before it.
const (
	KindUnits     Kind = "units"
	KindStaff     Kind = "staff"
	KindPersons   Kind = "persons"
	KindRelations Kind = "relations"
	KindCases     Kind = "cases"
	KindForms     Kind = "forms"
	KindDecisions Kind = "decisions"
	KindNotes     Kind = "notes"
	KindDocuments Kind = "documents"
	KindOrders    Kind = "orders"
	KindPerformed Kind = "performed"
	KindPayments  Kind = "payments"
)

// Kinds lists every kind in import order.
var Kinds = []Kind{KindUnits, KindStaff, KindPersons, KindRelations, KindCases, KindForms, KindDecisions,
	KindNotes, KindDocuments, KindOrders, KindPerformed, KindPayments}

// Pos is where a record was read: the file (its name inside the export)
// and the line (CSV: the record's first physical line; JSON lines: the
// line). Errors and reports name a record by Pos and legacy id, never by
// its content.
type Pos struct {
	File string `json:"file"`
	Line int    `json:"line"`
}

// Date is a calendar day as YYYY-MM-DD ("" when the export left it
// empty); the readers accept the Swedish forms old systems write
// (2019-03-04, 20190304, 190304, 4/3 2019, 4.3.2019) and give this one.
type Date string

// Time is a moment as RFC 3339 in UTC ("" when empty); the readers accept
// "2019-03-04 13:45[:07]" (Swedish local time), 201903041345 and RFC 3339,
// and a Date alone (the day's start, Swedish time).
type Time string

// Ore is an amount in öre (hundredths of a krona); the readers accept
// "1 234,50", "1234.50", "1234" (kronor).
type Ore int64

// Unit is one of the old system's units (a district, a unit of it).
type Unit struct {
	Pos      `json:"-"`
	LegacyID string `json:"legacy_id"`
	Name     string `json:"name"`
	Parent   string `json:"parent,omitempty"` // a unit's legacy id
}

// Staff is one of the old system's users, who wrote notes and made
// decisions.
type Staff struct {
	Pos      `json:"-"`
	LegacyID string `json:"legacy_id"`
	Name     string `json:"name"`
	Username string `json:"username,omitempty"` // the login the person had, if any
}

// Person is a person as the old system knew them.
type Person struct {
	Pos      `json:"-"`
	LegacyID string `json:"legacy_id"`
	// Identity is the identity number as written (personnummer,
	// samordningsnummer or the old system's reserve number).
	Identity string `json:"identity"`
	// PreviousIdentity is an identity number the person had before
	// (a samordningsnummer replaced by a personnummer), if the old
	// system recorded it.
	PreviousIdentity string `json:"previous_identity,omitempty"`
	GivenName        string `json:"given_name"`
	FamilyName       string `json:"family_name"`
	Sex              string `json:"sex,omitempty"` // M, K/F or empty
	Street           string `json:"street,omitempty"`
	PostalCode       string `json:"postal_code,omitempty"`
	City             string `json:"city,omitempty"`
	Protected        bool   `json:"protected,omitempty"` // skyddade personuppgifter
	Deceased         Date   `json:"deceased,omitempty"`
}

// Relation is a relation between two persons (guardian of, representative
// of).
type Relation struct {
	Pos       `json:"-"`
	LegacyID  string `json:"legacy_id"`
	From      string `json:"from"` // the guardian/representative: a person's legacy id
	To        string `json:"to"`   // the child/principal: a person's legacy id
	Kind      string `json:"kind"` // the old system's code
	ValidFrom Date   `json:"valid_from,omitempty"`
	ValidTo   Date   `json:"valid_to,omitempty"`
}

// Case is a case (ärende) of a person.
type Case struct {
	Pos      `json:"-"`
	LegacyID string `json:"legacy_id"`
	Person   string `json:"person"`    // a person's legacy id
	Unit     string `json:"unit"`      // a unit's legacy id
	CaseType string `json:"case_type"` // the old system's code
	Title    string `json:"title,omitempty"`
	Received Date   `json:"received"`
	Opened   Time   `json:"opened"`
	Closed   Time   `json:"closed,omitempty"`  // empty: still open
	Officer  string `json:"officer,omitempty"` // a staff legacy id
	// Reference is the case's reference in the old system (its diarienummer).
	Reference string `json:"reference,omitempty"`
}

// FormValue is one key–value row of a form: a form is the rows that share
// a LegacyID.
type FormValue struct {
	Pos      `json:"-"`
	LegacyID string `json:"legacy_id"` // the form's, shared by its rows
	Case     string `json:"case"`
	Form     string `json:"form"` // the old system's form code
	Signed   Time   `json:"signed,omitempty"`
	Author   string `json:"author,omitempty"` // a staff legacy id
	Key      string `json:"key"`
	Value    string `json:"value"`
}

// Decision is a decision in a case.
type Decision struct {
	Pos      `json:"-"`
	LegacyID string `json:"legacy_id"`
	Case     string `json:"case"`
	// Insats is the old system's code, or a free text where the old
	// system had none.
	Insats    string `json:"insats"`
	Outcome   string `json:"outcome"` // the old system's code (B, A, D…)
	Decided   Time   `json:"decided"`
	DecidedBy string `json:"decided_by,omitempty"` // a staff legacy id
	ValidFrom Date   `json:"valid_from,omitempty"`
	ValidTo   Date   `json:"valid_to,omitempty"`
	// Amount is hours (in hundredths) or öre, as AmountUnit says.
	Amount        int64  `json:"amount,omitempty"`
	AmountUnit    string `json:"amount_unit,omitempty"` // the old system's code
	LegalBasis    string `json:"legal_basis,omitempty"`
	Justification string `json:"justification,omitempty"`
	// Executed is the day the decision was executed (verkställt), when
	// the old system knows it; an order's start says so too.
	Executed Date `json:"executed,omitempty"`
}

// Note is a journal note.
type Note struct {
	Pos      `json:"-"`
	LegacyID string `json:"legacy_id"`
	Case     string `json:"case"`   // empty in dirty exports: a note without a case
	Person   string `json:"person"` // whose personakt
	Written  Time   `json:"written"`
	Author   string `json:"author,omitempty"` // a staff legacy id
	Signed   bool   `json:"signed"`
	Text     string `json:"text"`
}

// Document is a document with its file, which lies in the export's
// files/ folder.
type Document struct {
	Pos         `json:"-"`
	LegacyID    string `json:"legacy_id"`
	Case        string `json:"case"`
	Name        string `json:"name"`
	ContentType string `json:"content_type,omitempty"`
	File        string `json:"file"` // path under files/
	SHA256      string `json:"sha256,omitempty"`
	Created     Time   `json:"created"`
	Author      string `json:"author,omitempty"`
}

// Order is an order (uppdrag) to a provider, from a decision.
type Order struct {
	Pos      `json:"-"`
	LegacyID string `json:"legacy_id"`
	Decision string `json:"decision"`
	Provider string `json:"provider"` // the old system's code
	Start    Date   `json:"start,omitempty"`
	End      Date   `json:"end,omitempty"`
	Status   string `json:"status,omitempty"` // the old system's code
}

// Performed is one performed visit or occasion of an order.
type Performed struct {
	Pos       `json:"-"`
	LegacyID  string `json:"legacy_id"`
	Order     string `json:"order"`
	On        Date   `json:"on"`
	Minutes   int    `json:"minutes"`
	Deviation string `json:"deviation,omitempty"` // the old system's code
}

// Payment is an economic-assistance payment made.
type Payment struct {
	Pos      `json:"-"`
	LegacyID string `json:"legacy_id"`
	Case     string `json:"case"`
	Decision string `json:"decision,omitempty"`
	Item     string `json:"item"`   // the old system's code (norm, hyra…)
	Period   string `json:"period"` // YYYY-MM
	Amount   Ore    `json:"amount"`
	Paid     Date   `json:"paid,omitempty"` // empty: not paid
}
