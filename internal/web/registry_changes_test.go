package web_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/persons"
	"github.com/trygg/trygg/internal/storetest"
)

// TestRegistryProtectionHidesOrder: journey 1's home-care order is with
// the provider; the population registry then protects the woman's
// identity. Within the same second of the change being applied, the
// provider's staff no longer see the order: not in their API list, not
// when they open it, and not on their orders page or the order's page.
func TestRegistryProtectionHidesOrder(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			t0 := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC) // a Monday
			w := newPackWorld(t, engine, t0, 80)
			jc := w.journeyCase("ibic_sol_aldre")
			c := jc.ID
			w.applyForHomeCare(c)
			w.investigateHomeCare(c, "Behöver hjälp i duschen.")
			final := w.decide("handlaggare", c, func(d *apiDecision) map[string]any {
				if d.Insats == "hemtjanst_omvardnad" {
					return map[string]any{"amount": 2400}
				}
				return nil
			})
			omsorg := w.registerProvider(map[string]any{"name": "Testomsorg Norr AB", "kind": "external", "org_number": "5598765435",
				"insatser": []string{"hemtjanst_omvardnad", "trygghetslarm"}, "areas": []string{"norra-omr"}})
			w.providerStaff("omsorg.anna", omsorg)
			for _, d := range final {
				w.call("handlaggare", "PUT", "/api/v1/cases/"+c+"/decisions/"+d.ID+"/provider", map[string]string{"provider_id": omsorg}, http.StatusOK, nil)
			}
			w.move("handlaggare", c, "order")
			var list struct{ Orders []apiOrder }
			w.call("omsorg.anna", "GET", "/api/v1/orders", nil, http.StatusOK, &list)
			if len(list.Orders) == 0 {
				t.Fatal("the provider has no orders")
			}
			order := list.Orders[0].ID
			person := w.demoPerson(jc.PersonID)
			w.mustPage("omsorg.anna", "GET", "/provider/orders", nil, false, http.StatusOK, person.FamilyName)
			w.mustPage("omsorg.anna", "GET", "/provider/orders/"+order, nil, false, http.StatusOK, person.FamilyName)

			dir := t.TempDir()
			reg := persons.NewFileRegistry()
			if err := reg.ReadChanges(dir); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "2026-01-05.txt"),
				[]byte("NAV-1;2026-01-05;protection;"+person.Identity.Value+";skyddad_folkbokforing\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			if n, _, err := w.svc.ApplyRegistryChanges(context.Background(), demo.TenantID, reg, "server", 10); err != nil || n != 1 {
				t.Fatalf("applied %d changes: %v", n, err)
			}
			w.call("omsorg.anna", "GET", "/api/v1/orders", nil, http.StatusOK, &list)
			for _, o := range list.Orders {
				if o.ID == order {
					t.Error("the provider's API still lists the protected person's order")
				}
			}
			w.problem("omsorg.anna", "GET", "/api/v1/orders/"+order, nil, http.StatusNotFound)
			if body := w.mustPage("omsorg.anna", "GET", "/provider/orders", nil, false, http.StatusOK); strings.Contains(mainOf(body), person.FamilyName) {
				t.Error("the provider's orders page still names the protected person")
			}
			if code, _, _ := w.page("omsorg.anna", "GET", "/provider/orders/"+order, nil, false); code != http.StatusNotFound {
				t.Errorf("the protected person's order page answers %d, want 404", code)
			}
			if took := time.Since(start); took >= time.Second {
				t.Errorf("hidden %v after the change, want within the second", took)
			}
		})
	}
}

// TestRegistryCustodyOnMinaSidor: the population registry says journey
// 1's daughter now has custody of one of journey 3's children instead of
// the mother. On Mina sidor the mother no longer acts for the child and
// cannot open the child's pages; the daughter does and can.
func TestRegistryCustodyOnMinaSidor(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			w := newPackWorld(t, engine, time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC), 80)
			daughter := w.actor("dotter").PersonID
			kids := w.citizenSubjects("invanare")
			if len(kids) == 0 {
				t.Fatal("the mother acts for no child")
			}
			child := w.demoPerson(kids[0])
			if slices.Contains(w.citizenSubjects("dotter"), child.ID) {
				t.Fatal("the daughter acts for the child already")
			}
			if body := w.mustPortal("invanare", child.ID, "GET", "/portal", nil, http.StatusOK); !strings.Contains(body, child.GivenName+" "+child.FamilyName) {
				t.Fatalf("the mother's Mina sidor for the child does not name the child:\n%s", body)
			}

			dir := t.TempDir()
			reg := persons.NewFileRegistry()
			if err := reg.ReadChanges(dir); err != nil {
				t.Fatal(err)
			}
			line := "NAV-7;" + w.today() + ";custody;" + child.Identity.Value + ";" + w.demoPerson(daughter).Identity.Value + "\n"
			if err := os.WriteFile(filepath.Join(dir, "2026-01-05.txt"), []byte(line), 0o600); err != nil {
				t.Fatal(err)
			}
			if n, _, err := w.svc.ApplyRegistryChanges(context.Background(), demo.TenantID, reg, "server", 10); err != nil || n != 1 {
				t.Fatalf("applied %d changes: %v", n, err)
			}
			if slices.Contains(w.citizenSubjects("invanare"), child.ID) {
				t.Error("the mother still acts for the child on Mina sidor")
			}
			if status, body, _ := w.portalPage("invanare", child.ID, "GET", "/portal", nil); status == http.StatusOK && strings.Contains(body, child.GivenName+" "+child.FamilyName) {
				t.Error("the mother still sees the child's page on Mina sidor")
			}
			if !slices.Contains(w.citizenSubjects("dotter"), child.ID) {
				t.Error("the daughter does not act for the child on Mina sidor")
			}
			w.mustPortal("dotter", child.ID, "GET", "/portal", nil, http.StatusOK, child.GivenName)
		})
	}
}

// TestRegistryDeathOnStaffPages: the population registry says journey
// 1's woman died. Her running orders end on the day of death; the
// officer's inbox has a task saying so, which is done once the officer
// opens the case; her person page says when she died.
func TestRegistryDeathOnStaffPages(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			w := newPackWorld(t, engine, time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC), 80)
			jc := w.journeyCase("ibic_sol_aldre")
			person := w.demoPerson(jc.PersonID)
			if officer := w.actor("handlaggare").UserID; jc.AssignedTo != officer {
				w.call("handlaggare", "POST", "/api/v1/cases/"+jc.ID+"/assignment", map[string]string{"user_id": officer}, http.StatusOK, nil)
			}

			dir := t.TempDir()
			reg := persons.NewFileRegistry()
			if err := reg.ReadChanges(dir); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "2026-01-05.txt"),
				[]byte("NAV-9;2026-01-05;death;"+person.Identity.Value+";2026-01-03\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			if n, _, err := w.svc.ApplyRegistryChanges(context.Background(), demo.TenantID, reg, "server", 10); err != nil || n != 1 {
				t.Fatalf("applied %d changes: %v", n, err)
			}
			task := "Avliden 2026-01-03 enligt folkbokföringen"
			w.mustPage("handlaggare", "GET", "/inbox", nil, false, http.StatusOK, task)
			w.mustPage("handlaggare", "GET", "/persons/"+person.ID, nil, false, http.StatusOK, "Avliden", "2026-01-03", "(enligt folkbokföringen)")
			w.mustPage("handlaggare", "GET", "/cases/"+jc.ID, nil, false, http.StatusOK)
			if body := w.mustPage("handlaggare", "GET", "/inbox", nil, false, http.StatusOK); strings.Contains(body, task) {
				t.Error("the death's task is still in the inbox once the officer opened the case")
			}
		})
	}
}
