package legacy

import (
	"bytes"
	"errors"
	"reflect"
	"testing"
	"time"
	"unicode/utf8"
)

// fuzzKinds are the kinds a fuzz input is read as: together they have
// every type of column.
var fuzzKinds = []Kind{KindPersons, KindDecisions, KindNotes, KindPayments, KindPerformed}

// checkRead reads data as a file of kind k and checks that every record
// has its place, every error is a *RecordError with its place or, last,
// a *HeaderError, and each value is in its normal form.
func checkRead(t *testing.T, data []byte, format Format, enc Encoding, k Kind) {
	s := schemas[k]
	name := string(k) + "." + string(format)
	lastLine, ended := 0, false
	for v, err := range decode(bytes.NewReader(data), name, format, enc, s) {
		if ended {
			t.Fatalf("a value after a header error")
		}
		line := 0
		if err != nil {
			var re *RecordError
			var he *HeaderError
			switch {
			case errors.As(err, &re):
				if re.File != name || re.Reason == "" {
					t.Fatalf("RecordError without its file or reason: %#v", re)
				}
				line = re.Line
			case errors.As(err, &he):
				if he.File != name {
					t.Fatalf("HeaderError without its file: %#v", he)
				}
				ended = true
				continue
			default:
				t.Fatalf("an error of type %T: %v", err, err)
			}
		} else {
			p := v.Field(s.posIdx).Interface().(Pos)
			if p.File != name {
				t.Fatalf("a record without its file: %+v", p)
			}
			line = p.Line
			checkValues(t, v, s)
		}
		if line < 1 || line < lastLine {
			t.Fatalf("line %d after line %d", line, lastLine)
		}
		lastLine = line
	}
}

func checkValues(t *testing.T, v reflect.Value, s *schema) {
	for _, c := range s.cols {
		f := v.Field(c.index)
		switch c.typ {
		case colDate:
			if d := f.String(); d != "" {
				if _, err := time.Parse("2006-01-02", d); err != nil {
					t.Fatalf("%s: %q is not YYYY-MM-DD", c.name, d)
				}
			}
		case colTime:
			if d := f.String(); d != "" {
				if tt, err := time.Parse(time.RFC3339, d); err != nil || tt.Location() != time.UTC {
					t.Fatalf("%s: %q is not RFC 3339 in UTC", c.name, d)
				}
			}
		case colPeriod:
			if d := f.String(); d != "" {
				if _, err := time.Parse("2006-01", d); err != nil {
					t.Fatalf("%s: %q is not YYYY-MM", c.name, d)
				}
			}
		case colString:
			if !utf8.ValidString(f.String()) {
				t.Fatalf("%s: not valid UTF-8", c.name)
			}
			if c.name == "legacy_id" && f.String() == "" {
				t.Fatalf("a record without a legacy id")
			}
		}
	}
}

func FuzzLegacyCSV(f *testing.F) {
	f.Add([]byte(personsHeader+"P1;19450312-9018;Åsa;Sjöberg;N;\r\nP2;x;\"a;\"\"b\"\"\nc\";d;J;4/3 2019\r\n"), uint8(0), false)
	f.Add([]byte("legacy_id;case;insats;outcome;decided;amount\nB1;C1;HT;B;2019-03-04 13:45;12,5\nB2;C1;\"x\"y;B;;\n"), uint8(1), false)
	f.Add([]byte("legacy_id;case;person;written;signed;text\r\nJ1;;P1;201903041345;J;\"\xe5\xe4\xf6\"\r\n"), uint8(2), true)
	f.Add([]byte("legacy_id;case;item;period;amount\nY1;C1;FS;2019-03;1 234,50\nY2;C1;FS;2019-03;1.234\n"), uint8(3), false)
	f.Add([]byte("\xEF\xBB\xBFlegacy_id;order;on;minutes\n\nU1;O1;190304;35\nU2;O1;;-1\n\"U3;O1;;1\n"), uint8(4), false)
	f.Fuzz(func(t *testing.T, data []byte, kind uint8, win bool) {
		enc := EncodingUTF8
		if win {
			enc = EncodingWindows1252
		}
		checkRead(t, data, FormatCSV, enc, fuzzKinds[int(kind)%len(fuzzKinds)])
	})
}

func FuzzLegacyJSONL(f *testing.F) {
	f.Add([]byte(`{"legacy_id":"P1","identity":"x","given_name":"Åsa","family_name":"B","protected":true}`+"\n"+`{"legacy_id":"P2"}`), uint8(0))
	f.Add([]byte(`{"legacy_id":"B1","case":"C1","insats":"HT","outcome":"B","decided":"2019-03-04T12:45:00Z","amount":12.5}`+"\r\n[]\n{"), uint8(1))
	f.Add([]byte("{\"legacy_id\":\"J1\",\"case\":null,\"person\":\"P1\",\"written\":\"4/3 2019 13.45\",\"signed\":\"J\",\"text\":\"\xe5\"}\n"), uint8(2))
	f.Add([]byte(`{"legacy_id":"Y1","case":"C1","item":"FS","period":"2019-03","amount":"1 234,50"}`+"\n"+`{"legacy_id":"Y2","case":"C1","item":"FS","period":"x","amount":1e3}`), uint8(3))
	f.Add([]byte(`{"legacy_id":"U1","order":"O1","on":"20190304","minutes":35,"minutes":"x"}`), uint8(4))
	f.Fuzz(func(t *testing.T, data []byte, kind uint8) {
		checkRead(t, data, FormatJSONL, EncodingUTF8, fuzzKinds[int(kind)%len(fuzzKinds)])
	})
}

func FuzzLegacyParseDate(f *testing.F) {
	for _, s := range []string{"2019-03-04", "20190304", "190304", "4/3 2019", "4.3.2019", "2019-03-04 13:45", "2020-2-29", "0/0 0000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDate(s)
		if err != nil {
			if !isReason(err) {
				t.Fatalf("ParseDate: an error that is not a fixed reason: %v", err)
			}
			return
		}
		if again, err := ParseDate(string(d)); err != nil || again != d {
			t.Fatalf("ParseDate(%q) = %q, which reads back as %q, %v", s, d, again, err)
		}
	})
}

func FuzzLegacyParseTime(f *testing.F) {
	for _, s := range []string{"2019-03-04 13:45", "2019-03-04 13:45:07", "201903041345", "2019-03-04T13:45:07+01:00", "2019-03-31 02:30", "4/3 2019 8.05", "2019-03-04"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tm, err := ParseTime(s)
		if err != nil {
			if !isReason(err) {
				t.Fatalf("ParseTime: an error that is not a fixed reason: %v", err)
			}
			return
		}
		if again, err := ParseTime(string(tm)); err != nil || again != tm {
			t.Fatalf("ParseTime(%q) = %q, which reads back as %q, %v", s, tm, again, err)
		}
	})
}

func FuzzLegacyParseOre(f *testing.F) {
	for _, s := range []string{"1 234,50", "1234.50", "1234", "-50", "1.234,50", "1,234.50", "1 234:-", "12,5", "1.234"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		o, err := ParseOre(s)
		if err != nil {
			if !isReason(err) {
				t.Fatalf("ParseOre: an error that is not a fixed reason: %v", err)
			}
			return
		}
		if again, err := ParseOre(o.String()); err != nil || again != o {
			t.Fatalf("ParseOre(%q) = %d, whose form %q reads back as %d, %v", s, o, o.String(), again, err)
		}
	})
}
