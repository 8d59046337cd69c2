module github.com/trygg/trygg

go 1.26.0
