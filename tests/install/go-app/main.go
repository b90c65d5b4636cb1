// Smoke test of the Go module archive: built by a fresh module that points
// at the unpacked archive with a replace directive, then run against the
// emulator (GITHUB_API_URL, GITHUB_TOKEN).
//
//	go run . VERSION
package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"

	ghpkg "github.com/ghpkg/ghpkg/bindings-go"
)

func main() {
	if got := ghpkg.LibraryVersion(); got != os.Args[1] {
		log.Fatalf("library version %s, want %s", got, os.Args[1])
	}
	client, err := ghpkg.NewClient()
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	ctx := context.Background()
	acme := ghpkg.Org("acme")
	n := 0
	for _, err := range client.ListPackages(ctx, acme, ghpkg.Container, ghpkg.AnyVisibility) {
		if err != nil {
			log.Fatal(err)
		}
		n++
	}
	if n == 0 {
		log.Fatal("no packages")
	}
	_, err = client.GetPackage(ctx, acme, ghpkg.Container, "no-such-package")
	var e *ghpkg.Error
	if !errors.As(err, &e) || e.Kind != ghpkg.KindNotFound {
		log.Fatalf("expected NotFound, got %v", err)
	}
	fmt.Printf("go: ghpkg %s, %d packages of acme\n", ghpkg.LibraryVersion(), n)
}
