package process

import "testing"

func TestReferences(t *testing.T) {
	for _, tc := range []struct{ id, want string }{
		{"ekonomiskt_bistand", "EB"},
		{"ibic_sol_aldre", "ISA"},
		{"bbic_barn", "BB"},
		{"a_b_c_d_e", "ABCD"},
		{"korkortsbidrag", "K"},
		{"_", "ÄR"},
		{"9x", "ÄR"},
	} {
		if got := ReferencePrefix(nil, tc.id); got != tc.want {
			t.Errorf("prefix of %q: %q, want %q", tc.id, got, tc.want)
		}
	}
	if got := FormatReference("EB", 2026, 417); got != "EB-2026-00417" {
		t.Errorf("FormatReference: %q", got)
	}
	if got := FormatReference("EB", 2026, 123456); got != "EB-2026-123456" {
		t.Errorf("FormatReference past five digits: %q", got)
	}
	for p, want := range map[string]bool{"EB": true, "BBIC": true, "ABCDEF": true, "ABCDEFG": false, "": false, "eb": false, "ÄR": true, "E1": false, "ÅÄÖÅÄÖ": true, "ÅÄÖÅÄÖÅ": false} {
		if ValidReferencePrefix(p) != want {
			t.Errorf("ValidReferencePrefix(%q) = %v", p, !want)
		}
	}
}
