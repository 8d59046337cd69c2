package org

import (
	"testing"

	"github.com/trygg/trygg/internal/trygg"
)

func TestUnitValidate(t *testing.T) {
	admin := &Unit{ID: "soc", Kind: KindAdministration, Path: "/soc/"}
	dept := &Unit{ID: "norra", Kind: KindDepartment, Path: "/soc/norra/"}
	leaf := &Unit{ID: "norra-ao", Kind: KindUnit, Path: "/soc/norra/norra-ao/"}
	tests := []struct {
		name       string
		unit       Unit
		parent     *Unit
		wantFields []string
	}{
		{"root administration", Unit{Name: "Socialförvaltningen", Kind: KindAdministration, Field: FieldIFO}, nil, nil},
		{"department under administration", Unit{Name: "Norra", Kind: KindDepartment, Field: FieldElderly}, admin, nil},
		{"unit under department", Unit{Name: "Hemtjänst", Kind: KindUnit, Field: FieldHealth}, dept, nil},
		{"unit under a unit", Unit{Name: "X", Kind: KindUnit, Field: FieldIFO}, leaf, []string{"parent_id"}},
		{"wrong level", Unit{Name: "X", Kind: KindUnit, Field: FieldIFO}, admin, []string{"kind"}},
		{"root must be administration", Unit{Name: "X", Kind: KindDepartment, Field: FieldIFO}, nil, []string{"kind"}},
		{"missing name and field", Unit{Kind: KindAdministration}, nil, []string{"name", "field"}},
		{"unknown field", Unit{Name: "X", Kind: KindAdministration, Field: "SOS"}, nil, []string{"field"}},
		{"name on two lines", Unit{Name: "Hemtjänst\nNorra", Kind: KindUnit, Field: FieldHealth}, dept, []string{"name"}},
		{"name with a direction override", Unit{Name: "Hemtjänst \u202eNorra", Kind: KindUnit, Field: FieldHealth}, dept, []string{"name"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.unit.Validate(tt.parent)
			if len(tt.wantFields) == 0 {
				if err != nil {
					t.Fatalf("want valid, got %v", err)
				}
				return
			}
			te, ok := err.(*trygg.Error)
			if !ok || te.Code != trygg.EInvalid {
				t.Fatalf("want invalid error, got %v", err)
			}
			for _, f := range tt.wantFields {
				if te.Fields[f] == "" {
					t.Errorf("no message for field %q in %v", f, te.Fields)
				}
			}
			if len(te.Fields) != len(tt.wantFields) {
				t.Errorf("fields %v, want exactly %v", te.Fields, tt.wantFields)
			}
		})
	}
}

func TestContains(t *testing.T) {
	tests := []struct {
		outer, inner string
		want         bool
	}{
		{"/soc/", "/soc/norra/ao/", true},
		{"/soc/norra/", "/soc/norra/", true},
		{"/soc/norra/", "/soc/norrab/", false},
		{"/soc/norra/", "/soc/", false},
		{"", "/soc/", false},
	}
	for _, tt := range tests {
		if got := Contains(tt.outer, tt.inner); got != tt.want {
			t.Errorf("Contains(%q, %q) = %v, want %v", tt.outer, tt.inner, got, tt.want)
		}
	}
}
