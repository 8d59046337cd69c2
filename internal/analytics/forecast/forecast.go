// Package forecast forecasts the next periods of a monthly or weekly
// series (inflow of cases, decided hours) from its own history, with two
// simple methods chosen between by how well each did lately:
//
//   - Seasonal naive, scaled by the trend: the same period a year earlier,
//     multiplied by how the last 3 periods compare with the same 3 periods
//     a year before them. It needs a year and 3 periods of history.
//   - Simple exponential smoothing (SES): a level that moves a share alpha
//     of the way towards each new value; the forecast is the last level.
//     Alpha is fitted by least squares: of 0.01, 0.02, …, 1.00 the one whose
//     one-step-ahead forecasts over the history have the smallest sum of
//     squared errors.
//
// The backtest: for each of the last 6 periods, each method forecasts that
// period from the history before it alone (SES refits its alpha), and the
// method with the smaller mean absolute error (MAE) over those periods is
// used; a tie goes to SES. The error is reported with the forecast, so a
// dashboard can say "usually off by about 12 cases".
//
// Short histories are handled plainly: with one value the forecast is that
// value and no error is reported; with fewer than 6 earlier forecasts
// possible the backtest covers as many periods as there are (Result.Backtest
// says which); seasonal naive takes part only when it can be backtested over
// all 6 periods, that is from a year and 9 periods of history (21 months or
// 61 weeks).
//
// The package is pure: numbers in, numbers out. docs/analytics.md
// describes the method for the people reading the dashboards.
package forecast

import (
	"math"

	"github.com/trygg/trygg/internal/trygg"
)

// Method names a forecasting method.
type Method string

// The methods.
const (
	// Naive repeats the last value: only for a history of one value.
	Naive Method = "naive"
	// SES is simple exponential smoothing with a fitted alpha.
	SES Method = "ses"
	// SeasonalNaive is the same period a year earlier scaled by the trend
	// of the last 3 periods.
	SeasonalNaive Method = "seasonal-naive"
)

// BacktestPeriods is how many of the last periods the backtest covers.
const BacktestPeriods = 6

// MaxValue is the largest value a history may hold; far above any count
// or hours, and low enough that no sum overflows.
const MaxValue = 1e15

// MaxHorizon is the most periods Forecast forecasts at once.
const MaxHorizon = 1000

// trendPeriods is how many recent periods the seasonal trend compares.
const trendPeriods = 3

// Check is one backtest period: the forecast made for it from the history
// before it, and what came.
type Check struct {
	Index    int // the period's index in the history
	Forecast float64
	Actual   float64
}

// Score is one method's mean absolute error over the backtest periods.
type Score struct {
	Method Method  `json:"method"`
	MAE    float64 `json:"mae"`
}

// Result is a forecast with how it was made and how wrong the method was
// lately.
type Result struct {
	Method Method
	// Alpha is SES's fitted smoothing factor; 0 for the other methods.
	Alpha float64
	// Next holds the forecasts of the next periods, one per period of the
	// horizon asked for.
	Next []float64
	// Backtest holds the chosen method's forecasts of the last periods
	// (at most BacktestPeriods), each made from the history before it;
	// empty when the history is too short for any.
	Backtest []Check
	// MAE is the mean absolute error over Backtest; 0 when it is empty.
	MAE float64
	// Scores holds each method tried with its MAE over the same periods.
	Scores []Score
}

// Forecast forecasts the next horizon periods of history (oldest first;
// counts or hours, so from 0 to MaxValue). period is the number of
// periods in a year: 12 for months, 52 for weeks.
//
// It returns an EInvalid *trygg.Error for an empty history, a value that
// is not a number from 0 to MaxValue, a period below 2 or a horizon
// below 1 or a horizon above MaxHorizon.
func Forecast(history []float64, period, horizon int) (Result, error) {
	if err := check(history, period, horizon); err != nil {
		return Result{}, err
	}
	n := len(history)
	if n == 1 {
		return Result{Method: Naive, Next: repeat(history[0], horizon)}, nil
	}
	b := min(BacktestPeriods, n-2)
	sesChecks := backtest(history, b, func(y []float64) float64 {
		return Smooth(y, FitAlpha(y))
	})
	res := Result{Method: SES, Backtest: sesChecks, MAE: mae(sesChecks)}
	res.Scores = []Score{{SES, res.MAE}}
	// n less what is needed, not period plus it: a period near the
	// largest int must not overflow into a method without the history.
	if n-trendPeriods-BacktestPeriods >= period {
		snChecks := backtest(history, BacktestPeriods, func(y []float64) float64 {
			return SeasonalNaiveNext(y, period, 1)[0]
		})
		sn := mae(snChecks)
		res.Scores = append(res.Scores, Score{SeasonalNaive, sn})
		if sn < res.MAE {
			res.Method, res.Backtest, res.MAE = SeasonalNaive, snChecks, sn
			res.Next = SeasonalNaiveNext(history, period, horizon)
			return res, nil
		}
	}
	res.Alpha = FitAlpha(history)
	res.Next = repeat(Smooth(history, res.Alpha), horizon)
	return res, nil
}

func check(history []float64, period, horizon int) error {
	if len(history) == 0 {
		return trygg.Errorf(trygg.EInvalid, "There is no history to forecast from.")
	}
	for i, v := range history {
		if math.IsNaN(v) || v < 0 || v > MaxValue {
			return trygg.Errorf(trygg.EInvalid, "Value %d of the history is not a number from 0 to 10^15.", i+1)
		}
	}
	if period < 2 {
		return trygg.Errorf(trygg.EInvalid, "A year must have at least 2 periods.")
	}
	if horizon < 1 {
		return trygg.Errorf(trygg.EInvalid, "At least 1 period must be forecast.")
	}
	if horizon > MaxHorizon {
		return trygg.Errorf(trygg.EInvalid, "At most %d periods can be forecast.", MaxHorizon)
	}
	return nil
}

// backtest forecasts each of the last b values of y from the values
// before it.
func backtest(y []float64, b int, next func([]float64) float64) []Check {
	var out []Check
	for t := len(y) - b; t < len(y); t++ {
		out = append(out, Check{Index: t, Forecast: next(y[:t]), Actual: y[t]})
	}
	return out
}

func mae(cs []Check) float64 {
	if len(cs) == 0 {
		return 0
	}
	var sum float64
	for _, c := range cs {
		sum += math.Abs(c.Actual - c.Forecast)
	}
	return sum / float64(len(cs))
}

func repeat(v float64, n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = v
	}
	return out
}

// Smooth returns simple exponential smoothing's last level over y with
// the factor alpha, which is its forecast of every next period: the level
// starts at y[0] and each later value moves it alpha of the way towards
// that value. It returns 0 for an empty y.
func Smooth(y []float64, alpha float64) float64 {
	if len(y) == 0 {
		return 0
	}
	level := y[0]
	for _, v := range y[1:] {
		level += alpha * (v - level)
	}
	return level
}

// FitAlpha returns the smoothing factor, of 0.01, 0.02, …, 1.00, whose
// one-step-ahead forecasts of y[1:] have the smallest sum of squared
// errors; of equally good ones the largest, which follows the latest
// value (a history of 2 values has one error whatever alpha is, so it
// gets 1: the last value). It returns 1 for fewer than 2 values.
func FitAlpha(y []float64) float64 {
	if len(y) < 2 {
		return 1
	}
	best, bestSSE := 1.0, math.Inf(1)
	for i := 1; i <= 100; i++ {
		alpha := float64(i) / 100
		if sse := sumSquaredErrors(y, alpha); sse <= bestSSE {
			best, bestSSE = alpha, sse
		}
	}
	return best
}

func sumSquaredErrors(y []float64, alpha float64) float64 {
	level, sse := y[0], 0.0
	for _, v := range y[1:] {
		e := v - level
		sse += e * e
		level += alpha * e
	}
	return sse
}

// SeasonalNaiveNext returns the seasonal naive forecasts of the next
// horizon periods after y: each the value of the same period a year
// (period values) earlier, times the trend ratio, the sum of y's last 3
// values over the sum of the 3 values a year before them (1 when that sum
// is 0 or so small that the ratio is not a finite number). Each forecast
// is capped at MaxValue, so a near-empty year before a busy quarter
// cannot forecast more than any history may hold. It returns nil when y
// has fewer than period+3 values or horizon is below 1.
func SeasonalNaiveNext(y []float64, period, horizon int) []float64 {
	n := len(y)
	if period < 1 || horizon < 1 || n-trendPeriods < period {
		return nil
	}
	var recent, before float64
	for i := n - trendPeriods; i < n; i++ {
		recent += y[i]
		before += y[i-period]
	}
	ratio := 1.0
	if r := recent / before; before != 0 && !math.IsInf(r, 0) {
		ratio = r
	}
	out := make([]float64, horizon)
	for k := 1; k <= horizon; k++ {
		// The same period in the last year of history: k periods ahead,
		// as many whole years back as it takes.
		years := (k + period - 1) / period
		out[k-1] = min(ratio*y[n-1+k-years*period], MaxValue)
	}
	return out
}
