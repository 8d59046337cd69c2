package payments

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/trygg/trygg/internal/trygg"
)

// CreditTransferNamespace is the namespace of the bank files CreditTransfer
// writes: ISO 20022 pain.001.001.10, customer credit transfer initiation.
// The Swedish banks' common interpretation is written for pain.001.001.09;
// .10 is the newest official schema at hand (docs/payments.md says why and
// what differs).
const CreditTransferNamespace = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.10"

// The clearing-system member ids of the Swedish interpretation: a
// creditor agent in the Swedish bank clearing (SESBA) named by 9900 is
// Bankgirot, by 9960 Plusgirot; a bank account's agent is named by its
// clearing number.
const (
	clearingSystemSweden = "SESBA"
	memberBankgirot      = "9900"
	memberPlusgirot      = "9960"
)

// Run is one payment file: who pays, from which account, and the
// payments. CreditTransfer writes it.
type Run struct {
	// MessageID identifies the file to the bank, which refuses a file
	// whose id it has seen before: 1-30 characters (letters, digits and
	// - / . :), unique for every file ever sent. The payment-information
	// blocks are named MessageID-1, MessageID-2, ….
	MessageID string
	// CreatedAt is when the file was made.
	CreatedAt time.Time
	// ExecutionDate is the day the payments are to be made, for each
	// payment that does not give its own. Only its date counts.
	ExecutionDate time.Time
	// CategoryPurpose, if given, is the ISO 20022 category purpose code
	// (four capitals) the bank's agreement asks for; empty leaves it out.
	CategoryPurpose string
	Debtor          Debtor
	Payments        []Payment
}

// Debtor is the payer: the municipality and the account the money is
// taken from.
type Debtor struct {
	// Name is the payer's name as the bank knows it (1-70 characters).
	Name string
	// Account is the account debited: a bank account, a Bankgiro number
	// or an IBAN.
	Account Account
	// BIC is the business identifier code of the payer's bank (8 or 11
	// characters, for example HANDSESS or NDEASESS).
	BIC string
	// InitiatingPartyID, if given, is the id the bank gave the sender of
	// files (its customer or agreement number), written with the scheme
	// InitiatingPartyScheme, "BANK" if that is empty. The bank's guide to
	// its file service says which.
	InitiatingPartyID     string
	InitiatingPartyScheme string
}

// Payment is one payment line of a run.
type Payment struct {
	// EndToEndID identifies the payment all the way to the bank's status
	// report (pain.002), where rejections name it: 1-35 characters
	// (letters, digits and - / . :), unique within the run.
	EndToEndID string
	// Creditor is the payee's name (1-70 characters).
	Creditor string
	// Account is the payee's account, as ParseAccount returned it.
	Account Account
	// Amount is the amount in öre (1 krona = 100 öre), more than 0.
	Amount int64
	// Message is the text to the payee (at most 140 characters), shown
	// on the payee's statement as far as the receiving bank shows it.
	Message string
	// Reference is an OCR reference (2-25 digits) for a payment to a
	// Bankgiro or Plusgiro number that asks for one; it replaces Message.
	Reference string
	// ExecutionDate, if not zero, is this payment's own day; otherwise
	// the run's.
	ExecutionDate time.Time
}

// maxAmount is the largest amount of one payment, in öre: 999 999 999,99
// kronor. It keeps every sum far from overflowing.
const maxAmount = 99_999_999_999

// CreditTransfer validates the run and returns it as an ISO 20022
// pain.001.001.10 file in UTF-8, following the Swedish banks' common
// interpretation: SEK, service level NURG, one payment-information block
// per execution date (in date order, the payments in the run's order), a
// group header with the number of payments and their sum, amounts as
// kronor with two decimals. A payee's bank account is written as its BBAN
// with the creditor agent's clearing number (SESBA); a Bankgiro number
// with the scheme BGNR and Bankgirot's member id 9900; a Plusgiro number
// as a BBAN at Plusgirot (9960); an IBAN as an IBAN.
//
// A run that cannot be paid is refused with an EInvalid *trygg.Error
// whose fields name every problem (message_id, execution_date,
// debtor.account, payments[2].amount, …); nothing is written then.
func CreditTransfer(run Run) ([]byte, error) {
	if err := run.validate(); err != nil {
		return nil, err
	}
	doc := run.document()
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("payments: write pain.001: %w", err)
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}

// validate checks everything the bank would refuse or the file could not
// hold, and returns one EInvalid error naming each problem.
func (run Run) validate() error {
	fields := map[string]string{}
	if !isIdentifier(run.MessageID, 30) {
		fields["message_id"] = "The file's id has 1 to 30 letters, digits or - / . : characters."
	}
	if run.CreatedAt.IsZero() {
		fields["created_at"] = "The file needs the time it was made."
	}
	if !isText(run.Debtor.Name, 70) {
		fields["debtor.name"] = "The payer's name has 1 to 70 characters and no control characters."
	}
	switch run.Debtor.Account.Kind {
	case KindBankAccount, KindBankgiro, KindIBAN:
		if again, err := ParseAccount(run.Debtor.Account.Kind, run.Debtor.Account.Clearing, run.Debtor.Account.Number); err != nil || again != run.Debtor.Account {
			fields["debtor.account"] = "The payer's account is not a valid account."
		}
	default:
		fields["debtor.account"] = "The payer's account is a bank account, a Bankgiro number or an IBAN."
	}
	if !isBIC(run.Debtor.BIC) {
		fields["debtor.bic"] = "The payer's bank is given by its BIC: 8 or 11 letters and digits."
	}
	if run.Debtor.InitiatingPartyID != "" && !isText(run.Debtor.InitiatingPartyID, 35) {
		fields["debtor.initiating_party_id"] = "The sender's id has at most 35 characters."
	}
	if s := run.Debtor.InitiatingPartyScheme; s != "" && !isCode(s) {
		fields["debtor.initiating_party_scheme"] = "The sender's id scheme is a code of four capitals, such as BANK or CUST."
	}
	if run.CategoryPurpose != "" && !isCode(run.CategoryPurpose) {
		fields["category_purpose"] = "The category purpose is a code of four capitals, such as SUPP."
	}
	if len(run.Payments) == 0 {
		fields["payments"] = "A payment file needs at least one payment."
	}
	created := dateOf(run.CreatedAt)
	seen := make(map[string]bool, len(run.Payments))
	for i, p := range run.Payments {
		key := func(name string) string { return fmt.Sprintf("payments[%d].%s", i, name) }
		switch {
		case !isIdentifier(p.EndToEndID, 35):
			fields[key("end_to_end_id")] = "A payment's id has 1 to 35 letters, digits or - / . : characters."
		case seen[p.EndToEndID]:
			fields[key("end_to_end_id")] = "Each payment in a file needs its own id."
		}
		seen[p.EndToEndID] = true
		if !isText(p.Creditor, 70) {
			fields[key("creditor")] = "The payee's name has 1 to 70 characters and no control characters."
		}
		if again, err := ParseAccount(p.Account.Kind, p.Account.Clearing, p.Account.Number); err != nil || again != p.Account {
			fields[key("account")] = "The payee's account is not a valid account."
		}
		switch {
		case p.Amount <= 0:
			fields[key("amount")] = "The amount must be more than 0 kronor."
		case p.Amount > maxAmount:
			fields[key("amount")] = "The amount is larger than one payment can be."
		}
		if p.Message != "" && !isText(p.Message, 140) {
			fields[key("message")] = "The message to the payee has at most 140 characters and no control characters."
		}
		if p.Reference != "" {
			switch {
			case len(p.Reference) < 2 || len(p.Reference) > 25 || strings.Trim(p.Reference, "0123456789") != "":
				fields[key("reference")] = "An OCR reference has 2 to 25 digits."
			case p.Message != "":
				fields[key("reference")] = "Give either an OCR reference or a message, not both."
			}
		}
		date := p.ExecutionDate
		if date.IsZero() {
			date = run.ExecutionDate
		}
		switch {
		case date.IsZero():
			fields[key("execution_date")] = "The payment needs a day to be paid."
		case !run.CreatedAt.IsZero() && dateOf(date) < created:
			fields[key("execution_date")] = "The day of payment has already passed."
		}
	}
	if len(fields) > 0 {
		return trygg.Invalid("The bank file cannot be made.", fields)
	}
	return nil
}

// document builds the file's XML tree from a valid run.
func (run Run) document() p1Document {
	total := int64(0)
	byDate := map[string][]Payment{}
	for _, p := range run.Payments {
		total += p.Amount
		d := run.paymentDate(p)
		byDate[d] = append(byDate[d], p)
	}
	dates := run.dates()

	initiator := p1Party{Nm: run.Debtor.Name}
	if id := run.Debtor.InitiatingPartyID; id != "" {
		scheme := run.Debtor.InitiatingPartyScheme
		if scheme == "" {
			scheme = "BANK"
		}
		initiator.Id = &p1PartyID{OrgId: p1OrgID{Othr: []p1GenericID{{Id: id, SchmeNm: &p1Scheme{Cd: scheme}}}}}
	}
	doc := p1Document{Initiation: p1Initiation{GrpHdr: p1GroupHeader{
		MsgId:    run.MessageID,
		CreDtTm:  run.CreatedAt.Truncate(time.Second).Format("2006-01-02T15:04:05Z07:00"),
		NbOfTxs:  fmt.Sprint(len(run.Payments)),
		CtrlSum:  Kronor(total),
		InitgPty: initiator,
	}}}
	for i, d := range dates {
		payments := byDate[d]
		sum := int64(0)
		for _, p := range payments {
			sum += p.Amount
		}
		info := p1PaymentInfo{
			PmtInfId:    run.blockID(i),
			PmtMtd:      "TRF",
			NbOfTxs:     fmt.Sprint(len(payments)),
			CtrlSum:     Kronor(sum),
			PmtTpInf:    p1PaymentType{SvcLvl: p1Code{Cd: "NURG"}},
			ReqdExctnDt: p1Date{Dt: d},
			Dbtr:        p1Party{Nm: run.Debtor.Name},
			DbtrAcct:    cashAccount(run.Debtor.Account),
			DbtrAgt:     p1Agent{FinInstnId: p1FinancialInstitution{BICFI: run.Debtor.BIC}},
		}
		if run.CategoryPurpose != "" {
			info.PmtTpInf.CtgyPurp = &p1Code{Cd: run.CategoryPurpose}
		}
		for _, p := range payments {
			tx := p1Transaction{
				PmtId:    p1PaymentID{EndToEndId: p.EndToEndID},
				Amt:      p1Amount{InstdAmt: p1CurrencyAmount{Ccy: "SEK", Value: Kronor(p.Amount)}},
				CdtrAgt:  creditorAgent(p.Account),
				Cdtr:     p1Party{Nm: p.Creditor},
				CdtrAcct: cashAccount(p.Account),
			}
			tx.CdtrAcct.Ccy = ""
			switch {
			case p.Reference != "":
				tx.RmtInf = &p1Remittance{Strd: &p1Structured{CdtrRefInf: p1CreditorReference{
					Tp:  p1ReferenceType{CdOrPrtry: p1Code{Cd: "SCOR"}},
					Ref: p.Reference,
				}}}
			case p.Message != "":
				tx.RmtInf = &p1Remittance{Ustrd: p.Message}
			}
			info.CdtTrfTxInf = append(info.CdtTrfTxInf, tx)
		}
		doc.Initiation.PmtInf = append(doc.Initiation.PmtInf, info)
	}
	return doc
}

// paymentDate returns the day a payment is made, YYYY-MM-DD: its own
// execution date or the run's.
func (run Run) paymentDate(p Payment) string {
	if p.ExecutionDate.IsZero() {
		return dateOf(run.ExecutionDate)
	}
	return dateOf(p.ExecutionDate)
}

// dates returns the run's execution days in order; the payments of
// dates[i] make the payment-information block blockID(i).
func (run Run) dates() []string {
	var dates []string
	for _, p := range run.Payments {
		if d := run.paymentDate(p); !slices.Contains(dates, d) {
			dates = append(dates, d)
		}
	}
	slices.Sort(dates)
	return dates
}

// blockID returns the id of the run's i-th payment-information block
// (from 0): MessageID-1, MessageID-2, ….
func (run Run) blockID(i int) string { return fmt.Sprintf("%s-%d", run.MessageID, i+1) }

// Kronor writes an amount in öre as kronor with two decimals and a
// decimal point, as ISO 20022 amounts are written: 123456 is "1234.56".
func Kronor(ore int64) string {
	sign := ""
	if ore < 0 {
		sign, ore = "-", -ore
	}
	return fmt.Sprintf("%s%d.%02d", sign, ore/100, ore%100)
}

// cashAccount returns an account's identification in SEK.
func cashAccount(a Account) p1CashAccount {
	acct := p1CashAccount{Ccy: "SEK"}
	switch a.Kind {
	case KindIBAN:
		acct.Id.IBAN = a.Number
	case KindBankgiro:
		acct.Id.Othr = &p1GenericID{Id: a.Number, SchmeNm: &p1Scheme{Prtry: "BGNR"}}
	default:
		acct.Id.Othr = &p1GenericID{Id: a.BBAN(), SchmeNm: &p1Scheme{Cd: "BBAN"}}
	}
	return acct
}

// creditorAgent returns the payee's bank as the Swedish interpretation
// names it, or nil for an IBAN, which names its bank itself.
func creditorAgent(a Account) *p1Agent {
	member := ""
	switch a.Kind {
	case KindBankAccount:
		member = a.Clearing[:4]
	case KindBankgiro:
		member = memberBankgirot
	case KindPlusgiro:
		member = memberPlusgirot
	default:
		return nil
	}
	return &p1Agent{FinInstnId: p1FinancialInstitution{ClrSysMmbId: &p1ClearingMember{
		ClrSysId: p1Code{Cd: clearingSystemSweden},
		MmbId:    member,
	}}}
}

// dateOf returns t's calendar date in its own location, as YYYY-MM-DD.
func dateOf(t time.Time) string { return t.Format(time.DateOnly) }

// isIdentifier reports whether s is an id of 1 to max characters drawn
// from letters, digits and - / . : (what every bank takes in ids).
func isIdentifier(s string, max int) bool {
	if s == "" || len(s) > max {
		return false
	}
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		case r == '-', r == '/', r == '.', r == ':':
		default:
			return false
		}
	}
	return true
}

// isText reports whether s is valid UTF-8 of 1 to max characters without
// control characters and without leading or trailing space.
func isText(s string, max int) bool {
	if s == "" || !utf8.ValidString(s) || utf8.RuneCountInString(s) > max || strings.TrimSpace(s) != s {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) || r == '\ufffd' || (r >= 0xfdd0 && r <= 0xfdef) || r&0xfffe == 0xfffe {
			return false
		}
	}
	return true
}

// isBIC reports whether s has the shape of a BIC: four letters or digits
// for the institution, two letters for the country, two letters or
// digits for the location and optionally three for the branch.
func isBIC(s string) bool {
	if len(s) != 8 && len(s) != 11 {
		return false
	}
	for i, r := range s {
		letter := r >= 'A' && r <= 'Z'
		digit := r >= '0' && r <= '9'
		if (i == 4 || i == 5) && !letter || !letter && !digit {
			return false
		}
	}
	return true
}

// isCode reports whether s is four capitals, the shape of an ISO 20022
// external code.
func isCode(s string) bool {
	if len(s) != 4 {
		return false
	}
	for _, r := range s {
		if r < 'A' || r > 'Z' {
			return false
		}
	}
	return true
}

// The XML of pain.001.001.10, only the elements the file uses, in the
// schema's order. The p1 prefix keeps them apart from pain.002's.
type p1Document struct {
	XMLName    xml.Name     `xml:"urn:iso:std:iso:20022:tech:xsd:pain.001.001.10 Document"`
	Initiation p1Initiation `xml:"CstmrCdtTrfInitn"`
}

type p1Initiation struct {
	GrpHdr p1GroupHeader   `xml:"GrpHdr"`
	PmtInf []p1PaymentInfo `xml:"PmtInf"`
}

type p1GroupHeader struct {
	MsgId    string  `xml:"MsgId"`
	CreDtTm  string  `xml:"CreDtTm"`
	NbOfTxs  string  `xml:"NbOfTxs"`
	CtrlSum  string  `xml:"CtrlSum"`
	InitgPty p1Party `xml:"InitgPty"`
}

type p1Party struct {
	Nm string     `xml:"Nm,omitempty"`
	Id *p1PartyID `xml:"Id,omitempty"`
}

type p1PartyID struct {
	OrgId p1OrgID `xml:"OrgId"`
}

type p1OrgID struct {
	Othr []p1GenericID `xml:"Othr"`
}

type p1GenericID struct {
	Id      string    `xml:"Id"`
	SchmeNm *p1Scheme `xml:"SchmeNm,omitempty"`
}

type p1Scheme struct {
	Cd    string `xml:"Cd,omitempty"`
	Prtry string `xml:"Prtry,omitempty"`
}

type p1PaymentInfo struct {
	PmtInfId    string          `xml:"PmtInfId"`
	PmtMtd      string          `xml:"PmtMtd"`
	NbOfTxs     string          `xml:"NbOfTxs"`
	CtrlSum     string          `xml:"CtrlSum"`
	PmtTpInf    p1PaymentType   `xml:"PmtTpInf"`
	ReqdExctnDt p1Date          `xml:"ReqdExctnDt"`
	Dbtr        p1Party         `xml:"Dbtr"`
	DbtrAcct    p1CashAccount   `xml:"DbtrAcct"`
	DbtrAgt     p1Agent         `xml:"DbtrAgt"`
	CdtTrfTxInf []p1Transaction `xml:"CdtTrfTxInf"`
}

type p1PaymentType struct {
	SvcLvl   p1Code  `xml:"SvcLvl"`
	CtgyPurp *p1Code `xml:"CtgyPurp,omitempty"`
}

type p1Code struct {
	Cd string `xml:"Cd"`
}

type p1Date struct {
	Dt string `xml:"Dt"`
}

type p1CashAccount struct {
	Id  p1AccountID `xml:"Id"`
	Ccy string      `xml:"Ccy,omitempty"`
}

type p1AccountID struct {
	IBAN string       `xml:"IBAN,omitempty"`
	Othr *p1GenericID `xml:"Othr,omitempty"`
}

type p1Agent struct {
	FinInstnId p1FinancialInstitution `xml:"FinInstnId"`
}

type p1FinancialInstitution struct {
	BICFI       string            `xml:"BICFI,omitempty"`
	ClrSysMmbId *p1ClearingMember `xml:"ClrSysMmbId,omitempty"`
}

type p1ClearingMember struct {
	ClrSysId p1Code `xml:"ClrSysId"`
	MmbId    string `xml:"MmbId"`
}

type p1Transaction struct {
	PmtId    p1PaymentID   `xml:"PmtId"`
	Amt      p1Amount      `xml:"Amt"`
	CdtrAgt  *p1Agent      `xml:"CdtrAgt,omitempty"`
	Cdtr     p1Party       `xml:"Cdtr"`
	CdtrAcct p1CashAccount `xml:"CdtrAcct"`
	RmtInf   *p1Remittance `xml:"RmtInf,omitempty"`
}

type p1PaymentID struct {
	EndToEndId string `xml:"EndToEndId"`
}

type p1Amount struct {
	InstdAmt p1CurrencyAmount `xml:"InstdAmt"`
}

type p1CurrencyAmount struct {
	Ccy   string `xml:"Ccy,attr"`
	Value string `xml:",chardata"`
}

type p1Remittance struct {
	Ustrd string        `xml:"Ustrd,omitempty"`
	Strd  *p1Structured `xml:"Strd,omitempty"`
}

type p1Structured struct {
	CdtrRefInf p1CreditorReference `xml:"CdtrRefInf"`
}

type p1CreditorReference struct {
	Tp  p1ReferenceType `xml:"Tp"`
	Ref string          `xml:"Ref"`
}

type p1ReferenceType struct {
	CdOrPrtry p1Code `xml:"CdOrPrtry"`
}
