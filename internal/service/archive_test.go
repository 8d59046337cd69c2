package service_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/archive/earktest"
	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/events"
	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/storetest"
	"github.com/trygg/trygg/internal/trygg"
	"github.com/trygg/trygg/packs"
)

// TestArchiveDeliveryOfTheDemo delivers the demo's closed cases to the
// archive without purging: every package passes the E-ARK validator and
// its ERMS the ERMS v3 schema; the cases are marked archived with an event
// and a logged read on the ground "archive"; a second delivery finds none
// left; a non-archivist and a bad age are refused with nothing changed.
func TestArchiveDeliveryOfTheDemo(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) { testArchiveDelivery(t, storetest.DSN(t, engine)) })
	}
}

func testArchiveDelivery(t *testing.T, dsn string) {
	{
		ctx := context.Background()
		clock := storetest.NewClock(time.Now().UTC())
		db, err := store.Open(ctx, dsn, clock)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		svc := storetest.Service(t, db, nil)
		ds := demo.Generate(demo.Options{Persons: 40, Staff: 20})
		for _, f := range packs.Files() {
			ds.Definitions = append(ds.Definitions, demo.Definition{Name: f.Name, Content: f.Content})
		}
		ds.Definitions = append(ds.Definitions, demo.CityDefinitions()...)
		if _, err := svc.LoadDemo(ctx, ds); err != nil {
			t.Fatal(err)
		}
		walks, err := demo.Walks()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.LoadDemoHistory(ctx, ds, walks, demo.HistoryOptions{Weeks: 4, PerWeek: 1, Today: clock.Now()}); err != nil {
			t.Fatal(err)
		}
		// Three years on, everything closed now is older than two.
		clock.Advance(3 * 366 * 24 * time.Hour)
		officer, err := svc.ActorByUsername(ctx, demo.TenantID, "handlaggare")
		if err != nil {
			t.Fatal(err)
		}
		archivist := trygg.Actor{Tenant: demo.TenantID, UserID: "archivist", Grants: []trygg.Grant{{Role: trygg.RoleArchivist}}}

		for _, bad := range []struct {
			name string
			a    trygg.Actor
			in   service.ArchiveDeliveryIn
			code string
		}{
			{"an officer", officer, service.ArchiveDeliveryIn{OlderThanYears: 2}, trygg.EForbidden},
			{"no age", archivist, service.ArchiveDeliveryIn{}, trygg.EInvalid},
		} {
			if _, err := svc.ArchiveDelivery(ctx, bad.a, bad.in); trygg.ErrorCode(err) != bad.code {
				t.Errorf("%s: err = %v, want %s", bad.name, err, bad.code)
			}
		}
		pre, err := svc.ArchivePreview(ctx, archivist, 2)
		if err != nil {
			t.Fatal(err)
		}
		if pre.Cases == 0 || pre.Persons == 0 {
			t.Fatalf("preview: %+v, want closed cases", pre)
		}
		out, err := svc.ArchiveDelivery(ctx, archivist, service.ArchiveDeliveryIn{OlderThanYears: 2, OrgNumber: "212000-0000"})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("delivery %s: %d cases of %d persons in %d packages", out.ID, out.Cases, out.Persons, len(out.Packages))
		if out.Cases != pre.Cases || out.Persons != pre.Persons || len(out.Packages) != pre.Persons {
			t.Errorf("delivered %d cases of %d persons in %d packages; preview said %+v", out.Cases, out.Persons, len(out.Packages), pre)
		}
		dir := t.TempDir()
		var ermsFiles []string
		for _, p := range out.Packages {
			root, err := p.WriteDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			earktest.Validate(t, root)
			earktest.Checksums(t, filepath.Join(root, "METS.xml"))
			earktest.Checksums(t, filepath.Join(root, "representations", "rep1", "METS.xml"))
			ermsFiles = append(ermsFiles, filepath.Join(root, "metadata", "descriptive", "ERMS.xml"))
		}
		earktest.ERMS(t, ermsFiles...)

		// Marked archived, with an event and a logged read.
		cid := out.Packages[0].Cases[0]
		marks, err := db.CaseArchivings(ctx, demo.TenantID, cid)
		if err != nil || len(marks) != 1 || marks[0].DeliveryID != out.ID || marks[0].PackageID != out.Packages[0].ID {
			t.Errorf("archivings of %s: %+v, %v", cid, marks, err)
		}
		evs, err := db.LatestEventsOfType(ctx, demo.TenantID, events.CaseArchived, 100000)
		if err != nil || len(evs) != out.Cases {
			t.Errorf("case.archived events: %d, %v; want %d", len(evs), err, out.Cases)
		}
		log, err := db.AccessLog(ctx, demo.TenantID, store.AccessLogFilter{ActorID: "archivist", Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, e := range log {
			found = found || (e.CaseID == cid && e.Ground == "archive")
		}
		if len(log) != out.Cases {
			t.Errorf("%d reads logged, want one per case (%d)", len(log), out.Cases)
		}
		if !found {
			t.Errorf("no read of %s on the ground archive in %+v", cid, log)
		}
		// Nothing is left for a second delivery.
		if _, err := svc.ArchiveDelivery(ctx, archivist, service.ArchiveDeliveryIn{OlderThanYears: 2}); trygg.ErrorCode(err) != trygg.EConflict {
			t.Errorf("second delivery: %v, want conflict", err)
		}
	}
}
