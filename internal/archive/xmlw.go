package archive

import (
	"bytes"
	"encoding/xml"
	"strings"
	"time"
)

// xw writes indented XML by hand so that the bytes are the same for the
// same input (attribute order as written, no namespace rewriting).
type xw struct {
	b     bytes.Buffer
	stack []string
}

func newXW() *xw {
	w := &xw{}
	w.b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	return w
}

func (w *xw) indent() {
	w.b.WriteString(strings.Repeat("  ", len(w.stack)))
}

func (w *xw) attrs(kv []string) {
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" && !strings.HasPrefix(kv[i], "xmlns") {
			continue // an empty value means "leave the attribute out"
		}
		w.b.WriteString(" " + kv[i] + `="`)
		w.b.WriteString(escape(kv[i+1]))
		w.b.WriteByte('"')
	}
}

// open starts an element with attributes as name/value pairs; empty
// values are left out.
func (w *xw) open(name string, kv ...string) {
	w.indent()
	w.b.WriteString("<" + name)
	w.attrs(kv)
	w.b.WriteString(">\n")
	w.stack = append(w.stack, name)
}

func (w *xw) close() {
	name := w.stack[len(w.stack)-1]
	w.stack = w.stack[:len(w.stack)-1]
	w.indent()
	w.b.WriteString("</" + name + ">\n")
}

// empty writes an element without content.
func (w *xw) empty(name string, kv ...string) {
	w.indent()
	w.b.WriteString("<" + name)
	w.attrs(kv)
	w.b.WriteString("/>\n")
}

// elem writes an element with text content.
func (w *xw) elem(name, text string, kv ...string) {
	w.indent()
	w.b.WriteString("<" + name)
	w.attrs(kv)
	w.b.WriteString(">" + escape(text) + "</" + name + ">\n")
}

// comment writes an XML comment (its text must not contain "--").
func (w *xw) comment(text string) {
	w.indent()
	w.b.WriteString("<!-- " + strings.ReplaceAll(text, "--", "- -") + " -->\n")
}

func (w *xw) bytes() []byte { return w.b.Bytes() }

func escape(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// stamp is the form of every date and time in a package: UTC, seconds.
func stamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }
