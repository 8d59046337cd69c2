// Package org holds tenants (kommuner) and their organisation: units in a
// tree from förvaltning (administration) through avdelning (department) to
// enhet (unit), each with its field of social services.
package org

import (
	"strings"

	"github.com/trygg/trygg/internal/storedtext"
	"github.com/trygg/trygg/internal/trygg"
)

// Tenant is a municipality using trygg.
type Tenant struct {
	ID               trygg.TenantID `json:"id"`
	Name             string         `json:"name"`
	MunicipalityCode string         `json:"municipality_code"`
}

// UnitKind is the level of a unit in the tree.
type UnitKind string

// The unit levels.
const (
	KindAdministration UnitKind = "forvaltning" // förvaltning
	KindDepartment     UnitKind = "avdelning"
	KindUnit           UnitKind = "enhet"
)

// Field is the area of social services a unit works in.
type Field string

// The fields.
const (
	FieldElderly    Field = "AO"  // äldreomsorg, elderly care
	FieldIFO        Field = "IFO" // individ- och familjeomsorg, individual and family care
	FieldDisability Field = "FH"  // funktionshinder, disability support (SoL, LSS)
	FieldHealth     Field = "HSL" // municipal health care (hälso- och sjukvårdslagen)
)

// Unit is a node in the organisation tree.
type Unit struct {
	ID       string   `json:"id"`
	ParentID string   `json:"parent_id,omitempty"`
	Name     string   `json:"name"`
	Kind     UnitKind `json:"kind"`
	Field    Field    `json:"field"`
	// Path is the materialised path of ids from the root, "/a/b/".
	Path string `json:"-"`
}

// Validate checks a unit to be created under parent (nil for a root) and
// returns an invalid error naming every wrong field.
func (u Unit) Validate(parent *Unit) error {
	fields := map[string]string{}
	if strings.TrimSpace(u.Name) == "" {
		fields["name"] = "Name is required."
	} else if len(u.Name) > 200 {
		fields["name"] = "Name is longer than 200 characters."
	} else if err := storedtext.Check(u.Name, storedtext.Line); err != nil {
		fields["name"] = err.Error()
	}
	switch u.Field {
	case FieldElderly, FieldIFO, FieldDisability, FieldHealth:
	default:
		fields["field"] = "Field must be one of AO, IFO, FH, HSL."
	}
	want := KindAdministration
	if parent != nil {
		switch parent.Kind {
		case KindAdministration:
			want = KindDepartment
		case KindDepartment:
			want = KindUnit
		default:
			fields["parent_id"] = "A unit (enhet) cannot have sub-units."
		}
	}
	if u.Kind != want && fields["parent_id"] == "" {
		fields["kind"] = "Kind must be " + string(want) + " at this level of the tree."
	}
	if len(fields) > 0 {
		return trygg.Invalid("The unit is not valid.", fields)
	}
	return nil
}

// Contains reports whether the unit with path inner lies in the subtree
// rooted at the unit with path outer.
func Contains(outer, inner string) bool {
	return outer != "" && strings.HasPrefix(inner, outer)
}
