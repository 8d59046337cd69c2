package service

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/trygg/trygg/internal/access"
	"github.com/trygg/trygg/internal/audit"
	"github.com/trygg/trygg/internal/calendar"
	"github.com/trygg/trygg/internal/events"
	"github.com/trygg/trygg/internal/persons"
	"github.com/trygg/trygg/internal/process"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/trygg"
)

// RegisterInfo describes a register the actor may check and make: its
// latest period that has ended and when that period's file is due.
type RegisterInfo struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	Regulation  string `json:"regulation"`
	// PeriodKind is month, year or status_day.
	PeriodKind string `json:"period_kind"`
	// Period is the latest period that has ended, and Due its due day.
	Period string `json:"period"`
	Due    string `json:"due"`
}

// RegisterCheck is a register checked for a period: how many records it
// has and, per case, what is missing before the file can be made.
type RegisterCheck struct {
	Register RegisterInfo            `json:"register"`
	Period   process.RegisterPeriod  `json:"period"`
	Records  int                     `json:"records"`
	Missing  []process.RegisterIssue `json:"missing"`
}

// RegisterFileOut is a register file made: its name, content type and bytes.
type RegisterFileOut struct {
	Name        string
	ContentType string
	Data        []byte
	Records     int
}

// RegisterIncomplete is the refusal of a register file while records lack
// required fields; Missing lists them. errors.As finds the *trygg.Error
// (a conflict) it wraps.
type RegisterIncomplete struct {
	Missing []process.RegisterIssue
	err     *trygg.Error
}

func (e *RegisterIncomplete) Error() string { return e.err.Error() }

// Unwrap returns the conflict error.
func (e *RegisterIncomplete) Unwrap() error { return e.err }

// registerUnits returns the unit subtrees in which the actor holds one of
// the register's roles.
func registerUnits(a trygg.Actor, r *process.Register) []string {
	var paths []string
	for _, g := range a.Grants {
		if slices.ContainsFunc(r.Roles, func(s process.Str) bool { return s.Value == string(g.Role) }) && !slices.Contains(paths, g.UnitPath) {
			paths = append(paths, g.UnitPath)
		}
	}
	return paths
}

func registerInfo(def *process.Register, today, lang string) RegisterInfo {
	info := RegisterInfo{ID: def.ID.Value, Name: def.Name.In(lang), Description: def.Description.In(lang),
		Regulation: def.Regulation.Value, PeriodKind: def.Period.Value, Period: process.LatestRegisterPeriod(def, today)}
	if p, err := process.ParseRegisterPeriod(def, info.Period); err == nil {
		info.Due = p.Due
	}
	return info
}

// Registers lists the registers of the newest published definitions that
// the actor may check and make, each with its latest ended period.
func (s *Service) Registers(ctx context.Context, a trygg.Actor, lang string) ([]RegisterInfo, error) {
	comp, err := s.latest(ctx, a.Tenant)
	if err != nil {
		if trygg.ErrorCode(err) == trygg.ENotFound {
			return []RegisterInfo{}, nil
		}
		return nil, err
	}
	today := calendar.Today(s.db.Now())
	out := []RegisterInfo{}
	for _, r := range comp.Registers() {
		if len(registerUnits(a, r)) > 0 {
			out = append(out, registerInfo(r, today, lang))
		}
	}
	return out, nil
}

// registerRun is a register worked out for the actor's units.
type registerRun struct {
	comp         *process.Compiled
	def          *process.Register
	info         RegisterInfo
	run          process.RegisterRun
	municipality string
	personOf     map[string]string // case → person
}

// runRegister works out register id for period ("" for the latest ended
// one) over the cases of the units where the actor holds one of its roles.
func (s *Service) runRegister(ctx context.Context, a trygg.Actor, id, period string) (*registerRun, error) {
	comp, err := s.latest(ctx, a.Tenant)
	if err != nil {
		return nil, err
	}
	def, ok := comp.RegisterDef(id)
	if !ok {
		return nil, trygg.Errorf(trygg.ENotFound, "There is no such register.")
	}
	units := registerUnits(a, def)
	if len(units) == 0 {
		return nil, trygg.Errorf(trygg.EForbidden, "Your roles may not make this register.")
	}
	now := s.db.Now()
	today := calendar.Today(now)
	if period == "" {
		period = process.LatestRegisterPeriod(def, today)
	}
	p, err := process.ParseRegisterPeriod(def, period)
	if err != nil {
		return nil, err
	}
	if p.AsOf >= today {
		return nil, trygg.Invalid("The period has not ended.", map[string]string{"period": "Choose a period that has ended."})
	}
	tenant, err := s.db.Tenant(ctx, a.Tenant)
	if err != nil {
		return nil, err
	}
	day, _ := time.ParseInLocation(time.DateOnly, p.AsOf, calendar.Sweden)
	var types []string
	for _, ct := range def.CaseTypes {
		types = append(types, ct.Value)
	}
	rows, err := s.db.RegisterCases(ctx, a, types, units, p.Start, p.End, calendar.StartOf(day.AddDate(0, 0, 1)))
	if err != nil {
		return nil, err
	}
	cases := make([]process.RegisterCase, len(rows))
	personOf := map[string]string{}
	for i, r := range rows {
		personOf[r.Case.ID] = r.Case.PersonID
		rc := process.RegisterCase{CaseID: r.Case.ID, Reference: r.Case.Reference, CaseType: r.Case.CaseType, Step: r.Case.Step,
			UnitID: r.Case.UnitID, UnitName: r.UnitName, OpenedOn: calendar.Today(r.Case.OpenedAt), ReceivedOn: r.Case.ReceivedDate,
			PersonID: r.Case.PersonID, Sex: r.Sex, BirthDate: r.BirthDate, Forms: map[string]map[string]any{}}
		if !r.Case.ClosedAt.IsZero() {
			rc.ClosedOn = calendar.Today(r.Case.ClosedAt)
		}
		if r.IDType == string(persons.IDPersonnummer) || r.IDType == string(persons.IDSamordningsnummer) {
			rc.IdentityNumber = r.IDValue
		}
		execs := map[string][]process.ExecEntry{}
		for _, e := range r.Executions {
			execs[e.DecisionID] = append(execs[e.DecisionID], process.ExecEntry{Kind: e.Kind, On: e.On, Reason: e.Reason, Offers: e.Offers, InterimHelp: e.InterimHelp})
		}
		for _, d := range r.Decisions {
			rc.Decisions = append(rc.Decisions, process.RegisterDecision{ID: d.ID, Insats: d.Insats, Outcome: d.Outcome, LegalBasis: d.LegalBasis,
				DecidedOn: calendar.Today(d.DecidedAt), ValidFrom: d.ValidFrom, ValidTo: d.ValidTo, Amount: d.Amount, Executions: execs[d.ID]})
		}
		for _, l := range r.Payments {
			if len(l.Period) >= 7 {
				rc.Payments = append(rc.Payments, process.RegisterPayment{Month: l.Period[:7], Amount: l.Amount})
			}
		}
		if err := signedForms(r.Forms, rc.Forms); err != nil {
			return nil, err
		}
		cases[i] = rc
	}
	run, err := comp.RunRegister(id, p, tenant.MunicipalityCode, cases)
	if err != nil {
		return nil, err
	}
	return &registerRun{comp: comp, def: def, info: registerInfo(def, today, "sv"), run: run, municipality: tenant.MunicipalityCode, personOf: personOf}, nil
}

// signedForms puts the latest signed values of each form of entries (the
// signed entry no correction supersedes) into forms.
func signedForms(entries []store.FormEntry, forms map[string]map[string]any) error {
	superseded := map[string]bool{}
	for _, e := range entries {
		if e.Status == "signed" && e.Supersedes != "" {
			superseded[e.Supersedes] = true
		}
	}
	for _, e := range entries {
		if e.Status != "signed" || superseded[e.ID] {
			continue
		}
		var vals map[string]any
		if err := json.Unmarshal([]byte(e.Values), &vals); err != nil {
			return fmt.Errorf("service: form entry %s: %w", e.ID, err)
		}
		forms[e.FormID] = vals
	}
	return nil
}

// RegisterCheck checks register registerID for period (as its period kind
// writes it, "" for the latest ended one) over the units where the actor
// holds one of its roles, and lists per case what is missing, in plain
// Swedish, for the officer to fix. Each case read is access-logged on the
// ground "register".
func (s *Service) RegisterCheck(ctx context.Context, a trygg.Actor, registerID, period string) (RegisterCheck, error) {
	rr, err := s.runRegister(ctx, a, registerID, period)
	if err != nil {
		return RegisterCheck{}, err
	}
	var logged []audit.Entry
	seen := map[string]bool{}
	for _, row := range rr.run.Rows {
		for _, c := range row.CaseIDs {
			if !seen[c] {
				seen[c] = true
				logged = append(logged, entry(a, access.MakeRegister, rr.personOf[c], c, access.RelRegister, registerID+" "+rr.run.Period.Name+" check"))
			}
		}
	}
	if len(logged) > 0 {
		if err := s.logAccess(ctx, logged...); err != nil {
			return RegisterCheck{}, err
		}
	}
	return RegisterCheck{Register: rr.info, Period: rr.run.Period, Records: len(rr.run.Rows), Missing: rr.run.Issues}, nil
}

// RegisterFile makes register registerID's file for period ("" for the
// latest ended one) over the units where the actor holds one of its roles.
// While any record lacks a required field it is refused with a
// *RegisterIncomplete listing what is missing. Otherwise every person in
// the file is access-logged on the ground "register" (the file holds
// their identity numbers) and a register.file_made event is appended. The
// same data gives the same bytes.
func (s *Service) RegisterFile(ctx context.Context, a trygg.Actor, registerID, period string) (RegisterFileOut, error) {
	rr, err := s.runRegister(ctx, a, registerID, period)
	if err != nil {
		return RegisterFileOut{}, err
	}
	if len(rr.run.Issues) > 0 {
		return RegisterFileOut{}, &RegisterIncomplete{Missing: rr.run.Issues,
			err: trygg.Errorf(trygg.EConflict, "The register file cannot be made while records lack required fields.")}
	}
	data, err := rr.comp.RegisterFile(registerID, rr.run)
	if err != nil {
		return RegisterFileOut{}, err
	}
	var logged []audit.Entry
	seen := map[string]bool{}
	reason := registerID + " " + rr.run.Period.Name + " file"
	for _, row := range rr.run.Rows {
		for _, c := range row.CaseIDs {
			if p := rr.personOf[c]; !seen[p+"\x00"+c] {
				seen[p+"\x00"+c] = true
				logged = append(logged, entry(a, access.MakeRegister, p, c, access.RelRegister, reason))
			}
		}
	}
	sum := sha256.Sum256(data)
	err = s.updateLogged(ctx, logged, func(tx *store.Tx) error {
		ev := events.New(a, events.RegisterFileMade, "register", registerID, map[string]any{"register": registerID,
			"period": rr.run.Period.Name, "records": len(rr.run.Rows), "sha256": hex.EncodeToString(sum[:])})
		_, err := tx.AppendEvent(ctx, ev)
		return err
	})
	if err != nil {
		return RegisterFileOut{}, err
	}
	ctype := "text/plain; charset=utf-8"
	if rr.def.File.Encoding.Value == "iso-8859-1" {
		ctype = "text/plain; charset=iso-8859-1"
	}
	return RegisterFileOut{Name: process.RegisterFileName(rr.def, rr.run.Period, rr.municipality), ContentType: ctype, Data: data,
		Records: len(rr.run.Rows)}, nil
}
