package process

import (
	"regexp"
	"unicode/utf8"
)

// Recovery says that a case type's decisions may be recovered (återkrav:
// a decision that the person repays an amount paid wrongly) and on which
// legal bases. A case type without it has no recovery. Only a case type
// whose decisions count money (amount_unit: money) may have it.
type Recovery struct {
	LegalBases []RecoveryBasis `yaml:"legal_bases"`
}

// RecoveryBasis is a legal basis a recovery decision may cite: an id the
// debt keeps (lowercase letters, digits and _) and its name as the
// officer reads it.
type RecoveryBasis struct {
	ID   Str  `yaml:"id"`
	Name Text `yaml:"name"`
}

// Recovery returns the recovery of the case type, nil when it has none.
func (ct *CaseType) Recovery() *Recovery {
	if ct == nil || ct.Decisions == nil {
		return nil
	}
	return ct.Decisions.Recovery
}

// Basis returns the legal basis with the id, false when the recovery
// has none.
func (r *Recovery) Basis(id string) (RecoveryBasis, bool) {
	if r == nil {
		return RecoveryBasis{}, false
	}
	for _, b := range r.LegalBases {
		if b.ID.Value == id {
			return b, true
		}
	}
	return RecoveryBasis{}, false
}

var recoveryBasisID = regexp.MustCompile(`^[a-z0-9_]{1,40}$`)

// recovery checks a case type's decisions.recovery.
func (v *validator) recovery(d *Decisions) {
	r := d.Recovery
	if r == nil {
		return
	}
	if d.AmountUnit.Value != UnitMoney {
		v.add(d.Insatser.Pos, "check.recovery.not_money")
	}
	if len(r.LegalBases) == 0 {
		v.add(d.Insatser.Pos, "check.recovery.no_legal_bases")
	}
	seen := map[string]bool{}
	for _, b := range r.LegalBases {
		switch {
		case !recoveryBasisID.MatchString(b.ID.Value):
			v.add(b.ID.Pos, "check.recovery.basis_id", "ID", b.ID.Value)
		case seen[b.ID.Value]:
			v.add(b.ID.Pos, "check.recovery.basis_twice", "ID", b.ID.Value)
		}
		seen[b.ID.Value] = true
		v.text(b.Name, b.ID.Pos, "check.recovery.basis_name", "ID", b.ID.Value)
		if utf8.RuneCountInString(b.Name.SV) > 200 || utf8.RuneCountInString(b.Name.EN) > 200 {
			v.add(b.ID.Pos, "check.recovery.basis_name_long", "ID", b.ID.Value)
		}
	}
}
