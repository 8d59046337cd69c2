package analytics

import (
	"encoding/json"
	"strings"

	"github.com/trygg/trygg/internal/events"
)

// casePurged forgets a case a retention run purged (docs/retention.md):
// its facts go at the end of the batch (purgeFinish), and so does the
// person's pseudonymous row when the event says the person was blanked.
// Its earlier events' payloads are empty in the log by then, so a
// rebuild projects nothing of the case but these deletions: the store
// rebuilt from zero equals the one kept up to date.
func (a *applier) casePurged(e events.Event) error {
	var p struct {
		Person string `json:"person"`
	}
	if err := json.Unmarshal(e.Payload, &p); err != nil {
		return err
	}
	a.purgedCases = append(a.purgedCases, a.caseKey(e))
	if p.Person == "purged" && e.PersonID != "" {
		a.purgedPersons = append(a.purgedPersons, a.of("person", e.PersonID))
	}
	return nil
}

// purgeFinish deletes the facts of the cases purged in the batch, set by
// set (a run purges thousands of cases, and most fact tables have no
// index on the case), the pseudonymous rows of the persons blanked, and
// the dimension rows no fact refers to any more. It runs after the
// batch's own rows are written (finish).
func (a *applier) purgeFinish() error {
	if len(a.purgedCases) == 0 && len(a.purgedPersons) == 0 {
		return nil
	}
	const chunk = 500
	for start := 0; start < len(a.purgedCases); start += chunk {
		keys := a.purgedCases[start:min(start+chunk, len(a.purgedCases))]
		in := "(" + strings.TrimSuffix(strings.Repeat("?,", len(keys)), ",") + ")"
		args := []any{a.tenant}
		for _, k := range keys {
			args = append(args, k)
		}
		orders := `SELECT order_key FROM fact_orders WHERE tenant_id = ? AND case_key IN ` + in
		for _, q := range []string{
			`DELETE FROM fact_plans WHERE tenant_id = ? AND order_key IN (` + orders + `)`,
			`DELETE FROM fact_performed WHERE tenant_id = ? AND order_key IN (` + orders + `)`,
		} {
			if err := a.tx.exec(q, append([]any{a.tenant}, args...)...); err != nil {
				return err
			}
		}
		for _, table := range []string{"fact_orders", "fact_decisions", "fact_deadlines", "fact_payments", "fact_codes", "fact_case_steps", "fact_cases"} {
			if err := a.tx.exec(`DELETE FROM `+table+` WHERE tenant_id = ? AND case_key IN `+in, args...); err != nil {
				return err
			}
		}
	}
	for start := 0; start < len(a.purgedPersons); start += chunk {
		keys := a.purgedPersons[start:min(start+chunk, len(a.purgedPersons))]
		args := []any{a.tenant}
		for _, k := range keys {
			args = append(args, k)
		}
		if err := a.tx.exec(`DELETE FROM dim_persons WHERE tenant_id = ? AND person_key IN (`+
			strings.TrimSuffix(strings.Repeat("?,", len(keys)), ",")+`)`, args...); err != nil {
			return err
		}
	}
	for _, q := range []string{
		`DELETE FROM dim_case_types WHERE tenant_id = ? AND NOT EXISTS (SELECT 1 FROM fact_cases f
			WHERE f.tenant_id = dim_case_types.tenant_id AND f.case_type = dim_case_types.case_type)`,
		`DELETE FROM dim_insatser WHERE tenant_id = ? AND NOT EXISTS (SELECT 1 FROM fact_decisions f
			WHERE f.tenant_id = dim_insatser.tenant_id AND f.case_type = dim_insatser.case_type AND f.insats = dim_insatser.insats)`,
		`DELETE FROM dim_codes WHERE tenant_id = ? AND NOT EXISTS (SELECT 1 FROM fact_codes f
			WHERE f.tenant_id = dim_codes.tenant_id AND f.code_system = dim_codes.code_system AND f.code = dim_codes.code)`,
	} {
		if err := a.tx.exec(q, a.tenant); err != nil {
			return err
		}
	}
	a.purgedCases, a.purgedPersons = nil, nil
	return nil
}
