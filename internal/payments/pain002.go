package payments

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/trygg/trygg/internal/calendar"
	"github.com/trygg/trygg/internal/trygg"
)

// Outcome is what a status report means for a payment.
type Outcome string

// The outcomes of a payment in a status report.
const (
	// OutcomeAccepted: the bank accepted the payment (ISO statuses
	// ACCP, ACSP, ACSC, ACWC, ACCC, ACFC, ACWP, ACIS).
	OutcomeAccepted Outcome = "accepted"
	// OutcomePending: nothing is decided yet (PDNG, RCVD, ACTC, which
	// only says the file could be read, and a payment not named under a
	// file or block partly accepted, PART).
	OutcomePending Outcome = "pending"
	// OutcomeRejected: the payment was not made (RJCT, CANC).
	OutcomeRejected Outcome = "rejected"
	// OutcomeUnknown: the report says nothing about the payment, or gives
	// a status code this package does not know.
	OutcomeUnknown Outcome = "unknown"
)

// OutcomeOf returns the outcome an ISO 20022 payment status code
// (ExternalPaymentTransactionStatus1Code) means.
func OutcomeOf(status string) Outcome {
	switch status {
	case "ACCP", "ACSP", "ACSC", "ACWC", "ACCC", "ACFC", "ACWP", "ACIS":
		return OutcomeAccepted
	case "PDNG", "RCVD", "ACTC", "PART":
		return OutcomePending
	case "RJCT", "CANC":
		return OutcomeRejected
	}
	return OutcomeUnknown
}

// Reason is one reason a bank gives for a status.
type Reason struct {
	// Code is the ISO 20022 reason code (AC01, AM04, …), "" when the bank
	// gave only its own code.
	Code string
	// Proprietary is the bank's own code, if it gave one instead.
	Proprietary string
	// Info is the bank's explanation in its own words, if any.
	Info []string
}

// Text returns what the reason code means in plain words (ReasonText),
// "" for a code the table does not have.
func (r Reason) Text(lang string) string {
	t, _ := ReasonText(r.Code, lang)
	return t
}

// StatusReport is a bank's payment status report (pain.002) on a payment
// file, as ReadStatusReport read it.
type StatusReport struct {
	// MessageID is the report's own id.
	MessageID string
	// CreatedAt is when the bank made the report; zero if it could not
	// be read. A time without zone is taken as Swedish time.
	CreatedAt time.Time
	// OriginalMessageID is the MessageID of the payment file it answers.
	OriginalMessageID string
	// Status is the whole file's ISO status code (ACTC, RJCT, PART, …),
	// "" if the report gives none; Reasons say why.
	Status  string
	Reasons []Reason
	// Blocks are the payment-information blocks the report speaks of.
	Blocks []BlockStatus
}

// BlockStatus is what a report says about one payment-information block
// (one execution date of a run) and the payments in it it names.
type BlockStatus struct {
	ID       string // the block's PmtInfId in the payment file
	Status   string // the block's ISO status code, "" if not given
	Reasons  []Reason
	Payments []PaymentStatus
}

// PaymentStatus is what a report says about one payment.
type PaymentStatus struct {
	EndToEndID string
	BlockID    string
	// Status is the ISO status code: the payment's own, or its block's or
	// file's when the report names only those (Match).
	Status  string
	Outcome Outcome
	Reasons []Reason
}

// maxReportSize bounds what ReadStatusReport reads: a report on a run of
// tens of thousands of payments stays far below it.
const maxReportSize = 64 << 20

// statusReportNamespace is the start of pain.002's namespaces; the
// version follows (pain.002.001.03 … pain.002.001.11).
const statusReportNamespace = "urn:iso:std:iso:20022:tech:xsd:pain.002.001."

// ReadStatusReport reads a payment status report, pain.002 of version
// 001.03 to 001.11 and later (the elements read have the same names in
// all of them): the file's status, each payment-information block's, and
// each payment's by its end-to-end id, with the banks' reason codes and
// explanations. The file may be UTF-8 or ISO-8859-1. A file that is not a
// status report, is not well-formed XML, answers no payment file or is
// larger than 64 MiB is refused with an EInvalid *trygg.Error; nothing in
// the file is repeated in the error.
func ReadStatusReport(r io.Reader) (*StatusReport, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxReportSize+1))
	if err != nil {
		return nil, fmt.Errorf("payments: read status report: %w", err)
	}
	if len(data) > maxReportSize {
		return nil, trygg.Errorf(trygg.EInvalid, "The status report is larger than 64 MiB.")
	}
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.CharsetReader = charsetReader
	var doc p2Document
	if err := dec.Decode(&doc); err != nil {
		return nil, trygg.Errorf(trygg.EInvalid, "The file is not a payment status report (pain.002): it is not well-formed XML.")
	}
	if doc.XMLName.Local != "Document" || !isStatusReportNamespace(doc.XMLName.Space) || doc.Report == nil {
		return nil, trygg.Errorf(trygg.EInvalid, "The file is not a payment status report (pain.002).")
	}
	rep := doc.Report
	og := rep.OrgnlGrpInfAndSts
	if name := text(og.OrgnlMsgNmId); name != "" && !strings.HasPrefix(name, "pain.001") {
		return nil, trygg.Errorf(trygg.EInvalid, "The status report answers another kind of file than a payment file (pain.001).")
	}
	out := &StatusReport{
		MessageID:         text(rep.GrpHdr.MsgId),
		CreatedAt:         parseDateTime(text(rep.GrpHdr.CreDtTm)),
		OriginalMessageID: text(og.OrgnlMsgId),
		Status:            text(og.GrpSts),
		Reasons:           reasonsOf(og.StsRsnInf),
	}
	if out.OriginalMessageID == "" {
		return nil, trygg.Errorf(trygg.EInvalid, "The status report does not say which payment file it answers.")
	}
	for _, b := range rep.OrgnlPmtInfAndSts {
		block := BlockStatus{ID: text(b.OrgnlPmtInfId), Status: text(b.PmtInfSts), Reasons: reasonsOf(b.StsRsnInf)}
		for _, tx := range b.TxInfAndSts {
			p := PaymentStatus{
				EndToEndID: text(tx.OrgnlEndToEndId),
				BlockID:    block.ID,
				Status:     text(tx.TxSts),
				Reasons:    reasonsOf(tx.StsRsnInf),
			}
			p.Outcome = OutcomeOf(p.Status)
			block.Payments = append(block.Payments, p)
		}
		out.Blocks = append(out.Blocks, block)
	}
	return out, nil
}

// Payments returns the payments the report names, in its order, each with
// its own status only.
func (r *StatusReport) Payments() []PaymentStatus {
	var out []PaymentStatus
	for _, b := range r.Blocks {
		out = append(out, b.Payments...)
	}
	return out
}

// Match returns what the report says about each payment of the run it
// answers, in the run's order: the payment's own status if the report
// names it (the last time, if more than once), otherwise its block's,
// otherwise the whole file's, with the reasons given there; a status of
// partly accepted (PART) above an unnamed payment leaves it pending, and
// a payment the report says nothing about is OutcomeUnknown. It refuses
// with an EInvalid *trygg.Error a report that answers another file or
// names a payment the run does not have.
func (r *StatusReport) Match(run Run) ([]PaymentStatus, error) {
	if r.OriginalMessageID != run.MessageID {
		return nil, trygg.Errorf(trygg.EInvalid, "The status report answers another payment file.")
	}
	blockOf := make(map[string]string, len(run.Payments))
	dates := run.dates()
	for _, p := range run.Payments {
		for i, d := range dates {
			if d == run.paymentDate(p) {
				blockOf[p.EndToEndID] = run.blockID(i)
			}
		}
	}
	blocks := map[string]BlockStatus{}
	named := map[string]PaymentStatus{}
	for _, b := range r.Blocks {
		blocks[b.ID] = b
		for _, p := range b.Payments {
			if p.EndToEndID == "" {
				continue // named by an instruction id only, which payment files from here never give
			}
			if _, ok := blockOf[p.EndToEndID]; !ok {
				return nil, trygg.Errorf(trygg.EInvalid, "The status report names a payment that is not in the payment file.")
			}
			named[p.EndToEndID] = p
		}
	}
	out := make([]PaymentStatus, 0, len(run.Payments))
	for _, p := range run.Payments {
		st := PaymentStatus{EndToEndID: p.EndToEndID, BlockID: blockOf[p.EndToEndID], Outcome: OutcomeUnknown}
		own, listed := named[p.EndToEndID]
		switch block := blocks[st.BlockID]; {
		case listed && own.Status != "":
			st.Status, st.Reasons = own.Status, own.Reasons
		case block.Status != "":
			st.Status, st.Reasons = block.Status, block.Reasons
		case r.Status != "":
			st.Status, st.Reasons = r.Status, r.Reasons
		}
		if listed && len(own.Reasons) > 0 {
			st.Reasons = own.Reasons
		}
		if st.Status != "" {
			st.Outcome = OutcomeOf(st.Status)
		}
		out = append(out, st)
	}
	return out, nil
}

// isStatusReportNamespace reports whether ns is pain.002.001.NN with NN
// at least 03, the versions whose elements ReadStatusReport reads.
func isStatusReportNamespace(ns string) bool {
	v, ok := strings.CutPrefix(ns, statusReportNamespace)
	if !ok || v == "" || len(v) > 3 {
		return false
	}
	n, err := strconv.Atoi(v)
	return err == nil && n >= 3
}

// reasonsOf returns the reasons given in a report's StsRsnInf elements.
func reasonsOf(in []p2Reason) []Reason {
	var out []Reason
	for _, r := range in {
		reason := Reason{Code: text(r.Rsn.Cd), Proprietary: text(r.Rsn.Prtry)}
		for _, s := range r.AddtlInf {
			if s = text(s); s != "" {
				reason.Info = append(reason.Info, s)
			}
		}
		if reason.Code != "" || reason.Proprietary != "" || len(reason.Info) > 0 {
			out = append(out, reason)
		}
	}
	return out
}

// text returns a value of the report with surrounding space removed and
// at most 140 characters (the longest any element read may have), so a
// malformed report cannot carry long texts further.
func text(s string) string {
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) > 140 {
		s = string([]rune(s)[:140])
	}
	return s
}

// parseDateTime reads an ISO 20022 date and time, with zone or without
// (then Swedish time); zero if it cannot.
func parseDateTime(s string) time.Time {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t
	}
	if t, err := time.ParseInLocation("2006-01-02T15:04:05.999999999", s, calendar.Sweden); err == nil {
		return t
	}
	return time.Time{}
}

// charsetReader lets the decoder read reports declared as ISO-8859-1
// (Latin-1), whose bytes are the first 256 code points; UTF-8 needs none.
func charsetReader(label string, input io.Reader) (io.Reader, error) {
	switch strings.ToLower(label) {
	case "iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1":
		data, err := io.ReadAll(input)
		if err != nil {
			return nil, err
		}
		runes := make([]rune, len(data))
		for i, b := range data {
			runes[i] = rune(b)
		}
		return strings.NewReader(string(runes)), nil
	}
	return nil, errors.New("unsupported character set")
}

// The XML of pain.002, only what is read. Elements are matched by local
// name, so every version from 001.03 on is read alike.
type p2Document struct {
	XMLName xml.Name
	Report  *p2Report `xml:"CstmrPmtStsRpt"`
}

type p2Report struct {
	GrpHdr struct {
		MsgId   string `xml:"MsgId"`
		CreDtTm string `xml:"CreDtTm"`
	} `xml:"GrpHdr"`
	OrgnlGrpInfAndSts struct {
		OrgnlMsgId   string     `xml:"OrgnlMsgId"`
		OrgnlMsgNmId string     `xml:"OrgnlMsgNmId"`
		GrpSts       string     `xml:"GrpSts"`
		StsRsnInf    []p2Reason `xml:"StsRsnInf"`
	} `xml:"OrgnlGrpInfAndSts"`
	OrgnlPmtInfAndSts []struct {
		OrgnlPmtInfId string     `xml:"OrgnlPmtInfId"`
		PmtInfSts     string     `xml:"PmtInfSts"`
		StsRsnInf     []p2Reason `xml:"StsRsnInf"`
		TxInfAndSts   []struct {
			OrgnlEndToEndId string     `xml:"OrgnlEndToEndId"`
			TxSts           string     `xml:"TxSts"`
			StsRsnInf       []p2Reason `xml:"StsRsnInf"`
		} `xml:"TxInfAndSts"`
	} `xml:"OrgnlPmtInfAndSts"`
}

type p2Reason struct {
	Rsn struct {
		Cd    string `xml:"Cd"`
		Prtry string `xml:"Prtry"`
	} `xml:"Rsn"`
	AddtlInf []string `xml:"AddtlInf"`
}
