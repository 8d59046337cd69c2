// Package packs holds the method packs trygg ships (IBIC, BBIC, economic
// assistance) as definition files: data for the process engine, not code.
// The demo publishes them; a municipality publishes them, or its own
// versions of them, like any other definitions.
package packs

import (
	"embed"
	"io/fs"
	"sort"
)

//go:embed */*.yaml
var files embed.FS

// File is one definition file of a pack, named by its path ("ibic/forms.yaml").
type File struct {
	Name    string
	Content string
}

// Files returns every file of every pack, by name.
func Files() []File {
	var out []File
	err := fs.WalkDir(files, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := files.ReadFile(path)
		if err != nil {
			return err
		}
		out = append(out, File{Name: path, Content: string(b)})
		return nil
	})
	if err != nil { // the files are compiled in: this cannot fail at run time
		panic("packs: " + err.Error())
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
