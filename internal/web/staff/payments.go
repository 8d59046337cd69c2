package staff

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/trygg/trygg/internal/org"
	"github.com/trygg/trygg/internal/process"
	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/trygg"
	"github.com/trygg/trygg/internal/web/server"
)

// Payments (/payments, docs/payments.md): "Utbetalningar att attestera",
// the proposal an officer or team lead attests (dual control, all or
// nothing), where a landlord's or other organisation's payee is chosen
// and a payment is stopped (after a second step); and for team leads
// "Betalningskörningar": the month's lines proposed, a run made, its bank
// file (pain.001) and bookkeeping file downloaded, and the bank's status
// report (pain.002) uploaded. The bank file's name holds only the run's
// message id, never a person's data.

// paymentsPage is /payments: the lines waiting to be attested and those
// attested waiting for a run, with the payees that may be chosen.
type paymentsPage struct {
	Proposed, Attested service.PaymentsView
	// Payees are the register's payees by category, for the lines whose
	// payee is chosen (not the person).
	Payees map[string][]store.Payee
	// Checked are the lines ticked when an attest was refused.
	Checked map[string]bool
	// Errors are the field errors of a refusal by line field; ErrorLinks
	// the error summary's links; Problem its message.
	Errors     map[string]string
	ErrorLinks []fieldLink
	Problem    string
	// Done says what was just done: attested (with Count), payee, stopped.
	Done     string
	Count    int
	TeamLead bool
	Me       string
}

// handlePaymentsPage shows the proposal.
func (s *handlers) handlePaymentsPage(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	p := paymentsPage{}
	switch d := r.URL.Query().Get("done"); d {
	case "attested", "payee", "stopped":
		p.Done = d
	}
	p.Count, _ = strconv.Atoi(r.URL.Query().Get("n"))
	return s.renderPayments(w, r, a, v, http.StatusOK, p)
}

func (s *handlers) renderPayments(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View, status int, p paymentsPage) error {
	var err error
	if p.Proposed, err = s.Svc.PaymentList(r.Context(), a, service.PaymentFilter{Status: store.PaymentProposed}); err != nil {
		return err
	}
	if p.Attested, err = s.Svc.PaymentList(r.Context(), a, service.PaymentFilter{Status: store.PaymentAttested}); err != nil {
		return err
	}
	p.Payees = map[string][]store.Payee{}
	for _, l := range p.Proposed.Lines {
		if l.PayeeCategory == store.PayeePerson {
			continue
		}
		if _, ok := p.Payees[l.PayeeCategory]; ok {
			continue
		}
		cats := []string{l.PayeeCategory}
		if l.PayeeCategory == "other" {
			cats = organisationCategories()
		}
		var list []store.Payee
		for _, c := range cats {
			found, err := s.Svc.SearchPayees(r.Context(), a, service.PayeeSearch{Category: c})
			if err != nil {
				return err
			}
			list = append(list, found...)
		}
		p.Payees[l.PayeeCategory] = list
	}
	p.TeamLead, p.Me = a.HasRole(trygg.RoleTeamLead), a.UserID
	for _, f := range []struct{ field, id string }{{"lines", "payment-lines"}, {"payee_id", "payment-lines"}} {
		if m := p.Errors[f.field]; m != "" {
			p.ErrorLinks = append(p.ErrorLinks, fieldLink{ID: f.id, Message: m})
		}
	}
	v.Title, v.Data = v.T("payments.title"), p
	return pages.Render(w, status, "payments", *v)
}

// paymentRefusal renders the proposal with a refusal: its message in the
// error summary and its fields, nothing done.
func (s *handlers) paymentRefusal(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View, err error, checked []string) error {
	status, prob, err := server.ProblemOf(v.Lang, err)
	if err != nil {
		return err
	}
	p := paymentsPage{Problem: prob.Message, Errors: prob.Fields, Checked: map[string]bool{}}
	for _, id := range checked {
		p.Checked[id] = true
	}
	return s.renderPayments(w, r, a, v, status, p)
}

// handleAttest attests the ticked lines, all or none.
func (s *handlers) handleAttest(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	if err := server.ParseForm(w, r); err != nil {
		return err
	}
	ids := r.PostForm["lines"]
	if err := s.Svc.Attest(r.Context(), a, ids); err != nil {
		return s.paymentRefusal(w, r, a, v, err, ids)
	}
	http.Redirect(w, r, "/payments?done=attested&n="+strconv.Itoa(len(ids)), http.StatusSeeOther)
	return nil
}

// handlePaymentPayee chooses the payee of a line paid to an organisation.
func (s *handlers) handlePaymentPayee(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	if err := server.ParseForm(w, r); err != nil {
		return err
	}
	if err := s.Svc.ChoosePayee(r.Context(), a, r.PathValue("id"), r.PostForm.Get("payee_id")); err != nil {
		return s.paymentRefusal(w, r, a, v, err, nil)
	}
	http.Redirect(w, r, "/payments?done=payee", http.StatusSeeOther)
	return nil
}

// stopPage is the second step before a payment is stopped.
type stopPage struct {
	Line    store.PaymentLine
	Names   map[string]string
	Problem string
}

// handleStopPage asks whether to stop the payment.
func (s *handlers) handleStopPage(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	return s.renderStop(w, r, a, v, http.StatusOK, "")
}

func (s *handlers) renderStop(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View, status int, problem string) error {
	pv, err := s.Svc.PaymentLineOf(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	v.Title, v.Data = v.T("payments.stop.title"), stopPage{Line: pv.Lines[0], Names: pv.Names, Problem: problem}
	return pages.Render(w, status, "payment_stop", *v)
}

// handleStop stops a payment not yet sent: a new line with the negative
// amount records it.
func (s *handlers) handleStop(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	if _, err := s.Svc.StopPayment(r.Context(), a, r.PathValue("id")); err != nil {
		status, prob, err := server.Refusal(v, err)
		if err != nil {
			return err
		}
		return s.renderStop(w, r, a, v, status, prob)
	}
	http.Redirect(w, r, "/payments?done=stopped", http.StatusSeeOther)
	return nil
}

// runsPage is /payments/runs: the month proposed, a run made, the runs.
type runsPage struct {
	Runs  []store.PaymentRun
	Units []org.Unit
	// What was typed, and a refusal.
	UnitID, Month, ExecutionDate string
	Errors                       map[string]string
	ErrorLinks                   []fieldLink
	Problem                      string
	// Proposed is how many lines the month made, when it was just asked.
	Proposed  int
	Asked     bool
	Today     string
	Attested  int
	AttestSum int64
}

// teamLead refuses those who are not team leads.
func teamLead(a trygg.Actor) error {
	if !a.HasRole(trygg.RoleTeamLead) {
		return trygg.Errorf(trygg.EForbidden, "Only a team lead may make a payment run.")
	}
	return nil
}

// handleRunsPage shows the team lead's payment runs and forms.
func (s *handlers) handleRunsPage(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	q := r.URL.Query()
	p := runsPage{}
	if n := q.Get("proposed"); n != "" {
		p.Asked = true
		p.Proposed, _ = strconv.Atoi(n)
		p.Month = q.Get("month")
	}
	return s.renderRuns(w, r, a, v, http.StatusOK, p)
}

func (s *handlers) renderRuns(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View, status int, p runsPage) error {
	runs, err := s.Svc.PaymentRuns(r.Context(), a)
	if err != nil {
		return err
	}
	attested, err := s.Svc.PaymentList(r.Context(), a, service.PaymentFilter{Status: store.PaymentAttested})
	if err != nil {
		return err
	}
	for _, l := range attested.Lines {
		p.Attested++
		p.AttestSum += l.Amount
	}
	units, err := s.Svc.Units(r.Context(), a)
	if err != nil {
		return err
	}
	for _, u := range units {
		if slices.ContainsFunc(a.Grants, func(g trygg.Grant) bool { return g.Role == trygg.RoleTeamLead && g.UnitID == u.ID }) {
			p.Units = append(p.Units, u)
		}
	}
	p.Runs, p.Today = runs, s.Svc.Today()
	if p.Month == "" {
		p.Month = p.Today[:7]
	}
	if p.ExecutionDate == "" {
		p.ExecutionDate = p.Today
	}
	for _, f := range []struct{ field, id string }{{"month", "month"}, {"execution_date", "run-date"}, {"lines", "run-date"}} {
		if m := p.Errors[f.field]; m != "" {
			p.ErrorLinks = append(p.ErrorLinks, fieldLink{ID: f.id, Message: m})
		}
	}
	v.Title, v.Data = v.T("payments.runs.title"), p
	return pages.Render(w, status, "payment_runs", *v)
}

// handleProposeMonth makes the month's lines of a unit's ongoing monthly
// decisions.
func (s *handlers) handleProposeMonth(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	if err := server.ParseForm(w, r); err != nil {
		return err
	}
	if err := teamLead(a); err != nil {
		return err
	}
	unit, month := r.PostForm.Get("unit_id"), r.PostForm.Get("month")
	n, err := s.Svc.ProposeMonth(r.Context(), a, unit, month)
	if err != nil {
		status, prob, err := server.ProblemOf(v.Lang, err)
		if err != nil {
			return err
		}
		return s.renderRuns(w, r, a, v, status, runsPage{UnitID: unit, Month: month, Problem: prob.Message, Errors: prob.Fields})
	}
	http.Redirect(w, r, "/payments/runs?proposed="+strconv.Itoa(n)+"&month="+url.QueryEscape(month), http.StatusSeeOther)
	return nil
}

// handleCreateRun gathers the attested lines into a run.
func (s *handlers) handleCreateRun(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	if err := server.ParseForm(w, r); err != nil {
		return err
	}
	date := r.PostForm.Get("execution_date")
	run, err := s.Svc.CreateRun(r.Context(), a, service.CreateRunInput{ExecutionDate: date})
	if err != nil {
		status, prob, err := server.ProblemOf(v.Lang, err)
		if err != nil {
			return err
		}
		return s.renderRuns(w, r, a, v, status, runsPage{ExecutionDate: date, Problem: prob.Message, Errors: prob.Fields})
	}
	http.Redirect(w, r, "/payments/runs/"+url.PathEscape(run.ID)+"?done=created", http.StatusSeeOther)
	return nil
}

// runPage is a run: its facts, what its controls found, its lines, the
// files and the status report's upload.
type runPage struct {
	Run      store.PaymentRun
	Lines    service.PaymentsView
	Findings []findingRow
	// Done is created, read (with Result) after a status report, or
	// repaid after a rejected line was paid again.
	Done       string
	Result     service.StatusReportResult
	FileError  string
	ErrorLinks []fieldLink
	Problem    string
	// Refusal is a refused "Betala igen", shown at its line.
	Refusal lineRefusal
}

// lineRefusal is a refusal to show at a payment line.
type lineRefusal struct{ Line, Message string }

// findingRow is a control finding as the run page lists it: the kind and
// what was compared in words, the case it is about (its reference and a
// link; no name, no account), and whether its task is done.
type findingRow struct {
	Kind, Detail, CaseID, CaseReference string
	Done                                bool
}

// findingRows puts the run's findings into words.
func findingRows(v *server.View, fs []store.ControlFinding) []findingRow {
	out := make([]findingRow, 0, len(fs))
	for _, f := range fs {
		r := findingRow{Kind: v.T("payments.findings.kind." + f.Kind), CaseID: f.CaseID, CaseReference: f.CaseReference, Done: f.Done}
		switch f.Kind {
		case service.ControlAboveDecided:
			r.Detail = fmt.Sprintf(v.T("payments.findings.detail.above_decided"), process.FormatMoney(f.Decided), process.FormatMoney(f.Paid))
		case service.ControlSharedAccount:
			r.Detail = v.Tn("payments.findings.detail.shared_account", int(f.Count))
		case service.ControlAccountChanged:
			r.Detail = v.Tn("payments.findings.detail.account_changed", int(f.Count))
		case service.ControlTwoUnits:
			r.Detail = v.Tn("payments.findings.detail.two_units", int(f.Count))
		}
		out = append(out, r)
	}
	return out
}

// handleRunPage shows a run.
func (s *handlers) handleRunPage(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	q := r.URL.Query()
	p := runPage{}
	switch d := q.Get("done"); d {
	case "created", "read", "repaid":
		p.Done = d
	}
	if p.Done == "read" {
		p.Result.AlreadyRead = q.Get("already") == "1"
		p.Result.Paid, _ = strconv.Atoi(q.Get("paid"))
		p.Result.Rejected, _ = strconv.Atoi(q.Get("rejected"))
		p.Result.Pending, _ = strconv.Atoi(q.Get("pending"))
	}
	return s.renderRun(w, r, a, v, http.StatusOK, p)
}

func (s *handlers) renderRun(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View, status int, p runPage) error {
	if err := teamLead(a); err != nil {
		return err
	}
	run, err := s.Svc.RunFile(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	run.File, p.Run = nil, run
	if p.Lines, err = s.Svc.PaymentList(r.Context(), a, service.PaymentFilter{RunID: p.Run.ID},
		store.PaymentSent, store.PaymentPaid, store.PaymentRejected); err != nil {
		return err
	}
	findings, err := s.Svc.RunFindings(r.Context(), a, p.Run.ID)
	if err != nil {
		return err
	}
	p.Findings = findingRows(v, findings)
	if p.FileError != "" {
		p.ErrorLinks = []fieldLink{{ID: "report-file", Message: p.FileError}}
	}
	v.Title, v.Data = v.T("payments.run.title")+" "+p.Run.ExecutionDate, p
	return pages.Render(w, status, "payment_run", *v)
}

// handleRunFile downloads the run's bank file (pain.001), named by the
// run's message id.
func (s *handlers) handleRunFile(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	run, err := s.Svc.RunFile(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/xml")
	w.Header().Set("Content-Disposition", `attachment; filename="`+safeFileName(run.MessageID)+`.xml"`)
	w.Header().Set("Cache-Control", "no-store")
	_, err = w.Write(run.File)
	return err
}

// handleRunBookkeeping downloads the run's bookkeeping file.
func (s *handlers) handleRunBookkeeping(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	file, err := s.Svc.RunBookkeeping(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	runs, err := s.Svc.PaymentRuns(r.Context(), a)
	if err != nil {
		return err
	}
	name := "bokforing"
	if i := slices.IndexFunc(runs, func(x store.PaymentRun) bool { return x.ID == r.PathValue("id") }); i >= 0 {
		name += "-" + safeFileName(runs[i].MessageID)
	}
	w.Header().Set("Content-Type", "text/csv")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.csv"`)
	w.Header().Set("Cache-Control", "no-store")
	_, err = w.Write(file)
	return err
}

// safeFileName keeps the letters, digits and hyphens of s.
func safeFileName(s string) string {
	b := []byte{}
	for _, c := range []byte(s) {
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' {
			b = append(b, c)
		}
	}
	return string(b)
}

// maxStatusUpload bounds the status report's upload (the service reads
// at most 64 MB of it).
const maxStatusUpload = 64<<20 + 1<<20

// handleStatusReport reads the bank's status report uploaded for the run.
func (s *handlers) handleStatusReport(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	if err := teamLead(a); err != nil {
		return err
	}
	runID := r.PathValue("id")
	none := trygg.Invalid("Choose the bank's status report for the run.", map[string]string{"file": "Choose the bank's status report for the run."})
	r.Body = http.MaxBytesReader(w, r.Body, maxStatusUpload)
	var res service.StatusReportResult
	mr, err := r.MultipartReader()
	if err != nil {
		err = none
	} else {
		err = none
		for {
			part, perr := mr.NextPart()
			if errors.Is(perr, io.EOF) {
				break
			}
			if perr != nil {
				err = trygg.Invalid("The status report is too large.", map[string]string{"file": "Choose the bank's status report for the run."})
				break
			}
			if part.FormName() != "file" || part.FileName() == "" {
				continue
			}
			res, err = s.Svc.ReadStatusReport(r.Context(), a, runID, part)
			break
		}
	}
	if err != nil {
		status, prob, perr := server.ProblemOf(v.Lang, err)
		if perr != nil {
			return perr
		}
		fe := prob.Fields["file"]
		if fe == "" {
			fe = prob.Message
		}
		return s.renderRun(w, r, a, v, status, runPage{Problem: prob.Message, FileError: fe})
	}
	q := url.Values{"done": {"read"}, "paid": {strconv.Itoa(res.Paid)}, "rejected": {strconv.Itoa(res.Rejected)},
		"pending": {strconv.Itoa(res.Pending)}}
	if res.AlreadyRead {
		q.Set("already", "1")
	}
	http.Redirect(w, r, "/payments/runs/"+url.PathEscape(runID)+"?"+q.Encode(), http.StatusSeeOther)
	return nil
}

// handleRunRepay pays again a line of the run the bank rejected
// (RepayRejected) and goes back to the run; a refusal is shown at the
// line.
func (s *handlers) handleRunRepay(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	if err := server.ParseForm(w, r); err != nil {
		return err
	}
	if err := teamLead(a); err != nil {
		return err
	}
	if _, err := s.Svc.RepayRejected(r.Context(), a, r.PathValue("line")); err != nil {
		status, prob, err := server.Refusal(v, err)
		if err != nil {
			return err
		}
		return s.renderRun(w, r, a, v, status, runPage{Refusal: lineRefusal{Line: r.PathValue("line"), Message: prob}})
	}
	http.Redirect(w, r, "/payments/runs/"+url.PathEscape(r.PathValue("id"))+"?done=repaid#run-lines-h", http.StatusSeeOther)
	return nil
}

// handleCaseRepay pays again a line of the case the bank rejected
// (RepayRejected) and goes back to the case's payments; a refusal is
// shown at the line.
func (s *handlers) handleCaseRepay(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	if err := server.ParseForm(w, r); err != nil {
		return err
	}
	if _, err := s.Svc.RepayRejected(r.Context(), a, r.PathValue("line")); err != nil {
		status, prob, err := server.Refusal(v, err)
		if err != nil {
			return err
		}
		return s.renderCaseWith(w, r, a, v, status, casePage{PaymentRefusal: lineRefusal{Line: r.PathValue("line"), Message: prob}})
	}
	http.Redirect(w, r, "/cases/"+url.PathEscape(r.PathValue("id"))+"#payments-h", http.StatusSeeOther)
	return nil
}
