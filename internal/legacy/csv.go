package legacy

import (
	"io"
)

// maxRecord bounds a record (a CSV record or a JSON line) in bytes: a
// longer one is reported and skipped without being held in memory.
const maxRecord = 4 << 20

// byteReader is a buffered reader of the file's bytes that counts lines.
type byteReader struct {
	r    io.Reader
	buf  []byte
	pos  int
	n    int
	err  error
	line int // the line of the next byte, from 1
}

func newByteReader(r io.Reader) *byteReader {
	return &byteReader{r: r, buf: make([]byte, 64<<10), line: 1}
}

// fill reads more bytes; it reports false at the end or on an error
// (then b.err is set).
func (b *byteReader) fill() bool {
	if b.err != nil {
		return false
	}
	for {
		n, err := b.r.Read(b.buf)
		b.pos, b.n = 0, n
		if err != nil {
			b.err = err
		}
		if n > 0 {
			return true
		}
		if err != nil {
			return false
		}
	}
}

// next returns the next byte; ok is false at the end of the input.
func (b *byteReader) next() (c byte, ok bool) {
	if b.pos >= b.n && !b.fill() {
		return 0, false
	}
	c = b.buf[b.pos]
	b.pos++
	if c == '\n' {
		b.line++
	}
	return c, true
}

// peek returns the next byte without taking it.
func (b *byteReader) peek() (c byte, ok bool) {
	if b.pos >= b.n && !b.fill() {
		return 0, false
	}
	return b.buf[b.pos], true
}

// ioErr is the read error that ended the input, nil at its end.
func (b *byteReader) ioErr() error {
	if b.err == io.EOF {
		return nil
	}
	return b.err
}

// skipBOM drops a UTF-8 byte order mark at the start.
func (b *byteReader) skipBOM() {
	if b.pos >= b.n && !b.fill() {
		return
	}
	if b.n-b.pos >= 3 && b.buf[b.pos] == 0xEF && b.buf[b.pos+1] == 0xBB && b.buf[b.pos+2] == 0xBF {
		b.pos += 3
	}
}

// csvScanner reads records of ';'-separated values, quoted as in RFC
// 4180: a field in double quotes may hold ';', line breaks and doubled
// quotes; a quote inside an unquoted field is taken as it is. Records end
// at LF or CRLF; a line break inside quotes becomes LF. Empty lines are
// skipped.
type csvScanner struct {
	b      *byteReader
	rec    []byte // the fields' bytes, one after another
	ends   []int  // where each field ends in rec
	fields [][]byte
}

func newCSVScanner(r io.Reader) *csvScanner {
	b := newByteReader(r)
	b.skipBOM()
	return &csvScanner{b: b}
}

// next reads a record. line is its first line. problem is a reason the
// record is malformed (its fields are then incomplete). At the end of
// the input ok is false and err the read error, if any. fields are valid
// until the next call.
func (s *csvScanner) next() (line int, fields [][]byte, problem string, ok bool, err error) {
	for {
		line = s.b.line
		s.rec, s.ends = s.rec[:0], s.ends[:0]
		tooLong := false
		add := func(c byte) {
			if len(s.rec) >= maxRecord {
				tooLong = true
				return
			}
			s.rec = append(s.rec, c)
		}
		const (
			fieldStart = iota
			unquoted
			quoted
			quoteInQuoted // a quote inside quotes: the end, or the first of two
			skipLine      // after a problem, to the end of the line
		)
		state := fieldStart
		sawAny := false
		quotedField := false
	loop:
		for {
			c, more := s.b.next()
			if !more {
				if !sawAny {
					return 0, nil, "", false, s.b.ioErr()
				}
				if state == quoted {
					problem = "a quoted value is not closed before the end of the file"
				}
				break loop
			}
			sawAny = true
			switch state {
			case skipLine:
				if c == '\n' {
					break loop
				}
			case fieldStart, unquoted:
				switch c {
				case ';':
					s.endField()
					state, quotedField = fieldStart, false
				case '\n':
					break loop
				case '\r':
					if p, _ := s.b.peek(); p == '\n' {
						continue
					}
					add(c)
					state = unquoted
				case '"':
					if state == fieldStart {
						state, quotedField = quoted, true
						continue
					}
					add(c)
				default:
					add(c)
					state = unquoted
				}
			case quoted:
				switch c {
				case '"':
					state = quoteInQuoted
				case '\r':
					if p, _ := s.b.peek(); p == '\n' {
						continue
					}
					add(c)
				default:
					add(c)
				}
			case quoteInQuoted:
				switch c {
				case '"':
					add('"')
					state = quoted
				case ';':
					s.endField()
					state, quotedField = fieldStart, false
				case '\n':
					break loop
				case '\r':
					if p, _ := s.b.peek(); p == '\n' {
						continue
					}
					problem, state = "text after a closing quote", skipLine
				default:
					problem, state = "text after a closing quote", skipLine
				}
			}
		}
		s.endField()
		if tooLong {
			problem = "the record is longer than 4 MiB"
		}
		if problem == "" && len(s.ends) == 1 && s.ends[0] == 0 && !quotedField {
			continue // an empty line
		}
		s.fields = s.fields[:0]
		start := 0
		for _, e := range s.ends {
			s.fields = append(s.fields, s.rec[start:e])
			start = e
		}
		return line, s.fields, problem, true, nil
	}
}

func (s *csvScanner) endField() { s.ends = append(s.ends, len(s.rec)) }

// lineScanner reads lines (JSON lines), LF or CRLF, skipping empty ones.
type lineScanner struct {
	b   *byteReader
	buf []byte
}

func newLineScanner(r io.Reader) *lineScanner {
	b := newByteReader(r)
	b.skipBOM()
	return &lineScanner{b: b}
}

// next returns the next non-empty line without its line break, valid
// until the next call; problem is set when it was longer than maxRecord
// (then it is cut).
func (s *lineScanner) next() (line int, text []byte, problem string, ok bool, err error) {
	for {
		line = s.b.line
		s.buf = s.buf[:0]
		tooLong, sawAny := false, false
		for {
			c, more := s.b.next()
			if !more {
				if !sawAny {
					return 0, nil, "", false, s.b.ioErr()
				}
				break
			}
			sawAny = true
			if c == '\n' {
				break
			}
			if len(s.buf) >= maxRecord {
				tooLong = true
				continue
			}
			s.buf = append(s.buf, c)
		}
		if n := len(s.buf); n > 0 && s.buf[n-1] == '\r' {
			s.buf = s.buf[:n-1]
		}
		if tooLong {
			return line, s.buf, "the line is longer than 4 MiB", true, nil
		}
		if isBlank(s.buf) {
			continue
		}
		return line, s.buf, "", true, nil
	}
}

func isBlank(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\t' && c != '\r' {
			return false
		}
	}
	return true
}
