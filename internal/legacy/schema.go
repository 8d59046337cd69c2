package legacy

import (
	"reflect"
	"strconv"
	"strings"
)

// colType is how a column's text becomes its field's value.
type colType int

const (
	colString colType = iota
	colDate
	colTime
	colOre    // Ore, kronor → öre
	colAmount // int64 in hundredths (Decision.Amount)
	colInt
	colBool
	colPeriod // a month, YYYY-MM (Payment.Period)
)

// column is one column of a kind's file: a field of its record type.
type column struct {
	name string
	// index is the field's index in the record struct.
	index int
	typ   colType
	// required: the column must be in the header (the field has no
	// omitempty); needValue: it must also hold a value.
	required, needValue bool
}

// schema is the columns of a kind, in the record type's field order.
type schema struct {
	kind    Kind
	typ     reflect.Type
	cols    []column
	byName  map[string]int
	posIdx  int // the index of the embedded Pos
	idIndex int // the column of legacy_id
}

// mayBeEmpty lists the required columns whose value may be empty: a note
// without a case is what a dirty export has, and a form's answer may be
// empty.
var mayBeEmpty = map[string]bool{
	"notes.case":  true,
	"forms.value": true,
}

var schemas = func() map[Kind]*schema {
	m := map[Kind]*schema{}
	for k, v := range map[Kind]any{
		KindUnits: Unit{}, KindStaff: Staff{}, KindPersons: Person{}, KindRelations: Relation{},
		KindCases: Case{}, KindForms: FormValue{}, KindDecisions: Decision{}, KindNotes: Note{},
		KindDocuments: Document{}, KindOrders: Order{}, KindPerformed: Performed{}, KindPayments: Payment{},
	} {
		m[k] = newSchema(k, reflect.TypeOf(v))
	}
	return m
}()

func newSchema(k Kind, t reflect.Type) *schema {
	s := &schema{kind: k, typ: t, byName: map[string]int{}, posIdx: -1, idIndex: -1}
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Type == reflect.TypeFor[Pos]() {
			s.posIdx = i
			continue
		}
		tag := f.Tag.Get("json")
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" || name == "-" {
			continue
		}
		c := column{name: name, index: i, required: opts != "omitempty"}
		switch {
		case f.Type == reflect.TypeFor[Date]():
			c.typ = colDate
		case f.Type == reflect.TypeFor[Time]():
			c.typ = colTime
		case f.Type == reflect.TypeFor[Ore]():
			c.typ = colOre
		case f.Type.Kind() == reflect.Int64:
			c.typ = colAmount
		case f.Type.Kind() == reflect.Int:
			c.typ = colInt
		case f.Type.Kind() == reflect.Bool:
			c.typ = colBool
		case name == "period" && f.Type.Kind() == reflect.String:
			c.typ = colPeriod
		case f.Type.Kind() == reflect.String:
			c.typ = colString
		default:
			panic("legacy: " + string(k) + "." + name + ": a field type the format does not know")
		}
		c.needValue = c.required && c.typ != colBool && !mayBeEmpty[string(k)+"."+name]
		if name == "legacy_id" {
			s.idIndex = len(s.cols)
		}
		s.byName[name] = len(s.cols)
		s.cols = append(s.cols, c)
	}
	if s.posIdx < 0 || s.idIndex < 0 {
		panic("legacy: " + string(k) + ": a record type needs Pos and legacy_id")
	}
	return s
}

// Columns returns the column names of a kind's file in the order the
// writer writes them, and which of them are required. It returns nil
// for an unknown kind.
func Columns(k Kind) (names []string, required []bool) {
	s := schemas[k]
	if s == nil {
		return nil, nil
	}
	for _, c := range s.cols {
		names = append(names, c.name)
		required = append(required, c.required)
	}
	return names, required
}

// set parses text into the column's field of the record v (a settable
// struct value). The error is a reason without the text.
func (c *column) set(v reflect.Value, text string) error {
	f := v.Field(c.index)
	if strings.TrimSpace(text) == "" {
		if c.needValue {
			return errMissing
		}
		return nil
	}
	switch c.typ {
	case colString:
		f.SetString(strings.TrimSpace(text))
	case colDate:
		d, err := ParseDate(text)
		if err != nil {
			return err
		}
		f.SetString(string(d))
	case colTime:
		t, err := ParseTime(text)
		if err != nil {
			return err
		}
		f.SetString(string(t))
	case colOre, colAmount:
		o, err := ParseOre(text)
		if err != nil {
			return err
		}
		f.SetInt(int64(o))
	case colInt:
		n, err := strconv.Atoi(strings.TrimSpace(text))
		if err != nil {
			return errInt
		}
		if n < 0 {
			return errNegInt
		}
		f.SetInt(int64(n))
	case colBool:
		b, err := ParseBool(text)
		if err != nil {
			return err
		}
		f.SetBool(b)
	case colPeriod:
		p, err := ParsePeriod(text)
		if err != nil {
			return err
		}
		f.SetString(p)
	}
	return nil
}

// text formats the column's field of v for a CSV file (jsonNumber false)
// or a JSON lines file (true: amounts and whole numbers as JSON numbers,
// booleans as true/false). empty reports a zero value.
func (c *column) text(v reflect.Value, jsonNumber bool) (s string, empty bool) {
	f := v.Field(c.index)
	switch c.typ {
	case colOre, colAmount:
		o := Ore(f.Int())
		if jsonNumber {
			return o.format('.'), o == 0
		}
		return o.String(), o == 0
	case colInt:
		return strconv.FormatInt(f.Int(), 10), f.Int() == 0
	case colBool:
		b := f.Bool()
		switch {
		case jsonNumber && b:
			return "true", false
		case jsonNumber:
			return "false", true
		case b:
			return "J", false
		}
		return "N", true
	}
	return f.String(), f.String() == ""
}
