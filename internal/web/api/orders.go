package api

import (
	"encoding/csv"
	"fmt"
	"io"
	"net/http"

	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/trygg"
	"github.com/trygg/trygg/internal/web/server"
)

// The orders API: the officer chooses a decision's provider; the
// provider's staff and systems read their orders (and the feed of their
// changes), accept or return them, write the plan, report work done (one
// at a time or in idempotent batches) and report back on the goals.

func (s *handlers) handleChooseProvider(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	in, err := server.Decode[service.ChooseProviderInput](w, r, s.Cfg.MaxBodyBytes)
	if err != nil {
		return err
	}
	d, err := s.Svc.ChooseProvider(r.Context(), a, r.PathValue("id"), r.PathValue("decision"), in)
	if err != nil {
		return err
	}
	return server.Encode(w, http.StatusOK, d)
}

func (s *handlers) handleCaseOrders(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	orders, err := s.Svc.CaseOrders(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	return server.Encode(w, http.StatusOK, map[string]any{"orders": orders})
}

func (s *handlers) handleOrders(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	fields := map[string]string{}
	limit := queryInt(r, "limit", fields)
	if len(fields) > 0 {
		return trygg.Invalid("The filter is not valid.", fields)
	}
	q := r.URL.Query()
	page, err := s.Svc.ProviderOrdersPage(r.Context(), a, service.OrdersInput{Status: q.Get("status"), Limit: int(min(limit, 1<<20)), Cursor: q.Get("cursor")})
	if err != nil {
		return err
	}
	return server.Encode(w, http.StatusOK, page)
}

func (s *handlers) handleOrderFeed(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	fields := map[string]string{}
	after := queryInt(r, "after", fields)
	limit := queryInt(r, "limit", fields)
	if len(fields) > 0 {
		return trygg.Invalid("The query is not valid.", fields)
	}
	page, err := s.Svc.OrderFeed(r.Context(), a, after, int(limit))
	if err != nil {
		return err
	}
	return server.Encode(w, http.StatusOK, page)
}

func (s *handlers) handleOrder(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	v, err := s.Svc.Order(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	return server.Encode(w, http.StatusOK, v)
}

func (s *handlers) handleAcceptOrder(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	in, err := server.Decode[service.AcceptInput](w, r, s.Cfg.MaxBodyBytes)
	if err != nil {
		return err
	}
	o, err := s.Svc.AcceptOrder(r.Context(), a, r.PathValue("id"), in)
	if err != nil {
		return err
	}
	return server.Encode(w, http.StatusOK, o)
}

func (s *handlers) handleReturnOrder(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	in, err := server.Decode[service.ReturnInput](w, r, s.Cfg.MaxBodyBytes)
	if err != nil {
		return err
	}
	o, err := s.Svc.ReturnOrder(r.Context(), a, r.PathValue("id"), in)
	if err != nil {
		return err
	}
	return server.Encode(w, http.StatusOK, o)
}

func (s *handlers) handlePlans(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	plans, err := s.Svc.Plans(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	return server.Encode(w, http.StatusOK, map[string]any{"plans": plans})
}

func (s *handlers) handleSavePlan(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	in, err := server.Decode[service.PlanInput](w, r, s.Cfg.MaxBodyBytes)
	if err != nil {
		return err
	}
	p, err := s.Svc.SavePlan(r.Context(), a, r.PathValue("id"), in)
	if err != nil {
		return err
	}
	return server.Encode(w, http.StatusCreated, p)
}

func (s *handlers) handlePerformed(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	ps, err := s.Svc.PerformedList(r.Context(), a, r.PathValue("id"), r.URL.Query().Get("month"))
	if err != nil {
		return err
	}
	return server.Encode(w, http.StatusOK, map[string]any{"performed": ps})
}

func (s *handlers) handleReportPerformed(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	in, err := server.Decode[service.PerformedInput](w, r, s.Cfg.MaxBodyBytes)
	if err != nil {
		return err
	}
	p, err := s.Svc.ReportPerformed(r.Context(), a, r.PathValue("id"), in)
	if err != nil {
		return err
	}
	return server.Encode(w, http.StatusCreated, p)
}

func (s *handlers) handlePerformedBatch(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	in, err := server.Decode[service.BatchInput](w, r, s.Cfg.MaxBodyBytes)
	if err != nil {
		return err
	}
	res, err := s.Svc.ReportPerformedBatch(r.Context(), a, in)
	if err != nil {
		return err
	}
	status := http.StatusCreated
	if res.Replayed {
		status = http.StatusOK
	}
	return server.Encode(w, status, res)
}

func (s *handlers) handleReportFollowUp(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	in, err := server.Decode[service.FollowUpInput](w, r, s.Cfg.MaxBodyBytes)
	if err != nil {
		return err
	}
	f, err := s.Svc.ReportFollowUp(r.Context(), a, r.PathValue("id"), in)
	if err != nil {
		return err
	}
	return server.Encode(w, http.StatusCreated, f)
}

func (s *handlers) handlePaymentBasis(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	pb, err := s.Svc.PaymentBasis(r.Context(), a, r.PathValue("id"), r.URL.Query().Get("month"))
	if err != nil {
		return err
	}
	return server.Encode(w, http.StatusOK, pb)
}

// handlePaymentBasisCSV answers the basis for payment as CSV (UTF-8 with
// a byte order mark, formula-safe cells): one row per order, hours with
// two decimals, and a total.
func (s *handlers) handlePaymentBasisCSV(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	pb, err := s.Svc.PaymentBasis(r.Context(), a, r.PathValue("id"), r.URL.Query().Get("month"))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="ersattningsunderlag-%s.csv"`, pb.Month))
	return writePaymentCSV(w, pb, apiLang(r))
}

// hours formats minutes as hours with two decimals, to the nearest
// hundredth ("12.50"; 10 minutes is "0.17").
func hours(minutes int) string {
	h := (minutes*100 + 30) / 60
	return fmt.Sprintf("%d.%02d", h/100, h%100)
}

func writePaymentCSV(w io.Writer, pb service.PaymentBasis, lang string) error {
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	var head []string
	for _, col := range []string{"provider", "month", "order", "identity", "name", "insats", "planned", "performed", "visits", "deviations"} {
		head = append(head, server.Text(lang, "csv.payment."+col))
	}
	_ = cw.Write(head)
	for _, row := range pb.Rows {
		_ = cw.Write(safeCells([]string{pb.Provider.Name, pb.Month, row.OrderID, row.IdentityNumber, row.Name, row.InsatsLabel,
			hours(row.PlannedMinutes), hours(row.Minutes), fmt.Sprint(row.Visits), fmt.Sprint(row.Deviations)}))
	}
	_ = cw.Write(nil)
	_ = cw.Write(safeCells([]string{pb.Provider.Name, pb.Month, server.Text(lang, "csv.payment.total"), "", "", "", "", hours(pb.Minutes), "", ""}))
	cw.Flush()
	return cw.Error()
}
