package analytics

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
)

// The persons assessed with each code: sum_needs keeps, per code system,
// code (or chapter), day, district, unit and case type, the set of
// persons assessed with it in a signed assessment and the furthest step
// each reached on the case (fact_codes.step, or chapter_step). Persons
// are not additive, but sets are: NeedsMatch merges the sets of the
// period's days, and a person assessed on several days, in several units
// or districts is counted once, with the furthest step of any.

// The levels of sum_needs.
const (
	levelCode    = "code"
	levelChapter = "chapter"
)

// needEntrySize is the bytes of a set's entry: a pseudonym's 16 bytes
// and the step.
const needEntrySize = 17

// needCell is a row of sum_needs without its set.
type needCell struct {
	system, level, day, code, district, unit, caseType string
}

func (c needCell) args(tenant string) []any {
	return []any{tenant, c.system, c.level, c.day, c.code, c.district, c.unit, c.caseType}
}

// needSet is a cell's persons by pseudonym's bytes, with the furthest
// step of each.
type needSet map[[16]byte]byte

func (s needSet) add(person [16]byte, step byte) {
	if old, ok := s[person]; !ok || step > old {
		s[person] = step
	}
}

// encode returns the set as sum_needs keeps it: sorted by pseudonym.
func (s needSet) encode() []byte {
	keys := make([][16]byte, 0, len(s))
	for k := range s {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b [16]byte) int { return bytes.Compare(a[:], b[:]) })
	out := make([]byte, 0, len(keys)*needEntrySize)
	for _, k := range keys {
		out = append(append(out, k[:]...), s[k])
	}
	return out
}

// decodeNeeds calls fn with each entry of an encoded set.
func decodeNeeds(b []byte, fn func(person [16]byte, step byte)) error {
	if len(b)%needEntrySize != 0 {
		return fmt.Errorf("analytics: a set of persons of %d bytes", len(b))
	}
	for i := 0; i < len(b); i += needEntrySize {
		fn([16]byte(b[i:i+16]), b[i+16])
	}
	return nil
}

// personBytes returns the 16 bytes a person's key is kept as in a set:
// a pseudonym's own (32 lower-case hex digits), anything else's SHA-256's
// first 16 (which no pseudonym shares but by a chance as small as two
// pseudonyms being the same).
func personBytes(key string) [16]byte {
	var out [16]byte
	if len(key) == 32 && strings.ToLower(key) == key {
		if _, err := hex.Decode(out[:], []byte(key)); err == nil {
			return out
		}
	}
	sum := sha256.Sum256([]byte(key))
	return [16]byte(sum[:16])
}

// chapterOf returns a code's chapter, as SQL's substr(code, 1, 2): its
// first two characters.
func chapterOf(code string) string {
	n := 0
	for i := range code {
		if n == 2 {
			return code[:i]
		}
		n++
	}
	return code
}

// needEntry is a person of a merged set: the pseudonym's 16 bytes as
// two numbers, the district (an index into the query's) and the step.
type needEntry struct {
	hi, lo   uint64
	district uint16
	step     byte
}

func (e needEntry) samePerson(o needEntry) bool { return e.hi == o.hi && e.lo == o.lo }

// needChunk is how many entries a chunk of a merge holds: entries are
// gathered chunk by chunk, never copied to grow.
const needChunk = 1 << 16

// needEntries gathers a merge's entries.
type needEntries struct {
	chunks [][]needEntry
	n      int
}

func (es *needEntries) add(p [16]byte, district uint16, step byte) {
	if len(es.chunks) == 0 || len(es.chunks[len(es.chunks)-1]) == needChunk {
		es.chunks = append(es.chunks, make([]needEntry, 0, needChunk))
	}
	last := &es.chunks[len(es.chunks)-1]
	*last = append(*last, needEntry{binary.BigEndian.Uint64(p[:8]), binary.BigEndian.Uint64(p[8:]), district, step})
	es.n++
}

// sorted returns the entries sorted by person, then district: by the
// pseudonyms' first two bytes into buckets (pseudonyms are spread
// evenly), then each bucket, of a few entries, on its own.
func (es *needEntries) sorted() []needEntry {
	var start [1<<16 + 1]int
	for _, c := range es.chunks {
		for _, e := range c {
			start[e.hi>>48+1]++
		}
	}
	for i := 1; i < len(start); i++ {
		start[i] += start[i-1]
	}
	out := make([]needEntry, es.n)
	next := start
	for _, c := range es.chunks {
		for _, e := range c {
			b := e.hi >> 48
			out[next[b]] = e
			next[b]++
		}
	}
	es.chunks = nil
	for b := range 1 << 16 {
		part := out[start[b]:start[b+1]]
		for i := 1; i < len(part); i++ { // insertion sort
			for j := i; j > 0 && needLess(part[j], part[j-1]); j-- {
				part[j], part[j-1] = part[j-1], part[j]
			}
		}
	}
	return out
}

func needLess(a, b needEntry) bool {
	if a.hi != b.hi {
		return a.hi < b.hi
	}
	if a.lo != b.lo {
		return a.lo < b.lo
	}
	return a.district < b.district
}

// needRows is the SELECT of need rows with what places them in their
// cells: code system, code, day, district, unit and case type (of the
// case, ” when it is not in the store), person, step and chapter step.
const needRows = `SELECT n.code_system, n.code, n.on_date, n.district_id, COALESCE(c.unit_id, ''), COALESCE(c.case_type, ''),
	n.person_key, n.step, n.chapter_step FROM fact_codes n LEFT JOIN fact_cases c ON c.tenant_id = n.tenant_id AND c.case_key = n.case_key
	WHERE n.source = 'need'`

// needSets gathers need rows into the cells of both levels.
type needSets map[needCell]needSet

// scan adds a row of needRows.
func (s needSets) scan(r rowsIter) error {
	_, err := s.scanKey(r)
	return err
}

// scanKey adds a row of needRows and returns its person's key.
func (s needSets) scanKey(r rowsIter) (string, error) {
	var system, code, day, district, unit, caseType, person string
	var step, chapterStep int64
	if err := r.Scan(&system, &code, &day, &district, &unit, &caseType, &person, &step, &chapterStep); err != nil {
		return "", err
	}
	p := personBytes(person)
	for _, x := range []struct {
		level, code string
		step        int64
	}{{levelCode, code, step}, {levelChapter, chapterOf(code), chapterStep}} {
		c := needCell{system: system, level: x.level, day: day, code: x.code, district: district, unit: unit, caseType: caseType}
		if s[c] == nil {
			s[c] = needSet{}
		}
		s[c].add(p, byte(x.step))
	}
	return person, nil
}

// writeNeedSets writes the cells of sets for tenant (an empty set
// removes its row).
func writeNeedSets(t *tx, tenant string, sets needSets) error {
	cells := make([]needCell, 0, len(sets))
	for c := range sets {
		cells = append(cells, c)
	}
	// In key order: the same statements in the same order, whoever runs
	// them.
	slices.SortFunc(cells, func(a, b needCell) int {
		for _, x := range [][2]string{{a.system, b.system}, {a.level, b.level}, {a.day, b.day}, {a.code, b.code},
			{a.district, b.district}, {a.unit, b.unit}, {a.caseType, b.caseType}} {
			if c := strings.Compare(x[0], x[1]); c != 0 {
				return c
			}
		}
		return 0
	})
	const key = ` WHERE tenant_id = ? AND code_system = ? AND level = ? AND day = ? AND code = ? AND district_id = ? AND unit_id = ?
		AND case_type = ?`
	for _, c := range cells {
		set := sets[c]
		if len(set) == 0 {
			if err := t.exec(`DELETE FROM sum_needs`+key, c.args(tenant)...); err != nil {
				return err
			}
			continue
		}
		if err := t.exec(`INSERT INTO sum_needs (tenant_id, code_system, level, day, code, district_id, unit_id, case_type, n, persons)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tenant_id, code_system, level, day, code, district_id, unit_id, case_type)
			DO UPDATE SET n = excluded.n, persons = excluded.persons`, append(c.args(tenant), int64(len(set)), set.encode())...); err != nil {
			return err
		}
	}
	return nil
}

// refreshNeeds counts every tenant's sets from the facts (in refresh's
// transaction).
func refreshNeeds(t *tx) error {
	for _, table := range []string{"sum_needs", "need_pending_persons", "need_pending_cells"} {
		if err := t.exec(`DELETE FROM ` + table); err != nil {
			return err
		}
	}
	rows, err := t.tx.QueryContext(t.ctx, rebind(t.pg, `SELECT DISTINCT tenant_id FROM fact_codes WHERE source = 'need'`))
	if err != nil {
		return err
	}
	var tenants []string
	for rows.Next() {
		var tn string
		if err := rows.Scan(&tn); err != nil {
			rows.Close()
			return err
		}
		tenants = append(tenants, tn)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, tn := range tenants {
		sets := needSets{}
		rows, err := t.tx.QueryContext(t.ctx, rebind(t.pg, needRows+` AND n.tenant_id = ?`), tn)
		if err != nil {
			return err
		}
		for rows.Next() {
			if err := sets.scan(rows); err != nil {
				rows.Close()
				return err
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if err := writeNeedSets(t, tn, sets); err != nil {
			return err
		}
	}
	return nil
}

// A batch does not read the sets it changes: it marks, by statements
// alone, the persons whose assessed codes or steps it may change
// (need_pending_persons) and the cells they were in before it
// (need_pending_cells). The next batch reads the marks, the persons'
// codes and the cells' sets in its one read before its events (with
// what its events name), and writes the cells again; a catch-up that
// projected anything ends by doing the same (settleNeeds). So the sets
// are at most one batch behind while a catch-up runs, and caught up
// when it ends.

// pendingNeeds is what a batch read of the marks the last one left.
type pendingNeeds struct {
	persons map[[16]byte]bool
	sets    needSets // the cells to write: as they are, without the persons
	now     needSets // the persons' cells as their codes stand
}

// needCellOf is the SQL of a need row's cell at a level (n the need row,
// c its case).
func needCellOf(level string) string {
	code := "n.code"
	if level == levelChapter {
		code = "substr(n.code, 1, 2)"
	}
	return `n.code_system, '` + level + `', n.on_date, ` + code + `, n.district_id, COALESCE(c.unit_id, ''), COALESCE(c.case_type, '')`
}

const needCellCols = `code_system, level, day, code, district_id, unit_id, case_type`

// pendingReads returns the reads of the marks the last batch left: the
// persons' codes as they stand and the sets of the cells they were or
// are in (pend is filled as they are read).
func pendingReads(tenant string, pend *pendingNeeds) []readQuery {
	*pend = pendingNeeds{persons: map[[16]byte]bool{}, sets: needSets{}, now: needSets{}}
	marked := `SELECT person_key FROM need_pending_persons WHERE tenant_id = ?`
	cells := func(level string) string {
		return `SELECT ` + needCellOf(level) + ` FROM fact_codes n LEFT JOIN fact_cases c ON c.tenant_id = n.tenant_id
			AND c.case_key = n.case_key WHERE n.tenant_id = ? AND n.source = 'need' AND n.person_key IN (` + marked + `)`
	}
	return []readQuery{
		{sql: marked, args: []any{tenant}, row: func(r rowsIter) error {
			var person string
			if err := r.Scan(&person); err != nil {
				return err
			}
			pend.persons[personBytes(person)] = true
			return nil
		}},
		{sql: needRows + ` AND n.tenant_id = ? AND n.person_key IN (` + marked + `)`, args: []any{tenant, tenant}, row: pend.now.scan},
		// The cells joined to their sets (each found by its key).
		{sql: `SELECT s.code_system, s.level, s.day, s.code, s.district_id, s.unit_id, s.case_type, s.persons FROM (SELECT ` + needCellCols +
			` FROM need_pending_cells WHERE tenant_id = ? UNION ` + cells(levelCode) + ` UNION ` + cells(levelChapter) + `) k
			JOIN sum_needs s ON s.tenant_id = ? AND s.code_system = k.code_system AND s.level = k.level AND s.day = k.day AND s.code = k.code
			AND s.district_id = k.district_id AND s.unit_id = k.unit_id AND s.case_type = k.case_type`,
			args: []any{tenant, tenant, tenant, tenant, tenant, tenant}, row: func(r rowsIter) error {
				var cell needCell
				var set []byte
				if err := r.Scan(&cell.system, &cell.level, &cell.day, &cell.code, &cell.district, &cell.unit, &cell.caseType, &set); err != nil {
					return err
				}
				pend.sets[cell] = needSet{}
				return decodeNeeds(set, func(p [16]byte, step byte) {
					if !pend.persons[p] {
						pend.sets[cell].add(p, step)
					}
				})
			}},
	}
}

// writePending writes the cells the marks read name (the persons taken
// out of the cells they were in, put in those they are in) and removes
// the marks.
func writePending(t *tx, tenant string, pend *pendingNeeds) error {
	if len(pend.persons) == 0 {
		return nil
	}
	for cell, set := range pend.now {
		if pend.sets[cell] == nil {
			pend.sets[cell] = needSet{}
		}
		for p, step := range set {
			pend.sets[cell].add(p, step)
		}
	}
	if err := writeNeedSets(t, tenant, pend.sets); err != nil {
		return err
	}
	for _, table := range []string{"need_pending_persons", "need_pending_cells"} {
		if err := t.exec(`DELETE FROM `+table+` WHERE tenant_id = ?`, tenant); err != nil {
			return err
		}
	}
	return nil
}

// markNeeds marks the persons of the batch's cases whose codes or steps
// may change, and (before the batch) the cells they are in.
func (d *delta) markNeeds(before bool) error {
	cases := d.needCases()
	if len(cases) == 0 {
		return nil
	}
	c, a := d.t.anyOf("case_key", cases)
	persons := `SELECT DISTINCT tenant_id, person_key FROM fact_codes WHERE tenant_id = ? AND source = 'need' AND ` + c
	if err := d.t.exec(`INSERT INTO need_pending_persons (tenant_id, person_key) `+persons+`
		ON CONFLICT (tenant_id, person_key) DO NOTHING`, d.tenant, a); err != nil {
		return err
	}
	if !before {
		return nil
	}
	for _, level := range []string{levelCode, levelChapter} {
		if err := d.t.exec(`INSERT INTO need_pending_cells (tenant_id, `+needCellCols+`) SELECT DISTINCT n.tenant_id, `+needCellOf(level)+`
			FROM fact_codes n LEFT JOIN fact_cases c ON c.tenant_id = n.tenant_id AND c.case_key = n.case_key
			WHERE n.tenant_id = ? AND n.source = 'need' AND n.person_key IN (SELECT person_key FROM fact_codes WHERE tenant_id = ?
			AND source = 'need' AND `+c+`) ON CONFLICT (tenant_id, `+needCellCols+`) DO NOTHING`, d.tenant, d.tenant, a); err != nil {
			return err
		}
	}
	return nil
}

// settleNeeds writes the sets the last batch of tenant left marked, in a
// transaction of its own that waits for any batch being projected.
func (s *Store) settleNeeds(ctx context.Context, tenant string) error {
	err := s.updateBatched(ctx, func(t *tx) error {
		lock := ""
		if t.pg {
			lock = " FOR UPDATE"
		}
		var pend pendingNeeds
		cursor := readQuery{sql: `SELECT last_seq FROM cursors WHERE tenant_id = ?` + lock, args: []any{tenant},
			row: func(r rowsIter) error { return nil }}
		if err := t.read(append([]readQuery{cursor}, pendingReads(tenant, &pend)...)...); err != nil {
			return err
		}
		return writePending(t, tenant, &pend)
	})
	if err != nil {
		return fmt.Errorf("analytics: sets of persons assessed: %w", err)
	}
	return nil
}

// settleAllNeeds settles the sets of every tenant with marks (a
// projector starting after one that stopped between a batch and its
// settling).
func (s *Store) settleAllNeeds(ctx context.Context) error {
	rows, err := s.query(ctx, `SELECT DISTINCT tenant_id FROM need_pending_persons`)
	if err != nil {
		return fmt.Errorf("analytics: sets of persons assessed: %w", err)
	}
	var tenants []string
	for rows.Next() {
		var tn string
		if err := rows.Scan(&tn); err != nil {
			rows.Close()
			return err
		}
		tenants = append(tenants, tn)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, tn := range tenants {
		if err := s.settleNeeds(ctx, tn); err != nil {
			return err
		}
	}
	return nil
}

// needCases are the cases of the batch whose assessed codes or their
// steps may change.
func (d *delta) needCases() []string {
	out := slices.Clone(d.steps.list)
	for _, c := range d.purged.list {
		if !d.steps.seen[c] {
			out = append(out, c)
		}
	}
	return out
}
