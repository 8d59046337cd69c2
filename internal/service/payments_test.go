package service_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/payments"
	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/storetest"
	"github.com/trygg/trygg/internal/trygg"
)

// supportYAML is a case type that pays: a monthly item to the person,
// and a one-off whose amount reads the signed form.
const supportYAML = `
kind: code_system
id: stod_insatser
version: "1"
name: {sv: Stöd}
codes:
  - {code: manad, label: {sv: Stöd per månad}}
  - {code: engang, label: {sv: Engångsbidrag}}
---
kind: form
id: stod_ansokan
name: {sv: Ansökan}
sections:
  - id: s
    label: {sv: Ansökan}
    fields:
      - {id: extra, type: money, label: {sv: Extra kostnad}}
---
kind: case_type
id: stod
name: {sv: Stöd}
field: IFO
start: open
steps:
  - {id: open, name: {sv: Öppen}, forms: [stod_ansokan]}
  - {id: done, name: {sv: Klar}, final: true}
transitions:
  - {id: close, name: {sv: Avsluta}, from: [open], to: done, roles: [handlaggare, arbetsledare], actions: [{type: close_case}]}
decisions:
  insatser: stod_insatser
  legal_bases: ["SoL 4 kap. 1 §"]
  amount_unit: money
  delegation:
    - {roles: [handlaggare]}
  payments:
    form: stod_ansokan
    attest:
      - {roles: [handlaggare], max_amount: 300000}
      - {roles: [arbetsledare]}
    items:
      - {id: living, name: {sv: Försörjningsstöd}, insatser: [manad], schedule: monthly, amount: "decision.amount", payee: person, account: "4711", cost_centre: "7310"}
      - {id: grant, name: {sv: Engångsbidrag}, insatser: [engang], schedule: once, amount: "decision.amount + form.extra", payee: person}
`

// TestPayments walks the money: a decision's lines, dual control and the
// attest limit, a run and its bank file, the bank's status report with a
// rejection, months proposed once, a stop, on both engines.
func TestPayments(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			clock := storetest.NewClock(time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC))
			db := storetest.Open(t, engine, clock)
			world := newDemoWorld(t, db, 40, 80, clock.Now())
			svc, ds, actor := world.svc, world.ds, world.actorFunc(t)
			ekonom, lead := actor("ekonom"), actor("arbetsledare")
			var colleague trygg.Actor // another officer of the unit
			for _, u := range ds.Users {
				if u.Username != "ekonom" && slices.ContainsFunc(u.Grants, func(g trygg.Grant) bool { return g.Role == trygg.RoleOfficer && g.UnitID == "norra-eb" }) {
					colleague = actor(u.Username)
					break
				}
			}
			if colleague.UserID == "" {
				t.Fatal("the demo has no second officer in norra-eb")
			}
			if _, err := svc.PublishDefinitions(ctx, actor("designer"), service.DefinitionsInput{
				Files: []store.DefinitionFile{{Name: "stod.yaml", Content: supportYAML}}}); err != nil {
				t.Fatal(err)
			}
			person := ds.Persons[0]
			c, err := svc.OpenCase(ctx, ekonom, service.OpenCaseInput{PersonInput: service.PersonInput{IdentityNumber: person.Identity.String()},
				UnitID: "norra-eb", CaseType: "stod", Title: "Stöd"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := svc.SaveForm(ctx, ekonom, c.ID, "stod_ansokan", service.FormInput{Values: map[string]any{"extra": 25000}}, "sv"); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.SignForm(ctx, ekonom, c.ID, "stod_ansokan", "sv"); err != nil {
				t.Fatal(err)
			}
			decide := func(in service.DecisionInput) store.Decision {
				t.Helper()
				in.LegalBasis, in.Justification = "SoL 4 kap. 1 §", "Behovet är styrkt."
				d, err := svc.SaveDecision(ctx, ekonom, c.ID, "", in)
				if err != nil {
					t.Fatal(err)
				}
				if d, err = svc.FinaliseDecision(ctx, ekonom, c.ID, d.ID); err != nil {
					t.Fatal(err)
				}
				return d
			}
			proposal := func(a trygg.Actor, status string) []store.PaymentLine {
				t.Helper()
				lines, err := svc.PaymentProposal(ctx, a, service.PaymentFilter{Status: status, CaseID: c.ID})
				if err != nil {
					t.Fatal(err)
				}
				return lines
			}
			// The monthly decision runs December and January; before the
			// person has a payee its line waits for one.
			monthly := decide(service.DecisionInput{Insats: "manad", Outcome: "granted", ValidFrom: "2026-12-01", ValidTo: "2027-01-31", Amount: 500000})
			lines := proposal(lead, "")
			if len(lines) != 1 || lines[0].DecisionID != monthly.ID || lines[0].Period != "2026-12" || lines[0].Amount != 500000 ||
				lines[0].DueDate != "2026-12-03" || lines[0].PayeeID != "" || lines[0].Account != "4711" || lines[0].CostCentre != "7310" ||
				lines[0].PersonName != person.GivenName+" "+person.FamilyName || lines[0].PreparedBy != ekonom.UserID {
				t.Fatalf("the monthly decision's proposal: %+v", lines)
			}
			living := lines[0]
			if err := svc.Attest(ctx, lead, []string{living.ID}); !hasField(err, "lines") || trygg.ErrorMessage(err) != "The payment has no payee." {
				t.Fatalf("attest without a payee: %v", err)
			}
			if _, err := svc.RegisterPayee(ctx, ekonom, service.PayeeInput{Category: store.PayeePerson, PersonID: c.PersonID,
				AccountInput: service.AccountInput{Kind: "bank_account", Clearing: "5656", Number: "246 60 67"}}); err != nil {
				t.Fatal(err)
			}
			// The one-off grant reads the signed form: 1 000 kr + 250 kr.
			once := decide(service.DecisionInput{Insats: "engang", Outcome: "granted", ValidFrom: "2026-12-10", Amount: 100000})
			lines = proposal(lead, "")
			if len(lines) != 2 || lines[1].DecisionID != once.ID || lines[1].Amount != 125000 || lines[1].Period != "2026-12-10" ||
				lines[1].DueDate != "2026-12-10" || lines[1].PayeeID == "" {
				t.Fatalf("the one-off's proposal: %+v", lines)
			}
			grant := lines[1]
			// A refused decision pays nothing.
			decide(service.DecisionInput{Insats: "manad", Outcome: "refused", ValidFrom: "2026-12-01", AppealNotice: "Överklaga inom tre veckor."})
			if n := len(proposal(lead, "")); n != 2 {
				t.Fatalf("a refusal made lines: %d", n)
			}

			// Refusals write nothing.
			before, err := db.Events(ctx, ekonom.Tenant, 0, 100000)
			if err != nil {
				t.Fatal(err)
			}
			refusals := []struct {
				name  string
				a     trygg.Actor
				ids   []string
				check func(error) bool
			}{
				{"the one who prepared and decided", ekonom, []string{living.ID}, func(err error) bool {
					return hasField(err, "lines") && trygg.ErrorMessage(err) == "You cannot attest a payment you prepared or decided yourself."
				}},
				{"one of two is one's own", ekonom, []string{grant.ID, living.ID}, func(err error) bool { return hasField(err, "lines") }},
				{"above the officer's limit of 3 000 kr", colleague, []string{grant.ID, living.ID}, func(err error) bool {
					return hasField(err, "lines") && trygg.ErrorMessage(err) == "The payment is above the amount you may attest."
				}},
				{"none chosen", lead, nil, func(err error) bool { return hasField(err, "lines") }},
				{"an unknown line", lead, []string{"no-such-line"}, func(err error) bool { return trygg.ErrorCode(err) == trygg.ENotFound }},
				{"a provider's staff", actor("utforare"), []string{grant.ID}, func(err error) bool { return err != nil }},
			}
			for _, tt := range refusals {
				if err := svc.Attest(ctx, tt.a, tt.ids); !tt.check(err) {
					t.Errorf("%s: %v", tt.name, err)
				}
			}
			after, err := db.Events(ctx, ekonom.Tenant, 0, 100000)
			if err != nil {
				t.Fatal(err)
			}
			if len(after) != len(before) || len(proposal(lead, "")) != 2 {
				t.Fatalf("a refused attest wrote something: %d events before, %d after", len(before), len(after))
			}

			// A run before anything is attested is refused.
			svc.Payer = payments.Debtor{Name: "Demo kommun", Account: mustAccount(t, payments.KindBankgiro, "", "5402-9681"), BIC: "ESSESESS"}
			if _, err := svc.CreateRun(ctx, lead, service.CreateRunInput{}); !hasField(err, "lines") || trygg.ErrorMessage(err) != "Nothing is attested, so there is nothing to pay." {
				t.Fatalf("run with nothing attested: %v", err)
			}
			// The colleague attests the one-off within the limit, the
			// team lead the monthly line above it.
			if err := svc.Attest(ctx, colleague, []string{grant.ID}); err != nil {
				t.Fatal(err)
			}
			if err := svc.Attest(ctx, lead, []string{living.ID}); err != nil {
				t.Fatal(err)
			}
			if err := svc.Attest(ctx, lead, []string{living.ID}); !hasField(err, "lines") {
				t.Fatalf("attesting twice: %v", err)
			}
			if got := proposal(lead, store.PaymentAttested); len(got) != 2 || got[0].PayeeID == "" || got[0].AttestedBy != lead.UserID {
				t.Fatalf("attested: %+v", got)
			}

			if _, err := svc.CreateRun(ctx, ekonom, service.CreateRunInput{}); trygg.ErrorCode(err) != trygg.EForbidden {
				t.Fatalf("an officer's run: %v", err)
			}
			if _, err := svc.CreateRun(ctx, lead, service.CreateRunInput{ExecutionDate: "2026-12-01"}); !hasField(err, "execution_date") {
				t.Fatalf("a run on a day passed: %v", err)
			}
			run, err := svc.CreateRun(ctx, lead, service.CreateRunInput{})
			if err != nil {
				t.Fatal(err)
			}
			if run.Lines != 2 || run.Total != 625000 {
				t.Fatalf("run: %+v", run)
			}
			got, err := svc.RunFile(ctx, lead, run.ID)
			if err != nil || !slices.Equal(got.File, run.File) {
				t.Fatalf("run file: %v", err)
			}
			if out := xmllint(t, "pain.001.001.10.xsd", got.File); out != "" {
				t.Fatalf("the bank file does not validate:\n%s\n%s", out, got.File)
			}
			for _, want := range []string{"<NbOfTxs>2</NbOfTxs>", "<CtrlSum>6250.00</CtrlSum>", "<Ustrd>Engångsbidrag 2026-12-10</Ustrd>",
				"<Ustrd>Försörjningsstöd 2026-12</Ustrd>", "<Id>56562466067</Id>"} {
				if !strings.Contains(string(got.File), want) {
					t.Errorf("the bank file has no %s", want)
				}
			}
			// Nothing is paid twice: the lines are sent.
			if _, err := svc.CreateRun(ctx, lead, service.CreateRunInput{}); !hasField(err, "lines") {
				t.Fatalf("a second run: %v", err)
			}
			if got := proposal(lead, store.PaymentSent); len(got) != 2 || got[0].RunID != run.ID {
				t.Fatalf("sent: %+v", got)
			}

			// The bank rejects the monthly payment: the line is rejected
			// with the reason in words, and the officer has a task.
			report := statusReport(run.MessageID, map[string]string{strings.ReplaceAll(living.ID, "-", ""): "RJCT", strings.ReplaceAll(grant.ID, "-", ""): "ACSC"})
			res, err := svc.ReadStatusReport(ctx, lead, run.ID, strings.NewReader(report))
			if err != nil || res.Paid != 1 || res.Rejected != 1 || res.AlreadyRead {
				t.Fatalf("status report: %+v %v", res, err)
			}
			if got := proposal(lead, store.PaymentRejected); len(got) != 1 || got[0].ID != living.ID || got[0].BankReason != "Kontot är avslutat." || got[0].BankStatus != "RJCT" {
				t.Fatalf("rejected: %+v", got)
			}
			if got := proposal(lead, store.PaymentPaid); len(got) != 1 || got[0].ID != grant.ID {
				t.Fatalf("paid: %+v", got)
			}
			tasks, err := db.CountOpenCaseTasks(ctx, ekonom.Tenant, c.ID, service.TaskPaymentRejected, ekonom.UserID)
			if err != nil || tasks != 1 {
				t.Fatalf("the officer's tasks: %d %v", tasks, err)
			}
			res, err = svc.ReadStatusReport(ctx, lead, run.ID, strings.NewReader(report))
			if err != nil || !res.AlreadyRead {
				t.Fatalf("the same report again: %+v %v", res, err)
			}
			if tasks, _ := db.CountOpenCaseTasks(ctx, ekonom.Tenant, c.ID, service.TaskPaymentRejected, ekonom.UserID); tasks != 1 {
				t.Fatalf("the same report made tasks again: %d", tasks)
			}
			if _, err := svc.ReadStatusReport(ctx, lead, run.ID, strings.NewReader(statusReport("ANOTHER-FILE", nil))); trygg.ErrorCode(err) != trygg.EInvalid {
				t.Fatalf("a report on another file: %v", err)
			}

			// January is proposed once; February is after the decision.
			for i, want := range []int{1, 0} {
				if n, err := svc.ProposeMonth(ctx, ekonom, "norra-eb", "2027-01"); err != nil || n != want {
					t.Fatalf("ProposeMonth %d: %d %v", i, n, err)
				}
			}
			if n, err := svc.ProposeMonth(ctx, ekonom, "norra-eb", "2027-02"); err != nil || n != 0 {
				t.Fatalf("February: %d %v", n, err)
			}
			if _, err := svc.ProposeMonth(ctx, ekonom, "norra-eb", "januari"); !hasField(err, "month") {
				t.Fatalf("a bad month: %v", err)
			}
			if _, err := svc.ProposeMonth(ctx, actor("handlaggare"), "norra-eb", "2027-01"); trygg.ErrorCode(err) != trygg.EForbidden {
				t.Fatalf("another unit's officer: %v", err)
			}
			lines = proposal(lead, "")
			if len(lines) != 1 || lines[0].Period != "2027-01" || lines[0].Amount != 500000 || lines[0].DueDate != "2027-01-01" || lines[0].PayeeID == "" {
				t.Fatalf("January: %+v", lines)
			}
			// Stopped: a new line with the negative amount; January is
			// never sent.
			stop, err := svc.StopPayment(ctx, ekonom, lines[0].ID)
			if err != nil || stop.Amount != -500000 || stop.Reverses != lines[0].ID {
				t.Fatalf("stop: %+v %v", stop, err)
			}
			if got := proposal(lead, store.PaymentStopped); len(got) != 2 {
				t.Fatalf("stopped: %+v", got)
			}
			if _, err := svc.StopPayment(ctx, ekonom, lines[0].ID); trygg.ErrorCode(err) != trygg.EConflict {
				t.Fatalf("stopping twice: %v", err)
			}
			if _, err := svc.StopPayment(ctx, ekonom, grant.ID); trygg.ErrorCode(err) != trygg.EConflict {
				t.Fatalf("stopping a paid line: %v", err)
			}
			if n, err := svc.ProposeMonth(ctx, ekonom, "norra-eb", "2027-01"); err != nil || n != 0 {
				t.Fatalf("January again after the stop: %d %v", n, err)
			}
			// The one-off grant paid once: no month makes it again.
			all := 0
			for _, st := range []string{store.PaymentProposed, store.PaymentAttested, store.PaymentSent, store.PaymentPaid, store.PaymentRejected, store.PaymentStopped} {
				for _, l := range proposal(lead, st) {
					if l.DecisionID == once.ID {
						all++
					}
				}
			}
			if all != 1 {
				t.Fatalf("the one-off has %d lines", all)
			}
		})
	}
}

func mustAccount(t *testing.T, kind payments.Kind, clearing, number string) payments.Account {
	t.Helper()
	a, err := payments.ParseAccount(kind, clearing, number)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// statusReport is a bank's pain.002.001.11 on the file messageID: each
// end-to-end id with its status, RJCT with the reason AC04.
func statusReport(messageID string, status map[string]string) string {
	var txs strings.Builder
	ids := make([]string, 0, len(status))
	for id := range status {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		reason := ""
		if status[id] == "RJCT" {
			reason = "<StsRsnInf><Rsn><Cd>AC04</Cd></Rsn></StsRsnInf>"
		}
		fmt.Fprintf(&txs, "<TxInfAndSts><OrgnlEndToEndId>%s</OrgnlEndToEndId><TxSts>%s</TxSts>%s</TxInfAndSts>", id, status[id], reason)
	}
	return `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.11"><CstmrPmtStsRpt>
<GrpHdr><MsgId>STS-1</MsgId><CreDtTm>2026-12-04T07:00:00+01:00</CreDtTm></GrpHdr>
<OrgnlGrpInfAndSts><OrgnlMsgId>` + messageID + `</OrgnlMsgId><OrgnlMsgNmId>pain.001.001.10</OrgnlMsgNmId><GrpSts>PART</GrpSts></OrgnlGrpInfAndSts>
<OrgnlPmtInfAndSts><OrgnlPmtInfId>` + messageID + `-1</OrgnlPmtInfId>` + txs.String() + `</OrgnlPmtInfAndSts>
</CstmrPmtStsRpt></Document>`
}

// xmllint validates data against an official ISO 20022 schema in
// ../shared/standards/iso20022/ with Debian's xmllint, as
// internal/payments' tests do, and returns its complaint ("" if valid).
// Without xmllint the test is skipped, except in CI.
func xmllint(t *testing.T, schema string, data []byte) string {
	t.Helper()
	bin, err := exec.LookPath("xmllint")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("xmllint is not installed: `make deps` installs it (Debian package libxml2-utils)")
		}
		t.Skip("xmllint is not installed: `make deps` installs it (Debian package libxml2-utils)")
	}
	xsd, err := filepath.Abs(filepath.Join("..", "..", "..", "shared", "standards", "iso20022", schema))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(xsd); err != nil {
		t.Fatalf("the schema %s is not there", xsd)
	}
	file := filepath.Join(t.TempDir(), "file.xml")
	if err := os.WriteFile(file, data, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "--noout", "--nonet", "--schema", xsd, file).CombinedOutput()
	if err != nil {
		return strings.TrimSpace(string(out))
	}
	return ""
}
