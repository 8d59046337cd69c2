package payments

import (
	"bytes"
	"encoding/xml"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/trygg"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// stockholm is the time zone the runs are made in.
var stockholm = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Stockholm")
	if err != nil {
		panic(err)
	}
	return loc
}()

// mustAccount parses an account or fails the test.
func mustAccount(t *testing.T, kind Kind, clearing, number string) Account {
	t.Helper()
	a, err := ParseAccount(kind, clearing, number)
	if err != nil {
		t.Fatalf("ParseAccount(%s, %q, %q): %v", kind, clearing, number, err)
	}
	return a
}

// exampleRun is a run with a payment to every kind of account, two
// execution days, Swedish letters and characters XML escapes. The names
// and numbers are made up.
func exampleRun(t *testing.T) Run {
	t.Helper()
	return Run{
		MessageID:     "TRYGG-20260324-0001",
		CreatedAt:     time.Date(2026, 3, 24, 16, 5, 9, 500, stockholm),
		ExecutionDate: time.Date(2026, 3, 25, 0, 0, 0, 0, stockholm),
		Debtor: Debtor{
			Name:              "Exempelstadens kommun",
			Account:           mustAccount(t, KindIBAN, "", "SE45 5000 0000 0583 9825 7466"),
			BIC:               "ESSESESS",
			InitiatingPartyID: "212000-0001",
		},
		Payments: []Payment{
			{EndToEndID: "EB-2026-00417-1", Creditor: "Sara Lind", Account: mustAccount(t, KindBankAccount, "5656", "246 60 67"),
				Amount: 1234550, Message: "Försörjningsstöd mars 2026"},
			{EndToEndID: "EB-2026-00417-2", Creditor: "Bostads AB Ström & Åkesson", Account: mustAccount(t, KindBankgiro, "", "5402-9681"),
				Amount: 780000, Reference: "1234567897"},
			{EndToEndID: "EB-2026-00418-1", Creditor: "Omar Haddad", Account: mustAccount(t, KindBankAccount, "8424-4", "983 189 224-6"),
				Amount: 1, Message: "Hyra & el <april>"},
			{EndToEndID: "EB-2026-00419-1", Creditor: "Elbolaget i Exempelstad", Account: mustAccount(t, KindPlusgiro, "", "410 54 68-5"),
				Amount: 45000, Message: "Kundnummer 88123"},
			{EndToEndID: "BI-2026-00007-1", Creditor: "Jonas Ek", Account: mustAccount(t, KindIBAN, "", "SE45 5000 0000 0583 9825 7466"),
				Amount: 99_999_999_999, Message: "Bostadsanpassningsbidrag"},
			{EndToEndID: "EB-2026-00420-1", Creditor: "Lena Öberg", Account: mustAccount(t, KindBankAccount, "3300", "490510-3240"),
				Amount: 250000, Message: "Akut stöd", ExecutionDate: time.Date(2026, 3, 24, 0, 0, 0, 0, stockholm)},
			{EndToEndID: "EB-2026-00421-1", Creditor: "Karin Berg", Account: mustAccount(t, KindBankAccount, "6475", "39825973"),
				Amount: 100},
		},
	}
}

// TestCreditTransferGolden writes the example run and compares it with
// testdata/pain001-example.xml (go test -run Golden -update rewrites it),
// which docs/payments.md shows how to check by hand.
func TestCreditTransferGolden(t *testing.T) {
	got, err := CreditTransfer(exampleRun(t))
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "pain001-example.xml")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("the file differs from %s (go test -run Golden -update rewrites it):\n%s", golden, got)
	}
}

// TestCreditTransferValidatesAgainstTheSchema checks written files with
// xmllint against the official pain.001.001.10 schema: the example run,
// a run of one payment, and a run of a payment to each kind of account
// from each kind of payer account.
func TestCreditTransferValidatesAgainstTheSchema(t *testing.T) {
	schema := schemaPath(t, "pain.001.001.10.xsd")
	var files []string
	add := func(name string, run Run) {
		data, err := CreditTransfer(run)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		files = append(files, writeTemp(t, name+".xml", data))
	}
	add("example", exampleRun(t))
	one := exampleRun(t)
	one.Payments = one.Payments[:1]
	one.CategoryPurpose = "SUPP"
	one.Debtor.InitiatingPartyID = ""
	add("one", one)
	for i, payer := range []Account{
		mustAccount(t, KindBankAccount, "6475", "039825973"),
		mustAccount(t, KindBankgiro, "", "160-9908"),
	} {
		run := exampleRun(t)
		run.Debtor.Account = payer
		run.Debtor.BIC = "HANDSESSXXX"
		run.Debtor.InitiatingPartyScheme = "CUST"
		add("payer"+string(rune('a'+i)), run)
	}
	if msg := xmllint(t, schema, files...); msg != "" {
		t.Fatalf("xmllint refuses the files:\n%s", msg)
	}

	// The check itself is real: xmllint refuses a file without its
	// control sum's place right.
	data, _ := CreditTransfer(exampleRun(t))
	broken := bytes.Replace(data, []byte("<NbOfTxs>7</NbOfTxs>"), []byte("<NbOfTxs>seven</NbOfTxs>"), 1)
	if msg := xmllint(t, schema, writeTemp(t, "broken.xml", broken)); msg == "" {
		t.Fatal("xmllint accepts a file whose number of transactions is not a number")
	}
}

// TestCreditTransferContent reads the example file back and checks what
// the bank acts on: totals, blocks per day, each payee's account and
// bank, the amounts and the texts.
func TestCreditTransferContent(t *testing.T) {
	data, err := CreditTransfer(exampleRun(t))
	if err != nil {
		t.Fatal(err)
	}
	var doc p1Document
	if err := xml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	h := doc.Initiation.GrpHdr
	if h.MsgId != "TRYGG-20260324-0001" || h.NbOfTxs != "7" || h.CtrlSum != "1000023096.50" || h.CreDtTm != "2026-03-24T16:05:09+01:00" {
		t.Errorf("group header %+v", h)
	}
	if h.InitgPty.Id == nil || h.InitgPty.Id.OrgId.Othr[0].Id != "212000-0001" || h.InitgPty.Id.OrgId.Othr[0].SchmeNm.Cd != "BANK" {
		t.Errorf("initiating party %+v", h.InitgPty)
	}
	blocks := doc.Initiation.PmtInf
	if len(blocks) != 2 {
		t.Fatalf("%d payment-information blocks, want one per day (2)", len(blocks))
	}
	if b := blocks[0]; b.PmtInfId != "TRYGG-20260324-0001-1" || b.ReqdExctnDt.Dt != "2026-03-24" || b.NbOfTxs != "1" || b.CtrlSum != "2500.00" {
		t.Errorf("first block %s %s %s %s", b.PmtInfId, b.ReqdExctnDt.Dt, b.NbOfTxs, b.CtrlSum)
	}
	if b := blocks[1]; b.PmtInfId != "TRYGG-20260324-0001-2" || b.ReqdExctnDt.Dt != "2026-03-25" || b.NbOfTxs != "6" || b.CtrlSum != "1000020596.50" {
		t.Errorf("second block %s %s %s %s", b.PmtInfId, b.ReqdExctnDt.Dt, b.NbOfTxs, b.CtrlSum)
	}
	b := blocks[1]
	if b.PmtTpInf.SvcLvl.Cd != "NURG" || b.DbtrAcct.Id.IBAN != "SE4550000000058398257466" || b.DbtrAcct.Ccy != "SEK" || b.DbtrAgt.FinInstnId.BICFI != "ESSESESS" {
		t.Errorf("block's payer: %+v %+v %+v", b.PmtTpInf, b.DbtrAcct, b.DbtrAgt)
	}

	type line struct{ id, amount, member, account, scheme, text string }
	var got []line
	for _, blk := range blocks {
		for _, tx := range blk.CdtTrfTxInf {
			l := line{id: tx.PmtId.EndToEndId, amount: tx.Amt.InstdAmt.Ccy + " " + tx.Amt.InstdAmt.Value}
			if tx.CdtrAgt != nil && tx.CdtrAgt.FinInstnId.ClrSysMmbId != nil {
				m := tx.CdtrAgt.FinInstnId.ClrSysMmbId
				l.member = m.ClrSysId.Cd + " " + m.MmbId
			}
			if o := tx.CdtrAcct.Id.Othr; o != nil {
				l.account, l.scheme = o.Id, o.SchmeNm.Cd+o.SchmeNm.Prtry
			} else {
				l.account, l.scheme = tx.CdtrAcct.Id.IBAN, "IBAN"
			}
			if r := tx.RmtInf; r != nil {
				l.text = r.Ustrd
				if r.Strd != nil {
					l.text = r.Strd.CdtrRefInf.Tp.CdOrPrtry.Cd + " " + r.Strd.CdtrRefInf.Ref
				}
			}
			got = append(got, l)
		}
	}
	want := []line{
		{"EB-2026-00420-1", "SEK 2500.00", "SESBA 3300", "33004905103240", "BBAN", "Akut stöd"},
		{"EB-2026-00417-1", "SEK 12345.50", "SESBA 5656", "56562466067", "BBAN", "Försörjningsstöd mars 2026"},
		{"EB-2026-00417-2", "SEK 7800.00", "SESBA 9900", "54029681", "BGNR", "SCOR 1234567897"},
		// Swedbank's fifth clearing digit is left out of the BBAN.
		{"EB-2026-00418-1", "SEK 0.01", "SESBA 8424", "84249831892246", "BBAN", "Hyra & el <april>"},
		{"EB-2026-00419-1", "SEK 450.00", "SESBA 9960", "41054685", "BBAN", "Kundnummer 88123"},
		{"BI-2026-00007-1", "SEK 999999999.99", "", "SE4550000000058398257466", "IBAN", "Bostadsanpassningsbidrag"},
		{"EB-2026-00421-1", "SEK 1.00", "SESBA 6475", "6475039825973", "BBAN", ""},
	}
	if len(got) != len(want) {
		t.Fatalf("%d transactions, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("transaction %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	if !bytes.Contains(data, []byte("Hyra &amp; el &lt;april&gt;")) || !bytes.Contains(data, []byte("Bostads AB Ström &amp; Åkesson")) {
		t.Error("text is not escaped as XML")
	}
}

func TestKronor(t *testing.T) {
	for ore, want := range map[int64]string{0: "0.00", 1: "0.01", 10: "0.10", 100: "1.00", 123456: "1234.56", -150: "-1.50", 99_999_999_999: "999999999.99"} {
		if got := Kronor(ore); got != want {
			t.Errorf("Kronor(%d) = %q, want %q", ore, got, want)
		}
	}
}

// TestCreditTransferRefusesWhatTheBankWould: each broken run is refused
// with its fields named, and no file is made.
func TestCreditTransferRefusesWhatTheBankWould(t *testing.T) {
	tests := []struct {
		name   string
		change func(*Run)
		fields map[string]string
	}{
		{"no payments", func(r *Run) { r.Payments = nil }, map[string]string{
			"payments": "A payment file needs at least one payment."}},
		{"long message id", func(r *Run) { r.MessageID = strings.Repeat("A", 31) }, map[string]string{
			"message_id": "The file's id has 1 to 30 letters, digits or - / . : characters."}},
		{"message id with a space", func(r *Run) { r.MessageID = "RUN 1" }, map[string]string{
			"message_id": "The file's id has 1 to 30 letters, digits or - / . : characters."}},
		{"no creation time", func(r *Run) { r.CreatedAt = time.Time{} }, map[string]string{
			"created_at": "The file needs the time it was made."}},
		{"no payer name", func(r *Run) { r.Debtor.Name = "" }, map[string]string{
			"debtor.name": "The payer's name has 1 to 70 characters and no control characters."}},
		{"payer account from Plusgiro", func(r *Run) { r.Debtor.Account = mustAccount(t, KindPlusgiro, "", "4-2") }, map[string]string{
			"debtor.account": "The payer's account is a bank account, a Bankgiro number or an IBAN."}},
		{"payer account not parsed", func(r *Run) { r.Debtor.Account = Account{Kind: KindIBAN, Number: "SE00"} }, map[string]string{
			"debtor.account": "The payer's account is not a valid account."}},
		{"bad BIC", func(r *Run) { r.Debtor.BIC = "ESSE5ESS" }, map[string]string{
			"debtor.bic": "The payer's bank is given by its BIC: 8 or 11 letters and digits."}},
		{"bad scheme", func(r *Run) { r.Debtor.InitiatingPartyScheme = "bank" }, map[string]string{
			"debtor.initiating_party_scheme": "The sender's id scheme is a code of four capitals, such as BANK or CUST."}},
		{"bad category purpose", func(r *Run) { r.CategoryPurpose = "SUPPLIER" }, map[string]string{
			"category_purpose": "The category purpose is a code of four capitals, such as SUPP."}},
		{"same end-to-end id twice", func(r *Run) { r.Payments[1].EndToEndID = r.Payments[0].EndToEndID }, map[string]string{
			"payments[1].end_to_end_id": "Each payment in a file needs its own id."}},
		{"empty end-to-end id", func(r *Run) { r.Payments[2].EndToEndID = "" }, map[string]string{
			"payments[2].end_to_end_id": "A payment's id has 1 to 35 letters, digits or - / . : characters."}},
		{"zero amount", func(r *Run) { r.Payments[0].Amount = 0 }, map[string]string{
			"payments[0].amount": "The amount must be more than 0 kronor."}},
		{"negative amount", func(r *Run) { r.Payments[0].Amount = -100 }, map[string]string{
			"payments[0].amount": "The amount must be more than 0 kronor."}},
		{"too large amount", func(r *Run) { r.Payments[0].Amount = maxAmount + 1 }, map[string]string{
			"payments[0].amount": "The amount is larger than one payment can be."}},
		{"payee without name", func(r *Run) { r.Payments[3].Creditor = " " }, map[string]string{
			"payments[3].creditor": "The payee's name has 1 to 70 characters and no control characters."}},
		{"payee account changed by hand", func(r *Run) { r.Payments[0].Account.Number = "2466068" }, map[string]string{
			"payments[0].account": "The payee's account is not a valid account."}},
		{"message with a line break", func(r *Run) { r.Payments[0].Message = "rad ett\nrad två" }, map[string]string{
			"payments[0].message": "The message to the payee has at most 140 characters and no control characters."}},
		{"long message", func(r *Run) { r.Payments[0].Message = strings.Repeat("ö", 141) }, map[string]string{
			"payments[0].message": "The message to the payee has at most 140 characters and no control characters."}},
		{"OCR with letters", func(r *Run) { r.Payments[1].Reference = "12AB" }, map[string]string{
			"payments[1].reference": "An OCR reference has 2 to 25 digits."}},
		{"OCR and message", func(r *Run) { r.Payments[1].Message = "Hyra" }, map[string]string{
			"payments[1].reference": "Give either an OCR reference or a message, not both."}},
		{"no execution date", func(r *Run) { r.ExecutionDate = time.Time{} }, map[string]string{
			"payments[0].execution_date": "The payment needs a day to be paid.",
			"payments[1].execution_date": "The payment needs a day to be paid.",
			"payments[2].execution_date": "The payment needs a day to be paid.",
			"payments[3].execution_date": "The payment needs a day to be paid.",
			"payments[4].execution_date": "The payment needs a day to be paid.",
			"payments[6].execution_date": "The payment needs a day to be paid."}},
		{"day passed", func(r *Run) { r.Payments[5].ExecutionDate = time.Date(2026, 3, 23, 0, 0, 0, 0, stockholm) }, map[string]string{
			"payments[5].execution_date": "The day of payment has already passed."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			run := exampleRun(t)
			tt.change(&run)
			data, err := CreditTransfer(run)
			if data != nil {
				t.Error("a file was made")
			}
			var e *trygg.Error
			if !errors.As(err, &e) || e.Code != trygg.EInvalid || e.Message != "The bank file cannot be made." {
				t.Fatalf("error %v", err)
			}
			if len(e.Fields) != len(tt.fields) {
				t.Fatalf("fields %q, want %q", e.Fields, tt.fields)
			}
			for k, v := range tt.fields {
				if e.Fields[k] != v {
					t.Errorf("field %s = %q, want %q", k, e.Fields[k], v)
				}
			}
		})
	}
}
