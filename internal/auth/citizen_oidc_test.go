package auth

import (
	"slices"
	"testing"
)

// TestAcceptedACR: a level of the Swedish scale accepts the higher ones;
// any other value only itself; none configured is LoA 3 and up.
func TestAcceptedACR(t *testing.T) {
	const loa = "http://id.elegnamnden.se/loa/1.0/"
	for _, tc := range []struct {
		name   string
		lowest []string
		want   []string
	}{
		{"default", nil, []string{loa + "loa3", loa + "loa4"}},
		{"blank", []string{" ", ""}, []string{loa + "loa3", loa + "loa4"}},
		{"LoA 2", []string{loa + "loa2"}, []string{loa + "loa2", loa + "loa3", loa + "loa4"}},
		{"LoA 4", []string{loa + "loa4"}, []string{loa + "loa4"}},
		{"a broker's own values", []string{"urn:grn:authn:se:bankid:same-device", " urn:grn:authn:se:bankid:qr"},
			[]string{"urn:grn:authn:se:bankid:same-device", "urn:grn:authn:se:bankid:qr"}},
		{"non-resident LoA 3 is another value", []string{loa + "loa3-nonresident"}, []string{loa + "loa3-nonresident"}},
		{"overlapping", []string{loa + "loa3", loa + "loa4"}, []string{loa + "loa3", loa + "loa4"}},
	} {
		if got := acceptedACR(tc.lowest); !slices.Equal(got, tc.want) {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}
