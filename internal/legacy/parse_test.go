package legacy

import (
	"strings"
	"testing"
)

func TestLegacyParseDate(t *testing.T) {
	tests := []struct {
		in, want string
		bad      bool
	}{
		{in: "", want: ""},
		{in: "2019-03-04", want: "2019-03-04"},
		{in: " 2019-3-4 ", want: "2019-03-04"},
		{in: "20190304", want: "2019-03-04"},
		{in: "190304", want: "2019-03-04"},
		{in: "450312", want: "1945-03-12"},
		{in: "4/3 2019", want: "2019-03-04"},
		{in: "4/3/2019", want: "2019-03-04"},
		{in: "04.03.2019", want: "2019-03-04"},
		{in: "4.3.2019", want: "2019-03-04"},
		{in: "2019-03-04 00:00", want: "2019-03-04"},
		{in: "2019-03-04 13:45:07", want: "2019-03-04"},
		{in: "2020-02-29", want: "2020-02-29"},
		{in: "2019-02-29", bad: true},
		{in: "1900-02-29", bad: true},
		{in: "2000-02-29", want: "2000-02-29"},
		{in: "2019-13-01", bad: true},
		{in: "2019-04-31", bad: true},
		{in: "1799-12-31", bad: true},
		{in: "2019/03/04", bad: true},
		{in: "4 mars 2019", bad: true},
		{in: "19-03-04", bad: true},
		{in: "2019-03-04 25:00", bad: true},
		{in: "201903041", bad: true},
		{in: "ja", bad: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseDate(tt.in)
			if tt.bad {
				if err == nil {
					t.Fatalf("ParseDate(%q) = %q, want an error", tt.in, got)
				}
				if !isReason(err) {
					t.Errorf("the error is not one of the fixed reasons: %v", err)
				}
				return
			}
			if err != nil || string(got) != tt.want {
				t.Fatalf("ParseDate(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

// isReason reports whether err is one of the parsers' fixed reasons,
// which never hold the value.
func isReason(err error) bool {
	for _, r := range []error{errDate, errDay, errYear, errTime, errClock, errAmount, errAmbig, errCents, errTooBig, errBool, errInt, errNegInt, errMissing, errPeriod} {
		if err == r {
			return true
		}
	}
	return false
}

func TestLegacyParseTime(t *testing.T) {
	tests := []struct {
		in, want string
		bad      bool
	}{
		{in: "", want: ""},
		// Swedish winter time is UTC+1, summer time UTC+2.
		{in: "2019-03-04 13:45", want: "2019-03-04T12:45:00Z"},
		{in: "2019-03-04 13:45:07", want: "2019-03-04T12:45:07Z"},
		{in: "2019-03-04T13:45:07", want: "2019-03-04T12:45:07Z"},
		{in: "2019-07-01 13:45", want: "2019-07-01T11:45:00Z"},
		{in: "2019-07-01 13.45", want: "2019-07-01T11:45:00Z"},
		{in: "4/3 2019 08:00", want: "2019-03-04T07:00:00Z"},
		{in: "201903041345", want: "2019-03-04T12:45:00Z"},
		{in: "20190304134507", want: "2019-03-04T12:45:07Z"},
		{in: "2019-03-04T13:45:07+01:00", want: "2019-03-04T12:45:07Z"},
		{in: "2019-03-04T12:45:07Z", want: "2019-03-04T12:45:07Z"},
		{in: "2019-03-04 12:45:07Z", want: "2019-03-04T12:45:07Z"},
		{in: "2019-03-04 13:45:07.250", want: "2019-03-04T12:45:07Z"},
		{in: "2019-03-04", want: "2019-03-03T23:00:00Z"},
		{in: "2019-07-01", want: "2019-06-30T22:00:00Z"},
		{in: "4/3 2019", want: "2019-03-03T23:00:00Z"},
		{in: "20190304", want: "2019-03-03T23:00:00Z"},
		{in: "2019-03-04T13:45:07z", want: "2019-03-04T13:45:07Z"},
		{in: "2019-03-04 13:45:07-01:00", want: "2019-03-04T14:45:07Z"},
		{in: "2019-03-04T13:45+01:00", bad: true},
		{in: "2019-03-04 24:00", bad: true},
		{in: "2019-03-04 13:60", bad: true},
		{in: "2019-03-04 1345", bad: true},
		{in: "201903042400", bad: true},
		{in: "2019-02-30 10:00", bad: true},
		{in: "igår", bad: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseTime(tt.in)
			if tt.bad {
				if err == nil {
					t.Fatalf("ParseTime(%q) = %q, want an error", tt.in, got)
				}
				if !isReason(err) {
					t.Errorf("the error is not one of the fixed reasons: %v", err)
				}
				return
			}
			if err != nil || string(got) != tt.want {
				t.Fatalf("ParseTime(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestLegacyParseOre(t *testing.T) {
	tests := []struct {
		in   string
		want Ore
		bad  bool
	}{
		{in: "", want: 0},
		{in: "1234", want: 123400},
		{in: "1 234,50", want: 123450},
		{in: "1\u00a0234,50", want: 123450},
		{in: "1234.50", want: 123450},
		{in: "1234,5", want: 123450},
		{in: "0,05", want: 5},
		{in: "-50", want: -5000},
		{in: "−50,25", want: -5025},
		{in: "1.234,50", want: 123450},
		{in: "1,234.50", want: 123450},
		{in: "1.234.567", want: 123456700},
		{in: "1 234:-", want: 123400},
		{in: "1234 kr", want: 123400},
		{in: "12,5", want: 1250}, // hours in a decision: hundredths
		{in: "1.234", bad: true}, // thousands or three decimals?
		{in: "1,234", bad: true},
		{in: "1,2,3", bad: true},
		{in: "12.34,50", bad: true},
		{in: "1,5.0", bad: true},
		{in: "1,234,5", bad: true},
		{in: "1.23456", bad: true},
		{in: "12,", bad: true},
		{in: ",50", bad: true},
		{in: "12a", bad: true},
		{in: "1e3", bad: true},
		{in: "99999999999999", bad: true},
		{in: "--5", bad: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseOre(tt.in)
			if tt.bad {
				if err == nil {
					t.Fatalf("ParseOre(%q) = %d, want an error", tt.in, got)
				}
				if !isReason(err) {
					t.Errorf("the error is not one of the fixed reasons: %v", err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ParseOre(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestLegacyOreFormat(t *testing.T) {
	for _, o := range []Ore{0, 5, 100, 123450, -5025, 999_999_999_999_999} {
		back, err := ParseOre(o.String())
		if err != nil || back != o {
			t.Errorf("ParseOre(%q) = %d, %v; want %d", o.String(), back, err, o)
		}
		b, _ := o.MarshalJSON()
		var j Ore
		if err := j.UnmarshalJSON(b); err != nil || j != o {
			t.Errorf("JSON %s = %d, %v; want %d", b, j, err, o)
		}
	}
}

func TestLegacyParseBool(t *testing.T) {
	for in, want := range map[string]bool{"J": true, "ja": true, "1": true, "true": true, "N": false, "Nej": false, "0": false, "false": false, "": false} {
		if got, err := ParseBool(in); err != nil || got != want {
			t.Errorf("ParseBool(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	if _, err := ParseBool("kanske"); err == nil {
		t.Error("ParseBool(kanske) gave no error")
	}
}

func TestLegacyParsePeriod(t *testing.T) {
	for in, want := range map[string]string{"": "", "2019-03": "2019-03", "2019-3": "2019-03", "201903": "2019-03", "2019/03": "2019-03",
		"2019-13": "", "2019-00": "", "19-03": "", "mars 2019": "", "1700-01": "", "2019-003": ""} {
		got, err := ParsePeriod(in)
		if got != want || (err != nil) != (want == "" && in != "") || err != nil && !isReason(err) {
			t.Errorf("ParsePeriod(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

func TestLegacyRepairMojibake(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Ã¤ldreomsorg", "äldreomsorg"},
		{"SjÃ¶berg, GÃ¶teborg", "Sjöberg, Göteborg"},
		{"Ã…sa Ã–berg Ã„ngel", "Åsa Öberg Ängel"},
		{"Â§ 4", "§ 4"},
		{"13â€“14", "13–14"},
		{"Ã", "Ã"},
		{"SÃO PAULO", "SÃO PAULO"},
		{"vanlig text", "vanlig text"},
		{"Ära och Öl", "Ära och Öl"},
	}
	for _, tt := range tests {
		if got := repairMojibake(tt.in); got != tt.want {
			t.Errorf("repairMojibake(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestLegacyDecodeText(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		enc  Encoding
		want string
	}{
		{"utf-8", []byte("Åsa Sjöberg"), EncodingUTF8, "Åsa Sjöberg"},
		{"windows-1252", []byte("\xc5sa Sj\xf6berg \x96 \x80"), EncodingWindows1252, "Åsa Sjöberg – €"},
		{"Windows-1252 bytes in UTF-8", []byte("Åsa Sj\xf6berg"), EncodingUTF8, "Åsa Sjöberg"},
		{"mojibake in Windows-1252", []byte("Sj\xc3\xb6berg"), EncodingWindows1252, "Sjöberg"},
		{"mojibake in UTF-8", []byte("SjÃ¶berg"), EncodingUTF8, "Sjöberg"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := decodeText(tt.in, tt.enc); got != tt.want {
				t.Errorf("decodeText = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestLegacyDetectEncoding(t *testing.T) {
	long := strings.Repeat("a", 64<<10-1) // a multi-byte character across the read buffer's end
	tests := []struct {
		name, in string
		want     Encoding
	}{
		{"ascii", "legacy_id;name\r\n1;Anna\r\n", EncodingUTF8},
		{"utf-8", "1;Åsa\n", EncodingUTF8},
		{"windows-1252", "1;\xc5sa\n2;\xf6\n", EncodingWindows1252},
		{"mixed", "1;Åsa\n2;Sj\xf6berg\n", EncodingUTF8},
		{"across the buffer", long + "ö\n", EncodingUTF8},
		{"windows-1252 across the buffer", long + "\xf6\n", EncodingWindows1252},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := detectEncoding(strings.NewReader(tt.in))
			if err != nil || got != tt.want {
				t.Fatalf("detectEncoding = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}
