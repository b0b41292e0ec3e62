// Reference import extractor built on Go's own go/parser.
// Usage: go run . < paths.json  → JSON lines {"file","line","module","alias"} per import spec.
package main

import (
	"encoding/json"
	"fmt"
	"go/parser"
	"go/token"
	"os"
	"strconv"
)

type record struct {
	File   string `json:"file"`
	Line   int    `json:"line"`
	Module string `json:"module"`
	Alias  string `json:"alias"`
}

func main() {
	var files []string
	if err := json.NewDecoder(os.Stdin).Decode(&files); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	out := json.NewEncoder(os.Stdout)
	for _, file := range files {
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, file, nil, parser.ImportsOnly|parser.ParseComments)
		if err != nil && f == nil {
			continue
		}
		for _, spec := range f.Imports {
			value, err := strconv.Unquote(spec.Path.Value)
			if err != nil {
				continue
			}
			alias := ""
			if spec.Name != nil {
				alias = spec.Name.Name
			}
			_ = out.Encode(record{file, fset.Position(spec.Path.Pos()).Line, value, alias})
		}
	}
}
