package legacy

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// Encoding is a text encoding of a CSV or JSON lines file.
type Encoding string

// The encodings an export may be written in.
const (
	EncodingUTF8        Encoding = "utf-8"
	EncodingWindows1252 Encoding = "windows-1252"
)

// ParseEncoding reads an encoding's name: utf-8 (utf8) or windows-1252
// (cp1252, latin1, iso-8859-1: Windows-1252 is a superset of Latin-1's
// printable characters). "" gives "", meaning decided per file.
func ParseEncoding(s string) (Encoding, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "":
		return "", nil
	case "utf-8", "utf8":
		return EncodingUTF8, nil
	case "windows-1252", "cp1252", "windows1252", "latin1", "latin-1", "iso-8859-1", "iso8859-1":
		return EncodingWindows1252, nil
	}
	return "", fmt.Errorf("unknown encoding %q: use utf-8 or windows-1252", truncate(s, 40))
}

var win1252 = charmap.Windows1252

// decodeText turns a value as the file holds it into UTF-8. A
// Windows-1252 file's bytes are decoded one by one. In a UTF-8 file, a
// byte that is not part of valid UTF-8 is read as Windows-1252, the
// encoding old systems mixed in. Both then have double-encoded text
// repaired (see repairMojibake).
func decodeText(b []byte, enc Encoding) string {
	var s string
	switch {
	case enc == EncodingWindows1252:
		ascii := true
		for _, c := range b {
			if c >= 0x80 {
				ascii = false
				break
			}
		}
		if ascii {
			return string(b)
		}
		var sb strings.Builder
		sb.Grow(len(b) + len(b)/4)
		for _, c := range b {
			if c < 0x80 {
				sb.WriteByte(c)
			} else {
				sb.WriteRune(win1252.DecodeByte(c))
			}
		}
		s = sb.String()
	case utf8.Valid(b):
		s = string(b)
	default:
		var sb strings.Builder
		sb.Grow(len(b) + len(b)/4)
		for len(b) > 0 {
			r, n := utf8.DecodeRune(b)
			if r == utf8.RuneError && n <= 1 {
				sb.WriteRune(win1252.DecodeByte(b[0]))
				b = b[1:]
				continue
			}
			sb.Write(b[:n])
			b = b[n:]
		}
		s = sb.String()
	}
	return repairMojibake(s)
}

// repairMojibake undoes UTF-8 that was read as Windows-1252 and written
// again as UTF-8: "Ã¤" for "ä", "Ã–" for "Ö", "Â§" for "§", "â€“" for
// "–". Only the lead characters Â, Ã (two bytes, all of Latin-1) and â
// (three bytes, punctuation) are taken as such, followed by characters
// that are UTF-8 continuation bytes in Windows-1252: in Swedish text
// these pairs mean nothing else.
func repairMojibake(s string) string {
	if !hasMojibakeLead(s) {
		return s
	}
	var sb strings.Builder
	changed := false
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == 'Â' || r == 'Ã' || r == 'â' {
			if rep, used, ok := mojibakeAt(s[i:], r); ok {
				if !changed {
					sb.Grow(len(s))
					sb.WriteString(s[:i])
					changed = true
				}
				sb.WriteRune(rep)
				i += used
				continue
			}
		}
		if changed {
			sb.WriteString(s[i : i+n])
		}
		i += n
	}
	if !changed {
		return s
	}
	return sb.String()
}

// hasMojibakeLead reports whether s has Â, Ã or â, whose UTF-8 forms
// are C3 82, C3 83 and C3 A2.
func hasMojibakeLead(s string) bool {
	for {
		i := strings.IndexByte(s, 0xC3)
		if i < 0 || i+1 >= len(s) {
			return false
		}
		if c := s[i+1]; c == 0x82 || c == 0x83 || c == 0xA2 {
			return true
		}
		s = s[i+1:]
	}
}

// mojibakeAt tries to read one double-encoded character at the start of
// s, whose first rune is lead.
func mojibakeAt(s string, lead rune) (rune, int, bool) {
	leadByte, _ := win1252.EncodeRune(lead)
	want := 1
	if lead == 'â' {
		want = 2
	}
	buf := [3]byte{leadByte}
	used := utf8.RuneLen(lead)
	for k := 1; k <= want; k++ {
		r, n := utf8.DecodeRuneInString(s[used:])
		if n == 0 || r == utf8.RuneError {
			return 0, 0, false
		}
		c, ok := win1252.EncodeRune(r)
		if !ok || c < 0x80 || c > 0xBF {
			return 0, 0, false
		}
		buf[k] = c
		used += n
	}
	r, n := utf8.DecodeRune(buf[:want+1])
	if r == utf8.RuneError || n != want+1 {
		return 0, 0, false
	}
	return r, used, true
}

// encodeText writes s in the encoding: UTF-8 as it is (bytes that are
// not valid UTF-8 too, which is how a generator writes text in the wrong
// encoding); Windows-1252 character by character, a character it lacks
// as '?', a byte that is not valid UTF-8 as it is.
func encodeText(dst []byte, s string, enc Encoding) []byte {
	if enc != EncodingWindows1252 {
		return append(dst, s...)
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c < 0x80 {
			dst = append(dst, c)
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n <= 1 {
			dst = append(dst, c)
			i++
			continue
		}
		if b, ok := win1252.EncodeRune(r); ok {
			dst = append(dst, b)
		} else {
			dst = append(dst, '?')
		}
		i += n
	}
	return dst
}

// detectEncoding reads r to its end and decides its encoding: UTF-8 when
// it is valid UTF-8 or holds some valid multi-byte UTF-8 (a UTF-8 file
// with a few Windows-1252 bytes, which decodeText repairs), else
// Windows-1252.
func detectEncoding(r io.Reader) (Encoding, error) {
	buf := make([]byte, 64<<10)
	carry := 0
	invalid, multi := false, false
	for {
		n, err := r.Read(buf[carry:])
		n += carry
		end := n
		if err == nil {
			// Keep an incomplete sequence at the end for the next read.
			for k := 1; k <= 3 && k <= n; k++ {
				c := buf[n-k]
				if c < 0x80 {
					break
				}
				if c >= 0xC0 {
					if !utf8.FullRune(buf[n-k : n]) {
						end = n - k
					}
					break
				}
			}
		}
		for i := 0; i < end; {
			if buf[i] < 0x80 {
				i++
				continue
			}
			r, size := utf8.DecodeRune(buf[i:end])
			if r == utf8.RuneError && size <= 1 {
				invalid = true
				i++
				continue
			}
			multi = true
			i += size
		}
		if multi && invalid {
			return EncodingUTF8, nil
		}
		carry = copy(buf, buf[end:n])
		if err == io.EOF {
			if invalid && !multi {
				return EncodingWindows1252, nil
			}
			return EncodingUTF8, nil
		}
		if err != nil {
			return "", err
		}
	}
}

// truncate shortens s to at most n bytes for an error message.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
