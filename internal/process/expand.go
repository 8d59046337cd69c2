package process

// expand puts blocks' sections where forms use them and builds forms that
// extend others, so validation and running see whole forms. It returns the
// problems it meets: unknown blocks or base forms, and cycles.
func (b *Bundle) expand() Problems {
	var probs Problems
	add := func(p Pos, id string, kv ...any) { probs = append(probs, problemAt(p, newNote(id, kv...))) }
	blocks := map[string]*Block{}
	for _, bl := range b.Blocks {
		blocks[bl.ID.Value] = bl
		for _, s := range bl.Sections {
			if s.Use.Value != "" {
				add(s.Use.Pos, "check.block.uses_block")
			}
		}
	}
	useBlocks := func(sections []Section) []Section {
		var out []Section
		for _, s := range sections {
			if s.Use.Value == "" {
				out = append(out, s)
				continue
			}
			if s.ID.Value != "" || len(s.Fields) > 0 || s.Label.SV != "" || s.VisibleIf.Value != "" || len(s.Roles) > 0 {
				add(s.Use.Pos, "check.block.use_alone")
			}
			bl := blocks[s.Use.Value]
			if bl == nil {
				add(s.Use.Pos, "check.block.unknown", "Block", s.Use.Value)
				continue
			}
			out = append(out, bl.Sections...)
		}
		return out
	}
	forms := map[string]*Form{}
	for _, f := range b.Forms {
		f.Sections = useBlocks(f.Sections)
		forms[f.ID.Value] = f
	}
	// Forms that extend others, bases first; a cycle is reported once.
	done := map[string]bool{}
	visiting := map[string]bool{}
	var build func(f *Form) bool
	build = func(f *Form) bool {
		id := f.ID.Value
		if done[id] || f.Extends.Value == "" {
			done[id] = true
			return true
		}
		if visiting[id] {
			add(f.Extends.Pos, "check.form.extends_itself", "Form", id, "Through", f.Extends.Value)
			return false
		}
		base := forms[f.Extends.Value]
		if base == nil {
			add(f.Extends.Pos, "check.form.extends_unknown", "Form", f.Extends.Value)
			done[id] = true
			return false
		}
		visiting[id] = true
		ok := build(base)
		visiting[id] = false
		done[id] = true
		if !ok {
			return false
		}
		f.Sections = append(append([]Section{}, base.Sections...), f.Sections...)
		f.Validations = append(append([]Validation{}, base.Validations...), f.Validations...)
		return true
	}
	for _, f := range b.Forms {
		build(f)
	}
	// Rule sets written apart from their table join it.
	tables := map[string]*DecisionTable{}
	for _, t := range b.Tables {
		tables[t.ID.Value] = t
	}
	for _, rs := range b.RuleSets {
		t := tables[rs.Table.Value]
		if t == nil {
			add(rs.Table.Pos, "check.ruleset.unknown_table", "Table", rs.Table.Value)
			continue
		}
		// A table a city adds in a file of its own (a year's amounts not
		// shipped yet) ends: a month after it is told plainly that there
		// are no amounts yet, rather than calculated with these.
		if rs.ValidTo.Value == "" {
			add(rs.ValidFrom.Pos, "check.ruleset.no_valid_to")
		}
		t.RuleSets = append(t.RuleSets, rs.RuleSet)
	}
	return probs
}

// extendsForm reports whether form id is base or extends it, directly or
// through other forms.
func (b *Bundle) extendsForm(id, base string) bool {
	forms := map[string]*Form{}
	for _, f := range b.Forms {
		forms[f.ID.Value] = f
	}
	for seen := 0; id != "" && seen <= len(forms); seen++ {
		if id == base {
			return true
		}
		f := forms[id]
		if f == nil {
			return false
		}
		id = f.Extends.Value
	}
	return false
}
