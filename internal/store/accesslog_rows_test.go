package store_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/access"
	"github.com/trygg/trygg/internal/audit"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/trygg"
)

// TestAccessLogRowsNameEveryRecord writes requests that each read a
// person and two of their cases: each is one row of the chain naming all
// three; the review's filters find every record, emergencies among the
// further ones included; a further record edited, removed or added after
// the fact fails its row's hash; and pruning removes them with the rows.
func TestAccessLogRowsNameEveryRecord(t *testing.T) {
	eachEngine(t, func(t *testing.T, engine string) {
		r := openRaw(t, engine, true)
		ctx := t.Context()
		request := func(tenant trygg.TenantID, i int) []audit.Entry {
			p := fmt.Sprintf("p-%d", i)
			return []audit.Entry{
				{Tenant: tenant, ActorID: "u-1", Action: string(access.ReadPerson), PersonID: p, Ground: string(access.RelUnit)},
				{Tenant: tenant, ActorID: "u-1", Action: string(access.ReadCase), PersonID: p, CaseID: fmt.Sprintf("c-%d-a", i), Ground: string(access.RelUnit)},
				{Tenant: tenant, ActorID: "u-1", Action: string(access.ReadCase), PersonID: p, CaseID: fmt.Sprintf("c-%d-b", i), Ground: string(access.RelEmergency)},
			}
		}
		tests := []struct {
			tenant trygg.TenantID
			tamper string // SQL run on the tenant's row 2 after writing; "" leaves it
			want   string // a word of the problem at seq 2; "" means it verifies
		}{
			{"intact", "", ""},
			{"subject-edited", `UPDATE access_log_subjects SET person_id = 'p-9' WHERE tenant_id = ? AND seq = 2 AND n = 1`, "altered"},
			{"subject-removed", `DELETE FROM access_log_subjects WHERE tenant_id = ? AND seq = 2 AND n = 2`, "altered"},
			{"subject-added", `INSERT INTO access_log_subjects (tenant_id, seq, n, action, person_id, case_id, ground) VALUES (?, 2, 3, 'read_case', 'p-2', 'c-x', 'unit')`, "altered"},
			{"row-ground-edited", `UPDATE access_log SET ground = 'emergency' WHERE tenant_id = ? AND seq = 2`, "altered"},
		}
		for _, tt := range tests {
			for i := 1; i <= 3; i++ {
				entries := request(tt.tenant, i)
				if err := r.Update(ctx, func(tx *store.Tx) error { return tx.AppendAccessLog(ctx, entries) }); err != nil {
					t.Fatal(err)
				}
				for _, e := range entries {
					if e.Seq != int64(i) || e.Hash == "" {
						t.Fatalf("%s request %d: entry given seq %d hash %q, want its row's", tt.tenant, i, e.Seq, e.Hash)
					}
				}
			}
		}
		if n := r.queryInt(t, `SELECT COUNT(*) FROM access_log WHERE tenant_id = 'intact'`); n != 3 {
			t.Fatalf("%d rows for three requests, want 3", n)
		}

		// The review sees every record, the further ones included.
		got, err := r.AccessLog(ctx, "intact", store.AccessLogFilter{PersonID: "p-2"})
		if err != nil {
			t.Fatal(err)
		}
		var cases []string
		for _, e := range got {
			if e.Seq != 2 {
				t.Errorf("entry of p-2 on seq %d, want 2", e.Seq)
			}
			cases = append(cases, e.CaseID)
		}
		if want := []string{"c-2-b", "c-2-a", ""}; !slices.Equal(cases, want) {
			t.Errorf("p-2's entries name cases %q, want %q (newest first)", cases, want)
		}
		emergencies, err := r.AccessLog(ctx, "intact", store.AccessLogFilter{EmergencyOnly: true})
		if err != nil || len(emergencies) != 3 || emergencies[0].CaseID != "c-3-b" {
			t.Errorf("emergency filter: %+v, %v; want the three reads on the emergency ground", emergencies, err)
		}
		own, _, err := r.PersonAccessLog(ctx, "intact", "p-1", 10)
		if err != nil || len(own) != 3 || own[0].CaseID != "c-1-b" || own[2].Action != string(access.ReadPerson) {
			t.Errorf("p-1's own log: %+v, %v", own, err)
		}

		for _, tt := range tests {
			if tt.tamper != "" && r.exec(t, tt.tamper, string(tt.tenant)) != 1 {
				t.Fatalf("%s: tampering changed no row", tt.tenant)
			}
		}
		for _, tt := range tests {
			t.Run(string(tt.tenant), func(t *testing.T) {
				rep, err := r.VerifyAccessLog(ctx, tt.tenant)
				if err != nil {
					t.Fatal(err)
				}
				if rep.Entries != 3 {
					t.Errorf("%d rows verified, want 3", rep.Entries)
				}
				if tt.want == "" {
					if !rep.OK() {
						t.Errorf("want verified, got %s", rep)
					}
					return
				}
				if len(rep.Problems) != 1 || rep.Problems[0].Seq != 2 || !strings.Contains(rep.Problems[0].Reason, tt.want) {
					t.Errorf("problems %+v, want one at seq 2 saying %q", rep.Problems, tt.want)
				}
			})
		}

		// Pruning takes a row's further records with it.
		err = r.Update(ctx, func(tx *store.Tx) error {
			_, err := tx.PruneAccessLog(ctx, "intact", time.Now().Add(time.Hour), func(store.AccessLogCheckpoint) string { return "mac" })
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if n := r.queryInt(t, `SELECT COUNT(*) FROM access_log_subjects WHERE tenant_id = 'intact'`); n != 0 {
			t.Errorf("%d further records left after pruning every row", n)
		}
	})
}
