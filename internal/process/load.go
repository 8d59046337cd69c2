package process

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// Problem is one thing wrong with a definition, with where it is.
type Problem struct {
	Pos Pos `json:"pos"`
	// Message says what is wrong in English (the command line, logs and
	// the API show it).
	Message string `json:"message"`
	// ID is the message's id in the engine's message files and Args its
	// arguments by name, so that In can say it in another language. A
	// problem made outside the engine may have only a Message.
	ID   string         `json:"-"`
	Args map[string]any `json:"-"`
}

// problemAt makes the problem n at pos.
func problemAt(pos Pos, n note) Problem {
	return Problem{Pos: pos, Message: n.in("en"), ID: n.id, Args: n.args}
}

// In says what is wrong in lang: English for "en", otherwise Swedish.
// A problem without an ID is its Message.
func (p Problem) In(lang string) string {
	if p.ID == "" {
		return p.Message
	}
	return note{p.ID, p.Args}.in(lang)
}

func (p Problem) String() string {
	return fmt.Sprintf("%s:%d:%d: %s", p.Pos.File, p.Pos.Line, p.Pos.Column, p.Message)
}

// Problems is a list of problems; as an error it lists them all.
type Problems []Problem

func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// sorted sorts problems by position and drops repeats (a block used by
// two forms reports its problems once).
func (ps Problems) sorted() Problems {
	ps = ps.sortedOnly()
	out := ps[:0]
	for i, p := range ps {
		if i == 0 || p.Pos != ps[i-1].Pos || p.ID != ps[i-1].ID || p.Message != ps[i-1].Message {
			out = append(out, p)
		}
	}
	return out
}

func (ps Problems) sortedOnly() Problems {
	sort.SliceStable(ps, func(i, j int) bool {
		a, b := ps[i].Pos, ps[j].Pos
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Column < b.Column
	})
	return ps
}

// Bundle is a set of definitions that are validated and published together.
type Bundle struct {
	CodeSystems []*CodeSystem
	Forms       []*Form
	CaseTypes   []*CaseType
	Tables      []*DecisionTable
	Blocks      []*Block
	Reports     []*Report
	Registers   []*Register
	RuleSets    []*TableRuleSet
	Retentions  []*Retention
	// LegacyMappings map old systems' codes to the definitions' (see
	// legacy_mapping.go).
	LegacyMappings []*LegacyMapping
	// Sources are the files as given, by name, for export and diffs.
	Sources map[string][]byte
}

// File is one definition file.
type File struct {
	Name string
	Data []byte
}

// maxFileSize bounds one definition file; definitions are small.
const maxFileSize = 1 << 20

// Load parses definition files. Each file holds one or more YAML documents
// separated by "---", each with a kind. It returns the bundle and every
// problem found while reading; validation is a separate step (Validate).
func Load(files []File) (*Bundle, Problems) {
	b := &Bundle{Sources: map[string][]byte{}}
	var probs Problems
	for _, f := range files {
		b.Sources[f.Name] = f.Data
		if len(f.Data) > maxFileSize {
			probs = append(probs, problemAt(Pos{f.Name, 1, 1}, newNote("check.file.too_large", "Max", maxFileSize)))
			continue
		}
		for _, doc := range splitDocuments(f.Data) {
			probs = append(probs, b.loadDocument(f.Name, doc)...)
		}
	}
	probs = append(probs, b.expand()...)
	return b, probs.sorted()
}

type document struct {
	data      []byte
	firstLine int // line of the document's first line in the file, 1-based
}

var separator = regexp.MustCompile(`^---\s*(#.*)?$`)

// splitDocuments splits a multi-document YAML file on "---" lines,
// remembering where each document starts so problems point at the file.
func splitDocuments(data []byte) []document {
	lines := bytes.SplitAfter(data, []byte("\n"))
	var docs []document
	cur := document{firstLine: 1}
	for i, line := range lines {
		if separator.Match(bytes.TrimRight(line, "\r\n")) {
			docs = append(docs, cur)
			cur = document{firstLine: i + 2}
			continue
		}
		cur.data = append(cur.data, line...)
	}
	docs = append(docs, cur)
	out := docs[:0]
	for _, d := range docs {
		if len(bytes.TrimSpace(stripComments(d.data))) > 0 {
			out = append(out, d)
		}
	}
	return out
}

func stripComments(b []byte) []byte {
	var out []byte
	for _, line := range bytes.Split(b, []byte("\n")) {
		if t := bytes.TrimSpace(line); len(t) > 0 && t[0] != '#' {
			out = append(out, line...)
		}
	}
	return out
}

var yamlLine = regexp.MustCompile(`line (\d+)`)

// yamlProblems turns a yaml.v3 error into problems with file positions and
// plainer words. yaml.v3 numbers lines within the document and gives no
// column, so lines are moved to the file's numbering (also "line N" inside
// the message) and the column is found by looking for the key or value the
// message names on that line.
func yamlProblems(file string, doc document, err error) Problems {
	var te *yaml.TypeError
	msgs := []string{err.Error()}
	if errors.As(err, &te) {
		msgs = te.Errors
	}
	lines := bytes.Split(doc.data, []byte("\n"))
	var out Problems
	for _, m := range msgs {
		m = strings.TrimPrefix(m, "yaml: ")
		line := 1
		if sm := yamlLine.FindStringSubmatchIndex(m); sm != nil && sm[0] == 0 {
			if n, err := strconv.Atoi(m[sm[2]:sm[3]]); err == nil && n >= 1 {
				line = n
			}
			m = strings.TrimPrefix(m[sm[1]:], ": ")
			if parserErrors[m] {
				line++ // yaml.v3 gives these 0-based
			}
		}
		m = yamlLine.ReplaceAllStringFunc(m, func(s string) string {
			n, err := strconv.Atoi(strings.TrimPrefix(s, "line "))
			if err != nil {
				return s
			}
			return fmt.Sprintf("line %d", doc.firstLine+n-1)
		})
		col := 1
		if line <= len(lines) {
			col = column(lines[line-1], m)
		}
		out = append(out, problemAt(Pos{file, doc.firstLine + line - 1, col}, plainYAML(m)))
	}
	return out
}

// parserErrors are the yaml.v3 syntax errors whose line yaml.v3 reports
// counting from 0 (its scanner's errors count from 1).
var parserErrors = map[string]bool{
	"did not find expected <stream-start>": true, "did not find expected <document start>": true,
	"did not find expected node content": true, "did not find expected key": true,
	"did not find expected '-' indicator": true, "did not find expected ',' or ']'": true,
	"did not find expected ',' or '}'": true, "found duplicate %YAML directive": true,
	"found incompatible YAML document": true, "found duplicate %TAG directive": true,
	"found undefined tag handle": true,
}

var (
	unknownField = regexp.MustCompile(`^field (\S+) not found in type \S+$`)
	cannotDecode = regexp.MustCompile("^cannot unmarshal !!(\\w+) `(.*)` into (\\S+)$")
	cannotNest   = regexp.MustCompile(`^cannot unmarshal !!(seq|map) into (\S+)$`)
	definedTwice = regexp.MustCompile(`^mapping key "(.*)" already defined`)
)

// column returns the 1-based column on line of what the yaml.v3 message m
// is about: the unknown or repeated key, or the value that has the wrong
// type. It falls back to the line's first non-blank character.
func column(line []byte, m string) int {
	line = bytes.TrimRight(line, "\r")
	at := func(i int) int { return utf8.RuneCount(line[:i]) + 1 }
	key := func(k string) int {
		if k == "" {
			return -1
		}
		for off := 0; ; {
			i := bytes.Index(line[off:], []byte(k))
			if i < 0 {
				return -1
			}
			i += off
			rest := bytes.TrimLeft(bytes.TrimLeft(line[i+len(k):], `"'`), " \t")
			if bytes.HasPrefix(rest, []byte(":")) {
				return i
			}
			off = i + len(k)
		}
	}
	// Values come after the key's colon, or after "- " in a list.
	start := 0
	if i := bytes.Index(line, []byte(": ")); i >= 0 {
		start = i + 2
	} else if t := bytes.TrimLeft(line, " "); bytes.HasPrefix(t, []byte("- ")) {
		start = len(line) - len(t) + 2
	}
	if sm := unknownField.FindStringSubmatch(m); sm != nil {
		if i := key(sm[1]); i >= 0 {
			return at(i)
		}
	} else if sm := definedTwice.FindStringSubmatch(m); sm != nil {
		if i := key(sm[1]); i >= 0 {
			return at(i)
		}
	} else if sm := cannotDecode.FindStringSubmatch(m); sm != nil {
		v := strings.TrimSuffix(sm[2], "...")
		if v != "" {
			if i := bytes.Index(line[start:], []byte(v)); i >= 0 {
				return at(start + i)
			}
		}
	} else if cannotNest.MatchString(m) {
		if i := bytes.IndexAny(line[start:], "[{"); i >= 0 {
			return at(start + i)
		}
	}
	return at(len(line) - len(bytes.TrimLeft(line, " ")))
}

// plainYAML says a yaml.v3 message m in the definition format's words.
func plainYAML(m string) note {
	if strings.Contains(m, "did not find expected ',' or '}'") || strings.Contains(m, "did not find expected ',' or ']'") {
		return newNote("check.yaml.braces")
	}
	if sm := unknownField.FindStringSubmatch(m); sm != nil {
		return newNote("check.yaml.unknown_key", "Key", sm[1])
	}
	if sm := cannotDecode.FindStringSubmatch(m); sm != nil {
		return newNote("check.yaml.wrong_value", "Value", sm[2], "Want", yamlWant(sm[3]))
	}
	if sm := cannotNest.FindStringSubmatch(m); sm != nil {
		what := map[string]note{"seq": newNote("check.want.list"), "map": newNote("check.want.keys")}[sm[1]]
		return newNote("check.yaml.wrong_kind", "What", what, "Want", yamlWant(sm[2]))
	}
	return newNote("check.yaml.other", "Detail", m)
}

// yamlWant names what a value of the Go type typ (as yaml.v3 names it)
// is written as.
func yamlWant(typ string) note {
	if strings.HasPrefix(typ, "[]") {
		return newNote("check.want.list")
	}
	switch t := strings.TrimPrefix(typ, "*"); t {
	case "string":
		return newNote("check.want.text")
	case "bool":
		return newNote("check.want.bool")
	case "int":
		return newNote("check.want.int")
	case "float64":
		return newNote("check.want.number")
	default:
		return newNote("check.want.other", "Type", strings.TrimPrefix(t, "process."))
	}
}

func (b *Bundle) loadDocument(file string, doc document) Problems {
	var root yaml.Node
	if err := yaml.Unmarshal(doc.data, &root); err != nil {
		return yamlProblems(file, doc, err)
	}
	if probs := textProblems(file, doc, &root); len(probs) > 0 {
		return probs
	}
	if len(root.Content) == 0 {
		return nil
	}
	if n := root.Content[0]; n.Kind != yaml.MappingNode {
		return Problems{problemAt(Pos{file, doc.firstLine + max(n.Line, 1) - 1, max(n.Column, 1)}, newNote("check.document.not_keys"))}
	}
	var head struct {
		Kind string `yaml:"kind"`
	}
	if err := root.Decode(&head); err != nil {
		return yamlProblems(file, doc, err)
	}
	decode := func(v any) Problems {
		dec := yaml.NewDecoder(bytes.NewReader(doc.data))
		dec.KnownFields(true)
		if err := dec.Decode(v); err != nil && err != io.EOF {
			return yamlProblems(file, doc, err)
		}
		return nil
	}
	switch head.Kind {
	case KindCodeSystem:
		return loadInto(decode, file, doc, &b.CodeSystems)
	case KindForm:
		return loadInto(decode, file, doc, &b.Forms)
	case KindCaseType:
		return loadInto(decode, file, doc, &b.CaseTypes)
	case KindBlock:
		return loadInto(decode, file, doc, &b.Blocks)
	case KindDecisionTable:
		return loadInto(decode, file, doc, &b.Tables)
	case KindReport:
		return loadInto(decode, file, doc, &b.Reports)
	case KindRuleSet:
		return loadInto(decode, file, doc, &b.RuleSets)
	case KindRegister:
		return loadInto(decode, file, doc, &b.Registers)
	case KindRetention:
		return loadInto(decode, file, doc, &b.Retentions)
	case KindLegacyMapping:
		return loadInto(decode, file, doc, &b.LegacyMappings)
	case "":
		return Problems{problemAt(Pos{file, doc.firstLine, 1}, newNote("check.document.no_kind"))}
	}
	return Problems{problemAt(Pos{file, doc.firstLine, 1}, newNote("check.document.unknown_kind", "Kind", head.Kind))}
}

// loadInto decodes a document into a new T, gives its positions the file's
// numbering and adds it to list, even when it has problems (so validation
// can still point at what was read).
func loadInto[T any](decode func(any) Problems, file string, doc document, list *[]*T) Problems {
	v := new(T)
	probs := decode(v)
	fixPositions(v, file, doc.firstLine)
	*list = append(*list, v)
	return probs
}

var (
	strType  = reflect.TypeFor[Str]()
	ruleType = reflect.TypeFor[Rule]()
)

// fixPositions sets the file of every Str in v and shifts its line from
// the document's to the file's numbering. A Str that is not in the file (a
// missing key) gets the position of the nearest enclosing definition that
// is, so a problem such as "has no id" still points at a line.
func fixPositions(v any, file string, firstLine int) {
	shift := func(p Pos) Pos { return Pos{file, p.Line + firstLine - 1, p.Column} }
	var walk func(rv reflect.Value, outer Pos)
	walk = func(rv reflect.Value, outer Pos) {
		switch rv.Kind() {
		case reflect.Pointer:
			if !rv.IsNil() {
				walk(rv.Elem(), outer)
			}
		case reflect.Map:
			iter := rv.MapRange()
			for iter.Next() {
				if iter.Value().Type() == strType {
					v := iter.Value().Interface().(Str)
					if v.Pos.Line > 0 {
						v.Pos = shift(v.Pos)
					} else {
						v.Pos = outer
					}
					rv.SetMapIndex(iter.Key(), reflect.ValueOf(v))
				}
			}
		case reflect.Struct:
			if rv.Type() == ruleType {
				r := rv.Addr().Interface().(*Rule)
				r.pos = shift(r.pos)
				outer = r.pos
			}
			if rv.Type() == strType {
				s := rv.Addr().Interface().(*Str)
				if s.Pos.Line > 0 {
					s.Pos = shift(s.Pos)
				} else {
					s.Pos = outer
				}
				return
			}
			// The struct is where its first written Str is.
			here := outer
			for i := 0; i < rv.NumField(); i++ {
				if f := rv.Field(i); f.Type() == strType {
					if p := f.Interface().(Str).Pos; p.Line > 0 {
						here = shift(p)
						break
					}
				}
			}
			for i := 0; i < rv.NumField(); i++ {
				walk(rv.Field(i), here)
			}
		case reflect.Slice:
			for i := 0; i < rv.Len(); i++ {
				walk(rv.Index(i), outer)
			}
		}
	}
	walk(reflect.ValueOf(v), Pos{file, firstLine, 1})
}
