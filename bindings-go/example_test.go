package ghpkg_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	ghpkg "github.com/ghpkg/ghpkg/bindings-go"
)

// Lists acme's container packages that have several versions, counting the
// untagged ones, then shows how a failure reads. The token comes from
// GITHUB_TOKEN, the API root from GITHUB_API_URL when set.
func Example() {
	client, err := ghpkg.NewClient()
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	ctx := context.Background()
	acme := ghpkg.Org("acme")

	for pkg, err := range client.ListPackages(ctx, acme, ghpkg.Container, ghpkg.AnyVisibility) {
		if err != nil {
			log.Fatal(err)
		}
		if pkg.VersionCount < 2 {
			continue
		}
		untagged := 0
		for v, err := range client.ListVersions(ctx, acme, ghpkg.Container, pkg.Name, ghpkg.ActiveVersions) {
			if err != nil {
				log.Fatal(err)
			}
			if v.IsUntagged() {
				untagged++
			}
		}
		fmt.Printf("%s: %d versions, %d untagged\n", pkg.Name, pkg.VersionCount, untagged)
	}

	_, err = client.GetPackage(ctx, acme, ghpkg.Container, "no-such-image")
	var gerr *ghpkg.Error
	if errors.As(err, &gerr) {
		fmt.Println(gerr.Kind, gerr.HTTPStatus, errors.Is(err, ghpkg.ErrNotFound))
	}
	// Output:
	// api/server: 19 versions, 12 untagged
	// only-tag: 2 versions, 1 untagged
	// base images/alpine: 2 versions, 0 untagged
	// NOT_FOUND 404 true
}

// Lists every container package of acme and tells whether GitHub's
// 10,000-item paging limit cut the listing short.
func ExampleClient_ListPackagesPaged() {
	client, err := ghpkg.NewClient()
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()

	listing := client.ListPackagesPaged(context.Background(), ghpkg.Org("acme"), ghpkg.Container, ghpkg.AnyVisibility)
	n := 0
	for _, err := range listing.All() {
		if err != nil {
			log.Fatal(err)
		}
		n++
	}
	if listing.ReachedPagingLimit() {
		fmt.Println("more may exist: list public and private packages on their own")
	}
	fmt.Println(n, "packages")
	// Output:
	// 264 packages
}
