package main

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// progress shows how a long step goes, on one line of standard error
// rewritten in place: the count done of the total, the share and the
// time left at the pace so far (without a total, the count and the
// pace). It writes at most once a second and
// nothing in the step's first second, so short runs stay quiet.
type progress struct {
	w       io.Writer
	what    string // what is counted, plural: "persons"
	total   int
	now     func() time.Time
	start   time.Time
	last    time.Time
	width   int // of the line written last
	printed bool
}

// newProgress starts counting total things called what (plural).
func newProgress(w io.Writer, what string, total int, now func() time.Time) *progress {
	if now == nil {
		now = time.Now
	}
	t := now()
	return &progress{w: w, what: what, total: total, now: now, start: t, last: t}
}

// update says done of the total are done.
func (p *progress) update(done int) {
	t := p.now()
	if t.Sub(p.last) < time.Second {
		return
	}
	p.last = t
	// Without a total (an export without a manifest's counts) the count
	// alone, and its pace.
	line := fmt.Sprintf("%s %s, %s a second", groupDigits(done), p.what, groupDigits(int(float64(done)/t.Sub(p.start).Seconds())))
	if p.total > 0 {
		line = fmt.Sprintf("%s / %s %s (%d %%)", groupDigits(done), groupDigits(p.total), p.what, percent(done, p.total))
	}
	if done > 0 && done < p.total {
		left := time.Duration(float64(t.Sub(p.start)) * float64(p.total-done) / float64(done))
		line += ", " + roughDuration(left) + " left"
	}
	pad := max(0, p.width-len(line))
	fmt.Fprintf(p.w, "\r%s%s", line, strings.Repeat(" ", pad))
	p.width, p.printed = len(line), true
}

// finish ends the line, if one was written, with the count and the time
// taken.
func (p *progress) finish(done int) {
	if !p.printed {
		return
	}
	line := fmt.Sprintf("%s %s in %s", groupDigits(done), p.what, roughDuration(p.now().Sub(p.start)))
	if p.total > 0 {
		line = fmt.Sprintf("%s / %s %s in %s", groupDigits(done), groupDigits(p.total), p.what, roughDuration(p.now().Sub(p.start)))
	}
	fmt.Fprintf(p.w, "\r%s%s\n", line, strings.Repeat(" ", max(0, p.width-len(line))))
}

func percent(done, total int) int {
	if total <= 0 {
		return 100
	}
	return int(int64(done) * 100 / int64(total))
}

// groupDigits writes n with a space between groups of three digits, the
// Swedish way: 100 000.
func groupDigits(n int) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// roughDuration writes d to the second below a minute and to the minute
// above: 45 s, 3 min 20 s, 1 h 5 min.
func roughDuration(d time.Duration) string {
	s := int(d.Round(time.Second).Seconds())
	switch {
	case s < 60:
		return fmt.Sprintf("%d s", s)
	case s < 3600:
		return fmt.Sprintf("%d min %d s", s/60, s%60)
	}
	return fmt.Sprintf("%d h %d min", s/3600, s%3600/60)
}
