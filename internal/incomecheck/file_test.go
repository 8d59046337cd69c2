package incomecheck

import (
	"context"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/persons"
	"github.com/trygg/trygg/internal/trygg"
)

var today = time.Date(2026, 3, 9, 0, 0, 0, 0, time.UTC)

const mother = "19910415-9901"

func identity(t *testing.T, s string) persons.Identity {
	t.Helper()
	id, err := persons.ParseIdentityNumber(s, today)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// TestParseFile: the file's records are read with their payments, and a
// file that breaks the format is refused with an error that says where,
// never the identity number.
func TestParseFile(t *testing.T) {
	tests := []struct {
		name, file, err string
		payments        int
	}{
		{"empty array", `[]`, "", 0},
		{"null", `null`, "", 0},
		{"one person", `[{"identity_number":"` + mother + `","payments":[{"source":"forsakringskassan","benefit":"child_allowance","from":"2026-01","amount":250000}],"unanswered":["csn"]}]`, "", 1},
		{"not JSON", `[{`, "not JSON", 0},
		{"an object", `{}`, "not a JSON array of records", 0},
		{"a record not an object", `[3]`, "record 0: a JSON number, not an object", 0},
		{"bad number", `[{"identity_number":"19910415-9902"}]`, "record 0: identity_number:", 0},
		{"unknown field", `[{"identity_number":"` + mother + `","ammount":1}]`, "record 0: a field the format does not have", 0},
		{"unknown source", `[{"identity_number":"` + mother + `","payments":[{"source":"kommunen","benefit":"salary","from":"2026-01","amount":1}]}]`, "record 0: payment 0: source: not a known source", 0},
		{"benefit of another source", `[{"identity_number":"` + mother + `","payments":[{"source":"csn","benefit":"salary","from":"2026-01","amount":1}]}]`, "record 0: payment 0: benefit: not a benefit the source reports", 0},
		{"bad month", `[{"identity_number":"` + mother + `","payments":[{"source":"csn","benefit":"study_grant","from":"2026-13","amount":1}]}]`, "from: not a month", 0},
		{"ends before it starts", `[{"identity_number":"` + mother + `","payments":[{"source":"csn","benefit":"study_grant","from":"2026-03","to":"2026-02","amount":1}]}]`, "to: before from", 0},
		{"no amount", `[{"identity_number":"` + mother + `","payments":[{"source":"csn","benefit":"study_grant","from":"2026-03"}]}]`, "amount: not between", 0},
		{"amount a string", `[{"identity_number":"` + mother + `","payments":[{"source":"csn","benefit":"study_grant","from":"2026-03","amount":"100"}]}]`, "record 0: a field is a JSON string, not a int64", 0},
		{"unanswered unknown", `[{"identity_number":"` + mother + `","unanswered":["banken"]}]`, "record 0: unanswered 0: not a known source", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recs, err := parseFile([]byte(tt.file), today)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want one saying %q", err, tt.err)
				}
				if strings.Contains(err.Error(), "0415") {
					t.Errorf("the error holds the identity number: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, r := range recs {
				n += len(r.Payments)
			}
			if n != tt.payments {
				t.Errorf("%d payments, want %d", n, tt.payments)
			}
		})
	}
}

// TestFileIncomes: the file answers month by month with the payments that
// run in the period, source by source; a source that does not answer is
// said to, and a person not in the file has been paid nothing.
func TestFileIncomes(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "incomes.json")
	f := NewFile()
	f.Now = func() time.Time { return today }
	f.Add(Record{Identity: identity(t, mother), Payments: []Payment{
		{Source: UnemploymentFund, Benefit: "unemployment_insurance", From: "2026-03", To: "2026-03", Amount: 900000},
		{Source: Forsakringskassan, Benefit: "child_allowance", From: "2025-01", Amount: 250000},
		{Source: Forsakringskassan, Benefit: "housing_allowance", From: "2025-01", To: "2026-01", Amount: 120000},
	}, Unanswered: []Source{CSN}})
	if err := f.Save(path); err != nil {
		t.Fatal(err)
	}
	loaded, err := LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	loaded.Now = f.Now
	ctx := context.Background()
	tests := []struct {
		name   string
		id     string
		period Period
		want   []Income
		total  int64
	}{
		{"March", mother, Period{"2026-03", "2026-03"}, []Income{
			{Forsakringskassan, "child_allowance", "2026-03", 250000},
			{UnemploymentFund, "unemployment_insurance", "2026-03", 900000},
		}, 1150000},
		{"January to February", mother, Period{"2026-01", "2026-02"}, []Income{
			{Forsakringskassan, "child_allowance", "2026-01", 250000},
			{Forsakringskassan, "housing_allowance", "2026-01", 120000},
			{Forsakringskassan, "child_allowance", "2026-02", 250000},
		}, 620000},
		{"someone paid nothing", "19121212-1212", Period{"2026-03", "2026-03"}, []Income{}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := loaded.Incomes(ctx, identity(t, tt.id), tt.period)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(a.Incomes, tt.want) {
				t.Errorf("incomes %+v, want %+v", a.Incomes, tt.want)
			}
			if a.Total() != tt.total || !a.AnsweredAt.Equal(today) || a.Period != tt.period {
				t.Errorf("total %d at %v for %v, want %d at %v for %v", a.Total(), a.AnsweredAt, a.Period, tt.total, today, tt.period)
			}
			if tt.id == mother && !reflect.DeepEqual(a.Unanswered, []Source{CSN}) {
				t.Errorf("unanswered %v, want CSN", a.Unanswered)
			}
		})
	}
	if _, err := loaded.Incomes(ctx, identity(t, mother), Period{"2026-03", "2026-01"}); trygg.ErrorCode(err) != trygg.EInvalid {
		t.Errorf("a period ending before it starts: %v, want invalid", err)
	}
	if f, err := LoadFile(filepath.Join(dir, "missing.json")); err != nil || len(f.records) != 0 {
		t.Errorf("a missing file: %v, %d records; want an empty income check", err, len(f.records))
	}
}

// TestPeriod: a month of a date, and the periods refused.
func TestPeriod(t *testing.T) {
	if p, err := MonthOf("2026-03-01"); err != nil || p != (Period{"2026-03", "2026-03"}) {
		t.Errorf("MonthOf = %v, %v", p, err)
	}
	for _, bad := range []string{"", "2026", "2026-3-01", "2026-02-30", "mars"} {
		if _, err := MonthOf(bad); trygg.ErrorCode(err) != trygg.EInvalid {
			t.Errorf("MonthOf(%q) = %v, want invalid", bad, err)
		}
	}
	for _, p := range []Period{{"2026-01", "2026-13"}, {"2026-02", "2026-01"}, {"2024-01", "2026-01"}} {
		if err := p.Valid(); err == nil {
			t.Errorf("%v is valid", p)
		}
	}
	if err := (Period{"2024-02", "2026-01"}).Valid(); err != nil {
		t.Errorf("24 months: %v", err)
	}
}
