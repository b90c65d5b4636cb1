package ghpkg_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"

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

// Plans a cleanup of acme's npm ui-kit (versions below 3.0.0 go), reviews
// the deletions, applies the plan while its events arrive, then undoes the
// run (GitHub can restore for 30 days). The token comes from GITHUB_TOKEN,
// the API root from GITHUB_API_URL when set.
func ExampleRetention() {
	client, err := ghpkg.NewClient()
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	ctx := context.Background()
	retention := client.Retention()

	policy := map[string]any{
		"owner":        map[string]string{"org": "acme"},
		"package_type": "npm",
		"packages":     map[string]any{"include": []string{"ui-kit"}},
		"delete":       []map[string]any{{"id": "old-majors", "semver": "<3.0.0"}},
	}
	plan, err := retention.Plan(ctx, policy, nil)
	if err != nil {
		log.Fatal(err)
	}
	deletions, err := plan.Deletions()
	if err != nil {
		log.Fatal(err)
	}
	for _, d := range deletions {
		fmt.Println("planned:", d.Action.Verdict, d.Package.Name, d.Action.Name, d.Action.Reasons[0].Code)
	}

	dir, err := os.MkdirTemp("", "ghpkg-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	journal := filepath.Join(dir, "run.jsonl") // every delete is recorded here first
	for ev, err := range retention.ApplyEvents(ctx, plan, ghpkg.ApplyOptions{Journal: journal}) {
		if err != nil {
			log.Fatal(err)
		}
		switch e := ev.(type) {
		case *ghpkg.ProgressEvent:
			// e.Done of e.Total, e.RatePerMin, e.EtaSeconds: for a progress bar
		case *ghpkg.OutcomeEvent:
			fmt.Println(e.Outcome+":", e.Package, e.Digest)
		case *ghpkg.ReportEvent:
			fmt.Println("run:", e.Report.Status)
		}
	}

	undo, err := retention.Undo(ctx, journal, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("undo:", undo.Status, undo.Counts[ghpkg.OutcomeRestored], "restored")
	// Output:
	// planned: delete ui-kit 2.0.0 matched_delete_rule
	// planned: delete ui-kit 2.1.0 matched_delete_rule
	// deleted: ui-kit 2.0.0
	// deleted: ui-kit 2.1.0
	// run: complete
	// undo: complete 2 restored
}
