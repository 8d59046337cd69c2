package web_test

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/archive/earktest"
	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/events"
	"github.com/trygg/trygg/internal/storetest"
	"github.com/trygg/trygg/internal/trygg"
)

// archivistUser is the test's own archivist, added to the demo dataset.
const archivistUser = "arkiv-test"

var deliveryName = regexp.MustCompile(`^attachment; filename="(leverans-\d{8}-\d{6}\.zip)"$`)

// TestArchivePage has an archivist deliver closed cases to the archive
// from "Leverans till arkivet": the menu leads there; the first preview
// (10 years) has nothing to deliver and offers no button; 2 years shows
// the service's counts of cases and persons; "Leverera" streams back a zip
// named by the delivery's id with a package per person, the first of them
// passing the E-ARK validator and its ERMS the ERMS schema. A case
// delivered says "Arkiverad <day>" in its header and its history names
// the delivery; a second delivery finds nothing left, said at the age
// field. An age that is no number is refused at its field and an officer
// is refused the page and the delivery, nothing changed.
func TestArchivePage(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
			w := newPackWorldWith(t, engine, start, 40, func(ds *demo.Dataset) {
				ds.Users = append(ds.Users, demo.User{ID: "u-arkiv-test", Username: archivistUser, DisplayName: "Arvid Arkivarie",
					Grants: []trygg.Grant{{Role: trygg.RoleArchivist, UnitID: "soc"}}})
			})
			ctx := context.Background()
			walks, err := demo.Walks()
			if err != nil {
				t.Fatal(err)
			}
			if _, err := w.svc.LoadDemoHistory(ctx, w.ds, walks, demo.HistoryOptions{Weeks: 4, PerWeek: 1, Today: start}); err != nil {
				t.Fatal(err)
			}
			w.advance(3 * 366 * 24 * time.Hour) // everything closed now is older than two years
			archived := func() int {
				evs, err := w.db.LatestEventsOfType(ctx, demo.TenantID, events.CaseArchived, 100000)
				if err != nil {
					t.Fatal(err)
				}
				return len(evs)
			}

			// The menu leads to the page; ten years: nothing to deliver.
			page := w.mustPage(archivistUser, "GET", "/archive", nil, false, http.StatusOK,
				`href="/archive"`, "<h1>Leverans till arkivet</h1>", `value="10"`, "Inget att leverera.")
			if strings.Contains(page, `action="/archive/deliveries"`) {
				t.Errorf("nothing to deliver, yet the page offers Leverera:\n%s", mainOf(page))
			}

			// Two years: the service's counts.
			arch, err := w.svc.ActorByUsername(ctx, demo.TenantID, archivistUser)
			if err != nil {
				t.Fatal(err)
			}
			pre, err := w.svc.ArchivePreview(ctx, arch, 2)
			if err != nil || pre.Cases == 0 {
				t.Fatalf("preview: %+v %v, want closed cases", pre, err)
			}
			w.mustPage(archivistUser, "GET", "/archive?older_than_years=2&split=personakt", nil, false, http.StatusOK,
				"<dd>"+strconv.Itoa(pre.Cases)+"</dd>", "<dd>"+strconv.Itoa(pre.Persons)+"</dd>",
				`action="/archive/deliveries"`, `name="older_than_years" value="2"`, `name="split" value="personakt"`, ">Leverera</button>")

			// Bad input and the wrong role: refused, nothing changed.
			for _, bad := range []struct {
				name, user, method, path string
				form                     url.Values
				want                     int
				says                     []string
			}{
				{"an age in letters", archivistUser, "GET", "/archive?older_than_years=tv%C3%A5", nil, http.StatusUnprocessableEntity,
					[]string{`id="error-summary"`, `aria-invalid="true"`, `<p class="field-error" id="years-error">Ange ärendenas ålder i hela år, från 1 till 100.</p>`, `value="två"`}},
				{"delivering an age in letters", archivistUser, "POST", "/archive/deliveries", url.Values{"older_than_years": {"tio"}}, http.StatusUnprocessableEntity,
					[]string{`aria-invalid="true"`, "Ange ärendenas ålder i hela år, från 1 till 100."}},
				{"delivering 0 years", archivistUser, "POST", "/archive/deliveries", url.Values{"older_than_years": {"0"}}, http.StatusUnprocessableEntity,
					[]string{"Ange ärendenas ålder i hela år"}},
				{"an officer's preview", "handlaggare", "GET", "/archive?older_than_years=2", nil, http.StatusForbidden,
					[]string{"Bara en arkivarie kan leverera till arkivet."}},
				{"an officer's delivery", "handlaggare", "POST", "/archive/deliveries", url.Values{"older_than_years": {"2"}}, http.StatusForbidden,
					[]string{"Bara en arkivarie kan leverera till arkivet."}},
			} {
				status, body, _ := w.page(bad.user, bad.method, bad.path, bad.form, false)
				if status != bad.want {
					t.Errorf("%s: status %d, want %d\n%s", bad.name, status, bad.want, mainOf(body))
				}
				for _, s := range bad.says {
					if !strings.Contains(body, s) {
						t.Errorf("%s: the page lacks %q\n%s", bad.name, s, mainOf(body))
					}
				}
				if n := archived(); n != 0 {
					t.Fatalf("%s: %d cases archived", bad.name, n)
				}
			}
			if page := w.mustPage("handlaggare", "GET", "/me", nil, false, http.StatusOK); strings.Contains(page, `href="/archive"`) {
				t.Errorf("an officer's menu offers the archive delivery")
			}

			// Leverera: the zip comes back, named without personal data.
			resp, err := w.srv.Client().Do(w.pageRequest(archivistUser, "POST", "/archive/deliveries",
				url.Values{"older_than_years": {"2"}, "split": {"personakt"}}, false))
			if err != nil {
				t.Fatal(err)
			}
			zipData, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/zip" ||
				!deliveryName.MatchString(resp.Header.Get("Content-Disposition")) {
				t.Fatalf("delivery: %d %v\n%.500s", resp.StatusCode, resp.Header, zipData)
			}
			dir := t.TempDir()
			pkgs := unzipPackages(t, zipData, dir)
			if len(pkgs) != pre.Persons || archived() != pre.Cases {
				t.Errorf("the zip holds %d packages and %d cases are archived; the preview said %d persons, %d cases",
					len(pkgs), archived(), pre.Persons, pre.Cases)
			}
			root := filepath.Join(dir, pkgs[0])
			earktest.Validate(t, root)
			earktest.Checksums(t, filepath.Join(root, "METS.xml"))
			earktest.ERMS(t, filepath.Join(root, "metadata", "descriptive", "ERMS.xml"))

			// The case page says it is archived, and when; its history
			// names the delivery.
			evs, err := w.db.LatestEventsOfType(ctx, demo.TenantID, events.CaseArchived, 100000)
			if err != nil {
				t.Fatal(err)
			}
			day := w.today()
			shown := false
			for _, e := range evs {
				status, body, _ := w.page("arbetsledare", "GET", "/cases/"+e.CaseID, nil, false)
				if status != http.StatusOK {
					continue
				}
				shown = true
				for _, s := range []string{`<span class="tag archived">Arkiverad ` + day + `</span>`, "<strong>Ärendet levererades till arkivet</strong>"} {
					if !strings.Contains(body, s) {
						t.Errorf("case page of an archived case lacks %q\n%s", s, mainOf(body))
					}
				}
				break
			}
			if !shown {
				t.Errorf("the team lead could open none of the %d archived cases", len(evs))
			}

			// Nothing left: said at the age field, nothing changed.
			before := archived()
			w.mustPage(archivistUser, "POST", "/archive/deliveries", url.Values{"older_than_years": {"2"}}, false, http.StatusConflict,
				`aria-invalid="true"`, "Det finns inga avslutade ärenden så gamla kvar att leverera till arkivet.")
			w.mustPage(archivistUser, "GET", "/archive?older_than_years=2", nil, false, http.StatusOK, "Inget att leverera.")
			if archived() != before {
				t.Errorf("a second delivery archived more cases")
			}
		})
	}
}

// unzipPackages writes a delivery's zip into dir and returns its packages'
// folders, in the zip's order.
func unzipPackages(t *testing.T, data []byte, dir string) []string {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatalf("the delivery is no zip: %v", err)
	}
	var pkgs []string
	seen := map[string]bool{}
	for _, f := range z.File {
		top, _, _ := strings.Cut(f.Name, "/")
		if !seen[top] {
			seen[top] = true
			pkgs = append(pkgs, top)
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, filepath.FromSlash(f.Name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return pkgs
}
