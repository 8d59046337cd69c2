package store_test

import (
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/trygg/trygg/internal/org"
	"github.com/trygg/trygg/internal/persons"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/trygg"
)

// TestPersonSearchMatching is the name search's matching rules on both
// engines and by every plan: a prefix, a part in the middle of a name,
// several words in either order, case, the accents a Swedish reader does
// not count (é is e, ü is u) and the letters they do (å, ä and ö are not
// a and o), the order of the hits, and persons the officer may not read
// (protected, or without a case in the officer's unit) never found.
func TestPersonSearchMatching(t *testing.T) {
	eachEngine(t, func(t *testing.T, engine string) {
		r := openRaw(t, engine, true)
		db := r.DB
		ctx := t.Context()
		const tenant trygg.TenantID = "north"
		createTenant(t, db, tenant)
		type person struct {
			family, given string
			prot          persons.Protection
			unit          string // the unit of the person's case
		}
		people := []person{
			{"Öhlund", "Anna", 0, "unit-a"},
			{"Ohlsson", "Per", 0, "unit-a"},
			{"Andersson", "Åsa", 0, "unit-a"},
			{"Åberg", "Lena", 0, "unit-a"},
			{"Lindberg", "Erik", 0, "unit-a"},
			{"Sandberg", "Lisa", 0, "unit-a"},
			{"Bergström", "José", 0, "unit-a"},
			{"Müller", "Jürgen", 0, "unit-a"},
			{"Ek-Lund", "Maria", 0, "unit-a"},
			{"Andersson", "Skyddad", persons.ProtectionProtected, "unit-a"},
			{"Anderberg", "Utanför", 0, "unit-b"},
		}
		update(t, db, func(tx *store.Tx) error {
			for _, u := range []string{"unit-a", "unit-b"} {
				if err := tx.CreateUnit(ctx, tenant, org.Unit{ID: u, Name: u, Kind: org.KindAdministration, Field: org.FieldIFO, Path: "/" + u + "/"}); err != nil {
					return err
				}
			}
			if err := tx.InsertUser(ctx, tenant, store.User{ID: "u-1", Username: "officer", DisplayName: "Officer"}); err != nil {
				return err
			}
			if err := tx.GrantRole(ctx, tenant, "u-1", trygg.RoleOfficer, "unit-a"); err != nil {
				return err
			}
			for i, p := range people {
				id := fmt.Sprintf("p-%d", i)
				if err := tx.InsertPerson(ctx, tenant, persons.Person{ID: id, Identity: testIdentity(i + 1), GivenName: p.given, FamilyName: p.family, Protection: p.prot}); err != nil {
					return err
				}
				if err := tx.InsertCase(ctx, tenant, store.Case{ID: "c-" + id, PersonID: id, UnitID: p.unit, CaseType: "test", Title: "case",
					Status: "open", OpenedAt: tx.Now}); err != nil {
					return err
				}
			}
			return nil
		})
		officer := actorOf(t, db, tenant, "u-1")
		tests := []struct {
			query string
			want  []string // "Family Given", in the order found
		}{
			{"and", []string{"Andersson Åsa", "Sandberg Lisa"}},                                  // not the protected one, not outside the unit
			{"AND", []string{"Andersson Åsa", "Sandberg Lisa"}},                                  // case
			{"berg", []string{"Bergström José", "Lindberg Erik", "Sandberg Lisa", "Åberg Lena"}}, // the start first, then the middle
			{"ndb", []string{"Lindberg Erik", "Sandberg Lisa"}},                                  // the middle of a name
			{"lisa sand", []string{"Sandberg Lisa"}},                                             // words in either order
			{"sand li", []string{"Sandberg Lisa"}},                                               // a short second word anywhere
			{"ohl", []string{"Ohlsson Per"}},                                                     // ö is not o
			{"öhl", []string{"Öhlund Anna"}},                                                     // ö is ö
			{"ÖHLUND", []string{"Öhlund Anna"}},                                                  // Ö is ö
			{"åsa", []string{"Andersson Åsa"}},                                                   // å is å
			{"asa", nil},                                                                         // å is not a
			{"åb", []string{"Åberg Lena"}},                                                       // two letters: the start of the name
			{"be", []string{"Bergström José"}},                                                   // two letters: not the middle
			{"jose", []string{"Bergström José"}},                                                 // é is e
			{"josé", []string{"Bergström José"}},                                                 // é is é
			{"muller jurgen", []string{"Müller Jürgen"}},                                         // ü is u
			{"ek-l", []string{"Ek-Lund Maria"}},                                                  // a hyphen as written
			{"skyddad", nil},                                                                     // protected
			{"utanför", nil},                                                                     // no case in the officer's unit
			{"50%", nil},                                                                         // LIKE's wildcards are letters
		}
		for _, plan := range []store.SearchPlan{store.PlanAuto, store.PlanByName, store.PlanByScope} {
			for _, tc := range tests {
				t.Run(fmt.Sprintf("plan-%d/%s", plan, tc.query), func(t *testing.T) {
					got := searchNames(t, db, officer, tc.query, plan)
					if !slices.Equal(got, tc.want) {
						t.Errorf("search %q: %q, want %q", tc.query, got, tc.want)
					}
				})
			}
		}
		// The same officer with permission for protected identities finds
		// the protected person, and the limit cuts the list in its order.
		officer.ProtectedIdentity = true
		if got := searchNames(t, db, officer, "andersson", store.PlanAuto); !slices.Equal(got, []string{"Andersson Skyddad", "Andersson Åsa"}) {
			t.Errorf("with the permission: %q", got)
		}
		found, err := db.SearchPersons(ctx, officer, store.PersonQuery{Name: "berg", Limit: 2, Plan: store.PlanByName})
		if err != nil || len(found) != 2 || found[1].FamilyName != "Lindberg" {
			t.Errorf("berg, limit 2: %+v, %v", found, err)
		}
		// A name changed by a write is found by its new form only (the
		// indexes follow every write; retention's purge empties it).
		r.exec(t, `UPDATE persons SET name_search = '' WHERE tenant_id = 'north' AND id = 'p-4'`)
		if got := searchNames(t, db, officer, "lindberg", store.PlanByName); len(got) != 0 {
			t.Errorf("a purged name is still found: %q", got)
		}
		if got := searchNames(t, db, officer, "ndbe", store.PlanByName); !slices.Equal(got, []string{"Sandberg Lisa"}) {
			t.Errorf("ndbe after the purge: %q", got)
		}
	})
}

func searchNames(t *testing.T, db *store.DB, a trygg.Actor, q string, plan store.SearchPlan) []string {
	t.Helper()
	found, err := db.SearchPersons(t.Context(), a, store.PersonQuery{Name: q, Plan: plan})
	if err != nil {
		t.Fatalf("search %q: %v", q, err)
	}
	var out []string
	for _, p := range found {
		out = append(out, p.FamilyName+" "+p.GivenName)
	}
	return out
}

// TestNameFoldMigration checks that migration 0036, which folded the
// names stored before, folds the letters persons.NameKey folds, in its
// order.
func TestNameFoldMigration(t *testing.T) {
	src, err := os.ReadFile("migrations/0036_name_search.sql")
	if err != nil {
		t.Fatal(err)
	}
	update, _, _ := strings.Cut(string(src), "WHERE")
	var got [][2]string
	for _, m := range regexp.MustCompile(`, '([^']+)', '([^']+)'\)`).FindAllStringSubmatch(update, -1) {
		got = append(got, [2]string{m[1], m[2]})
	}
	if !slices.Equal(got, persons.NameFolds) {
		t.Errorf("the migration folds %q, persons.NameFolds is %q", got, persons.NameFolds)
	}
}
