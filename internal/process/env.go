package process

import (
	"reflect"
	"strings"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
	"cel.dev/cel-go/common/types/traits"
)

// The expression environment. Expressions see:
//
//	person.age (int), person.sex (string: "M", "F" or "")
//	case.type, case.step (string), case.days_open (int)
//	case.decisions (int: the case's final decisions)
//	actor.roles (list of string)
//	today (string, YYYY-MM-DD; dates compare as text)
//	forms.<form>.<field> for every field of every form in the bundle
//	form.<field> for the fields of the form the expression belongs to
//
// Besides CEL's own functions there are decide(table, date, inputs),
// sum(list) of whole numbers or numbers, and money(öre) which writes an
// amount the Swedish way ("12 345 kr", "12 345,50 kr").
//
// Identity numbers are never in the environment.

// celType is the CEL type of a field's value.
func celType(fieldType string) *cel.Type {
	switch fieldType {
	case FieldNumber:
		return cel.DoubleType
	case FieldMoney:
		return cel.IntType
	case FieldYesNo:
		return cel.BoolType
	case FieldMultiChoice:
		return cel.ListType(cel.StringType)
	case FieldGroup, FieldAssessment:
		return cel.ListType(cel.MapType(cel.StringType, cel.DynType))
	}
	return cel.StringType
}

// zeroValue is the value of a field that has not been filled in.
func zeroValue(fieldType string) any {
	switch fieldType {
	case FieldNumber:
		return 0.0
	case FieldMoney:
		return int64(0)
	case FieldYesNo:
		return false
	case FieldMultiChoice:
		return []string{}
	case FieldGroup, FieldAssessment:
		return []map[string]any{}
	}
	return ""
}

var baseVars = []cel.EnvOption{
	cel.Variable("person.age", cel.IntType),
	cel.Variable("person.sex", cel.StringType),
	cel.Variable("case.type", cel.StringType),
	cel.Variable("case.step", cel.StringType),
	cel.Variable("case.days_open", cel.IntType),
	cel.Variable("case.decisions", cel.IntType),
	cel.Variable("actor.roles", cel.ListType(cel.StringType)),
	cel.Variable("today", cel.StringType),
}

// costLimit bounds the work one expression evaluation may do.
const costLimit = 100_000

// newEnv returns the environment for expressions of the bundle; own is the
// form whose fields are also visible as form.<field> ("" for none). tables
// serves the decide() function; it may be nil when expressions are only
// type-checked.
func newEnv(forms []*Form, own string, tables map[string]*compiledTable) (*cel.Env, error) {
	opts := append([]cel.EnvOption{}, baseVars...)
	opts = append(opts, decideFunction(tables))
	opts = append(opts, helperFunctions...)
	for _, f := range forms {
		for _, fd := range f.allFields() {
			t := celType(fd.Type.Value)
			opts = append(opts, cel.Variable("forms."+f.ID.Value+"."+fd.ID.Value, t))
			if f.ID.Value == own {
				opts = append(opts, cel.Variable("form."+fd.ID.Value, t))
			}
		}
	}
	return cel.NewEnv(opts...)
}

// allFields returns the form's top-level fields in order.
func (f *Form) allFields() []*Field {
	var out []*Field
	for i := range f.Sections {
		for j := range f.Sections[i].Fields {
			out = append(out, &f.Sections[i].Fields[j])
		}
	}
	return out
}

// compile checks src in env and that its result has type want. The error
// is a note, in plain words, naming the expression's problem.
func compile(env *cel.Env, src string, want *cel.Type) (cel.Program, error) {
	ast, iss := env.Compile(src)
	if iss != nil && iss.Err() != nil {
		return nil, newNote("check.expr.error", "Detail", firstLine(iss.Err().Error()))
	}
	out := ast.OutputType()
	if want != nil && !out.IsExactType(want) && !out.IsExactType(cel.DynType) && !(want == cel.DoubleType && out.IsExactType(cel.IntType)) {
		return nil, newNote("check.expr.type", "Got", typeName(ast.OutputType()), "Want", typeName(want))
	}
	prg, err := env.Program(ast, cel.CostLimit(costLimit))
	if err != nil {
		return nil, newNote("check.expr.error", "Detail", firstLine(err.Error()))
	}
	return prg, nil
}

func firstLine(s string) string {
	s = strings.TrimPrefix(s, "ERROR: <input>:")
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// typeName names the type of an expression's value.
func typeName(t *cel.Type) note {
	switch {
	case t.IsExactType(cel.BoolType):
		return newNote("check.expr.bool")
	case t.IsExactType(cel.StringType):
		return newNote("check.want.text")
	case t.IsExactType(cel.IntType):
		return newNote("check.want.int")
	case t.IsExactType(cel.DoubleType):
		return newNote("check.want.number")
	}
	return newNote("check.detail", "Detail", t.String())
}

var nativeMap = reflect.TypeFor[map[string]any]()

// decideFunction declares decide(table, date, inputs): the outputs of a
// decision table for a date (YYYY-MM-DD) and a map of inputs, for
// computed fields and guards, e.g.
// decide('ceiling', form.date, {'household_size': form.size}).amount
func decideFunction(tables map[string]*compiledTable) cel.EnvOption {
	return cel.Function("decide",
		cel.Overload("decide_string_string_map",
			[]*cel.Type{cel.StringType, cel.StringType, cel.MapType(cel.StringType, cel.DynType)},
			cel.MapType(cel.StringType, cel.DynType),
			cel.FunctionBinding(func(args ...ref.Val) ref.Val {
				id, _ := args[0].Value().(string)
				date, _ := args[1].Value().(string)
				in, err := args[2].ConvertToNative(nativeMap)
				if err != nil {
					return types.NewErr("decide: %v", err)
				}
				out, err := (&Compiled{tables: tables}).Decide(id, date, in.(map[string]any))
				if err != nil {
					return types.NewErr("%v", err)
				}
				return types.DefaultTypeAdapter.NativeToValue(out)
			})))
}

// helperFunctions are sum() and money(), in every environment.
var helperFunctions = []cel.EnvOption{
	cel.Function("sum",
		cel.Overload("sum_list_int", []*cel.Type{cel.ListType(cel.IntType)}, cel.IntType,
			cel.UnaryBinding(func(v ref.Val) ref.Val { return sumList[int64](v) })),
		cel.Overload("sum_list_double", []*cel.Type{cel.ListType(cel.DoubleType)}, cel.DoubleType,
			cel.UnaryBinding(func(v ref.Val) ref.Val { return sumList[float64](v) }))),
	cel.Function("money",
		cel.Overload("money_int", []*cel.Type{cel.IntType}, cel.StringType,
			cel.UnaryBinding(func(v ref.Val) ref.Val {
				n, ok := v.Value().(int64)
				if !ok {
					return types.NewErr("money: not a whole number of öre")
				}
				return types.String(FormatMoney(n))
			}))),
}

func sumList[T int64 | float64](v ref.Val) ref.Val {
	l, ok := v.(traits.Lister)
	if !ok {
		return types.NewErr("sum: not a list")
	}
	var total T
	it := l.Iterator()
	for it.HasNext() == types.True {
		x, ok := it.Next().Value().(T)
		if !ok {
			return types.NewErr("sum: the list holds something other than numbers")
		}
		total += x
	}
	return types.DefaultTypeAdapter.NativeToValue(total)
}

// FormatMoney writes an amount in öre as Swedish kronor: a space between
// thousands, a decimal comma, and öre only when there are any:
// 1234550 → "12 345,50 kr", -5000 → "−50 kr".
func FormatMoney(ore int64) string {
	return Measure{Unit: UnitMoney}.Number(ore) + " kr"
}
