module github.com/ghpkg/ghpkg/bindings-go/bench

go 1.25.0

replace github.com/ghpkg/ghpkg/bindings-go => ../

require (
	github.com/ghpkg/ghpkg/bindings-go v0.0.0-00010101000000-000000000000
	github.com/google/go-github/v84 v84.0.0
)

require github.com/google/go-querystring v1.2.0 // indirect
