package forecast

import (
	"encoding/binary"
	"math"
	"slices"
	"testing"

	"github.com/trygg/trygg/internal/trygg"
)

const eps = 1e-9

func near(a, b float64) bool { return math.Abs(a-b) <= eps*math.Max(1, math.Abs(b)) }

func nearAll(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !near(a[i], b[i]) {
			return false
		}
	}
	return true
}

func TestSmooth(t *testing.T) {
	tests := []struct {
		name  string
		y     []float64
		alpha float64
		want  float64
	}{
		{"empty", nil, 0.5, 0},
		{"one value", []float64{5}, 0.3, 5},
		// 10; 10 + 0.5·(20−10) = 15; 15 + 0.5·(10−15) = 12.5
		{"half way each time", []float64{10, 20, 10}, 0.5, 12.5},
		{"alpha 1 is the last value", []float64{10, 20, 7}, 1, 7},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Smooth(tt.y, tt.alpha); !near(got, tt.want) {
				t.Errorf("Smooth(%v, %v) = %v, want %v", tt.y, tt.alpha, got, tt.want)
			}
		})
	}
}

func TestFitAlpha(t *testing.T) {
	tests := []struct {
		name string
		y    []float64
		want float64
	}{
		{"one value", []float64{3}, 1},
		// errors 10 and 5−10α: SSE = 100 + (5−10α)², least at α = 0.5
		{"interior optimum", []float64{0, 10, 5}, 0.5},
		// errors 1, 2−(1+α), …: every lag costs, so α = 1 (the last value)
		{"a straight line", []float64{1, 2, 3, 4}, 1},
		// errors 10 and −10α: SSE = 100 + 100α², least at the smallest α
		{"a single spike", []float64{0, 10, 0}, 0.01},
		// every α is exact; of equals the largest
		{"constant", []float64{7, 7, 7}, 1},
		// one error, 1, whatever α is
		{"two values", []float64{1, 2}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := FitAlpha(tt.y); !near(got, tt.want) {
				t.Errorf("FitAlpha(%v) = %v, want %v", tt.y, got, tt.want)
			}
		})
	}
}

func TestSeasonalNaiveNext(t *testing.T) {
	tests := []struct {
		name            string
		y               []float64
		period, horizon int
		want            []float64
	}{
		// last 3: 22+33+44 = 99; a year before: 20+30+40 = 90; ratio 1.1;
		// next: 1.1·11, 1.1·22, 1.1·33, 1.1·44, then 1.1·11 again
		{"scaled by the trend", []float64{10, 20, 30, 40, 11, 22, 33, 44}, 4, 5, []float64{12.1, 24.2, 36.3, 48.4, 12.1}},
		// a year before the last 3 sums to 0: ratio 1, the value of a year ago
		{"no trend from zeros", []float64{0, 0, 0, 9, 5, 5, 5}, 4, 1, []float64{9}},
		// a year before the last 3 sums to almost nothing: the ratio is
		// not finite, so 1, and the forecast is capped at MaxValue
		{"ratio overflows", []float64{1, 2, 3, 4, 5e-308, 5e-308, 5e-308, 1e-300, 230918, 4, 5}, 4, 2, []float64{1e-300, 230918}},
		{"forecast capped", []float64{1, 1e-10, 1e-10, 1e-10, 1e15, 1e15, 1e15, 1e15}, 4, 1, []float64{MaxValue}},
		{"too short", []float64{1, 2, 3, 4, 5, 6}, 4, 1, nil},
		{"no horizon", []float64{1, 2, 3, 4, 5, 6, 7}, 4, -1, nil},
		// period+3 does not fit in an int: still far longer than y
		{"a year longer than an int counts", []float64{1, 2, 3, 4}, math.MaxInt - 1, 1, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := SeasonalNaiveNext(tt.y, tt.period, tt.horizon)
			if !nearAll(got, tt.want) {
				t.Errorf("SeasonalNaiveNext = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestForecast(t *testing.T) {
	seasonal := []float64{10, 20, 30, 40, 10, 20, 30, 40, 10, 20, 30, 40, 10}
	constant := slices.Repeat([]float64{5}, 13)
	tests := []struct {
		name            string
		y               []float64
		period, horizon int
		method          Method
		alpha           float64
		next            []float64
		backtest        []Check
		mae             float64
		scores          []Method
	}{
		{"one value repeats it", []float64{42}, 12, 2, Naive, 0, []float64{42, 42}, nil, 0, nil},
		{"two values: nothing to backtest", []float64{1, 2}, 12, 1, SES, 1, []float64{2}, nil, 0, []Method{SES}},
		// backtest min(6, 4−2) = 2 periods: [1 2] → 2 for 3, [1 2 3] → 3 for 4
		{"short history: SES only", []float64{1, 2, 3, 4}, 12, 1, SES, 1, []float64{4},
			[]Check{{2, 2, 3}, {3, 3, 4}}, 1, []Method{SES}},
		// 13 = 4 + 3 + 6 values: seasonal naive takes part and is exact
		{"seasonal pattern", seasonal, 4, 2, SeasonalNaive, 0, []float64{20, 30},
			[]Check{{7, 40, 40}, {8, 10, 10}, {9, 20, 20}, {10, 30, 30}, {11, 40, 40}, {12, 10, 10}}, 0, []Method{SES, SeasonalNaive}},
		{"a tie goes to SES", constant, 4, 1, SES, 1, []float64{5},
			[]Check{{7, 5, 5}, {8, 5, 5}, {9, 5, 5}, {10, 5, 5}, {11, 5, 5}, {12, 5, 5}}, 0, []Method{SES, SeasonalNaive}},
		// 12 values of a monthly series: a year is not enough for seasonal naive
		{"a year of months", seasonal[:12], 12, 1, SES, 0, nil, nil, -1, []Method{SES}},
		// period+9 does not fit in an int: seasonal naive cannot take part
		{"a year longer than an int counts", seasonal, math.MaxInt - 5, 1, SES, 0, nil, nil, -1, []Method{SES}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Forecast(tt.y, tt.period, tt.horizon)
			if err != nil {
				t.Fatal(err)
			}
			if got.Method != tt.method {
				t.Errorf("method %q, want %q", got.Method, tt.method)
			}
			var methods []Method
			for _, s := range got.Scores {
				methods = append(methods, s.Method)
			}
			if !slices.Equal(methods, tt.scores) {
				t.Errorf("methods tried %v, want %v", methods, tt.scores)
			}
			if tt.mae < 0 { // only the shape is checked
				if len(got.Next) != tt.horizon || len(got.Backtest) != BacktestPeriods {
					t.Errorf("next %v, backtest %v", got.Next, got.Backtest)
				}
				return
			}
			if !near(got.Alpha, tt.alpha) {
				t.Errorf("alpha %v, want %v", got.Alpha, tt.alpha)
			}
			if !nearAll(got.Next, tt.next) {
				t.Errorf("next %v, want %v", got.Next, tt.next)
			}
			if len(got.Backtest) != len(tt.backtest) {
				t.Fatalf("backtest %v, want %v", got.Backtest, tt.backtest)
			}
			for i, c := range got.Backtest {
				w := tt.backtest[i]
				if c.Index != w.Index || !near(c.Forecast, w.Forecast) || c.Actual != w.Actual {
					t.Errorf("backtest[%d] = %+v, want %+v", i, c, w)
				}
			}
			if !near(got.MAE, tt.mae) {
				t.Errorf("MAE %v, want %v", got.MAE, tt.mae)
			}
		})
	}
}

// TestForecastSeasonalScores checks the losing method's error is reported
// too: on the seasonal pattern SES (a level chasing 10, 20, 30, 40) is off.
func TestForecastSeasonalScores(t *testing.T) {
	got, err := Forecast([]float64{10, 20, 30, 40, 10, 20, 30, 40, 10, 20, 30, 40, 10}, 4, 1)
	if err != nil {
		t.Fatal(err)
	}
	if got.Scores[0].Method != SES || got.Scores[0].MAE <= 5 {
		t.Errorf("SES's score %+v, want an error above 5", got.Scores[0])
	}
}

func TestForecastInvalid(t *testing.T) {
	tests := []struct {
		name            string
		y               []float64
		period, horizon int
		msg             string
	}{
		{"empty", nil, 12, 1, "There is no history to forecast from."},
		{"NaN", []float64{1, math.NaN()}, 12, 1, "Value 2 of the history is not a number from 0 to 10^15."},
		{"negative", []float64{-1}, 12, 1, "Value 1 of the history is not a number from 0 to 10^15."},
		{"infinite", []float64{1, 2, math.Inf(1)}, 12, 1, "Value 3 of the history is not a number from 0 to 10^15."},
		{"too large", []float64{1e16}, 12, 1, "Value 1 of the history is not a number from 0 to 10^15."},
		{"no year", []float64{1}, 1, 1, "A year must have at least 2 periods."},
		{"no horizon", []float64{1}, 12, 0, "At least 1 period must be forecast."},
		{"horizon too long", []float64{1}, 12, 1001, "At most 1000 periods can be forecast."},
		{"horizon beyond memory", []float64{1}, 12, math.MaxInt, "At most 1000 periods can be forecast."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Forecast(tt.y, tt.period, tt.horizon)
			if trygg.ErrorCode(err) != trygg.EInvalid || trygg.ErrorMessage(err) != tt.msg {
				t.Errorf("err = %v, want invalid %q", err, tt.msg)
			}
		})
	}
}

// FuzzForecast feeds any numbers (NaN, infinities, negatives, huge) with
// any period and horizon (near the largest int too): Forecast never
// panics, refuses exactly the invalid inputs, and otherwise returns
// finite forecasts of at least 0 within the history's range times its
// largest trend ratio.
func FuzzForecast(f *testing.F) {
	enc := func(vs ...float64) []byte {
		var b []byte
		for _, v := range vs {
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
		}
		return b
	}
	f.Add(enc(1, 2, 3, 4), 12, 1)
	f.Add(enc(), 12, 1)
	f.Add(enc(math.NaN(), 1), 4, 2)
	f.Add(enc(-3, 5), 4, 2)
	f.Add(enc(10, 20, 30, 40, 10, 20, 30, 40, 10, 20, 30, 40, 10), 4, 3)
	f.Add(enc(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1e15, 1e15, 1e15), 4, 5)
	f.Add(enc(10, 20, 30, 40, 10, 20, 30, 40, 10, 20, 30, 40, 10), math.MaxInt-5, 1)
	f.Add(enc(1, 2), 12, math.MaxInt)
	f.Fuzz(func(t *testing.T, data []byte, period, horizon int) {
		var y []float64
		valid := true
		for len(data) >= 8 && len(y) < 200 {
			v := math.Float64frombits(binary.LittleEndian.Uint64(data))
			data = data[8:]
			if math.IsNaN(v) || v < 0 || v > MaxValue {
				valid = false
			}
			y = append(y, v)
		}
		valid = valid && len(y) > 0 && period >= 2 && horizon >= 1 && horizon <= MaxHorizon
		got, err := Forecast(y, period, horizon)
		if !valid {
			if trygg.ErrorCode(err) != trygg.EInvalid {
				t.Fatalf("Forecast(%v, %d, %d) = %v, want an invalid error", y, period, horizon, err)
			}
			return
		}
		if err != nil {
			t.Fatalf("Forecast(%v, %d, %d): %v", y, period, horizon, err)
		}
		if len(got.Next) != horizon || len(got.Backtest) > BacktestPeriods {
			t.Fatalf("next %d values, backtest %d", len(got.Next), len(got.Backtest))
		}
		for _, v := range append(slices.Clone(got.Next), got.MAE, got.Alpha) {
			if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
				t.Fatalf("Forecast(%v) gave %v: %+v", y, v, got)
			}
		}
		if got.Method == SES {
			lo, hi := slices.Min(y), slices.Max(y)
			if got.Next[0] < lo-eps*hi || got.Next[0] > hi+eps*hi {
				t.Fatalf("SES forecast %v outside the history's range [%v, %v]", got.Next[0], lo, hi)
			}
		}
	})
}
