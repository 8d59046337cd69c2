package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/constant"
	"go/doc"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
)

const (
	module     = "github.com/trygg/trygg"
	eventsPath = module + "/internal/events"
)

// constDoc is one event type constant of package events, read from its
// source with its doc comment.
type constDoc struct {
	Name  string // the Go name, CaseOpened
	Value string // the event type, case.opened
	Doc   string // what happened, from the doc comment
	File  string // the file in internal/events that declares it
}

// site is one place in the code that appends events: a call of events.New
// or an events.Event literal with a Type.
type site struct {
	Pos      string   // file:line relative to the module root
	Func     string   // the enclosing function
	Types    []string // the event types it appends
	Subjects []string // the subject types
	Fields   []field  // the payload's fields, when they could be found
	Payload  string   // how the payload was found: "fields", "none", "copy", or "" when unknown
	Person   bool     // the event is given a person_id
	Case     bool     // the event is given a case_id
	Problem  string   // why the type could not be found, when it could not
}

// field is one field of a payload.
type field struct {
	Name     string
	JSONType string
	Doc      string
	Optional bool
	Const    string // the constant string the site sets, if it sets one
	GoName   string // the struct field it is read from, if it is
}

// result is what the analysis found.
type result struct {
	Consts []constDoc
	Sites  []site
}

type pkgInfo struct {
	ImportPath string
	Dir        string
	GoFiles    []string
	Imports    []string
	Export     string
	Module     *struct{ Path string }
	Error      *struct{ Err string }
}

// analyze reads the event type constants of internal/events and every
// place the module's packages append events, type-checking those packages
// against the compiler's export data of their imports.
func analyze(root string) (*result, error) {
	consts, err := readConsts(filepath.Join(root, "internal", "events"))
	if err != nil {
		return nil, err
	}
	all, err := goList(root, false, "./...")
	if err != nil {
		return nil, err
	}
	var targets []string
	for _, p := range all {
		if p.ImportPath != eventsPath && slices.Contains(p.Imports, eventsPath) && !strings.HasPrefix(p.ImportPath, module+"/tools/") {
			targets = append(targets, p.ImportPath)
		}
	}
	withExport, err := goList(root, true, targets...)
	if err != nil {
		return nil, err
	}
	exports := map[string]string{}
	broken := map[string]string{}
	byPath := map[string]pkgInfo{}
	for _, p := range withExport {
		exports[p.ImportPath] = p.Export
		byPath[p.ImportPath] = p
		if p.Error != nil {
			broken[p.ImportPath] = p.Error.Err
		}
	}
	root, err = filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	a := &analyzer{root: root, fset: token.NewFileSet(), docs: map[string]map[string]string{}, byPath: byPath}
	a.imp = importer.ForCompiler(a.fset, "gc", func(path string) (io.ReadCloser, error) {
		f, ok := exports[path]
		if msg := broken[path]; msg != "" {
			return nil, fmt.Errorf("%s does not build: %s", path, msg)
		}
		if !ok || f == "" {
			return nil, fmt.Errorf("no export data for %s (does it build?)", path)
		}
		return os.Open(f)
	})
	res := &result{Consts: consts}
	for _, path := range targets {
		sites, err := a.pkg(byPath[path])
		if err != nil {
			return nil, err
		}
		res.Sites = append(res.Sites, sites...)
	}
	sort.Slice(res.Sites, func(i, j int) bool { return res.Sites[i].Pos < res.Sites[j].Pos })
	return res, nil
}

func goList(root string, export bool, patterns ...string) ([]pkgInfo, error) {
	args := []string{"list", "-e", "-json=ImportPath,Dir,GoFiles,Imports,Export,Module,Error"}
	if export {
		args = append(args, "-export", "-deps")
	}
	cmd := exec.Command("go", append(args, patterns...)...)
	cmd.Dir = root
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list: %v: %s", err, stderr.String())
	}
	var pkgs []pkgInfo
	dec := json.NewDecoder(bytes.NewReader(out))
	for dec.More() {
		var p pkgInfo
		if err := dec.Decode(&p); err != nil {
			return nil, err
		}
		pkgs = append(pkgs, p)
	}
	return pkgs, nil
}

// readConsts returns the string constants of package events with their
// doc comments. A constant without a comment of its own takes the comment
// of the one before it in the same group when that comment names it
// ("PaymentPaid and PaymentRejected are ...").
func readConsts(dir string) ([]constDoc, error) {
	fset := token.NewFileSet()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return nil, err
	}
	var out []constDoc
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ParseComments)
		if err != nil {
			return nil, err
		}
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.CONST {
				continue
			}
			prev := ""
			for _, s := range g.Specs {
				vs := s.(*ast.ValueSpec)
				text := ""
				switch {
				case vs.Doc != nil:
					text = vs.Doc.Text()
				case vs.Comment != nil:
					text = vs.Comment.Text()
				case len(g.Specs) == 1 && g.Doc != nil:
					text = g.Doc.Text()
				}
				if text != "" {
					prev = text
				}
				for i, n := range vs.Names {
					if i >= len(vs.Values) {
						continue
					}
					lit, ok := vs.Values[i].(*ast.BasicLit)
					if !ok || lit.Kind != token.STRING || !n.IsExported() {
						continue
					}
					v := strings.Trim(lit.Value, "\"`")
					t := text
					if t == "" && mentions(prev, n.Name) {
						t = prev
					}
					out = append(out, constDoc{Name: n.Name, Value: v, Doc: oneParagraph(t), File: filepath.Base(name)})
				}
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Value < out[j].Value })
	return out, nil
}

func mentions(text, name string) bool {
	for _, w := range strings.FieldsFunc(text, func(r rune) bool { return r == ' ' || r == ',' || r == ':' || r == '\n' }) {
		if w == name {
			return true
		}
	}
	return false
}

func oneParagraph(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

type analyzer struct {
	root   string
	fset   *token.FileSet
	imp    types.Importer
	byPath map[string]pkgInfo
	docs   map[string]map[string]string // package path -> "Type.Field" -> doc
}

// pkgState is one type-checked package being analysed.
type pkgState struct {
	a     *analyzer
	info  *types.Info
	files []*ast.File
	decls map[*types.Func]*ast.FuncDecl
	calls map[*types.Func][]callAt // the calls of each function of the package
	// bound, when set, is the one call of a helper whose sites are being
	// read: its parameters are that call's arguments.
	bound *boundCall
	// globals are the package's variables with their initial values.
	globals map[*types.Var]ast.Expr
}

type boundCall struct {
	fd   *ast.FuncDecl
	call callAt
}

type callAt struct {
	call *ast.CallExpr
	in   *ast.FuncDecl
}

func (a *analyzer) pkg(p pkgInfo) ([]site, error) {
	if p.Error != nil {
		return nil, fmt.Errorf("%s: %s", p.ImportPath, p.Error.Err)
	}
	var files []*ast.File
	for _, name := range p.GoFiles {
		f, err := parser.ParseFile(a.fset, filepath.Join(p.Dir, name), nil, parser.ParseComments)
		if err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	info := &types.Info{Types: map[ast.Expr]types.TypeAndValue{}, Defs: map[*ast.Ident]types.Object{},
		Uses: map[*ast.Ident]types.Object{}, Selections: map[*ast.SelectorExpr]*types.Selection{}}
	conf := types.Config{Importer: a.imp}
	if _, err := conf.Check(p.ImportPath, a.fset, files, info); err != nil {
		return nil, fmt.Errorf("type-check %s: %v", p.ImportPath, err)
	}
	ps := &pkgState{a: a, info: info, files: files, decls: map[*types.Func]*ast.FuncDecl{}, calls: map[*types.Func][]callAt{},
		globals: map[*types.Var]ast.Expr{}}
	for _, f := range files {
		for _, d := range f.Decls {
			if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.VAR {
				for _, sp := range g.Specs {
					vs := sp.(*ast.ValueSpec)
					for i, id := range vs.Names {
						if v, ok := info.Defs[id].(*types.Var); ok && i < len(vs.Values) {
							ps.globals[v] = vs.Values[i]
						}
					}
				}
			}
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Body == nil {
				continue
			}
			if fn, ok := info.Defs[fd.Name].(*types.Func); ok {
				ps.decls[fn] = fd
			}
		}
	}
	for _, f := range files {
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Body == nil {
				continue
			}
			ast.Inspect(fd.Body, func(n ast.Node) bool {
				if c, ok := n.(*ast.CallExpr); ok {
					if fn := ps.callee(c); fn != nil {
						ps.calls[fn] = append(ps.calls[fn], callAt{c, fd})
					}
				}
				return true
			})
		}
	}
	var out []site
	for _, f := range files {
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Body == nil {
				continue
			}
			ast.Inspect(fd.Body, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.CallExpr:
					if fn := ps.callee(n); fn != nil && fn.Pkg() != nil && fn.Pkg().Path() == eventsPath && fn.Name() == "New" && len(n.Args) == 5 {
						out = append(out, ps.sites(n, fd, n.Args[1], n.Args[2], n.Args[4])...)
					}
				case *ast.CompositeLit:
					if isEventsType(info.TypeOf(n), "Event") {
						var typ, subj ast.Expr
						for _, e := range n.Elts {
							if kv, ok := e.(*ast.KeyValueExpr); ok {
								if k, ok := kv.Key.(*ast.Ident); ok {
									switch k.Name {
									case "Type":
										typ = kv.Value
									case "SubjectType":
										subj = kv.Value
									}
								}
							}
						}
						if typ != nil {
							s := ps.site(n, fd, typ, subj, nil, false)
							s.Payload = "copy"
							s.Person, s.Case = hasKey(n, "PersonID"), hasKey(n, "CaseID")
							out = append(out, s)
						}
					}
				}
				return true
			})
		}
	}
	return out, nil
}

func hasKey(c *ast.CompositeLit, name string) bool {
	for _, e := range c.Elts {
		if kv, ok := e.(*ast.KeyValueExpr); ok {
			if k, ok := kv.Key.(*ast.Ident); ok && k.Name == name {
				return true
			}
		}
	}
	return false
}

func isEventsType(t types.Type, name string) bool {
	n, ok := t.(*types.Named)
	return ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == eventsPath && n.Obj().Name() == name
}

// callee returns the function or method a call calls, or nil.
func (ps *pkgState) callee(c *ast.CallExpr) *types.Func {
	var id *ast.Ident
	switch f := ast.Unparen(c.Fun).(type) {
	case *ast.Ident:
		id = f
	case *ast.SelectorExpr:
		id = f.Sel
	}
	if id == nil {
		return nil
	}
	fn, _ := ps.info.Uses[id].(*types.Func)
	return fn
}

// sites reads a call of events.New. When its type is a parameter of a
// helper (orderEvent(..., events.OrderSent, o)), each call of the helper is
// a site of its own, so each type gets the payload its caller gives.
func (ps *pkgState) sites(n *ast.CallExpr, fd *ast.FuncDecl, typ, subj, payload ast.Expr) []site {
	if id, ok := ast.Unparen(typ).(*ast.Ident); ok {
		if v, ok := ps.obj(id).(*types.Var); ok && paramIndex(ps, fd, v) >= 0 {
			fn, _ := ps.info.Defs[fd.Name].(*types.Func)
			var out []site
			for _, c := range ps.calls[fn] {
				ps.bound = &boundCall{fd, c}
				s := ps.site(n, fd, typ, subj, payload, true)
				ps.bound = nil
				s.Pos, s.Func = ps.a.pos(c.call.Pos()), funcName(c.in)+" via "+funcName(fd)
				out = append(out, s)
			}
			if len(out) > 0 {
				return out
			}
		}
	}
	return []site{ps.site(n, fd, typ, subj, payload, true)}
}

func (ps *pkgState) site(n ast.Node, fd *ast.FuncDecl, typ, subj, payload ast.Expr, isNew bool) site {
	s := site{Pos: ps.a.pos(n.Pos()), Func: funcName(fd)}
	vals, ok := ps.strings(typ, fd, 0)
	if !ok || len(vals) == 0 {
		s.Problem = "the event type is not a constant this analysis can follow"
	}
	s.Types = uniq(vals)
	if subj != nil {
		subs, ok := ps.strings(subj, fd, 0)
		if ok {
			s.Subjects = uniq(subs)
		}
	}
	if isNew {
		fields, ok := ps.shape(payload, fd, 0)
		if ok {
			s.Payload = "fields"
			if len(fields) == 0 {
				s.Payload = "none"
			}
			s.Fields = fields
		}
		s.Person, s.Case = ps.envelope(n, fd)
	}
	return s
}

// envelope tells whether the event made by call is given a person_id and a
// case_id: an assignment to its PersonID or CaseID in the same function.
func (ps *pkgState) envelope(call ast.Node, fd *ast.FuncDecl) (person, kase bool) {
	var v types.Object
	ast.Inspect(fd.Body, func(n ast.Node) bool {
		as, ok := n.(*ast.AssignStmt)
		if !ok || len(as.Lhs) != len(as.Rhs) {
			return true
		}
		for i, r := range as.Rhs {
			if r == call {
				if id, ok := as.Lhs[i].(*ast.Ident); ok {
					v = ps.obj(id)
				}
			}
		}
		return true
	})
	if v == nil {
		return false, false
	}
	ast.Inspect(fd.Body, func(n ast.Node) bool {
		as, ok := n.(*ast.AssignStmt)
		if !ok {
			return true
		}
		for _, l := range as.Lhs {
			if se, ok := l.(*ast.SelectorExpr); ok {
				if id, ok := se.X.(*ast.Ident); ok && ps.obj(id) == v {
					switch se.Sel.Name {
					case "PersonID":
						person = true
					case "CaseID":
						kase = true
					}
				}
			}
		}
		return true
	})
	return person, kase
}

func (ps *pkgState) obj(id *ast.Ident) types.Object {
	if o := ps.info.Defs[id]; o != nil {
		return o
	}
	return ps.info.Uses[id]
}

func funcName(fd *ast.FuncDecl) string {
	if fd.Recv != nil && len(fd.Recv.List) == 1 {
		t := fd.Recv.List[0].Type
		if s, ok := t.(*ast.StarExpr); ok {
			t = s.X
		}
		if id, ok := t.(*ast.Ident); ok {
			return id.Name + "." + fd.Name.Name
		}
	}
	return fd.Name.Name
}

func (a *analyzer) pos(p token.Pos) string {
	pos := a.fset.Position(p)
	rel, err := filepath.Rel(a.root, pos.Filename)
	if err != nil {
		rel = pos.Filename
	}
	return fmt.Sprintf("%s:%d", filepath.ToSlash(rel), pos.Line)
}

func uniq(s []string) []string {
	slices.Sort(s)
	return slices.Compact(s)
}

const maxDepth = 4

// strings returns the string values an expression may have: a constant,
// a variable assigned only constants in its function, an index into a
// literal map or slice of constants, or a parameter whose callers pass
// constants. ok is false when some value could not be followed.
func (ps *pkgState) strings(e ast.Expr, fd *ast.FuncDecl, depth int) ([]string, bool) {
	if e == nil || depth > maxDepth {
		return nil, false
	}
	e = ast.Unparen(e)
	if tv, ok := ps.info.Types[e]; ok && tv.Value != nil {
		if tv.Value.Kind() == constant.String {
			return []string{constant.StringVal(tv.Value)}, true
		}
		return nil, false
	}
	switch e := e.(type) {
	case *ast.IndexExpr:
		x := ast.Unparen(e.X)
		if id, ok := x.(*ast.Ident); ok {
			if v, ok := ps.obj(id).(*types.Var); ok && ps.globals[v] != nil {
				x = ast.Unparen(ps.globals[v])
			}
		}
		if cl, ok := x.(*ast.CompositeLit); ok {
			var out []string
			for _, el := range cl.Elts {
				if kv, ok := el.(*ast.KeyValueExpr); ok {
					el = kv.Value
				}
				v, ok := ps.strings(el, fd, depth+1)
				if !ok {
					return nil, false
				}
				out = append(out, v...)
			}
			return out, true
		}
	case *ast.Ident:
		v, ok := ps.obj(e).(*types.Var)
		if !ok {
			return nil, false
		}
		if i := paramIndex(ps, fd, v); i >= 0 {
			return ps.fromCallers(fd, i, depth, func(arg ast.Expr, in *ast.FuncDecl) ([]string, bool) {
				return ps.strings(arg, in, depth+1)
			})
		}
		var out []string
		ok = true
		found := false
		ps.assignments(fd, v, func(rhs ast.Expr) {
			found = true
			vals, good := ps.strings(rhs, fd, depth+1)
			ok = ok && good
			out = append(out, vals...)
		})
		return out, ok && found
	}
	return nil, false
}

// paramIndex returns the index of v among fd's parameters, or -1.
func paramIndex(ps *pkgState, fd *ast.FuncDecl, v *types.Var) int {
	i := 0
	for _, f := range fd.Type.Params.List {
		if len(f.Names) == 0 {
			i++
			continue
		}
		for _, n := range f.Names {
			if ps.info.Defs[n] == v {
				return i
			}
			i++
		}
	}
	return -1
}

// fromCallers applies get to the argument at index i of every call of fd
// in the package.
func fromCallers[T any](ps *pkgState, fd *ast.FuncDecl, i, depth int, get func(ast.Expr, *ast.FuncDecl) ([]T, bool)) ([]T, bool) {
	fn, _ := ps.info.Defs[fd.Name].(*types.Func)
	calls := ps.calls[fn]
	if ps.bound != nil && ps.bound.fd == fd {
		calls = []callAt{ps.bound.call}
	}
	if fn == nil || len(calls) == 0 {
		return nil, false
	}
	var out []T
	for _, c := range calls {
		if i >= len(c.call.Args) || c.call.Ellipsis.IsValid() {
			return nil, false
		}
		v, ok := get(c.call.Args[i], c.in)
		if !ok {
			return nil, false
		}
		out = append(out, v...)
	}
	return out, true
}

func (ps *pkgState) fromCallers(fd *ast.FuncDecl, i, depth int, get func(ast.Expr, *ast.FuncDecl) ([]string, bool)) ([]string, bool) {
	return fromCallers(ps, fd, i, depth, get)
}

// assignments calls f with every expression assigned to v in fd: its
// definition, later assignments, and the elements of a literal it ranges
// over.
func (ps *pkgState) assignments(fd *ast.FuncDecl, v *types.Var, f func(ast.Expr)) {
	ast.Inspect(fd.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			for i, l := range n.Lhs {
				id, ok := l.(*ast.Ident)
				if !ok || ps.obj(id) != v {
					continue
				}
				if len(n.Lhs) == len(n.Rhs) {
					f(n.Rhs[i])
				} else {
					f(nil)
				}
			}
		case *ast.ValueSpec:
			for i, id := range n.Names {
				if ps.info.Defs[id] == v && i < len(n.Values) {
					f(n.Values[i])
				}
			}
		case *ast.RangeStmt:
			if id, ok := n.Value.(*ast.Ident); ok && ps.obj(id) == v {
				if cl, ok := ast.Unparen(n.X).(*ast.CompositeLit); ok {
					for _, el := range cl.Elts {
						f(el)
					}
				} else {
					f(nil)
				}
			}
		}
		return true
	})
}

// shape returns the fields of a payload: the keys of a literal map (with
// those a function adds to it), or the JSON fields of a struct.
func (ps *pkgState) shape(e ast.Expr, fd *ast.FuncDecl, depth int) ([]field, bool) {
	if e == nil || depth > maxDepth {
		return nil, false
	}
	e = ast.Unparen(e)
	if id, ok := e.(*ast.Ident); ok && id.Name == "nil" && ps.info.Uses[id] == types.Universe.Lookup("nil") {
		return nil, true
	}
	t := ps.info.TypeOf(e)
	if t == nil {
		return nil, false
	}
	if m, ok := t.Underlying().(*types.Map); ok {
		if b, ok := m.Key().Underlying().(*types.Basic); !ok || b.Kind() != types.String {
			return nil, false
		}
		switch e := e.(type) {
		case *ast.CompositeLit:
			var out []field
			for _, el := range e.Elts {
				kv, ok := el.(*ast.KeyValueExpr)
				if !ok {
					return nil, false
				}
				k, ok := ps.strings(kv.Key, fd, maxDepth)
				if !ok || len(k) != 1 {
					return nil, false
				}
				f := ps.valueField(k[0], kv.Value)
				if c := ps.lineComment(kv, e); c != "" {
					f.Doc = c
				}
				out = append(out, f)
			}
			return out, true
		case *ast.Ident:
			v, ok := ps.obj(e).(*types.Var)
			if !ok {
				return nil, false
			}
			var out []field
			if i := paramIndex(ps, fd, v); i >= 0 {
				var ok bool
				out, ok = fromCallers(ps, fd, i, depth, func(arg ast.Expr, in *ast.FuncDecl) ([]field, bool) {
					return ps.shape(arg, in, depth+1)
				})
				if !ok {
					return nil, false
				}
			} else {
				ok := true
				found := false
				ps.assignments(fd, v, func(rhs ast.Expr) {
					found = true
					f, good := ps.shape(rhs, fd, depth+1)
					ok = ok && good
					out = append(out, f...)
				})
				if !ok || !found {
					return nil, false
				}
			}
			added, ok := ps.indexAssignments(fd, v)
			if !ok {
				return nil, false
			}
			return append(out, added...), true
		case *ast.CallExpr:
			if lit := ps.funcLit(e.Fun, fd); lit != nil {
				// A local function returning a literal map.
				var out []field
				ok := false
				ast.Inspect(lit.Body, func(n ast.Node) bool {
					if r, isRet := n.(*ast.ReturnStmt); isRet && len(r.Results) == 1 {
						out, ok = ps.shape(r.Results[0], fd, depth+1)
					}
					return true
				})
				return out, ok
			}
			// A function of the package that adds keys to a map it is
			// given and returns it (withTraits).
			fn := ps.callee(e)
			callee := ps.decls[fn]
			if callee == nil {
				return nil, false
			}
			var ret *types.Var
			ast.Inspect(callee.Body, func(n ast.Node) bool {
				if r, ok := n.(*ast.ReturnStmt); ok && len(r.Results) == 1 {
					if id, ok := r.Results[0].(*ast.Ident); ok {
						ret, _ = ps.obj(id).(*types.Var)
					}
				}
				return true
			})
			i := -1
			if ret != nil {
				i = paramIndex(ps, callee, ret)
			}
			if i < 0 || i >= len(e.Args) {
				return nil, false
			}
			out, ok := ps.shape(e.Args[i], fd, depth+1)
			if !ok {
				return nil, false
			}
			added, ok := ps.indexAssignments(callee, ret)
			if !ok {
				return nil, false
			}
			for i := range added {
				added[i].Optional = true
			}
			return append(out, added...), true
		}
		return nil, false
	}
	return ps.a.structFields(t, 0)
}

// lineComment is the comment after a key and value of a literal map on
// the same line, when no other key of the literal is on that line:
// "deadline_id": t.DeadlineID, // the deadline's id in the process.
func (ps *pkgState) lineComment(kv *ast.KeyValueExpr, lit *ast.CompositeLit) string {
	line := ps.a.fset.Position(kv.End()).Line
	for _, el := range lit.Elts {
		if el != ast.Expr(kv) && (ps.a.fset.Position(el.Pos()).Line == line || ps.a.fset.Position(el.End()).Line == line) {
			return ""
		}
	}
	for _, f := range ps.files {
		if f.FileStart > kv.Pos() || kv.Pos() > f.FileEnd {
			continue
		}
		for _, cg := range f.Comments {
			if cg.Pos() > kv.End() && ps.a.fset.Position(cg.Pos()).Line == line {
				return oneParagraph(cg.Text())
			}
		}
	}
	return ""
}

// funcLit returns the function literal a local variable called as f holds,
// when it is assigned one and only one.
func (ps *pkgState) funcLit(f ast.Expr, fd *ast.FuncDecl) *ast.FuncLit {
	id, ok := ast.Unparen(f).(*ast.Ident)
	if !ok {
		return nil
	}
	v, ok := ps.obj(id).(*types.Var)
	if !ok {
		return nil
	}
	var lits []*ast.FuncLit
	n := 0
	ps.assignments(fd, v, func(rhs ast.Expr) {
		n++
		if l, ok := rhs.(*ast.FuncLit); ok {
			lits = append(lits, l)
		}
	})
	if n != 1 || len(lits) != 1 {
		return nil
	}
	return lits[0]
}

// indexAssignments returns the fields set by m["key"] = value in fd; they
// are optional when set inside an if, switch or loop.
func (ps *pkgState) indexAssignments(fd *ast.FuncDecl, v *types.Var) ([]field, bool) {
	var out []field
	ok := true
	var walk func(n ast.Node, cond bool)
	walk = func(n ast.Node, cond bool) {
		ast.Inspect(n, func(n ast.Node) bool {
			switch s := n.(type) {
			case *ast.IfStmt, *ast.SwitchStmt, *ast.TypeSwitchStmt, *ast.ForStmt, *ast.RangeStmt, *ast.FuncLit:
				if !cond {
					walk(s, true)
					return false
				}
			case *ast.AssignStmt:
				for i, l := range s.Lhs {
					ix, isIx := l.(*ast.IndexExpr)
					if !isIx {
						continue
					}
					id, isID := ast.Unparen(ix.X).(*ast.Ident)
					if !isID || ps.obj(id) != v {
						continue
					}
					k, good := ps.strings(ix.Index, fd, maxDepth)
					if !good || len(k) != 1 || len(s.Lhs) != len(s.Rhs) {
						ok = false
						continue
					}
					f := ps.valueField(k[0], s.Rhs[i])
					f.Optional = cond
					out = append(out, f)
				}
			}
			return true
		})
	}
	walk(fd.Body, false)
	return out, ok
}

// valueField is the field key holding the value of e: its JSON type from
// e's Go type, its meaning from the doc comment of the struct field e
// reads, if it reads one.
func (ps *pkgState) valueField(key string, e ast.Expr) field {
	f := field{Name: key, JSONType: jsonType(ps.info.TypeOf(e), 0)}
	if se, ok := ast.Unparen(e).(*ast.SelectorExpr); ok {
		if sel := ps.info.Selections[se]; sel != nil && sel.Kind() == types.FieldVal {
			f.Doc, f.GoName = ps.a.fieldDoc(sel.Recv(), se.Sel.Name), se.Sel.Name
		}
	}
	if tv, ok := ps.info.Types[e]; ok && tv.Value != nil && tv.Value.Kind() == constant.String {
		f.Const = constant.StringVal(tv.Value)
	}
	return f
}

// structFields returns the JSON fields of a struct type as encoding/json
// writes them.
func (a *analyzer) structFields(t types.Type, depth int) ([]field, bool) {
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	st, ok := t.Underlying().(*types.Struct)
	if !ok || depth > maxDepth {
		return nil, false
	}
	var out []field
	for i := range st.NumFields() {
		v := st.Field(i)
		tag := reflectTag(st.Tag(i), "json")
		name, opts, _ := strings.Cut(tag, ",")
		if name == "-" && opts == "" {
			continue
		}
		if v.Embedded() && name == "" {
			sub, ok := a.structFields(v.Type(), depth+1)
			if !ok {
				return nil, false
			}
			out = append(out, sub...)
			continue
		}
		if !v.Exported() {
			continue
		}
		if name == "" {
			name = v.Name()
		}
		out = append(out, field{Name: name, JSONType: jsonType(v.Type(), 0), Doc: a.fieldDoc(t, v.Name()), GoName: v.Name(),
			Optional: strings.Contains(","+opts+",", ",omitempty,") || strings.Contains(","+opts+",", ",omitzero,")})
	}
	return out, true
}

func reflectTag(tag, key string) string {
	for tag != "" {
		i := 0
		for i < len(tag) && tag[i] == ' ' {
			i++
		}
		tag = tag[i:]
		if tag == "" {
			break
		}
		i = 0
		for i < len(tag) && tag[i] > ' ' && tag[i] != ':' && tag[i] != '"' {
			i++
		}
		if i == 0 || i+1 >= len(tag) || tag[i] != ':' || tag[i+1] != '"' {
			break
		}
		name := tag[:i]
		tag = tag[i+1:]
		i = 1
		for i < len(tag) && tag[i] != '"' {
			if tag[i] == '\\' {
				i++
			}
			i++
		}
		if i >= len(tag) {
			break
		}
		qvalue := tag[:i+1]
		tag = tag[i+1:]
		if name == key {
			return strings.Trim(qvalue, "\"")
		}
	}
	return ""
}

// jsonType is how encoding/json writes a value of type t.
func jsonType(t types.Type, depth int) string {
	if t == nil || depth > maxDepth {
		return "any"
	}
	if p, ok := t.(*types.Pointer); ok {
		return jsonType(p.Elem(), depth+1)
	}
	if n, ok := t.(*types.Named); ok {
		if n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == "time" && n.Obj().Name() == "Time" {
			return "string (date and time, RFC 3339)"
		}
		if n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == "encoding/json" && n.Obj().Name() == "RawMessage" {
			return "any"
		}
		if hasMethod(t, "MarshalJSON") {
			return "any"
		}
		if hasMethod(t, "MarshalText") {
			return "string"
		}
	}
	switch u := t.Underlying().(type) {
	case *types.Basic:
		switch {
		case u.Info()&types.IsString != 0:
			return "string"
		case u.Info()&types.IsBoolean != 0:
			return "boolean"
		case u.Info()&types.IsNumeric != 0:
			return "number"
		}
	case *types.Slice:
		if b, ok := u.Elem().Underlying().(*types.Basic); ok && b.Kind() == types.Byte {
			return "string (base64)"
		}
		return "array of " + jsonType(u.Elem(), depth+1)
	case *types.Array:
		return "array of " + jsonType(u.Elem(), depth+1)
	case *types.Map, *types.Struct:
		return "object"
	case *types.Interface:
		return "any"
	}
	return "any"
}

func hasMethod(t types.Type, name string) bool {
	for _, tt := range []types.Type{t, types.NewPointer(t)} {
		ms := types.NewMethodSet(tt)
		for i := range ms.Len() {
			if ms.At(i).Obj().Name() == name {
				return true
			}
		}
	}
	return false
}

// fieldDoc returns the doc comment of field name of the named struct type
// t (or *t), read from its package's source when it is in the module.
func (a *analyzer) fieldDoc(t types.Type, name string) string {
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	n, ok := t.(*types.Named)
	if !ok || n.Obj().Pkg() == nil {
		return ""
	}
	path := n.Obj().Pkg().Path()
	if !strings.HasPrefix(path, module+"/") {
		return ""
	}
	docs, ok := a.docs[path]
	if !ok {
		docs = a.readFieldDocs(path)
		a.docs[path] = docs
	}
	return docs[n.Obj().Name()+"."+name]
}

func (a *analyzer) readFieldDocs(path string) map[string]string {
	out := map[string]string{}
	p, ok := a.byPath[path]
	if !ok {
		return out
	}
	fset := token.NewFileSet()
	for _, name := range p.GoFiles {
		f, err := parser.ParseFile(fset, filepath.Join(p.Dir, name), nil, parser.ParseComments)
		if err != nil {
			continue
		}
		ast.Inspect(f, func(n ast.Node) bool {
			ts, ok := n.(*ast.TypeSpec)
			if !ok {
				return true
			}
			st, ok := ts.Type.(*ast.StructType)
			if !ok {
				return true
			}
			for _, fl := range st.Fields.List {
				text := ""
				if fl.Doc != nil {
					text = fl.Doc.Text()
				} else if fl.Comment != nil {
					text = fl.Comment.Text()
				}
				for _, id := range fl.Names {
					out[ts.Name.Name+"."+id.Name] = firstSentence(text)
				}
			}
			return true
		})
	}
	return out
}

// firstSentence is a comment's first sentence, on one line.
func firstSentence(s string) string {
	return oneParagraph(new(doc.Package).Synopsis(s))
}
