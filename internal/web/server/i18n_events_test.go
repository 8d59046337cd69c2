package server

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// notOnATimeline are the event types that never reach a case's history or
// a citizen's extract: events about the tenant, units, persons, accounts,
// definitions, providers and API clients, and the drafts the timeline
// leaves out.
var notOnATimeline = map[string]bool{
	"tenant.created": true, "unit.created": true,
	"person.registered": true, "person.updated": true, "person.relation_added": true,
	"user.created": true, "user.role_granted": true, "user.permission_granted": true, "user.signed_in": true, "user.signed_out": true,
	"definitions.published": true, "definitions.draft_changed": true,
	"form.draft_saved": true, "note.draft_saved": true, "decision.drafted": true,
	"provider.registered": true, "api_client.created": true, "api_client.revoked": true,
	"application.draft_saved": true, "application.draft_deleted": true, "slot.published": true, "slot.withdrawn": true,
	"person.records_extracted": true, "register.file_made": true,
	"retention.warned": true, "retention.previewed": true, "retention.approved": true, "retention.run": true,
	"legacy.run_started": true, "legacy.run_finished": true, "demo.history_written": true,
	"subscription.created": true, "subscription.paused": true, "subscription.resumed": true, "subscription.replayed": true,
	"subscription.secret_rotated": true, "subscription.disabled": true, "subscription.deleted": true,
}

// TestEventsHaveLabels: every event type a case's history shows has a
// label in Swedish and English, so no page ever shows "event.deadline.moved".
func TestEventsHaveLabels(t *testing.T) {
	files, err := filepath.Glob("../../events/*.go")
	if err != nil || len(files) == 0 {
		t.Fatalf("no event files in internal/events: %v", err)
	}
	var types []string
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if vs, ok := n.(*ast.ValueSpec); ok {
				for _, v := range vs.Values {
					if lit, ok := v.(*ast.BasicLit); ok && lit.Kind == token.STRING {
						if s, _ := strconv.Unquote(lit.Value); strings.Contains(s, ".") && !strings.Contains(s, " ") {
							types = append(types, s)
						}
					}
				}
			}
			return true
		})
	}
	if len(types) < 50 {
		t.Fatalf("found only %d event types in internal/events", len(types))
	}
	for _, typ := range types {
		if notOnATimeline[typ] {
			continue
		}
		for _, lang := range []string{"sv", "en"} {
			if text, ok := localize(lang, "event."+typ, nil); !ok || text == "" {
				t.Errorf("event %s has no label event.%s in locales/%s.yaml", typ, typ, lang)
			}
		}
	}
}
