package org

import (
	"strings"
	"testing"
)

func TestParseOrgNumber(t *testing.T) {
	tests := []struct {
		in, want, err string
	}{
		{"212000-1355", "212000-1355", ""}, // a municipality's number
		{"2120001355", "212000-1355", ""},
		{"16212000-1355", "212000-1355", ""},
		{" 556036-0793 ", "556036-0793", ""}, // an aktiebolag
		{"556036-0794", "", "check digit"},
		{"19121212-1212", "", "ten digits"},
		{"121212-1212", "", "third digit"}, // a personal identity number
		{"55603-60793", "556036-0793", ""}, // a hyphen elsewhere: still ten digits
		{"5560-36-0793", "", "ten digits"},
		{"abc", "", "ten digits"},
		{"", "", "ten digits"},
	}
	for _, tt := range tests {
		got, err := ParseOrgNumber(tt.in)
		switch {
		case tt.err == "" && tt.want != "" && (err != nil || got != tt.want):
			t.Errorf("ParseOrgNumber(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("ParseOrgNumber(%q) = %q, %v; want an error about %q", tt.in, got, err, tt.err)
		}
	}
}

func FuzzParseOrgNumber(f *testing.F) {
	for _, s := range []string{"212000-1355", "5560360793", "16212000-1355", "121212-1212", "--", "1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseOrgNumber(s)
		if err != nil {
			return
		}
		if len(got) != 11 || got[6] != '-' {
			t.Fatalf("ParseOrgNumber(%q) = %q, not NNNNNN-NNNN", s, got)
		}
		again, err := ParseOrgNumber(got)
		if err != nil || again != got {
			t.Fatalf("not stable: %q -> %q -> %q, %v", s, got, again, err)
		}
	})
}
