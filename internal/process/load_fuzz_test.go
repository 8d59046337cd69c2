package process

import (
	"os"
	"testing"

	"github.com/trygg/trygg/internal/trygg"
)

// FuzzLoad feeds arbitrary bytes as a definition file through Load,
// Validate and Compile. None may panic, every problem must point at the
// file with a line and column of at least 1, and Compile must succeed
// exactly when Validate finds nothing. What compiles is run a little too
// (forms, transitions and legacy mappings' lookups).
// The seed corpus is in testdata/fuzz/FuzzLoad; run it longer with
//
//	go test ./internal/process -run '^$' -fuzz FuzzLoad -fuzztime 30s
func FuzzLoad(f *testing.F) {
	grant, err := os.ReadFile("../../examples/definitions/grant.yaml")
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range []string{string(grant), supportYAML, edgeYAML, okCodes + okForm, legacyBase + legacyYAML} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		const name = "fuzz.yaml"
		check := func(step string, probs Problems) {
			t.Helper()
			for _, p := range probs {
				if p.Pos.File != name || p.Pos.Line < 1 || p.Pos.Column < 1 || p.Message == "" {
					t.Fatalf("%s: problem without a proper place: %q at %+v", step, p.Message, p.Pos)
				}
			}
		}
		b, probs := Load([]File{{Name: name, Data: data}})
		check("Load", probs)
		vprobs := Validate(b)
		check("Validate", vprobs)
		c, cprobs := Compile(b)
		if (c != nil) != (len(vprobs) == 0) {
			t.Fatalf("Compile gave %v, Validate %d problems: %v", c != nil, len(vprobs), vprobs)
		}
		if c == nil {
			if len(cprobs) != len(vprobs) {
				t.Fatalf("Compile gave %d problems, Validate %d", len(cprobs), len(vprobs))
			}
			return
		}
		for _, id := range c.LegacyMappings() {
			m := c.LegacyMapping(id)
			for _, ct := range b.CaseTypes {
				m.Insats(ct.ID.Value, string(data))
			}
			for _, cs := range b.CodeSystems {
				m.Code(cs.ID.Value, string(data))
			}
			m.Amount(string(data), int64(len(data))-50)
		}
		ctx := Context{PersonAge: 40, Roles: trygg.Roles, Today: today}
		for _, fm := range b.Forms {
			if _, err := c.EvaluateForm(fm.ID.Value, map[string]any{}, ctx, "sv"); err != nil {
				t.Fatalf("EvaluateForm(%s): %v", fm.ID.Value, err)
			}
		}
		for _, ct := range b.CaseTypes {
			ctx.CaseType, ctx.CaseStep = ct.ID.Value, ct.Start.Value
			for _, a := range c.Available(ct.ID.Value, ctx, nil, "en") {
				if !a.Allowed && a.Reason == "" {
					t.Fatalf("transition %s blocked without a reason", a.ID)
				}
			}
		}
	})
}
