package process

import (
	"time"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"

	"github.com/trygg/trygg/internal/calendar"
)

// dateFunctions are the date arithmetic of the report environment, on
// dates written YYYY-MM-DD, counted the way the law counts periods (lag
// 1930:173, as deadlines do: calendar.Period):
//
//	addDays(date, n)          the date n days later (n may be negative)
//	addMonths(date, n)        the date n calendar months later: the same
//	                          day number, or the month's last day when it
//	                          has none (addMonths('2026-11-30', 3) is
//	                          '2027-02-28', in 2028 '2028-02-29')
//	daysBetween(from, to)     days from from to to (negative when to is
//	                          earlier)
//	monthsBetween(from, to)   whole calendar months from from to to: the
//	                          largest n with addMonths(from, n) <= to
//	                          (0 when to is earlier)
//
// A text that is not a date is an error when the expression runs, which
// the checker's run on a sample record reports.
var dateFunctions = []cel.EnvOption{
	cel.Function("addDays",
		cel.Overload("addDays_string_int", []*cel.Type{cel.StringType, cel.IntType}, cel.StringType,
			cel.BinaryBinding(func(d, n ref.Val) ref.Val {
				day, err := dateArg("addDays", d)
				if err != nil {
					return err
				}
				k, ok := n.Value().(int64)
				if !ok || k < -100_000 || k > 100_000 {
					return types.NewErr("addDays: the number of days is out of range")
				}
				return types.String(day.AddDate(0, 0, int(k)).Format(time.DateOnly))
			}))),
	cel.Function("addMonths",
		cel.Overload("addMonths_string_int", []*cel.Type{cel.StringType, cel.IntType}, cel.StringType,
			cel.BinaryBinding(func(d, n ref.Val) ref.Val {
				day, err := dateArg("addMonths", d)
				if err != nil {
					return err
				}
				k, ok := n.Value().(int64)
				if !ok || k < -1200 || k > 1200 {
					return types.NewErr("addMonths: the number of months must be -1200 to 1200")
				}
				return types.String(AddMonths(day, int(k)).Format(time.DateOnly))
			}))),
	cel.Function("daysBetween",
		cel.Overload("daysBetween_string_string", []*cel.Type{cel.StringType, cel.StringType}, cel.IntType,
			cel.BinaryBinding(func(a, b ref.Val) ref.Val {
				from, err := dateArg("daysBetween", a)
				if err != nil {
					return err
				}
				to, err := dateArg("daysBetween", b)
				if err != nil {
					return err
				}
				return types.Int(int64(to.Sub(from).Hours() / 24))
			}))),
	cel.Function("monthsBetween",
		cel.Overload("monthsBetween_string_string", []*cel.Type{cel.StringType, cel.StringType}, cel.IntType,
			cel.BinaryBinding(func(a, b ref.Val) ref.Val {
				from, err := dateArg("monthsBetween", a)
				if err != nil {
					return err
				}
				to, err := dateArg("monthsBetween", b)
				if err != nil {
					return err
				}
				return types.Int(int64(MonthsBetween(from, to)))
			}))),
}

// dateArg reads a YYYY-MM-DD argument of function fn, or returns the
// error value the expression fails with.
func dateArg(fn string, v ref.Val) (time.Time, ref.Val) {
	s, ok := v.Value().(string)
	if !ok {
		return time.Time{}, types.NewErr("%s: not a date", fn)
	}
	day, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, types.NewErr("%s: %q is not a date YYYY-MM-DD", fn, s)
	}
	return day, nil
}

// AddMonths returns the day n calendar months after day (before it when n
// is negative), as the law counts a period in months: the same day number,
// or the month's last day when it has none.
func AddMonths(day time.Time, n int) time.Time {
	if n < 0 {
		return calendar.Period{N: -n, Unit: 'm'}.Before(day)
	}
	return calendar.Period{N: n, Unit: 'm'}.After(day)
}

// MonthsBetween returns the whole calendar months from from to to: the
// largest n with AddMonths(from, n) not after to, 0 when to is before
// from.
func MonthsBetween(from, to time.Time) int {
	if to.Before(from) {
		return 0
	}
	n := (to.Year()-from.Year())*12 + int(to.Month()) - int(from.Month())
	for n > 0 && AddMonths(from, n).After(to) {
		n--
	}
	return n
}
