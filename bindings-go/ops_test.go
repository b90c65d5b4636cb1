package ghpkg_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	ghpkg "github.com/ghpkg/ghpkg/bindings-go"
)

const (
	readOnlyToken    = "ghp_p346YDhSYt5Mv7O5AOvZN3FAsOOwOSnUTfJL"
	fineGrainedToken = "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"
	hubotToken       = "ghp_eQN46QlAT4ZNyEXjCO37CmMQd2WrNUyFY3TX"
)

// 2024-01-01T00:00:00Z, the origin of the demo dataset's timestamps.
var demoEpoch = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

func newClient(t *testing.T, emu *emulator, opts ...ghpkg.Option) *ghpkg.Client {
	t.Helper()
	base := []ghpkg.Option{
		ghpkg.WithBaseURL(emu.URL), ghpkg.WithToken(emu.Token),
		ghpkg.WithRetries(1), ghpkg.WithRetryBackoff(time.Millisecond),
	}
	c, err := ghpkg.NewClient(append(base, opts...)...)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func collect[T any](t *testing.T, seq func(func(T, error) bool)) []T {
	t.Helper()
	var out []T
	for item, err := range seq {
		if err != nil {
			t.Fatalf("listing: %v", err)
		}
		out = append(out, item)
	}
	return out
}

func TestScopes(t *testing.T) {
	ctx := context.Background()
	s, err := newClient(t, demo).Scopes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if s.TokenKind != "classic" || !s.CanRead || !s.CanDelete || !s.CanRestore || !s.HasRepo ||
		!slices.Contains(s.Scopes, "delete:packages") || s.Problem != "" {
		t.Errorf("demo token: %+v", s)
	}
	s, err = newClient(t, demo, ghpkg.WithToken(readOnlyToken)).Scopes(ctx)
	if err != nil || !s.CanRead || s.CanDelete || s.CanRestore {
		t.Errorf("read-only token: %+v %v", s, err)
	}
	s, err = newClient(t, demo, ghpkg.WithToken(fineGrainedToken)).Scopes(ctx)
	if err != nil || s.CanRead || s.Scopes != nil || !strings.Contains(s.Problem, "classic") {
		t.Errorf("fine-grained token: %+v %v", s, err)
	}
}

func TestListPackagesIsLazyAndComplete(t *testing.T) {
	c := newClient(t, demo, ghpkg.WithPerPage(50))
	ctx := context.Background()
	seq := c.ListPackages(ctx, ghpkg.Org("acme"), ghpkg.Container, ghpkg.AnyVisibility)
	if c.RateLimit() != nil {
		t.Fatal("a request was sent before the loop started")
	}
	all := collect(t, seq)
	if len(all) != 264 {
		t.Fatalf("acme has 264 container packages, listed %d", len(all))
	}
	for i, p := range all {
		if i > 0 && p.ID <= all[i-1].ID {
			t.Fatalf("out of order at %d", i)
		}
		if p.PackageType != ghpkg.Container || p.Owner == nil || p.Owner.Login != "acme" {
			t.Fatalf("package %d: %+v", i, p)
		}
	}
	if rl := c.RateLimit(); rl == nil || rl.Limit != 5000 || rl.Remaining >= 5000 {
		t.Errorf("rate limit after the listing: %+v", rl)
	}
	pub := collect(t, c.ListPackages(ctx, ghpkg.Org("acme"), ghpkg.Container, ghpkg.Public))
	priv := collect(t, c.ListPackages(ctx, ghpkg.Org("acme"), ghpkg.Container, ghpkg.Private))
	if len(pub)+len(priv) != 264 || len(priv) != 54 {
		t.Errorf("public %d + private %d", len(pub), len(priv))
	}
	// Breaking out early frees the listing.
	n := 0
	for _, err := range c.ListPackages(ctx, ghpkg.Org("acme"), ghpkg.Container, ghpkg.AnyVisibility) {
		if err != nil {
			t.Fatal(err)
		}
		if n++; n == 3 {
			break
		}
	}
	conflicts := collect(t, c.DockerConflicts(ctx, ghpkg.Org("acme")))
	if len(conflicts) != 1 || conflicts[0].Name != "legacy-api" || conflicts[0].PackageType != ghpkg.Docker {
		t.Errorf("acme's conflicts: %+v", conflicts)
	}
	mine := collect(t, c.DockerConflicts(ctx, ghpkg.AuthenticatedUser))
	if len(mine) != 1 || mine[0].Name != "octo-image" {
		t.Errorf("octocat's conflicts: %+v", mine)
	}
}

// bigFixture is org big with n container packages and a classic token with
// room for every page.
func bigFixture(n int) map[string]any {
	return map[string]any{
		"users": []map[string]any{{"login": "octocat", "id": 1}},
		"orgs":  []map[string]any{{"login": "big", "id": 7, "admins": []string{"octocat"}}},
		"tokens": []map[string]any{{
			"token": "ghp_bigbigbigbigbigbigbigbigbigbigbigbig", "user": "octocat", "kind": "classic",
			"scopes": []string{"read:packages"}, "rate_limit": 1_000_000,
		}},
		"generated": []map[string]any{{"owner": "big", "package_type": "container", "count": n}},
	}
}

func TestPagingLimit(t *testing.T) {
	text, err := json.Marshal(bigFixture(10_050))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "big.json")
	if err := os.WriteFile(path, text, 0o600); err != nil {
		t.Fatal(err)
	}
	big, err := startEmulator(binary("GHPKG_EMULATOR", "../target/debug/ghpkg-emulator"),
		"--fixture", path, "--secondary-points-per-minute", "1000000000")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(big.stop)
	c := newClient(t, big)
	cancellable, cancel := context.WithCancel(context.Background())
	defer cancel()
	// Both ways a loop steps: on the calling goroutine (a context that never
	// ends) and on a helper goroutine (one that can).
	for _, ctx := range []context.Context{context.Background(), cancellable} {
		listing := c.ListPackagesPaged(ctx, ghpkg.Org("big"), ghpkg.Container, ghpkg.AnyVisibility)
		if listing.ReachedPagingLimit() {
			t.Fatal("nothing walked yet")
		}
		if n := len(collect(t, listing.All())); n != 10_000 {
			t.Fatalf("the listing stops at 10,000 packages, listed %d", n)
		}
		if !listing.ReachedPagingLimit() {
			t.Error("the listing reached the paging limit")
		}
	}

	d := newClient(t, demo)
	ctx := context.Background()
	acme := d.ListPackagesPaged(ctx, ghpkg.Org("acme"), ghpkg.Container, ghpkg.AnyVisibility)
	if n := len(collect(t, acme.All())); n != 264 || acme.ReachedPagingLimit() {
		t.Errorf("acme: %d packages, limit reached %v", n, acme.ReachedPagingLimit())
	}
	versions := d.ListVersionsPaged(ctx, ghpkg.Org("acme"), ghpkg.Container, "api/server", ghpkg.ActiveVersions)
	if n := len(collect(t, versions.All())); n != 19 || versions.ReachedPagingLimit() {
		t.Errorf("api/server: %d versions, limit reached %v", n, versions.ReachedPagingLimit())
	}
}

func TestPackageFields(t *testing.T) {
	p, err := newClient(t, demo).GetPackage(context.Background(), ghpkg.Org("acme"), ghpkg.Container, "api/server")
	if err != nil {
		t.Fatal(err)
	}
	if p.ID != 2001 || p.Name != "api/server" || p.PackageType != ghpkg.Container ||
		p.Visibility != ghpkg.Private || p.VersionCount != 19 ||
		!strings.Contains(p.URL, "/orgs/acme/packages/container/api%2Fserver") || p.HTMLURL == "" {
		t.Errorf("package: %+v", p)
	}
	if !p.CreatedAt.Equal(demoEpoch.Add(101*time.Hour)) || p.UpdatedAt.Before(p.CreatedAt) {
		t.Errorf("times: %v %v", p.CreatedAt, p.UpdatedAt)
	}
	if p.Owner == nil || p.Owner.Login != "acme" || p.Owner.ID != 100 || p.Owner.Type != "Organization" {
		t.Errorf("owner: %+v", p.Owner)
	}
	if r := p.Repository; r == nil || r.FullName != "acme/api" || r.Name != "api" || r.ID == 0 {
		t.Errorf("repository: %+v", r)
	}
	var raw map[string]any
	if err := json.Unmarshal(p.Raw, &raw); err != nil || raw["name"] != "api/server" {
		t.Errorf("raw JSON: %v %s", err, p.Raw)
	}
}

func TestVersions(t *testing.T) {
	c := newClient(t, demo, ghpkg.WithPerPage(2))
	ctx := context.Background()
	acme := ghpkg.Org("acme")
	vs := collect(t, c.ListVersions(ctx, acme, ghpkg.Container, "api/server", ghpkg.DefaultState))
	var ids []uint64
	for _, v := range vs {
		ids = append(ids, v.ID)
	}
	want := []uint64{5000000001, 200121, 200120, 20019, 20014, 20013, 20012, 200160, 200151, 200150,
		200140, 20018, 20015, 200134, 200133, 200132, 200131, 200130, 20016}
	if !slices.Equal(ids, want) {
		t.Errorf("versions %v, want %v", ids, want)
	}
	v, err := c.GetVersion(ctx, acme, ghpkg.Container, "api/server", 5000000001)
	if err != nil {
		t.Fatal(err)
	}
	if v.ID != 5000000001 || !strings.HasPrefix(v.Name, "sha256:") || len(v.Name) != 71 ||
		!slices.Equal(v.Tags, []string{"latest", "1.2.0"}) || v.IsUntagged() ||
		v.PackageType != ghpkg.Container || !strings.Contains(v.Description, "Multi-arch") ||
		!v.CreatedAt.Equal(demoEpoch.Add(400*time.Hour)) || !v.DeletedAt.IsZero() {
		t.Errorf("version: %+v", v)
	}
	npm, err := c.GetVersion(ctx, ghpkg.User("octocat"), ghpkg.Npm, "hello-world", 10011)
	if err != nil || npm.Name != "1.0.0" || npm.License != "MIT" || npm.Tags == nil || len(npm.Tags) != 0 {
		t.Errorf("npm version: %+v %v", npm, err)
	}
}

func TestDeleteAndRestore(t *testing.T) {
	c := newClient(t, demo)
	ctx := context.Background()
	acme := ghpkg.Org("acme")
	if err := c.DeleteVersion(ctx, acme, ghpkg.Container, "api/server", 20012); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetVersion(ctx, acme, ghpkg.Container, "api/server", 20012); !isKind(err, ghpkg.KindNotFound) {
		t.Errorf("deleted version: %v", err)
	}
	deleted := collect(t, c.ListVersions(ctx, acme, ghpkg.Container, "api/server", ghpkg.DeletedVersions))
	found := false
	for _, v := range deleted {
		found = found || (v.ID == 20012 && !v.DeletedAt.IsZero())
	}
	if !found {
		t.Error("the deleted version is not listed as deleted")
	}
	if err := c.RestoreVersion(ctx, acme, ghpkg.Container, "api/server", 20012); err != nil {
		t.Fatal(err)
	}
	me := ghpkg.AuthenticatedUser
	if err := c.DeletePackage(ctx, me, ghpkg.Container, "hello-container"); err != nil {
		t.Fatal(err)
	}
	if err := c.RestorePackage(ctx, me, ghpkg.Container, "hello-container", "registry-token"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetPackage(ctx, me, ghpkg.Container, "hello-container"); err != nil {
		t.Errorf("restored package: %v", err)
	}
}

func TestCatalog(t *testing.T) {
	c := newClient(t, demo)
	ctx := context.Background()
	rows, err := c.CatalogSelect(ctx, "packages", ghpkg.Params{
		"org": "acme", "package_type": "container", "package_name": "api/server",
	})
	if err != nil || len(rows) != 1 || rows[0]["id"].(json.Number).String() != "2001" {
		t.Fatalf("select: %v %v", rows, err)
	}
	rows, err = c.CatalogSelect(ctx, "package_versions", ghpkg.Params{
		"org": "acme", "package_type": "container", "package_name": "api/server",
	})
	if err != nil || len(rows) != 19 || rows[0]["id"].(json.Number).String() != "5000000001" {
		t.Fatalf("versions: %d rows %v", len(rows), err)
	}
	params := ghpkg.Params{"org": "acme", "package_type": "container", "package_name": "api/server",
		"package_version_id": 20013}
	if err := c.CatalogDelete(ctx, "package_versions", params); err != nil {
		t.Fatal(err)
	}
	rows, err = c.CatalogExec(ctx, "package_versions", "restore_package_version_for_org", params)
	if err != nil || len(rows) != 0 {
		t.Fatalf("exec: %v %v", rows, err)
	}
	if _, err := c.CatalogSelect(ctx, "nope", nil); !isKind(err, ghpkg.KindInvalidArgument) {
		t.Errorf("unknown resource: %v", err)
	}
	if _, err := c.CatalogSelect(ctx, "packages", ghpkg.Params{"x": make(chan int)}); !isKind(err, ghpkg.KindInvalidArgument) {
		t.Errorf("params that are not JSON: %v", err)
	}
}

func TestHostileNames(t *testing.T) {
	c := newClient(t, demo)
	ctx := context.Background()
	for _, name := range []string{"my app", "café-ünïcode", "what?#hash"} {
		p, err := c.GetPackage(ctx, ghpkg.AuthenticatedUser, ghpkg.Container, name)
		if err != nil || p.Name != name {
			t.Errorf("%q: %v %v", name, p, err)
		}
	}
	for _, name := range []string{"api%2Fserver", "api/server/versions/5000000001", "../../orgs/acme/packages/container/api%2Fserver"} {
		if _, err := c.GetPackage(ctx, ghpkg.Org("acme"), ghpkg.Container, name); !isKind(err, ghpkg.KindNotFound) {
			t.Errorf("%q: %v", name, err)
		}
	}
	for _, name := range []string{"", ".", "..", "a\nb", "api\x00/server"} {
		if _, err := c.GetPackage(ctx, ghpkg.Org("acme"), ghpkg.Container, name); !isKind(err, ghpkg.KindInvalidArgument) {
			t.Errorf("%q: %v", name, err)
		}
	}
	if _, err := c.GetPackage(ctx, ghpkg.Org("ac\xffme"), ghpkg.Container, "x"); !isKind(err, ghpkg.KindInvalidUTF8) {
		t.Errorf("invalid UTF-8: %v", err)
	}
}

// osThreads is this process's thread count (Linux), or 0 when unknown.
func osThreads() int {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "Threads:"); ok {
			n, _ := strconv.Atoi(strings.TrimSpace(rest))
			return n
		}
	}
	return 0
}

// Single-object calls wait on a channel, not in a blocked cgo call: 300
// goroutines with 200 ms requests in flight do not take 300 OS threads.
func TestReadsDoNotHoldThreads(t *testing.T) {
	if osThreads() == 0 {
		t.Skip("no /proc/self/status")
	}
	c := newClient(t, faults)
	acme := ghpkg.Org("acme")
	ctx := context.Background()
	before := osThreads()
	peak := before
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		for {
			select {
			case <-stop:
				return
			case <-time.After(10 * time.Millisecond):
				if n := osThreads(); n > peak {
					peak = n
				}
			}
		}
	}()
	var wg sync.WaitGroup
	var failures atomic.Int32
	for i := 0; i < 300; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Every acme package path answers after 200 ms on this emulator.
			if _, err := c.GetPackage(ctx, acme, ghpkg.Container, "api/server"); err != nil {
				failures.Add(1)
			}
		}()
	}
	wg.Wait()
	close(stop)
	<-sampled
	if failures.Load() != 0 {
		t.Fatalf("%d of 300 reads failed", failures.Load())
	}
	if peak-before > 50 {
		t.Errorf("OS threads grew from %d to %d for 300 reads in flight", before, peak)
	}
	t.Logf("OS threads: %d before, %d at the peak", before, peak)
}
