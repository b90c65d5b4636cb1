module github.com/ghpkg/ghpkg/bindings-go

go 1.24
